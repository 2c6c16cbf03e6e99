package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
	"github.com/fedmart/fedmart/settlement"
)

// demoLoyalty is the demo charter's loyalty programme: a point per euro
// of every part, worth a cent, paid for by the merchant's home member,
// spendable once the part is delivered, for a year, on up to half of an
// order.
var demoLoyalty = federation.Loyalty{EarnBPS: 10000, PointValue: 1, Funder: federation.FunderHome,
	SpendableOn: federation.SpendableOnDelivered, Expiry: federation.Duration(365 * 24 * time.Hour), MaxShareBPS: 5000}

// loyaltyWords says the charter's loyalty policy for the walk-through.
func loyaltyWords(l federation.Loyalty, currency string) string {
	if !l.Enabled() {
		return "none: this alliance's charter has no loyalty programme"
	}
	per := order.Money{Amount: l.PointValue, Currency: currency}
	earn := strconv.FormatInt(l.EarnBPS/10000, 10)
	if frac := l.EarnBPS % 10000; frac != 0 {
		earn += strings.TrimRight(fmt.Sprintf(".%04d", frac), "0")
	}
	s := fmt.Sprintf("%s point(s) per %s spent, a point worth %s, paid for by ", earn, currency, per)
	switch l.Funder {
	case federation.FunderHome:
		s += "the merchant's home member"
	case federation.FunderStorefront:
		s += "the storefront that sold the part"
	default:
		s += fmt.Sprintf("the merchant's home (%d %%) and the storefront", l.FunderHomeBPS/100)
	}
	s += ", spendable once the part is " + map[string]string{federation.SpendableOnDelivered: "delivered",
		federation.SpendableOnReturnWindowEnd: "past its return window"}[l.SpendableOn]
	if l.Expiry > 0 {
		s += fmt.Sprintf(" for %d days", time.Duration(l.Expiry)/(24*time.Hour))
	}
	return s + fmt.Sprintf(", on up to %d %% of an order", l.MaxShare()/100)
}

// demoPay is how a simulated shopper means to pay beyond the card.
type demoPay struct {
	// Coupon is the storefront's code to try, "" for none.
	Coupon string
	// Points is how many points the shopper may spend now (0: none), each
	// worth PointValue, on at most MaxShareBPS of the order.
	Points, PointValue, MaxShareBPS int64
}

// couponFits reports whether the demo coupon may take something off cart.
func (p demoPay) couponFits(cart order.Cart) bool {
	return p.Coupon != "" && cart.Total.Amount >= demoCouponInput(time.Time{}).MinCart
}

// pointsFor is how many points the shopper spends on cart: as many as it
// may, on at most four fifths of the share points may pay of the items
// (the order's total, less a coupon of at most a tenth, is more).
func (p demoPay) pointsFor(cart order.Cart) int64 {
	if p.Points <= 0 || p.PointValue <= 0 {
		return 0
	}
	return min(p.Points, cart.Total.Amount*p.MaxShareBPS*8/10/10000/p.PointValue)
}

// pointsSeen follows a shopper's points at its home member, to tell
// what it earned since the last look.
type pointsSeen struct {
	issuer  *node.Node
	account string
	earned  int64
}

// look reads the account and tells what was earned since the last look.
func (ps *pointsSeen) look(ctx context.Context, who string, t *demoTally, say func(string, ...any)) order.PointsView {
	pv, err := ps.issuer.Orders().ShopperPoints(ctx, ps.account)
	if err != nil || !pv.Enabled {
		return order.PointsView{}
	}
	if d := pv.Earned - ps.earned; d > 0 {
		ps.earned = pv.Earned
		t.pointsEarned.Add(d)
		say("%-14s %s earned %d points on delivered parts: %d spendable now, %d spent in all", ps.issuer.Name(), who, d, pv.Balance.Spendable, pv.Spent)
	}
	return pv
}

// pointsKinds are the settlement entries loyalty points make, with what
// each says between its payer and payee.
var pointsKinds = map[string]string{
	settlement.EntryPointsFunding:    "for points its merchants' sales earned",
	settlement.EntryPointsReversal:   "back for points refunds took back",
	settlement.EntryPointsRedemption: "for points spent on its storefront",
	settlement.EntryPointsReturn:     "back for spent points refunds gave back",
}

// sayPointsEntries tells the points entries of a period's statements,
// every pair's, as every member holds its own pairs.
func sayPointsEntries(ctx context.Context, c *node.Cluster, period string, names map[string]string, t *demoTally, say func(string, ...any)) {
	seen := map[[2]string]bool{}
	var totals []settlement.Total
	for _, n := range c.Nodes {
		sts, err := n.Settlement().Statements(ctx, period)
		if err != nil {
			continue
		}
		for _, st := range sts {
			if seen[st.Parties] {
				continue
			}
			seen[st.Parties] = true
			for _, tot := range st.Totals {
				if _, ok := pointsKinds[tot.Kind]; ok {
					totals = append(totals, tot)
				}
			}
		}
	}
	slices.SortFunc(totals, func(a, b settlement.Total) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(names[a.From], names[b.From]), cmp.Compare(names[a.To], names[b.To]))
	})
	for _, tot := range totals {
		t.pointsEntries.Add(int64(tot.Count))
		entries := "entries"
		if tot.Count == 1 {
			entries = "entry"
		}
		say("settlement       points: %s owes %s %s %s (%s, %d %s)", names[tot.From], names[tot.To],
			order.Money{Amount: tot.Amount.Amount, Currency: tot.Amount.Currency}, pointsKinds[tot.Kind], tot.Kind, tot.Count, entries)
	}
}

// loyaltyOf is the loyalty policy of n's charter in force.
func loyaltyOf(n *node.Node) federation.Loyalty {
	sc, err := n.Federation().Charter()
	if err != nil {
		return federation.Loyalty{}
	}
	return sc.Charter.Loyalty
}
