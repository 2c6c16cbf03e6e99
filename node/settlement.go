package node

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/settlement"
)

// openLedger opens the settlement ledger, whose policies are the charter's
// versions.
func (n *Node) openLedger() error {
	l, err := settlement.Open(n.db, n.fed.Self().String(), n.policyAt, n.log.With("component", "settlement"), n.now)
	n.ledger = l
	return err
}

// policyAt is the revenue-share policy of charter version v.
func (n *Node) policyAt(v uint64) (settlement.Policy, bool) {
	sc, err := n.fed.CharterVersion(v)
	if err != nil {
		return settlement.Policy{}, false
	}
	return policyOf(&sc.Charter), true
}

func policyOf(c *federation.Charter) settlement.Policy {
	p := settlement.Policy{Version: c.Version, Currency: c.Currency, StorefrontCommissionBPS: c.Policy.StorefrontCommissionBPS,
		FederationFeeBPS: c.Policy.FederationFeeBPS, Treasury: c.Policy.Treasury, Period: time.Duration(c.Period), PayableOn: c.Policy.PayableOn,
		ShippingShared: c.Policy.ShippingShared, CommissionBeforeDiscounts: c.Policy.CommissionBeforeDiscounts}
	if l := c.Loyalty; l.Enabled() {
		p.Loyalty = settlement.Loyalty{PointValue: l.PointValue, Funder: l.Funder, FunderHomeBPS: l.FunderHomeBPS}
	}
	if a := c.Ads; a.Enabled() {
		p.Ads = settlement.Ads{Enabled: true, StorefrontShareBPS: a.StorefrontShareBPS}
	}
	for _, o := range c.Policy.Overrides {
		p.Overrides = append(p.Overrides, settlement.Override{CategoryPrefix: o.CategoryPrefix,
			StorefrontCommissionBPS: o.StorefrontCommissionBPS, FederationFeeBPS: o.FederationFeeBPS})
	}
	return p
}

// settlementEvent is what settlement needs of a part's status; false for
// statuses that move no money (reserved, rejected, shipped). A status
// that states a refund or a partial cancellation (Status.Refund) is that
// refund, named by its id, whatever state the part is in: its Gross is
// what it gives back, of which Shipping was shipping, and a cancellation
// that ends the part gives back all that is left. A status that states a
// step of a return (Status.Return) moves no money unless it states the
// return's refund too: the part stays in the state it was booked in.
func settlementEvent(ev order.PartEvent) (settlement.Event, bool) {
	st := ev.Status
	if (st.Return != nil || st.Issue != nil) && st.Refund == nil { // a step of a return or an issue moves no money
		return settlement.Event{}, false
	}
	e := settlement.Event{PartID: ev.Part, Storefront: ev.Storefront, Home: ev.Home, Merchant: st.Merchant, Category: st.Category,
		Gross: settlement.Money{Amount: st.Total.Amount, Currency: st.Total.Currency}, PolicyVersion: st.Policy, At: ev.At}
	if st.Shipping.Amount != 0 {
		e.Shipping = settlement.Money{Amount: st.Shipping.Amount, Currency: st.Total.Currency}
	}
	if st.Discount.Amount != 0 {
		e.Discount = settlement.Money{Amount: st.Discount.Amount, Currency: st.Total.Currency}
	}
	if r := st.Refund; r != nil {
		e.Kind, e.RefundOf = settlement.EventRefunded, r.ID
		if st.Status == order.StatusCancelled {
			e.Kind = settlement.EventCancelled
		}
		e.Gross, e.Shipping = settlement.Money{Amount: r.Amount.Amount, Currency: st.Total.Currency}, settlement.Money{}
		if r.Shipping.Amount != 0 {
			e.Shipping = settlement.Money{Amount: r.Shipping.Amount, Currency: st.Total.Currency}
		}
		// The status counts this refund in Refunded and RefundedShipping.
		e.ShippingRefundedBefore = st.RefundedShipping.Amount - r.Shipping.Amount
		e.ItemsRefundedBefore = st.Refunded.Amount - r.Amount.Amount - e.ShippingRefundedBefore
		return e, true
	}
	switch st.Status {
	case order.StatusAccepted:
		e.Kind = settlement.EventAccepted
	case order.StatusDelivered:
		e.Kind = settlement.EventDelivered
	case order.StatusCancelled:
		e.Kind = settlement.EventCancelled
	case order.StatusRefunded:
		e.Kind = settlement.EventRefunded
		e.Gross.Amount = st.Refunded.Amount
		e.Shipping = settlement.Money{}
		if st.RefundedShipping.Amount != 0 {
			e.Shipping = settlement.Money{Amount: st.RefundedShipping.Amount, Currency: st.Total.Currency}
		}
	default:
		return settlement.Event{}, false
	}
	return e, true
}

// Ledger exposes the settlement ledger to in-process tools and tests.
func (n *Node) Ledger() *settlement.Ledger { return n.ledger }

// evidence proves settlement events with the order service's proofs: the
// home node's signed status, with the storefront's signed reserve and
// confirm that placed the part (order.Proof). A member restores an entry
// only for a part the storefront placed and the home stated.
type evidence struct {
	orders *order.Service
	// points values a points event at its policy (Node.pointsEvent).
	points func(order.PartEvent) (settlement.Event, bool)
}

var _ settlement.Evidence = evidence{}

// Proof returns the proof of the status of ev's part that states ev.
func (e evidence) Proof(ctx context.Context, ev settlement.Event) ([]byte, error) {
	if ev.Issuer != "" {
		return e.pointsProof(ctx, ev)
	}
	if ev.Campaign != "" {
		return e.adProof(ctx, ev)
	}
	p, err := e.orders.ProveStatus(ctx, ev.PartID, ev.Home, func(m *order.Message) bool {
		got, ok := settlementEvent(order.PartEvent{Part: m.Part, Storefront: m.To, Home: m.From, Status: m.Status, At: m.At})
		return ok && got == ev
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", settlement.ErrNotFound, err)
	}
	return p, nil
}

// Verify checks a proof and returns the event its status states.
func (e evidence) Verify(ctx context.Context, proof []byte) (settlement.Event, error) {
	if rest, ok := bytes.CutPrefix(proof, pointsProofTag); ok {
		return e.verifyPoints(ctx, rest)
	}
	if rest, ok := bytes.CutPrefix(proof, adProofTag); ok {
		return e.verifyAd(ctx, rest)
	}
	m, err := order.VerifyProof(proof)
	if err != nil {
		return settlement.Event{}, fmt.Errorf("%w: %v", settlement.ErrForged, err)
	}
	ev, ok := settlementEvent(order.PartEvent{Part: m.Part, Storefront: m.To, Home: m.From, Status: m.Status, At: m.At})
	if !ok {
		return settlement.Event{}, fmt.Errorf("%w: message %s states no settlement event", settlement.ErrInvalid, m.ID)
	}
	return ev, nil
}
