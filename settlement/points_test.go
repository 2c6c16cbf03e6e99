package settlement

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// pointsPolicy is testPolicy with a loyalty programme: a point is worth
// 3 cents, funded by funder (homeBPS of it by the home with a split).
func pointsPolicy(funder string, homeBPS int64) Policy {
	p := testPolicy()
	p.Loyalty = Loyalty{PointValue: 3, Funder: funder, FunderHomeBPS: homeBPS}
	return p
}

// earned is an event of points a part of merchant m1 sold on s, homed on
// h, earned for a shopper of issuer.
func earned(part, s, h, issuer string, points int64) Event {
	return Event{PartID: part, Kind: EventPointsEarned, Storefront: s, Home: h, Merchant: "m1", Issuer: issuer,
		Points: points, Gross: Money{Amount: points * 3, Currency: "EUR"}, PolicyVersion: 1, At: t0}
}

// reversed is the reversal of points of an earned event, after before
// were reversed by earlier refunds.
func reversed(e Event, refund string, points, before int64) Event {
	r := e
	r.Kind, r.RefundOf, r.Points, r.PointsEarned, r.PointsReversedBefore = EventPointsReversed, refund, points, e.Points, before
	r.Gross.Amount = points * 3
	r.At = t0.Add(time.Hour)
	return r
}

// redeemed is points spent at storefront s, held at issuer.
func redeemed(hold, s, issuer string, points int64) Event {
	return Event{PartID: hold, Kind: EventPointsRedeemed, Storefront: s, Issuer: issuer,
		Points: points, Gross: Money{Amount: points * 3, Currency: "EUR"}, PolicyVersion: 1, At: t0}
}

// returned is the return of points of a redemption r to the shopper by
// a refund, after before were returned by earlier refunds.
func returned(r Event, refund string, points, before int64) Event {
	x := r
	x.Kind, x.RefundOf, x.Points, x.PointsEarned, x.PointsReversedBefore = EventPointsReturned, refund, points, r.Points, before
	x.Gross.Amount = points * 3
	x.At = t0.Add(2 * time.Hour)
	return x
}

func TestPointsEntries(t *testing.T) {
	type want struct {
		kind, from, to string
		amount         int64
	}
	tests := []struct {
		name string
		pol  Policy
		ev   Event
		want []want
	}{
		{"home funds", pointsPolicy(FunderHome, 0), earned("p", "S", "H", "I", 101),
			[]want{{EntryPointsFunding, "H", "I", 303}}},
		{"storefront funds", pointsPolicy(FunderStorefront, 0), earned("p", "S", "H", "I", 101),
			[]want{{EntryPointsFunding, "S", "I", 303}}},
		{"split rounds half up for the home", pointsPolicy(FunderSplit, 5000), earned("p", "S", "H", "I", 101),
			[]want{{EntryPointsFunding, "H", "I", 152}, {EntryPointsFunding, "S", "I", 151}}},
		{"the issuer funds its own shopper", pointsPolicy(FunderSplit, 5000), earned("p", "I", "H", "I", 100),
			[]want{{EntryPointsFunding, "H", "I", 150}}},
		{"a reversal gives the split back", pointsPolicy(FunderSplit, 5000), reversed(earned("p", "S", "H", "I", 101), "r1", 1, 0),
			[]want{{EntryPointsReversal, "I", "H", 2}, {EntryPointsReversal, "I", "S", 1}}},
		{"redemption", pointsPolicy(FunderHome, 0), redeemed("o1", "S", "I", 50),
			[]want{{EntryPointsRedemption, "I", "S", 150}}},
		{"redemption at the issuer's own storefront", pointsPolicy(FunderHome, 0), redeemed("o1", "I", "I", 50), nil},
		{"a refund returns points to the shopper", pointsPolicy(FunderHome, 0), returned(redeemed("o1", "S", "I", 50), "r1", 20, 10),
			[]want{{EntryPointsReturn, "S", "I", 60}}},
		{"a return at the issuer's own storefront", pointsPolicy(FunderHome, 0), returned(redeemed("o1", "I", "I", 50), "r1", 20, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := PointsEntries(tt.ev, tt.pol)
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, e := range es {
				got = append(got, want{e.Kind, e.From, e.To, e.Amount.Amount})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("entries %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPointsEventRefusals: a points event that states too much, or under
// a policy without loyalty, is refused naming the field, and posts nothing.
func TestPointsEventRefusals(t *testing.T) {
	e := earned("p", "S", "H", "I", 10)
	tests := []struct {
		name string
		pol  Policy
		ev   Event
		says string
	}{
		{"no issuer", pointsPolicy(FunderHome, 0), func() Event { x := e; x.Issuer = ""; return x }(), "event.issuer"},
		{"no points", pointsPolicy(FunderHome, 0), func() Event { x := e; x.Points = 0; return x }(), "event.points"},
		{"reversal over what was earned", pointsPolicy(FunderHome, 0), reversed(e, "r", 6, 5), "event.points"},
		{"reversal without a refund", pointsPolicy(FunderHome, 0), reversed(e, "", 1, 0), "event.refund_of"},
		{"redemption with a home", pointsPolicy(FunderHome, 0), func() Event { x := redeemed("o", "S", "I", 1); x.Home = "H"; return x }(), "event.home"},
		{"return over what was redeemed", pointsPolicy(FunderHome, 0), returned(redeemed("o", "S", "I", 10), "r", 6, 5), "event.points"},
		{"return without a refund", pointsPolicy(FunderHome, 0), returned(redeemed("o", "S", "I", 10), "", 1, 0), "event.refund_of"},
		{"value does not match", pointsPolicy(FunderHome, 0), func() Event { x := e; x.Gross.Amount++; return x }(), "event.gross"},
		{"loyalty off", testPolicy(), e, "no loyalty programme"},
		{"sale kind with points", pointsPolicy(FunderHome, 0), func() Event { x := ev("p", EventDelivered, t0, 10); x.Points = 1; return x }(), "event.points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLedger(t, "I", &clock{t: t0}, tt.pol)
			created, err := l.Post(context.Background(), tt.ev)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.says) || len(created) != 0 {
				t.Fatalf("Post = %v, %v; want ErrInvalid naming %s", created, err, tt.says)
			}
			if n := len(entriesOf(t, l, day1, "")); n != 0 {
				t.Errorf("%d entries after a refused event", n)
			}
		})
	}
}

// TestPointsProperty: for random businesses of earn, partial reversals,
// redemptions and refunds returning redeemed points among four members, each event delivered to every
// party in its own random order and some twice, both sides of every pair
// hold the same entries byte for byte; a part's reversals add up to
// exactly its funding once all is reversed; balances check; and netting
// the pairs' entries sums to zero.
func TestPointsProperty(t *testing.T) {
	members := []string{"A", "B", "C", "D"}
	funders := []struct {
		f   string
		bps int64
	}{{FunderHome, 0}, {FunderStorefront, 0}, {FunderSplit, 3333}, {FunderSplit, 5000}}
	for round := range 40 { // a subtest per round, so that its ledgers close with it
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			pointsRound(t, round, members, funders[round%len(funders)].f, funders[round%len(funders)].bps)
		})
	}
}

// pointsRound is one round of TestPointsProperty: a random business
// posted to every member's ledger in its own order, with replays.
func pointsRound(t *testing.T, round int, members []string, funder string, funderBPS int64) {
	rng := rand.New(rand.NewPCG(uint64(round), 17))
	pol := pointsPolicy(funder, funderBPS)
	events, fullyReversed := randomPointsEvents(rng, members)
	ledgers := map[string]*Ledger{}
	for _, m := range members {
		ledgers[m] = newLedger(t, m, &clock{t: t0.Add(48 * time.Hour)}, pol)
		order := slices.Clone(events)
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		order = append(order, order[:len(order)/3]...) // replays
		postAll(t, order, ledgers[m])
		if err := ledgers[m].CheckBalances(context.Background()); err != nil {
			t.Fatalf("round %d: %s: %v", round, m, err)
		}
	}
	var obs []Obligation
	for i, a := range members {
		for _, b := range members[i+1:] {
			ea, eb := encoded(t, ledgers[a], day1, b), encoded(t, ledgers[b], day1, a)
			if !sameBytes(ea, eb) {
				t.Fatalf("round %d: %s holds %d entries with %s, which holds %d", round, a, len(ea), b, len(eb))
			}
			for _, e := range entriesOf(t, ledgers[a], day1, b) {
				obs = append(obs, Obligation{From: e.From, To: e.To, Amount: e.Amount})
			}
		}
	}
	positions, transfers, err := Net(members, obs)
	if err != nil {
		t.Fatal(err)
	}
	checkNetting(t, members, obs, positions, transfers)
	checkFullReversals(t, round, pol, ledgers, fullyReversed)
	checkReturns(t, round, ledgers, events)
}

// checkReturns: the returns of each redemption, as its storefront holds
// them, give the issuer back no more than the redemption paid.
func checkReturns(t *testing.T, round int, ledgers map[string]*Ledger, events []Event) {
	t.Helper()
	for _, r := range events {
		if r.Kind != EventPointsRedeemed || r.Storefront == r.Issuer {
			continue
		}
		var paid, back int64
		for _, x := range entriesOf(t, ledgers[r.Storefront], day1, r.Issuer) {
			switch {
			case x.PartID != r.PartID:
			case x.Kind == EntryPointsRedemption:
				paid += x.Amount.Amount
			case x.Kind == EntryPointsReturn:
				back += x.Amount.Amount
			}
		}
		if paid != r.Gross.Amount || back > paid {
			t.Errorf("round %d: redemption %s paid %d of %d, its returns gave back %d", round, r.PartID, paid, r.Gross.Amount, back)
		}
	}
}

// randomPointsEvents makes a random business and lists the earn events
// whose points were reversed in full.
func randomPointsEvents(rng *rand.Rand, members []string) ([]Event, []Event) {
	pick := func() string { return members[rng.IntN(len(members))] }
	var events, full []Event
	for p := range 1 + rng.IntN(8) {
		e := earned(fmt.Sprintf("p%d", p), pick(), pick(), pick(), 1+rng.Int64N(5000))
		events = append(events, e)
		left, n := e.Points, 0
		for left > 0 && rng.IntN(3) > 0 {
			k := 1 + rng.Int64N(left)
			if rng.IntN(3) == 0 {
				k = left
			}
			events = append(events, reversed(e, fmt.Sprintf("r%d", n), k, e.Points-left))
			left, n = left-k, n+1
		}
		if left == 0 {
			full = append(full, e)
		}
	}
	for h := range rng.IntN(6) {
		r := redeemed(fmt.Sprintf("h%d", h), pick(), pick(), 1+rng.Int64N(3000))
		events = append(events, r)
		left, n := r.Points, 0
		for left > 0 && rng.IntN(2) > 0 {
			k := 1 + rng.Int64N(left)
			events = append(events, returned(r, fmt.Sprintf("r%d", n), k, r.Points-left))
			left, n = left-k, n+1
		}
	}
	return events, full
}

// checkFullReversals: each fully reversed part's reversals, as the
// issuer holds them, give each funder back exactly what it paid.
func checkFullReversals(t *testing.T, round int, pol Policy, ledgers map[string]*Ledger, full []Event) {
	t.Helper()
	for _, e := range full {
		net := map[string]int64{}
		for _, x := range entriesOf(t, ledgers[e.Issuer], day1, "") {
			if x.PartID != e.PartID {
				continue
			}
			switch x.Kind {
			case EntryPointsFunding:
				net[x.From] += x.Amount.Amount
			case EntryPointsReversal:
				net[x.To] -= x.Amount.Amount
			}
		}
		for who, n := range net {
			if n != 0 {
				t.Errorf("round %d (%s): part %s fully reversed leaves %s with %d", round, pol.Loyalty.Funder, e.PartID, who, n)
			}
		}
	}
}
