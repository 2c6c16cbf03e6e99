package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

var offerStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func percentOff(bps int64) OfferInput {
	return OfferInput{Name: "Winter sale", Kind: OfferPercent, PercentBPS: bps, Starts: offerStart, Ends: offerStart.Add(30 * 24 * time.Hour)}
}

// TestOffersAreSignedReplicatedAndEnded: an offer reaches another member
// by catch-up, a new version replaces it there, and its end (a
// tombstone) replicates too and cannot be undone.
func TestOffersAreSignedReplicatedAndEnded(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	o, err := a.PutOffer(ctx, m, "", percentOff(1500))
	if err != nil {
		t.Fatal(err)
	}
	if o.Version != 1 || o.Platform != a.self || o.Merchant != m || !strings.HasPrefix(o.ID, a.self+"."+m+".") {
		t.Fatalf("offer %+v", o)
	}
	if again, err := a.PutOffer(ctx, m, o.ID, percentOff(1500)); err != nil || again.Version != 1 {
		t.Fatalf("an unchanged offer signed again: %+v %v", again, err)
	}
	syncFrom(t, b, a, 10)
	got, err := b.Offers(ctx, a.self, m)
	if err != nil || len(got) != 1 || got[0].PercentBPS != 1500 || got[0].Label() != "−15 %" {
		t.Fatalf("B's copy: %+v %v", got, err)
	}
	if _, err := a.PutOffer(ctx, m, o.ID, percentOff(2000)); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)
	if got, _ := b.Offer(ctx, o.ID); got.PercentBPS != 2000 || got.Version != 2 {
		t.Fatalf("B's copy after the change: %+v", got)
	}
	if err := a.EndOffer(ctx, m, o.ID); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)
	if _, err := b.Offer(ctx, o.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an ended offer on B: %v", err)
	}
	if all, _ := b.AllOffers(ctx, a.self, m); len(all) != 1 || !all[0].Ended {
		t.Fatalf("B's list of the merchant's offers: %+v", all)
	}
	if _, err := a.PutOffer(ctx, m, o.ID, percentOff(1000)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("replacing an ended offer: %v", err)
	}
	if err := a.EndOffer(ctx, m, o.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ending an ended offer: %v", err)
	}
	// Shipping profiles of the merchant are not confused with its offers.
	if ps, err := b.ShippingProfiles(ctx, a.self, m); err != nil || len(ps) != 0 {
		t.Fatalf("shipping profiles: %+v %v", ps, err)
	}
}

// TestOfferInputIsCheckedByField: every problem of an offer is named by
// its field, and a merchant cannot touch another's offers.
func TestOfferInputIsCheckedByField(t *testing.T) {
	ctx := context.Background()
	a := newNode(t, testConfig(), &memberSet{})
	m, other := a.merchant(t), a.merchant(t)
	cases := []struct {
		in   func(*OfferInput)
		want string
	}{
		{func(in *OfferInput) { in.Kind = "half" }, "kind:"},
		{func(in *OfferInput) { in.PercentBPS = 10001 }, "percent_bps:"},
		{func(in *OfferInput) { in.Kind, in.Amount = OfferAmount, 0 }, "amount:"},
		{func(in *OfferInput) { in.Kind, in.Buy, in.Get = OfferBuyGet, 0, 1 }, "buy:"},
		{func(in *OfferInput) { in.Kind, in.MinSubtotal = OfferFreeShipping, -1 }, "min_subtotal:"},
		{func(in *OfferInput) { in.Ends = in.Starts }, "ends: must be after starts"},
		{func(in *OfferInput) { in.Starts = time.Time{} }, "starts: is required"},
		{func(in *OfferInput) { in.Name = "" }, "name:"},
		{func(in *OfferInput) { in.PerOrderLimit = -1 }, "per_order_limit:"},
		{func(in *OfferInput) { in.Listings = []string{FormatID(a.self, other, newLocalID())} }, "listings[0]:"},
		{func(in *OfferInput) { in.Categories = []string{" Home"} }, "categories[0]:"},
	}
	for _, c := range cases {
		in := percentOff(1000)
		c.in(&in)
		if _, err := a.PutOffer(ctx, m, "", in); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
	theirs, err := a.PutOffer(ctx, other, "", percentOff(1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.PutOffer(ctx, m, theirs.ID, percentOff(500)); !errors.Is(err, ErrNotFound) {
		t.Errorf("replacing another merchant's offer: %v", err)
	}
	if err := a.EndOffer(ctx, m, theirs.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("ending another merchant's offer: %v", err)
	}
}

// TestForgedOfferRecordsAreRefused: an offer a member signs for another
// platform's merchant, or beyond the limits, is never stored.
func TestForgedOfferRecordsAreRefused(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b, evil := newNode(t, testConfig(), members), newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	o, err := a.PutOffer(ctx, m, "", percentOff(1000))
	if err != nil {
		t.Fatal(err)
	}
	// evil signs, with its own key, a bigger discount under a's offer id.
	big := o
	big.PercentBPS, big.Version = 9000, 9
	raw, err := seal(&Record{Origin: evil.self, Seq: 1, Kind: KindOffer, Subject: o.ID, Version: 9, Time: o.UpdatedAt, Offer: &big}, evil.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(raw); !errors.Is(err, ErrInvalid) {
		t.Errorf("an offer of another platform: %v", err)
	}
	// evil's own offer taking more than everything.
	ev := evil.merchant(t)
	id := FormatID(evil.self, ev, newLocalID())
	over := offerOf(percentOff(20000))
	over.ID, over.Merchant, over.Platform, over.Version, over.UpdatedAt = id, ev, evil.self, 1, o.UpdatedAt
	raw, err = seal(&Record{Origin: evil.self, Seq: 1, Kind: KindOffer, Subject: id, Version: 1, Time: o.UpdatedAt, Offer: over}, evil.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(raw); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "percent_bps") {
		t.Errorf("an offer over the limits: %v", err)
	}
	if got, _ := b.Offers(ctx, evil.self, ev); len(got) != 0 {
		t.Errorf("a refused offer was stored: %+v", got)
	}
}

// TestApplyOffers: each line takes its best offer, within the per-order
// limit; buy X get Y, scopes, time windows and free shipping.
func TestApplyOffers(t *testing.T) {
	at := offerStart.Add(time.Hour)
	win := func(o Offer) Offer {
		o.Starts, o.Ends, o.Version = offerStart, offerStart.Add(48*time.Hour), 1
		return o
	}
	pct := win(Offer{ID: "p.m.a", Kind: OfferPercent, PercentBPS: 1500})
	amt := win(Offer{ID: "p.m.b", Kind: OfferAmount, Amount: 300, Categories: []string{"Home"}})
	b2g1 := win(Offer{ID: "p.m.c", Kind: OfferBuyGet, Buy: 2, Get: 1, Listings: []string{"p.m.pan"}, PerOrderLimit: 1})
	ship := win(Offer{ID: "p.m.d", Kind: OfferFreeShipping, MinSubtotal: 5000})
	late := win(Offer{ID: "p.m.e", Kind: OfferPercent, PercentBPS: 9000})
	late.Starts = at.Add(time.Minute)
	lines := []OfferLine{
		{ListingID: "p.m.pan", Category: "Home > Kitchen", Quantity: 7, UnitPrice: 1000},
		{ListingID: "p.m.mug", Category: "Home", Quantity: 1, UnitPrice: 999},
		{ListingID: "p.m.cap", Category: "Garden", Quantity: 2, UnitPrice: 1},
	}
	got := ApplyOffers([]Offer{late, ship, b2g1, amt, pct}, lines, at)
	want := []LineDiscount{
		{Offer: "p.m.b", Version: 1, Amount: 2100}, // 7 × 300 beats 15 % (1050) and one free pan (limit 1)
		{Offer: "p.m.b", Version: 1, Amount: 300},
		{Offer: "p.m.a", Version: 1, Amount: 0},
	}
	want[2] = LineDiscount{} // 15 % of 2 rounds to 0: no discount
	for i := range want {
		if got.Lines[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, got.Lines[i], want[i])
		}
	}
	if got.FreeShipping == nil || got.FreeShipping.Offer != "p.m.d" {
		t.Errorf("free shipping over 50.00: %+v", got.FreeShipping)
	}
	// Without the amount offer, buy 2 get 1 gives one free pan (limit
	// 1) = 1000, less than 15 % of 7000 = 1050.
	got = ApplyOffers([]Offer{b2g1, pct}, lines[:1], at)
	if got.Lines[0].Offer != "p.m.a" || got.Lines[0].Amount != 1050 {
		t.Errorf("pan: %+v", got.Lines[0])
	}
	b2g1.PerOrderLimit = 0
	got = ApplyOffers([]Offer{b2g1, pct}, lines[:1], at)
	if got.Lines[0].Offer != "p.m.c" || got.Lines[0].Amount != 2000 {
		t.Errorf("pan, unlimited: %+v", got.Lines[0])
	}
	// After the window nothing applies.
	got = ApplyOffers([]Offer{b2g1, pct, ship}, lines, offerStart.Add(48*time.Hour))
	if got.Lines[0].Amount != 0 || got.FreeShipping != nil {
		t.Errorf("after the end: %+v", got)
	}
}
