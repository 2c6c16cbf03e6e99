package federation

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fedmart/fedmart/federation/wire"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// ProposalProtocol passes pending charter amendments between members.
//
// The opener A sends one frame {proposal: signed charter} and the responder
// B answers with one frame {proposal: B's merged copy}, or {} when B holds
// none (the version is decided already, or it just took force there). Each
// side checks the other's copy as Propose does and merges the signatures it
// lacks. A member that learnt a signature (or a new proposal) sends its
// merged copy to every other connected member but the sender; one that
// learnt nothing stays quiet, so the exchange ends once every member holds
// the union. A sender ahead by a charter version is caught up with first
// (CharterProtocol), so its proposal can be checked. Members run the
// exchange for each pending proposal whenever they connect, after the
// charter exchange, so a member that was away catches up.
const ProposalProtocol protocol.ID = "/fedmart/charter-proposal/1.0.0"

// proposalMsg is the one message of ProposalProtocol, both ways.
type proposalMsg struct {
	Proposal *SignedCharter `json:"proposal,omitempty"`
}

// maxProposalMsg bounds one message: a charter of the largest size, and its
// envelope.
const maxProposalMsg = MaxCharterBytes + 64

// receiveProposal checks and merges a proposal member from sent, and sends
// on what it learnt. It returns this node's merged copy, or nil when the
// version is decided already.
func (f *Federation) receiveProposal(ctx context.Context, from peer.ID, sc *SignedCharter) (*SignedCharter, error) {
	if v := sc.Charter.Version; v > f.version()+1 {
		// The sender applied a version this node has not seen yet.
		if err := f.syncCharter(ctx, from); err != nil {
			return nil, fmt.Errorf("catching up with %s before its amendment (version %d): %w", from, v, err)
		}
	}
	f.applyMu.Lock()
	if sc.Charter.Version <= f.version() {
		f.applyMu.Unlock()
		return nil, nil
	}
	res, err := f.offerLocked(sc)
	f.applyMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("amendment (version %d) from %s: %w", sc.Charter.Version, from, err)
	}
	if res.changed || res.applied {
		f.tasks.spawn(4*f.cfg.StreamTimeout, func(ctx context.Context) { f.announce(ctx, res, from) })
	}
	if res.applied {
		return nil, nil
	}
	return res.signed, nil
}

func (f *Federation) handleProposal(ctx context.Context, remote peer.ID, s network.Stream) error {
	r := wire.NewReader(s)
	var msg proposalMsg
	if err := r.ReadJSON(maxProposalMsg, &msg); err != nil {
		return err
	}
	if msg.Proposal == nil {
		return fmt.Errorf("%w: amendment message from %s carries no proposal", ErrInvalid, remote)
	}
	held, err := f.receiveProposal(ctx, remote, msg.Proposal)
	if err != nil {
		return fmt.Errorf("amendment refused: %w", err)
	}
	return wire.WriteJSON(s, proposalMsg{Proposal: held})
}

// pushProposal runs the exchange for sc with member p as the opener, and
// merges p's answer when it carries signatures this node lacks.
func (f *Federation) pushProposal(ctx context.Context, p peer.ID, sc *SignedCharter) error {
	s, err := f.Open(ctx, p, ProposalProtocol)
	if err != nil {
		return err
	}
	var answer proposalMsg
	if err := wire.WriteJSON(s, proposalMsg{Proposal: sc}); err != nil {
		_ = s.Reset()
		return err
	}
	if err := wire.NewReader(s).ReadJSON(maxProposalMsg, &answer); err != nil {
		_ = s.Reset()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	theirs := answer.Proposal
	if theirs == nil || theirs.Charter.Digest() != sc.Charter.Digest() || !hasNewSignatures(sc, theirs) {
		return nil
	}
	_, err = f.receiveProposal(ctx, p, theirs)
	return err
}

// forward sends sc to every connected member except skip.
func (f *Federation) forward(ctx context.Context, sc *SignedCharter, skip peer.ID) {
	var wg sync.WaitGroup
	for _, p := range f.host.Network().Peers() {
		if p == skip || !f.IsMember(p) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.pushProposal(ctx, p, sc); err != nil && !errors.Is(err, context.Canceled) {
				f.log.Debug("sending amendment failed", "peer", p, "err", err)
			}
		}()
	}
	wg.Wait()
}

// proposalResend is how often pending proposals are sent again to every
// connected member: a push lost to a broken stream would otherwise wait for
// the next reconnection, and the signature it carried stay on one node.
const proposalResend = 30 * time.Second

// resendProposals sends the pending proposals to every connected member
// every proposalResend until ctx ends. A member that holds one already
// answers with its copy, which costs a charter's bytes each way.
func (f *Federation) resendProposals(ctx context.Context) error {
	tick := time.NewTicker(proposalResend)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if f.proposals.len() == 0 {
			continue
		}
		for _, p := range f.host.Network().Peers() {
			if f.IsMember(p) {
				f.pushProposals(ctx, p)
			}
		}
	}
}

// pushProposals sends every pending proposal to member p, which has just
// connected or exchanged charters with this node.
func (f *Federation) pushProposals(ctx context.Context, p peer.ID) {
	for _, h := range f.proposals.list() {
		if err := f.pushProposal(ctx, p, h.sc); err != nil {
			f.log.Debug("sending amendment failed", "peer", p, "err", err)
		}
	}
}

// tasks owns the stream handlers running and the goroutines they leave
// behind (passing on what they learnt); close ends their contexts and
// waits for them, so that none outlives the Federation and none reads the
// store after its owner closed it (Badger panics on a closed DB).
type tasks struct {
	mu     sync.Mutex // guards closed, and wg.Add against close's Wait
	closed bool
	wg     sync.WaitGroup
	stop   context.Context // ends when close begins
	cancel context.CancelFunc
}

func newTasks() *tasks {
	t := &tasks{}
	t.stop, t.cancel = context.WithCancel(context.Background())
	return t
}

// enter counts one more task running, with a context that ends after
// limit or when close begins, unless the federation is closing (ok is
// then false). The caller calls done when the task returns.
func (t *tasks) enter(limit time.Duration) (ctx context.Context, done func(), ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, nil, false
	}
	t.wg.Add(1)
	ctx, cancel := context.WithTimeout(t.stop, limit)
	return ctx, func() { cancel(); t.wg.Done() }, true
}

// spawn runs fn in a goroutine of its own as a task (see enter). Every
// stream fn opens has its own deadline too, and fails at once once the
// host is closed.
func (t *tasks) spawn(limit time.Duration, fn func(ctx context.Context)) {
	ctx, done, ok := t.enter(limit)
	if !ok {
		return
	}
	go func() {
		defer done()
		fn(ctx)
	}()
}

// close refuses new tasks, ends the running ones' contexts and waits for
// them.
func (t *tasks) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.cancel()
	t.wg.Wait()
}
