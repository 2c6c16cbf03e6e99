package federation

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/fedmart/fedmart/federation/wire"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// CharterProtocol exchanges charter versions between two members.
//
// The opener A sends {version: vA}. The responder B answers {version: vB,
// charters: B's versions newer than vA}. A applies them in order; if A is
// ahead (vA > vB) it then sends {charters: A's versions newer than vB} and B
// applies them. Every version is verified against its predecessor on the
// receiving side, so a member can relay amendments it did not sign. A run
// is started whenever two members connect and after every amendment; after
// it, the opener sends its pending amendments over ProposalProtocol.
const CharterProtocol protocol.ID = "/fedmart/charter/1.0.0"

// maxCharterBatch bounds the versions sent in one exchange.
const maxCharterBatch = 64

type charterMsg struct {
	Version  uint64           `json:"version"`
	Charters []*SignedCharter `json:"charters,omitempty"`
}

const maxCharterMsg = maxCharterBatch * MaxCharterBytes / 8

// syncCharter runs the exchange with member p as the opener.
func (f *Federation) syncCharter(ctx context.Context, p peer.ID) error {
	s, err := f.Open(ctx, p, CharterProtocol)
	if err != nil {
		return err
	}
	if err := f.exchangeAsOpener(s); err != nil {
		_ = s.Reset()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	f.pushProposals(ctx, p)
	return nil
}

func (f *Federation) exchangeAsOpener(s network.Stream) error {
	mine := f.version()
	if err := wire.WriteJSON(s, charterMsg{Version: mine}); err != nil {
		return err
	}
	r := wire.NewReader(s)
	var answer charterMsg
	if err := r.ReadJSON(maxCharterMsg, &answer); err != nil {
		return err
	}
	if err := f.receive(s.Conn().RemotePeer(), answer.Charters); err != nil {
		return err
	}
	var back charterMsg
	if answer.Version < mine {
		list, err := f.store.since(answer.Version, maxCharterBatch)
		if err != nil {
			return err
		}
		back.Charters = list
	}
	back.Version = f.version()
	return wire.WriteJSON(s, back)
}

func (f *Federation) handleCharter(_ context.Context, remote peer.ID, s network.Stream) error {
	r := wire.NewReader(s)
	var hello charterMsg
	if err := r.ReadJSON(maxCharterMsg, &hello); err != nil {
		return err
	}
	list, err := f.store.since(hello.Version, maxCharterBatch)
	if err != nil {
		return err
	}
	if err := wire.WriteJSON(s, charterMsg{Version: f.version(), Charters: list}); err != nil {
		return err
	}
	var back charterMsg
	if err := r.ReadJSON(maxCharterMsg, &back); err != nil {
		return err
	}
	return f.receive(remote, back.Charters)
}

// receive applies the versions a member sent, oldest first. Versions this
// node already holds are skipped; the first one that fails verification
// stops the run and is reported, naming the sender.
func (f *Federation) receive(from peer.ID, list []*SignedCharter) error {
	applied := false
	f.applyMu.Lock()
	for _, sc := range list {
		if sc == nil || sc.Charter.Version <= f.version() {
			continue
		}
		if err := f.verifyAndApply(sc, false); err != nil {
			f.applyMu.Unlock()
			return fmt.Errorf("charter version %d from %s: %w", sc.Charter.Version, from, err)
		}
		applied = true
	}
	f.applyMu.Unlock()
	if applied {
		f.tasks.spawn(4*f.cfg.StreamTimeout, f.spread)
	}
	return nil
}

// spread runs the charter exchange with every connected member, so that an
// amendment reaches all members at once; members that are offline get it
// when they reconnect.
func (f *Federation) spread(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range f.host.Network().Peers() {
		if !f.IsMember(p) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.syncCharter(ctx, p); err != nil && !errors.Is(err, context.Canceled) {
				f.log.Debug("spreading charter failed", "peer", p, "err", err)
			}
		}()
	}
	wg.Wait()
}

func (f *Federation) version() uint64 {
	if sc := f.charter.Load(); sc != nil {
		return sc.Charter.Version
	}
	return 0
}
