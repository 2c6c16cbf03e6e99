package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// settleProtocol carries a settlement session between two members.
const settleProtocol = protocol.ID(settlement.SessionProtocol)

// settleLimits bound the settlement sessions, for federation.New.
var settleLimits = []federation.ProtocolLimit{{ID: settleProtocol, Streams: 32, Memory: 64 << 20}}

// settleGrace is how long after a period ends it closes: time for the last
// statuses of the period to reach both sides.
const settleGrace = 10 * time.Second

// serveSettlement answers the sessions members open.
func (n *Node) serveSettlement(key crypto.PrivKey) {
	n.fed.Handle(settleProtocol, func(ctx context.Context, remote peer.ID, s network.Stream) error {
		p, err := n.sessionParams(key, "", remote)
		if err != nil {
			return err
		}
		_, err = n.ledger.ReconcilePeriod(ctx, s, false, p)
		return err
	})
}

func (n *Node) sessionParams(key crypto.PrivKey, period string, remote peer.ID) (settlement.SessionParams, error) {
	pub, err := remote.ExtractPublicKey()
	if err != nil {
		return settlement.SessionParams{}, err
	}
	return settlement.SessionParams{Period: period, Counterparty: remote.String(), Self: key, Peer: pub, Evidence: evidence{n.orders}}, nil
}

// settleLoop closes periods that ended (plus the grace time) and
// reconciles each closed period with every member whose statement is not
// settled yet, until ctx ends. Of each pair the member with the smaller
// peer ID opens the session.
func (n *Node) settleLoop(ctx context.Context, key crypto.PrivKey) error {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := n.settleOnce(ctx, key); err != nil && ctx.Err() == nil {
			n.log.Debug("settlement: round incomplete", "err", err)
		}
	}
}

func (n *Node) settleOnce(ctx context.Context, key crypto.PrivKey) error {
	sc, err := n.fed.Charter()
	if err != nil {
		return err
	}
	length := time.Duration(sc.Charter.Period)
	periods, err := n.ledger.Periods(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range periods {
		info, perr := settlement.ParsePeriod(p.Name, length)
		if perr != nil || time.Now().Before(info.End.Add(settleGrace)) {
			continue
		}
		if !p.Closed {
			if err := n.ledger.ClosePeriod(ctx, p.Name); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		for _, m := range sc.Charter.ActiveMembers() {
			errs = append(errs, n.reconcileWith(ctx, key, p.Name, m.PeerID))
		}
	}
	return errors.Join(errs...)
}

// reconcileWith runs one session for period with member id unless the
// statement is settled or the other side opens the session.
func (n *Node) reconcileWith(ctx context.Context, key crypto.PrivKey, period, id string) error {
	self := n.fed.Self().String()
	if id <= self { // itself, or the other side opens
		return nil
	}
	slot := period + "/" + id
	if n.settled.has(slot) { // a settled statement never changes: do not recompute it every round
		return nil
	}
	st, err := n.ledger.Statement(ctx, period, id)
	if err != nil {
		return err
	}
	if st.Status == settlement.StatusAgreed || st.Status == settlement.StatusDisputed {
		n.settled.add(slot)
		return nil
	}
	remote, err := peer.Decode(id)
	if err != nil {
		return err
	}
	p, err := n.sessionParams(key, period, remote)
	if err != nil {
		return err
	}
	s, err := n.fed.Open(ctx, remote, settleProtocol)
	if err != nil {
		return err
	}
	if _, err := n.ledger.ReconcilePeriod(ctx, s, true, p); err != nil {
		_ = s.Reset()
		return err
	}
	return s.Close()
}

// settlementView serves the settlement API from the ledger and the charter.
type settlementView struct{ n *Node }

func (v settlementView) length() (time.Duration, error) {
	sc, err := v.n.fed.Charter()
	if err != nil {
		return 0, err
	}
	return time.Duration(sc.Charter.Period), nil
}

// Periods lists the periods the ledger knows, each with the status of its
// statements taken together: open, reconciling, agreed (every pair), or
// disputed (any pair).
func (v settlementView) Periods(ctx context.Context) ([]api.SettlementPeriod, error) {
	length, err := v.length()
	if err != nil {
		return nil, err
	}
	infos, err := v.n.ledger.Periods(ctx)
	if err != nil {
		return nil, err
	}
	out := []api.SettlementPeriod{}
	for _, info := range infos {
		p, err := settlement.ParsePeriod(info.Name, length)
		if err != nil {
			continue // a period of an earlier charter's length
		}
		sts, err := v.Statements(ctx, info.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, api.SettlementPeriod{Period: info.Name, Start: p.Start, End: p.End, Status: string(overall(info.Closed, sts))})
	}
	return out, nil
}

func overall(closed bool, sts []settlement.Statement) settlement.Status {
	if !closed {
		return settlement.StatusOpen
	}
	agreed := true
	for _, s := range sts {
		if s.Status == settlement.StatusDisputed {
			return settlement.StatusDisputed
		}
		agreed = agreed && s.Status == settlement.StatusAgreed
	}
	if agreed {
		return settlement.StatusAgreed
	}
	return settlement.StatusReconciling
}

// Statements returns this node's statement with every other member.
func (v settlementView) Statements(ctx context.Context, period string) ([]settlement.Statement, error) {
	sc, err := v.n.fed.Charter()
	if err != nil {
		return nil, err
	}
	out := []settlement.Statement{}
	for _, m := range sc.Charter.Members {
		if m.PeerID == v.n.fed.Self().String() {
			continue
		}
		st, err := v.n.ledger.Statement(ctx, period, m.PeerID)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// ClosePeriod closes a period that has ended and starts reconciling it
// now; a period still running is refused.
func (v settlementView) ClosePeriod(ctx context.Context, period string) error {
	length, err := v.length()
	if err != nil {
		return err
	}
	p, err := settlement.ParsePeriod(period, length)
	if err != nil {
		return err
	}
	if time.Now().Before(p.End) {
		return fmt.Errorf("%w: period %s runs until %s", settlement.ErrPeriodOpen, period, p.End.Format(time.RFC3339))
	}
	if err := v.n.ledger.ClosePeriod(ctx, period); err != nil {
		return err
	}
	go func() { _ = v.n.settleOnce(context.Background(), v.n.key) }()
	return nil
}

// Earnings is what merchant earned through other storefronts in period.
func (v settlementView) Earnings(ctx context.Context, merchant, period string) (settlement.Earnings, error) {
	return v.n.ledger.MerchantEarnings(ctx, merchant, period)
}

// Settlement exposes the settlement view the API serves to in-process
// tools (demo).
func (n *Node) Settlement() api.Settlement { return settlementView{n} }

// settledSet remembers which (period, member) statements this node has
// seen agreed or disputed, so that the settlement loop skips them.
type settledSet struct {
	mu sync.Mutex // guards m
	m  map[string]bool
}

func (s *settledSet) has(k string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k]
}

func (s *settledSet) add(k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]bool{}
	}
	s.m[k] = true
}
