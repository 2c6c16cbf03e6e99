package node

import (
	"context"
	"errors"
	"time"

	"github.com/fedmart/fedmart/federation"
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
	st, err := n.ledger.Statement(ctx, period, id)
	if err != nil || st.Status == settlement.StatusAgreed || st.Status == settlement.StatusDisputed {
		return err
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
