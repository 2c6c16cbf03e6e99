package settlement

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestShippingIsBookedApart: shipping reaches the home platform whole
// unless the policy shares it, in entries of its own; a refund that
// includes shipping gives it back in its own entry.
func TestShippingIsBookedApart(t *testing.T) {
	clk := &clock{t: t0.Add(48 * time.Hour)}
	for _, shared := range []bool{false, true} {
		pol := testPolicy()
		pol.ShippingShared = shared
		s, h := newLedger(t, "S", clk, pol), newLedger(t, "H", clk, pol)
		sale := ev("p1", EventDelivered, t0, 10490) // 100.00 of items, 4.90 of shipping
		sale.Shipping = Money{Amount: 490, Currency: "EUR"}
		back := refund("p1", "r1", t0.Add(time.Hour), 490+1000)
		back.Shipping = Money{Amount: 490, Currency: "EUR"}
		postAll(t, []Event{sale, back}, s, h)
		got := map[string]int64{}
		for _, e := range entriesOf(t, s, day1, "") {
			got[e.Kind] += e.Amount.Amount
		}
		want := map[string]int64{EntrySale: 8850, EntryShipping: 490, EntryFee: 150, EntryRefund: 885, EntryShippingRefund: 490, EntryFeeRefund: 15}
		if shared { // 4.90 less 10 % commission (0.49) and 1.5 % fee (0.07)
			want[EntryShipping], want[EntryFee], want[EntryShippingRefund], want[EntryFeeRefund] = 434, 157, 434, 22
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("shared %v: %s entries sum to %d, want %d (all: %v)", shared, k, got[k], w, got)
			}
		}
		if a, b := encoded(t, s, day1, "H"), encoded(t, h, day1, "S"); !sameBytes(a, b) {
			t.Errorf("shared %v: S and H hold different entries", shared)
		}
		over := refund("p1", "r2", t0.Add(2*time.Hour), 1)
		over.Shipping = Money{Amount: 1, Currency: "EUR"}
		if _, err := s.Post(context.Background(), over); err == nil {
			t.Errorf("shared %v: a second refund of shipping already given back was booked", shared)
		}
	}
}

// TestShippingProperties: for any sales with shipping, partial refunds
// with and without shipping, and cancellations, under either policy, the
// storefront, the home and the treasury derive identical entries, every
// ledger balances, and what a fully given back part leaves owed is zero.
func TestShippingProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 40 {
		pol := testPolicy()
		pol.ShippingShared = round%2 == 1
		clk := &clock{t: t0.Add(72 * time.Hour)}
		s, h, tr := newLedger(t, "S", clk, pol), newLedger(t, "H", clk, pol), newLedger(t, "T", clk, pol)
		var events []Event
		ended := map[string]bool{}
		for p := range 12 {
			id := fmt.Sprintf("r%d-p%d", round, p)
			items, ship := 1+rng.Int64N(50000), rng.Int64N(2000)
			at := t0.Add(time.Duration(rng.IntN(20)) * time.Hour)
			sale := ev(id, EventDelivered, at, items+ship)
			sale.Shipping = Money{Amount: ship, Currency: "EUR"}
			events = append(events, sale)
			leftItems, leftShip := items, ship
			for r := range rng.IntN(4) {
				if leftItems+leftShip == 0 {
					break
				}
				i, sh := rng.Int64N(leftItems+1), int64(0)
				if rng.IntN(2) == 0 {
					sh = rng.Int64N(leftShip + 1)
				}
				if i+sh == 0 {
					continue
				}
				back := refund(id, fmt.Sprint("r", r), at.Add(time.Duration(r+1)*time.Hour), i+sh)
				back.Shipping = Money{Amount: sh, Currency: "EUR"}
				back.ItemsRefundedBefore, back.ShippingRefundedBefore = items-leftItems, ship-leftShip
				events = append(events, back)
				leftItems, leftShip = leftItems-i, leftShip-sh
			}
			if rng.IntN(3) == 0 {
				events = append(events, ev(id, EventCancelled, at.Add(10*time.Hour), items+ship))
				leftItems, leftShip = 0, 0
			}
			ended[id] = leftItems+leftShip == 0
		}
		postAll(t, events, s, h, tr)
		for _, period := range []string{day1, day2} {
			if a, b := encoded(t, s, period, "H"), encoded(t, h, period, "S"); !sameBytes(a, b) {
				t.Fatalf("round %d period %s: S and H differ", round, period)
			}
			if a, b := encoded(t, s, period, "T"), encoded(t, tr, period, "S"); !sameBytes(a, b) {
				t.Fatalf("round %d period %s: S and T differ", round, period)
			}
		}
		for _, l := range []*Ledger{s, h, tr} {
			if err := l.CheckBalances(context.Background()); err != nil {
				t.Fatalf("round %d: %s: %v", round, l.Self(), err)
			}
		}
		owed := map[string]int64{}
		for _, period := range []string{day1, day2} {
			for _, e := range entriesOf(t, s, period, "") {
				if e.From == "S" {
					owed[e.PartID] += e.Amount.Amount
				} else {
					owed[e.PartID] -= e.Amount.Amount
				}
			}
		}
		for id, gone := range ended {
			if gone && owed[id] != 0 {
				t.Fatalf("round %d: part %s was given back whole but S still owes %d", round, id, owed[id])
			}
		}
	}
}

// TestPartialRefundProperties: for random parts sold with shipping, some
// of whose units the shopper cancels before delivery (refunds that wait
// for the sale to become payable), then delivered and refunded in pieces
// (with and without shipping, some pieces of equal amounts) or cancelled
// outright, the storefront, the home and the treasury derive identical
// entries; refunds posted after the pair agreed the sale's period land in
// the next open period on both sides; every ledger balances, a part given
// back whole leaves nothing owed, and the period's net positions sum to
// zero.
func TestPartialRefundProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 11))
	ctx := context.Background()
	for round := range 30 {
		pol := testPolicy()
		pol.ShippingShared = round%3 == 2
		clk := &clock{t: t0.Add(72 * time.Hour)}
		s, h, tr := newLedger(t, "S", clk, pol), newLedger(t, "H", clk, pol), newLedger(t, "T", clk, pol)
		var early, late []Event // before and after the pair agrees day1
		ended := map[string]bool{}
		for p := range 10 {
			id := fmt.Sprintf("r%d-p%d", round, p)
			price, units, ship := 1+rng.Int64N(9000), 1+rng.Int64N(5), rng.Int64N(1500)
			at := t0.Add(time.Duration(rng.IntN(8)) * time.Hour)
			gross := price*units + ship
			sale := func(kind string, at time.Time) Event {
				e := ev(id, kind, at, gross)
				e.Shipping = Money{Amount: ship, Currency: "EUR"}
				return e
			}
			early = append(early, sale(EventAccepted, at))
			items, shipLeft, n := price*units, ship, 0
			piece := func(at time.Time, amount, shipping int64) Event {
				n++
				e := refund(id, fmt.Sprintf("rf%d", n), at, amount+shipping)
				if shipping > 0 {
					e.Shipping = Money{Amount: shipping, Currency: "EUR"}
				}
				e.ItemsRefundedBefore, e.ShippingRefundedBefore = price*units-items, ship-shipLeft
				items, shipLeft = items-amount, shipLeft-shipping
				return e
			}
			for c := int64(0); c < rng.Int64N(units); c++ { // partial cancellations, a unit each
				early = append(early, piece(at.Add(time.Duration(c+1)*time.Minute), price, 0))
			}
			if rng.IntN(4) == 0 { // the rest cancelled: the sale never becomes payable
				early = append(early, ev(id, EventCancelled, at.Add(time.Hour), items+shipLeft))
				ended[id] = true
				continue
			}
			early = append(early, sale(EventDelivered, at.Add(2*time.Hour)))
			var last int64
			for r := range rng.IntN(5) {
				if items+shipLeft == 0 {
					break
				}
				amount, shipping := rng.Int64N(items+1), int64(0)
				if r > 0 && rng.IntN(2) == 0 && last <= items { // the same amount as the last piece: another refund
					amount = last
				}
				last = amount
				if rng.IntN(3) == 0 {
					shipping = shipLeft
				}
				if amount+shipping == 0 {
					continue
				}
				when := at.Add(time.Duration(3+r) * time.Hour)
				list := &early
				if rng.IntN(2) == 0 { // after day1 is agreed, stated in day1 or day2
					list = &late
					when = when.Add(time.Duration(rng.IntN(2)) * 24 * time.Hour)
				}
				*list = append(*list, piece(when, amount, shipping))
			}
			ended[id] = items+shipLeft == 0
		}
		// Each ledger receives the events in its own order, as catch-up
		// after a restore may deliver them: the entries must not depend on
		// it.
		shuffled := func(evs []Event) []Event {
			out := slices.Clone(evs)
			rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
			return out
		}
		postAll(t, early, s)
		postAll(t, shuffled(early), h)
		postAll(t, shuffled(early), tr)
		before := encoded(t, s, day1, "H")
		markAgreed(t, s, day1, "H")
		markAgreed(t, h, day1, "S")
		postAll(t, late, s)
		postAll(t, shuffled(late), h)
		postAll(t, shuffled(late), tr)
		if !sameBytes(before, encoded(t, s, day1, "H")) || !sameBytes(before, encoded(t, h, day1, "S")) {
			t.Fatalf("round %d: entries between S and H changed in day1 after they agreed it", round)
		}
		var obligations []Obligation
		for _, period := range []string{day1, day2} {
			for _, pair := range [][2]*Ledger{{s, h}, {s, tr}, {h, tr}} {
				a, b := encoded(t, pair[0], period, pair[1].Self()), encoded(t, pair[1], period, pair[0].Self())
				if !sameBytes(a, b) {
					t.Fatalf("round %d period %s: %s and %s differ", round, period, pair[0].Self(), pair[1].Self())
				}
				for _, e := range entriesOf(t, pair[0], period, pair[1].Self()) {
					obligations = append(obligations, Obligation{From: e.From, To: e.To, Amount: e.Amount})
				}
			}
		}
		positions, _, err := Net([]string{"S", "H", "T"}, obligations)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, p := range positions {
			sum += p.Net.Amount
		}
		if sum != 0 {
			t.Fatalf("round %d: net positions %+v sum to %d", round, positions, sum)
		}
		for _, l := range []*Ledger{s, h, tr} {
			if err := l.CheckBalances(ctx); err != nil {
				t.Fatalf("round %d: %s: %v", round, l.Self(), err)
			}
		}
		owed := map[string]int64{}
		for _, period := range []string{day1, day2} {
			for _, e := range entriesOf(t, s, period, "") {
				owed[e.PartID] += map[bool]int64{true: 1, false: -1}[e.From == "S"] * e.Amount.Amount
			}
		}
		for id, gone := range ended {
			if gone && owed[id] != 0 {
				t.Fatalf("round %d: part %s was given back whole but S still owes %d", round, id, owed[id])
			}
		}
	}
}
