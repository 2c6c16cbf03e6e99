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

// adsPolicy is testPolicy with ads: the storefront takes share of each
// fee, the treasury the rest.
func adsPolicy(share int64, treasury string) Policy {
	p := testPolicy()
	p.Treasury = treasury
	p.Ads = Ads{Enabled: true, StorefrontShareBPS: share}
	return p
}

// adFee is the fee a part of merchant m1 sold on s, homed on h, was
// charged for campaign c.
func adFee(part, s, h string, fee int64) Event {
	return Event{PartID: part, Kind: EventAdFee, Storefront: s, Home: h, Merchant: "m1", Campaign: "h.m1.c1", AdFee: fee,
		Gross: Money{Amount: fee, Currency: "EUR"}, PolicyVersion: 1, At: t0}
}

// adReversed is the reversal of amount of a fee, after before were
// reversed by earlier refunds.
func adReversed(e Event, refund string, amount, before int64) Event {
	r := e
	r.Kind, r.RefundOf, r.AdReversedBefore = EventAdFeeReversed, refund, before
	r.Gross.Amount = amount
	r.At = t0.Add(time.Hour)
	return r
}

func TestAdEntries(t *testing.T) {
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
		{"split rounds half up for the storefront", adsPolicy(7000, "T"), adFee("p", "S", "H", 101),
			[]want{{EntryAdFee, "H", "S", 71}, {EntryAdFee, "H", "T", 30}}},
		{"all to the storefront", adsPolicy(MaxBPS, "T"), adFee("p", "S", "H", 101),
			[]want{{EntryAdFee, "H", "S", 101}}},
		{"no treasury: the home keeps its share", adsPolicy(5000, ""), adFee("p", "S", "H", 100),
			[]want{{EntryAdFee, "H", "S", 50}}},
		{"the home's own storefront", adsPolicy(5000, "T"), adFee("p", "H", "H", 100),
			[]want{{EntryAdFee, "H", "T", 50}}},
		{"the storefront is the treasury", adsPolicy(5000, "S"), adFee("p", "S", "H", 100),
			[]want{{EntryAdFee, "H", "S", 100}}},
		{"the home is the treasury", adsPolicy(5000, "H"), adFee("p", "S", "H", 100),
			[]want{{EntryAdFee, "H", "S", 50}}},
		{"a reversal on the running total", adsPolicy(7000, "T"), adReversed(adFee("p", "S", "H", 101), "r1", 50, 1),
			// storefront's share of 51 is 36, of 1 is 1: 35 back; the treasury 15.
			[]want{{EntryAdFeeReversal, "S", "H", 35}, {EntryAdFeeReversal, "T", "H", 15}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AdEntries(tt.ev, tt.pol)
			if err != nil {
				t.Fatal(err)
			}
			var gotW []want
			for _, e := range got {
				gotW = append(gotW, want{e.Kind, e.From, e.To, e.Amount.Amount})
			}
			if !slices.Equal(gotW, tt.want) {
				t.Errorf("entries %+v, want %+v", gotW, tt.want)
			}
		})
	}
}

func TestAdEventRefusals(t *testing.T) {
	ok := adFee("p", "S", "H", 100)
	tests := []struct {
		name  string
		edit  func(*Event)
		field string
	}{
		{"no campaign", func(e *Event) { e.Campaign = "" }, "event.campaign"},
		{"charge not the whole fee", func(e *Event) { e.Gross.Amount = 50 }, "event.ad_fee"},
		{"zero fee", func(e *Event) { e.Gross.Amount, e.AdFee = 0, 0 }, "event.gross"},
		{"reversal without refund", func(e *Event) { *e = adReversed(ok, "", 10, 0) }, "event.refund_of"},
		{"reversal beyond the fee", func(e *Event) { *e = adReversed(ok, "r", 60, 50) }, "event.ad_reversed_before"},
		{"sale naming a campaign", func(e *Event) { e.Kind = EventAccepted }, "event.campaign"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.edit(&e)
			err := e.Validate()
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("err = %v, want one naming %s", err, tt.field)
			}
		})
	}
	l := newLedger(t, "S", &clock{t: t0}, testPolicy())
	if _, err := l.Post(context.Background(), ok); !errors.Is(err, ErrInvalid) {
		t.Errorf("an ad event under a policy without ads: %v", err)
	}
}

// TestAdProperty: for random businesses of ad fees and partial
// reversals among four members (one the treasury), each event delivered
// to every party in its own random order and some twice, both sides of
// every pair hold the same entries byte for byte; a part's reversals
// give each party back exactly its share once all is reversed; balances
// check; and netting the pairs' entries sums to zero.
func TestAdProperty(t *testing.T) {
	members := []string{"A", "B", "C", "D"}
	shares := []int64{0, 3333, 7000, MaxBPS}
	for round := range 24 {
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			adRound(t, round, members, adsPolicy(shares[round%len(shares)], "D"))
		})
	}
}

func adRound(t *testing.T, round int, members []string, pol Policy) {
	rng := rand.New(rand.NewPCG(uint64(round), 29))
	pick := func() string { return members[rng.IntN(len(members))] }
	var events, full []Event
	for p := range 1 + rng.IntN(8) {
		e := adFee(fmt.Sprintf("p%d", p), pick(), pick(), 1+rng.Int64N(50000))
		events = append(events, e)
		left, n := e.AdFee, 0
		for left > 0 && rng.IntN(3) > 0 {
			k := 1 + rng.Int64N(left)
			if rng.IntN(3) == 0 {
				k = left
			}
			events = append(events, adReversed(e, fmt.Sprintf("r%d", n), k, e.AdFee-left))
			left, n = left-k, n+1
		}
		if left == 0 {
			full = append(full, e)
		}
	}
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
	for _, e := range full {
		net := map[string]int64{}
		for _, x := range entriesOf(t, ledgers[e.Home], day1, "") {
			if x.PartID == e.PartID {
				net[x.From] += x.Amount.Amount
				net[x.To] -= x.Amount.Amount
			}
		}
		for who, n := range net {
			if n != 0 {
				t.Errorf("round %d: part %s's fee fully reversed leaves %s with %d", round, e.PartID, who, n)
			}
		}
	}
}

// TestAdEntriesAreDerivable: what reconciliation may restore of an ad
// event names every entry the event causes, whatever its amounts, so a
// treasury can learn its share from the home's proof.
func TestAdEntriesAreDerivable(t *testing.T) {
	pol := adsPolicy(7000, "T")
	for _, ev := range []Event{adFee("p", "S", "H", 101), adFee("p", "S", "H", 1), adReversed(adFee("p", "S", "H", 101), "r1", 50, 1)} {
		ids := map[string]bool{}
		for _, e := range derivableEntries(ev, pol) {
			ids[e.ID] = true
		}
		got, err := AdEntries(ev, pol)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range got {
			if !ids[e.ID] {
				t.Errorf("%s of %d: entry %s %s->%s not derivable", ev.Kind, ev.Gross.Amount, e.Kind, e.From, e.To)
			}
		}
		if len(ids) != 2 {
			t.Errorf("%s: %d derivable entries, want the storefront's and the treasury's", ev.Kind, len(ids))
		}
	}
}
