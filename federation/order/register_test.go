package order

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRegisterListsEveryPartOnce: the register of a node holds the parts
// sold on its storefront (wherever their home) and the parts homed here
// (whoever sold them), a part both sold and homed here once; filters by
// status, member and role, merchant and date narrow it; pages follow
// each other without gap or repeat; the totals count sales and refunds.
func TestRegisterListsEveryPartOnce(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	panB := f.list(b, "forge", "PAN", 4000, 10)
	mugA := f.list(a, "cups", "MUG", 1000, 10)

	o1, err := f.buy(a, "k1", 1, panB, mugA) // on A: one part homed on B, one homed here
	if err != nil {
		t.Fatal(err)
	}
	f.clk.add(time.Hour)
	o2, err := f.buy(b, "k2", 2, mugA) // on B, homed on A
	if err != nil {
		t.Fatal(err)
	}
	f.clk.add(time.Hour)
	o3, err := f.buy(a, "k3", 3, mugA)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Order{o1, o3} {
		for _, p := range o.Parts {
			statusOn(t, a, p.ID, StatusAccepted)
		}
	}
	statusOn(t, b, o2.Parts[0].ID, StatusAccepted)
	if _, err := a.svc.Refund(ctx, "cups", o3.Parts[0].ID); err != nil {
		t.Fatal(err)
	}
	partOf := func(o Order, home string) string {
		for _, p := range o.Parts {
			if p.Platform == home {
				return p.ID
			}
		}
		t.Fatalf("order %s has no part homed on %s", o.ID, shortPeer(home))
		return ""
	}
	o1B, o1A, o2A, o3A := partOf(o1, b.id), partOf(o1, a.id), o2.Parts[0].ID, o3.Parts[0].ID

	ids := func(f PartFilter) []string {
		t.Helper()
		var out []string
		if err := a.svc.EachPart(ctx, f, func(r PartRecord) error { out = append(out, r.Part); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	newest := []string{o3A, o2A, o1A, o1B}
	if o1A < o1B {
		newest[2], newest[3] = o1B, o1A // one order's parts by id, descending
	}
	if got := ids(PartFilter{}); !slices.Equal(got, newest) {
		t.Fatalf("register = %v, want %v", got, newest)
	}
	recs, _, err := a.svc.Parts(ctx, PartFilter{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]PartRecord{}
	for _, r := range recs {
		byID[r.Part] = r
	}
	for id, want := range map[string]PartRecord{
		o1B: {Storefront: a.id, Home: b.id, Merchant: "forge", Units: 1, Total: Money{4000, "EUR"}},
		o1A: {Storefront: a.id, Home: a.id, Merchant: "cups", Units: 1, Total: Money{1000, "EUR"}},
		o2A: {Storefront: b.id, Home: a.id, Merchant: "cups", Units: 2, Total: Money{2000, "EUR"}},
		o3A: {Storefront: a.id, Home: a.id, Merchant: "cups", Units: 3, Total: Money{3000, "EUR"}, Refunded: Money{3000, "EUR"}},
	} {
		got := byID[id]
		if got.Storefront != want.Storefront || got.Home != want.Home || got.Merchant != want.Merchant || got.Units != want.Units ||
			got.Total != want.Total || got.Refunded != want.Refunded || got.Order != orderOfPart(id) {
			t.Errorf("part %s = %+v, want %+v", id, got, want)
		}
	}

	for name, c := range map[string]struct {
		f    PartFilter
		want []string
	}{
		"refunded":           {PartFilter{Status: StatusRefunded}, []string{o3A}},
		"sold by B":          {PartFilter{Member: b.id, Role: RoleStorefront}, []string{o2A}},
		"homed on B":         {PartFilter{Member: b.id, Role: RoleHome}, []string{o1B}},
		"B either side":      {PartFilter{Member: b.id}, []string{o2A, o1B}},
		"sold by A":          {PartFilter{Member: a.id, Role: RoleStorefront}, append([]string{o3A}, newest[2:]...)},
		"merchant forge":     {PartFilter{Merchant: "forge"}, []string{o1B}},
		"the first hour":     {PartFilter{Until: o1.CreatedAt.Add(time.Minute)}, newest[2:]},
		"from the 2nd order": {PartFilter{From: o2.CreatedAt.Add(-time.Minute), Until: o3.CreatedAt}, []string{o2A}},
	} {
		if got := ids(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}

	// One part a page: every part once, in order.
	var paged []string
	cursor := ""
	for range 10 {
		page, next, err := a.svc.Parts(ctx, PartFilter{}, cursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			paged = append(paged, r.Part)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.Equal(paged, newest) {
		t.Errorf("paged one at a time: %v, want %v", paged, newest)
	}

	tot, err := a.svc.Totals(ctx, PartFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if tot.Parts != 4 || tot.Orders != 3 || tot.ByStatus[StatusAccepted] != 3 || tot.ByStatus[StatusRefunded] != 1 ||
		!slices.Equal(tot.Sales, []Money{{10000, "EUR"}}) || !slices.Equal(tot.Refunds, []Money{{3000, "EUR"}}) {
		t.Errorf("totals = %+v", tot)
	}

	for _, bad := range []struct {
		f      PartFilter
		cursor string
		field  string
	}{
		{PartFilter{Status: "lost"}, "", "status"},
		{PartFilter{Role: "buyer"}, "", "role"},
		{PartFilter{From: o2.CreatedAt, Until: o1.CreatedAt}, "", "until"},
		{PartFilter{}, "nonsense", "cursor"},
	} {
		_, _, err := a.svc.Parts(ctx, bad.f, bad.cursor, 5)
		if !errors.Is(err, ErrInvalid) || !containsField(err, bad.field) {
			t.Errorf("filter %+v cursor %q: %v, want ErrInvalid naming %s", bad.f, bad.cursor, err, bad.field)
		}
	}
}

// containsField reports whether err names field.
func containsField(err error, field string) bool {
	var fe FieldErrors
	if errors.As(err, &fe) {
		return slices.ContainsFunc(fe, func(e FieldError) bool { return e.Field == field })
	}
	return err != nil && strings.Contains(err.Error(), field+":")
}
