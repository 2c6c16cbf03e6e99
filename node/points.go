package node

import (
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
	default:
		return settlement.Event{}, false
	}
	e.Home = ev.Home
	if ev.Status != nil {
		e.Merchant = ev.Status.Merchant
	}
	return e, true
}
