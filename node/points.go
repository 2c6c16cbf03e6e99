package node

import (
	"context"
	"fmt"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/settlement"
)

// loyaltyAt is the charter's loyalty policy at version v, as the order
// service reads it.
func (n *Node) loyaltyAt(v uint64) (order.LoyaltyTerms, bool) {
	sc, err := n.fed.CharterVersion(v)
	if err != nil {
		return order.LoyaltyTerms{}, false
	}
	l := sc.Charter.Loyalty
	return order.LoyaltyTerms{EarnBPS: l.EarnBPS, PointValue: l.PointValue, Currency: sc.Charter.Currency, PayableOn: sc.Charter.Policy.PayableOn,
		SpendableOn: l.SpendableOn, Expiry: time.Duration(l.Expiry), MinShareBPS: l.MinShareBPS, MaxShareBPS: l.MaxShare()}, true
}

// pointsEvent is the settlement event of a points step: valued at the
// point value of the policy it names, so every side values it alike.
func (n *Node) pointsEvent(ev order.PartEvent) (settlement.Event, bool) {
	p := ev.Points
	pol, ok := n.policyAt(p.Policy)
	if !ok || !pol.Loyalty.Enabled() {
		return settlement.Event{}, false
	}
	e := settlement.Event{PartID: ev.Part, Storefront: ev.Storefront, Issuer: p.Issuer, Points: p.Points,
		Gross: settlement.Money{Amount: p.Points * pol.Loyalty.PointValue, Currency: pol.Currency}, PolicyVersion: p.Policy, At: ev.At.UTC()}
	switch p.Step {
	case order.PointsEarn:
		e.Kind = settlement.EventPointsEarned
	case order.PointsReverse:
		e.Kind, e.RefundOf, e.PointsEarned, e.PointsReversedBefore = settlement.EventPointsReversed, p.Refund, p.Earned, p.ReversedBefore
	case order.PointsRedeem:
		e.Kind = settlement.EventPointsRedeemed
		return e, true
	case order.PointsReturned:
		e.Kind, e.RefundOf, e.PointsEarned, e.PointsReversedBefore = settlement.EventPointsReturned, p.Refund, p.Earned, p.ReversedBefore
		return e, true
	default:
		return settlement.Event{}, false
	}
	e.Home = ev.Home
	if ev.Status != nil {
		e.Merchant = ev.Status.Merchant
	}
	return e, true
}

// pointsProofTag starts the proof of a points event, to tell it from the
// proof of the sale the same status states.
var pointsProofTag = []byte("points\n")

// pointsProof proves a points earn or reversal with the status that
// states it (order.Proof: the home's status, the storefront's reserve,
// which named the issuer, and its confirm). A redemption or a return is
// not proven here: the entry stays disputed until the issuer's signed
// answer reaches the storefront, which then books it itself.
func (e evidence) pointsProof(ctx context.Context, ev settlement.Event) ([]byte, error) {
	if ev.Kind == settlement.EventPointsRedeemed || ev.Kind == settlement.EventPointsReturned {
		return nil, fmt.Errorf("%w: redemptions and their returns are not proven over reconciliation", settlement.ErrNotFound)
	}
	p, err := e.orders.ProveStatus(ctx, ev.PartID, ev.Home, func(m *order.Message) bool {
		if m.Status.Points == nil {
			return false
		}
		got, ok := e.points(order.PartEvent{Part: m.Part, Storefront: m.To, Home: m.From, Status: m.Status, At: m.At, Points: order.PointsEventOf(m.Status)})
		return ok && got == ev
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", settlement.ErrNotFound, err)
	}
	return append(append([]byte{}, pointsProofTag...), p...), nil
}

// verifyPoints checks the proof of a points event: the status proof,
// and that the storefront's reserve named the issuer and account the
// status states points for.
func (e evidence) verifyPoints(_ context.Context, proof []byte) (settlement.Event, error) {
	m, err := order.VerifyPointsProof(proof)
	if err != nil {
		return settlement.Event{}, fmt.Errorf("%w: %v", settlement.ErrForged, err)
	}
	ev, ok := e.points(order.PartEvent{Part: m.Part, Storefront: m.To, Home: m.From, Status: m.Status, At: m.At, Points: order.PointsEventOf(m.Status)})
	if !ok {
		return settlement.Event{}, fmt.Errorf("%w: message %s states no points event", settlement.ErrInvalid, m.ID)
	}
	return ev, nil
}
