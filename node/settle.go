package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// settleProtocol carries a settlement session between two members.
const settleProtocol = protocol.ID(settlement.SessionProtocol)

// settleLimits bound the settlement sessions, for federation.New.
var settleLimits = []federation.ProtocolLimit{{ID: settleProtocol, Streams: 32, Memory: 64 << 20, Timeout: sessionBudget}}

// Timing of the settlement loop: how long after a period's end its first
// session starts (its last statuses are usually delivered by then; the
// watermarks make waiting safe either way), how often the loop looks, and
// how often a disputed statement is tried again when nothing changed.
const (
	settleGrace   = 2 * time.Second
	settleLate    = 30 * time.Second
	settleEvery   = 2 * time.Second
	disputeRetry  = time.Minute
	sessionBudget = 2 * time.Minute
)

// settler settles every period with every member. Of each pair the member
// with the smaller peer ID opens the sessions, oldest unsettled period
// first; a period settles once both members' watermarks passed its end
// (settlement's package comment). Empty periods are settled like any
// other, so that every pair signs every period. The other member opens a
// session too for a period it still holds unsettled settleLate after its
// end: the opener may be down, or may have settled it before this member
// lost it to a restore.
type settler struct {
	n    *Node
	wake chan struct{}

	mu    sync.Mutex           // guards tried and busy
	tried map[string]time.Time // period/peer -> last session for a disputed statement
	busy  map[string]bool      // peers a session runs with now, opened by either side
}

func newSettler(n *Node) *settler {
	return &settler{n: n, wake: make(chan struct{}, 1), tried: map[string]time.Time{}, busy: map[string]bool{}}
}

// errBusy refuses a second session with a member while one runs: two at
// once (each side opening one) would save the same statements from both.
var errBusy = errors.New("a settlement session with this member is running")

// claim marks a session with peer as running, unless one is.
func (s *settler) claim(peer string) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[peer] {
		return nil, errBusy
	}
	s.busy[peer] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.busy, peer)
	}, nil
}

// nudge makes the loop look now.
func (s *settler) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run settles until ctx ends.
func (s *settler) run(ctx context.Context) error {
	t := time.NewTicker(settleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
		if err := s.round(ctx); err != nil && ctx.Err() == nil {
			s.n.log.Debug("settlement: round incomplete", "err", err)
		}
	}
}

// round settles with every member this node opens the sessions of.
func (s *settler) round(ctx context.Context) error {
	sc, err := s.n.fed.Charter()
	if err != nil {
		return err
	}
	length := time.Duration(sc.Charter.Period)
	self := s.n.fed.Self().String()
	var errs []error
	for _, m := range sc.Charter.ActiveMembers() {
		switch {
		case m.PeerID == self:
		case m.PeerID < self: // the other side opens
			errs = append(errs, s.pair(ctx, m.PeerID, length, settleLate))
		default:
			errs = append(errs, s.pair(ctx, m.PeerID, length, settleGrace), s.disputes(ctx, m.PeerID, length))
		}
	}
	return errors.Join(errs...)
}

// pair settles the periods with member peer that ended at least after
// ago, from the pair's cursor on, and stops at the first it cannot settle
// yet.
func (s *settler) pair(ctx context.Context, id string, length, after time.Duration) error {
	l := s.n.ledger
	start, err := l.Start(ctx, id)
	if err != nil {
		return err
	}
	periods, err := l.PeriodsFrom(ctx, start, length)
	if err != nil {
		return err
	}
	p, err := l.Pair(ctx, id)
	if err != nil {
		return err
	}
	ended := s.n.now().Add(-after)
	for _, per := range periods {
		if per.End.After(ended) {
			return nil
		}
		if per.Name < p.Cursor { // names of one length sort by time
			continue
		}
		st, err := l.Statement(ctx, per.Name, id)
		if err != nil {
			return err
		}
		if st.Status == settlement.StatusOpen {
			if _, err := s.session(ctx, id, per.Name, length); err != nil {
				return err
			}
		}
		next := per.Next().Name
		if err := l.UpdatePair(ctx, id, func(p *settlement.Pair) { p.Cursor = next }); err != nil {
			return err
		}
	}
	return nil
}

// disputes runs a disputed period's session again when new entries
// arrived here, or a while after the last try (they may have arrived
// there): a dispute settles by itself when new evidence does.
func (s *settler) disputes(ctx context.Context, id string, length time.Duration) error {
	list, err := s.n.ledger.Disputed(ctx, id)
	if err != nil {
		return err
	}
	var errs []error
	for _, saved := range list {
		st, err := s.n.ledger.Statement(ctx, saved.Period, id)
		if err != nil {
			return err
		}
		key := saved.Period + "/" + id
		s.mu.Lock()
		due := st.Digest != saved.Digest || time.Since(s.tried[key]) > disputeRetry
		if due {
			s.tried[key] = time.Now()
		}
		s.mu.Unlock()
		if due {
			_, err := s.session(ctx, id, saved.Period, length)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// session runs one session of period with member id as its initiator and
// records how it went in the pair.
func (s *settler) session(ctx context.Context, id, period string, length time.Duration) (settlement.Statement, error) {
	ctx, cancel := context.WithTimeout(ctx, sessionBudget)
	defer cancel()
	st, err := s.open(ctx, id, period, length)
	now := s.n.now().UTC()
	msg, before := "", ""
	if err != nil {
		msg = err.Error()
	}
	uerr := s.n.ledger.UpdatePair(ctx, id, func(p *settlement.Pair) { before, p.Attempt, p.Error = p.Error, now, msg })
	if uerr != nil && err == nil {
		err = uerr
	}
	if msg != before && msg != "" && ctx.Err() == nil { // say it once, not every round
		s.n.log.Info("settlement: period not settled yet", "period", period, "peer", id, "why", msg)
	}
	return st, err
}

func (s *settler) open(ctx context.Context, id, period string, length time.Duration) (settlement.Statement, error) {
	done, err := s.claim(id)
	if err != nil {
		return settlement.Statement{}, err
	}
	defer done()
	remote, err := peer.Decode(id)
	if err != nil {
		return settlement.Statement{}, err
	}
	p, err := s.params(ctx, remote, period, length)
	if err != nil {
		return settlement.Statement{}, err
	}
	stream, err := s.n.fed.Open(ctx, remote, settleProtocol)
	if err != nil {
		return settlement.Statement{}, fmt.Errorf("%w: %v", errUnreachable, err)
	}
	st, err := s.n.ledger.ReconcilePeriod(ctx, stream, true, p)
	if err != nil {
		_ = stream.Reset()
		return settlement.Statement{}, err
	}
	_ = stream.Close() // the statement is saved; the peer may have closed first
	return st, nil
}

// errUnreachable marks a session that could not even start.
var errUnreachable = errors.New("unreachable")

// params are the session parameters with member remote, this node's
// watermark to it computed now.
func (s *settler) params(ctx context.Context, remote peer.ID, period string, length time.Duration) (settlement.SessionParams, error) {
	pub, err := remote.ExtractPublicKey()
	if err != nil {
		return settlement.SessionParams{}, err
	}
	through, err := s.through(ctx, remote.String())
	if err != nil {
		return settlement.SessionParams{}, err
	}
	return settlement.SessionParams{Period: period, Counterparty: remote.String(), Self: s.n.key, Peer: pub,
		Evidence: evidence{s.n.orders}, Length: length, Through: through,
		Limits: settlement.SessionLimits{MaxProofSize: order.MaxProofBytes}}, nil
}

// through is this node's watermark to member id: how far every status
// this node stated for parts id sold has reached id. With the treasury,
// whose fees are owed on other members' statuses, it is also no later
// than what every other member declared to this node: until then this
// node may still learn of a sale it owes the treasury a fee on.
func (s *settler) through(ctx context.Context, id string) (time.Time, error) {
	t, err := s.n.orders.Watermark(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	sc, err := s.n.fed.Charter()
	if err != nil {
		return time.Time{}, err
	}
	self := s.n.fed.Self().String()
	if treasury := sc.Charter.Policy.Treasury; id != treasury || self == treasury {
		return t, nil
	}
	for _, m := range sc.Charter.ActiveMembers() {
		if m.PeerID == self || m.PeerID == id {
			continue
		}
		r, err := s.n.ledger.Received(ctx, m.PeerID)
		if err != nil {
			return time.Time{}, err
		}
		if r.Before(t) {
			t = r
		}
	}
	return t, nil
}

// serveSettlement answers the sessions members open.
func (n *Node) serveSettlement() {
	n.fed.Handle(settleProtocol, func(ctx context.Context, remote peer.ID, st network.Stream) error {
		sc, err := n.fed.Charter()
		if err != nil {
			return err
		}
		done, err := n.settle.claim(remote.String())
		if err != nil {
			return err
		}
		defer done()
		p, err := n.settle.params(ctx, remote, "", time.Duration(sc.Charter.Period))
		if err != nil {
			return err
		}
		if _, err = n.ledger.ReconcilePeriod(ctx, st, false, p); err != nil && !errors.Is(err, settlement.ErrPeriodOpen) {
			n.log.Info("settlement: a session a member opened failed", "peer", remote, "err", err)
		}
		return err
	})
}
