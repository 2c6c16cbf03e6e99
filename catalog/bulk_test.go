package catalog

import (
	"context"
	"errors"
	"math"
	"testing"
)

func TestPercentOf(t *testing.T) {
	cases := []struct {
		amount, bps, want int64
		ok                bool
	}{
		{1000, 1000, 1100, true},
		{999, 1000, 1099, true},   // 1098.9
		{2999, -3333, 1999, true}, // 1999.4333
		{5, 1000, 6, true},        // 5.5 rounds half up
		{5, -1000, 5, true},       // 4.5 rounds half up
		{1, -9999, 0, true},       // 0.0001
		{3333, -5000, 1667, true}, // 1666.5
		{math.MaxInt64, 0, math.MaxInt64, true},
		{math.MaxInt64, 1000, 0, false},
		{math.MaxInt64 / 10, 100_000, 0, false},
		{math.MaxInt64, 100_000, 0, false},
		{math.MaxInt64 / 12, 100_000, math.MaxInt64 / 12 * 11, true},
	}
	for _, c := range cases {
		got, ok := percentOf(c.amount, c.bps)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("percentOf(%d, %d) = %d, %v; want %d, %v", c.amount, c.bps, got, ok, c.want, c.ok)
		}
	}
}

// bulkShelf is a merchant with a two-variant pan (units 10 and 11,
// prices 29.99 and 30.00) and a pot (units 10, price 29.99).
func bulkShelf(t *testing.T) (*testNode, string, Listing, Listing) {
	t.Helper()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	pan, err := n.CreateListing(context.Background(), m, input("Pan", "PAN-1", "PAN-2"))
	if err != nil {
		t.Fatal(err)
	}
	pot, err := n.CreateListing(context.Background(), m, input("Pot", "POT-1"))
	if err != nil {
		t.Fatal(err)
	}
	return n, m, pan, pot
}

// afters lists a plan's new values, variant by variant.
func afters(p BulkPlan) []int64 {
	var out []int64
	for _, l := range p.Listings {
		for _, v := range l.Variants {
			out = append(out, v.After)
		}
	}
	return out
}

func TestBulkPlansEveryOperation(t *testing.T) {
	n, m, pan, pot := bulkShelf(t)
	cases := []struct {
		ch   BulkChange
		want []int64
	}{
		{BulkChange{Op: BulkSetStock, Amount: 4}, []int64{4, 4, 4}},
		{BulkChange{Op: BulkAddStock, Amount: 5}, []int64{15, 16, 15}},
		{BulkChange{Op: BulkAddStock, Amount: -10}, []int64{0, 1, 0}},
		{BulkChange{Op: BulkSetPrice, Amount: 1990}, []int64{1990, 1990, 1990}},
		{BulkChange{Op: BulkPricePercent, Amount: -1000}, []int64{2699, 2700, 2699}}, // 2699.1, 2700.0
		{BulkChange{Op: BulkPricePercent, Amount: 1250}, []int64{3374, 3375, 3374}},  // 3373.875, 3375.0
	}
	for _, c := range cases {
		p, err := n.PlanBulk(t.Context(), m, []string{pan.ID, pot.ID, pan.ID}, c.ch)
		if err != nil {
			t.Fatalf("%+v: %v", c.ch, err)
		}
		if got := afters(p); !equalInts(got, c.want) || p.Problems() != 0 || len(p.Listings) != 2 ||
			p.Listings[0].Title != "Pan" || p.Listings[0].Version != 1 {
			t.Errorf("%+v: plan %+v, afters %v, want %v", c.ch, p, got, c.want)
		}
	}
	// A plan writes nothing.
	if got, _ := n.Listing(t.Context(), pan.ID); got.Variants[0].Stock != 10 || got.Variants[0].Price.Amount != 2999 {
		t.Errorf("planning changed the pan: %+v", got.Variants)
	}
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBulkAppliesAllOrNothing(t *testing.T) {
	ctx := context.Background()
	n, m, pan, pot := bulkShelf(t)
	if err := n.SetStock(ctx, m, pot.ID, "POT-1", 2); err != nil {
		t.Fatal(err)
	}
	before := storedRecords(t, n.db)
	signed := len(n.raws())
	// Taking 5 units: the pot has 2. Nothing is written, and the plan says
	// which variant stands in the way.
	p, err := n.ApplyBulk(ctx, m, []string{pan.ID, pot.ID}, BulkChange{Op: BulkAddStock, Amount: -5}, nil)
	if !errors.Is(err, ErrInvalid) || p.Problems() != 1 || p.Listings[1].Variants[0].Problem != "only 2 in stock, so 5 cannot be taken" {
		t.Fatalf("taking more than the pot has: %+v, %v", p, err)
	}
	if storedRecords(t, n.db) != before || len(n.raws()) != signed {
		t.Fatal("a refused bulk change wrote records")
	}
	if got, _ := n.Listing(ctx, pan.ID); got.Variants[0].Stock != 10 {
		t.Fatalf("a refused bulk change took the pan's stock: %d", got.Variants[0].Stock)
	}
	// Without the pot it goes through: one stock record for the pan.
	p, err = n.ApplyBulk(ctx, m, []string{pan.ID}, BulkChange{Op: BulkAddStock, Amount: -5}, nil)
	if err != nil || p.Changes() != 2 {
		t.Fatalf("taking 5 from the pan: %+v, %v", p, err)
	}
	if got, _ := n.Listing(ctx, pan.ID); got.Variants[0].Stock != 5 || got.Variants[1].Stock != 6 || got.Version != 1 {
		t.Fatalf("after taking 5: %+v", got)
	}
	if len(n.raws()) != signed+1 {
		t.Fatalf("signed %d records, want 1 stock record", len(n.raws())-signed)
	}
	// A price change signs new descriptions, in one go.
	p, err = n.ApplyBulk(ctx, m, []string{pan.ID, pot.ID}, BulkChange{Op: BulkPricePercent, Amount: 1000}, map[string]uint64{pan.ID: 1, pot.ID: 1})
	if err != nil || p.Changes() != 3 {
		t.Fatalf("raising prices by 10%%: %+v, %v", p, err)
	}
	got, _ := n.Listing(ctx, pan.ID)
	if got.Version != 2 || got.Variants[0].Price.Amount != 3299 || got.Variants[1].Price.Amount != 3300 || got.Variants[0].Stock != 5 {
		t.Fatalf("after a 10%% rise: %+v", got)
	}
	// Reviewed at version 1, the pan is now at 2: refused.
	p, err = n.ApplyBulk(ctx, m, []string{pan.ID}, BulkChange{Op: BulkSetPrice, Amount: 100}, map[string]uint64{pan.ID: 1})
	if !errors.Is(err, ErrInvalid) || p.Listings[0].Problem == "" {
		t.Fatalf("a change reviewed on an older version: %+v, %v", p, err)
	}
	// The same change twice signs nothing the second time.
	if _, err := n.ApplyBulk(ctx, m, []string{pot.ID}, BulkChange{Op: BulkSetStock, Amount: 7}, nil); err != nil {
		t.Fatal(err)
	}
	signed = len(n.raws())
	if p, err := n.ApplyBulk(ctx, m, []string{pot.ID}, BulkChange{Op: BulkSetStock, Amount: 7}, nil); err != nil || p.Changes() != 0 || len(n.raws()) != signed {
		t.Fatalf("setting the same stock again: %+v, %v, %d records", p, err, len(n.raws())-signed)
	}
}

func TestBulkRefusals(t *testing.T) {
	ctx := context.Background()
	n, m, pan, _ := bulkShelf(t)
	other := n.merchant(t)
	theirs, err := n.CreateListing(ctx, other, input("Their pan", "THEIR-1"))
	if err != nil {
		t.Fatal(err)
	}
	for name, ch := range map[string]BulkChange{
		"unknown op":       {Op: "double", Amount: 1},
		"negative stock":   {Op: BulkSetStock, Amount: -1},
		"adding nothing":   {Op: BulkAddStock},
		"free":             {Op: BulkSetPrice},
		"minus 100%":       {Op: BulkPricePercent, Amount: -10_000},
		"plus 1000.01%":    {Op: BulkPricePercent, Amount: 100_001},
		"stock over limit": {Op: BulkSetStock, Amount: testConfig().MaxStock + 1},
	} {
		var ve *ValidationError
		if _, err := n.PlanBulk(ctx, m, []string{pan.ID}, ch); !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a field error", name, err)
		}
	}
	if _, err := n.PlanBulk(ctx, m, nil, BulkChange{Op: BulkSetStock, Amount: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no listings: %v", err)
	}
	many := make([]string, MaxBulkListings+1)
	for i := range many {
		many[i] = FormatID(n.self, m, newLocalID())
	}
	if _, err := n.PlanBulk(ctx, m, many, BulkChange{Op: BulkSetStock, Amount: 1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("%d listings: %v", len(many), err)
	}
	// Another merchant's listing, and garbage, are problems of the plan,
	// and the change is refused whole.
	p, err := n.ApplyBulk(ctx, m, []string{pan.ID, theirs.ID, "garbage"}, BulkChange{Op: BulkSetStock, Amount: 1}, nil)
	if !errors.Is(err, ErrInvalid) || p.Problems() != 2 || p.Listings[1].Problem == "" || p.Listings[2].Problem == "" {
		t.Fatalf("foreign listings: %+v, %v", p, err)
	}
	if got, _ := n.Listing(ctx, theirs.ID); got.Variants[0].Stock != 10 {
		t.Fatal("a bulk change reached another merchant's listing")
	}
}
