package sample

import (
	"slices"
	"testing"

	"github.com/fedmart/fedmart/catalog/shipping"
)

// Every sample merchant's shipping profile passes the shipping rules'
// own check with the built-in carriers, ships home for free over its
// threshold, and leaves some of the demo's countries unserved.
func TestMerchantsShipLikeShops(t *testing.T) {
	carriers, err := shipping.NewTable(nil)
	if err != nil {
		t.Fatal(err)
	}
	unserved := 0
	for n := range 12 {
		g := New(uint64(n + 1))
		name := g.MerchantName()
		profile, in := g.Merchant(name, n)
		if profile.Name != name || !shipping.IsCountry(profile.Country) || profile.Policies.HandlingDays < 1 {
			t.Fatalf("merchant %d: profile %+v", n, profile)
		}
		p := shipping.Profile{Name: in.Name, Zones: in.Zones}
		shipping.Check(p, shipping.DefaultLimits(), carriers.Known, func(field, msg string) { t.Errorf("merchant %d: %s: %s", n, field, msg) })
		home := shipping.Destination{Country: profile.Country}
		cheap, err := p.Options(home, []shipping.Item{{Quantity: 1, Subtotal: 1990, Grams: 800}})
		if err != nil || len(cheap) < 2 || cheap[0].Price == 0 {
			t.Fatalf("merchant %d at home, a small part: %+v %v", n, cheap, err)
		}
		free, err := p.Options(home, []shipping.Item{{Quantity: 2, Subtotal: 9980, Grams: 800}})
		if err != nil || free[0].Price != 0 {
			t.Errorf("merchant %d at home over the threshold: %+v %v", n, free, err)
		}
		for _, c := range Countries {
			if p.ZoneOf(shipping.Destination{Country: c}) == nil {
				unserved++
			}
		}
	}
	if unserved == 0 || !slices.Contains(Countries, "BR") {
		t.Error("every sample merchant ships everywhere the demo's shoppers live: no refusal would be seen")
	}
}
