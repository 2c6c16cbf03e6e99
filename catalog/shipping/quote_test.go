package shipping

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// parcels is a profile with a domestic zone (flat + per item, free over
// 50 EUR), an EU zone priced by weight, the Canary Islands apart from
// Spain, and two rates in the EU.
func parcels() Profile {
	return Profile{ID: "p.m.parcels", Merchant: "m", Name: "Parcels", Zones: []Zone{
		{Name: "Domestic", Countries: []string{"DE"}, Rates: []Rate{
			{Name: "Standard", Flat: 390, PerItem: 100, FreeOver: 5000, Transit: Days{1, 2}, Carriers: []string{"dhl-paket"}},
			{Name: "Express", Flat: 990, Transit: Days{0, 1}, Carriers: []string{"ups"}},
		}},
		{Name: "EU", Countries: []string{"FR", "ES", "NL"}, Rates: []Rate{
			{Name: "Standard", Bands: []Band{{0, 1000, 690}, {1000, 5000, 1290}, {5000, 31500, 2490}}, Transit: Days{3, 6}},
			{Name: "Express", Flat: 1500, Bands: []Band{{0, 2000, 500}}, Transit: Days{1, 2}},
		}},
		{Name: "Canaries", Regions: []string{"ES-CN"}, Rates: []Rate{{Name: "Island post", Flat: 2500, Transit: Days{5, 10}}}},
	}}
}

func TestOptionsPriceEveryRule(t *testing.T) {
	p := parcels()
	for _, tc := range []struct {
		name  string
		dest  Destination
		items []Item
		want  []Option
		err   error
	}{
		{"flat plus per item", Destination{Country: "DE"}, []Item{{Quantity: 3, Subtotal: 2997}},
			[]Option{{Rate: "Standard", Price: 690}, {Rate: "Express", Price: 990}}, nil},
		{"free at the threshold exactly", Destination{Country: "DE"}, []Item{{Quantity: 1, Subtotal: 5000}},
			[]Option{{Rate: "Standard", Price: 0}, {Rate: "Express", Price: 990}}, nil},
		{"one cent below the threshold", Destination{Country: "DE"}, []Item{{Quantity: 2, Subtotal: 4999}},
			[]Option{{Rate: "Standard", Price: 590}, {Rate: "Express", Price: 990}}, nil},
		{"first weight band", Destination{Country: "FR"}, []Item{{Quantity: 2, Grams: 450}},
			[]Option{{Rate: "Standard", Price: 690}, {Rate: "Express", Price: 2000}}, nil},
		{"a band's upper bound belongs to the next", Destination{Country: "FR"}, []Item{{Quantity: 1, Grams: 1000}},
			[]Option{{Rate: "Standard", Price: 1290}, {Rate: "Express", Price: 2000}}, nil},
		{"too heavy for express only", Destination{Country: "NL"}, []Item{{Quantity: 3, Grams: 1200}, {Quantity: 1, Grams: 100}},
			[]Option{{Rate: "Standard", Price: 1290}}, nil},
		{"too heavy for every rate", Destination{Country: "NL"}, []Item{{Quantity: 10, Grams: 4000}}, nil, ErrTooHeavy},
		{"region apart from its country", Destination{Country: "ES", Region: "ES-CN"}, []Item{{Quantity: 1}},
			[]Option{{Rate: "Island post", Price: 2500}}, nil},
		{"another region of the country", Destination{Country: "ES", Region: "ES-MD"}, []Item{{Quantity: 1, Grams: 10}},
			[]Option{{Rate: "Standard", Price: 690}, {Rate: "Express", Price: 2000}}, nil},
		{"not served", Destination{Country: "US"}, []Item{{Quantity: 1}}, nil, ErrNotServed},
		{"overflow", Destination{Country: "DE"}, []Item{{Quantity: math.MaxInt64 / 2}, {Quantity: math.MaxInt64 / 2}, {Quantity: 2}}, nil, ErrOverflow},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := p.Options(tc.dest, tc.items)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("options %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i].Rate != tc.want[i].Rate || got[i].Price != tc.want[i].Price {
					t.Errorf("option %d: %s at %d, want %s at %d", i, got[i].Rate, got[i].Price, tc.want[i].Rate, tc.want[i].Price)
				}
			}
		})
	}
}

func TestCombineAddsCommonRatesOrFallsBackToTheCheapest(t *testing.T) {
	a := []Option{{Rate: "Standard", Price: 500, Transit: Days{2, 3}, Carriers: []string{"dhl"}}, {Rate: "Express", Price: 900, Transit: Days{1, 1}}}
	b := []Option{{Rate: "standard", Price: 300, Transit: Days{1, 5}, Carriers: []string{"ups"}}}
	got := Combine([][]Option{a, b})
	if len(got) != 1 || got[0].Rate != "Standard" || got[0].Price != 800 || got[0].Transit != (Days{2, 5}) || !slices.Equal(got[0].Carriers, []string{"dhl", "ups"}) {
		t.Errorf("common rate: %+v", got)
	}
	c := []Option{{Rate: "Freight", Price: 4000, Transit: Days{5, 9}}}
	got = Combine([][]Option{a, c})
	if len(got) != 1 || got[0].Rate != "Combined" || got[0].Price != 4500 || got[0].Transit != (Days{5, 9}) {
		t.Errorf("no common rate: %+v", got)
	}
	if a[0].Carriers[0] != "dhl" || len(a[0].Carriers) != 1 {
		t.Errorf("Combine changed its input: %+v", a[0])
	}
}

func TestDeliveriesCountBusinessDays(t *testing.T) {
	day := func(s string) time.Time {
		t.Helper()
		d, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		ordered          string // 2026-12-03 is a Thursday
		handling         int
		transit          Days
		earliest, latest string
	}{
		{"2026-12-03 09:00", 1, Days{1, 2}, "2026-12-07 00:00", "2026-12-08 00:00"},   // Thu + 2 = Mon, + 3 = Tue
		{"2026-12-03 23:59", 0, Days{0, 0}, "2026-12-03 00:00", "2026-12-03 00:00"},   // same day
		{"2026-12-05 10:00", 0, Days{1, 1}, "2026-12-08 00:00", "2026-12-08 00:00"},   // Saturday starts on Monday
		{"2026-12-06 10:00", 2, Days{3, 5}, "2026-12-14 00:00", "2026-12-16 00:00"},   // Sunday: Mon + 5, + 7
		{"2026-12-31 12:00", 1, Days{1, 1}, "2027-01-04 00:00", "2027-01-04 00:00"},   // across the year
		{"2026-12-04 12:00", 0, Days{10, 10}, "2026-12-18 00:00", "2026-12-18 00:00"}, // two whole weeks
	} {
		e, l := Deliveries(day(tc.ordered), tc.handling, tc.transit)
		if !e.Equal(day(tc.earliest)) || !l.Equal(day(tc.latest)) {
			t.Errorf("ordered %s, handling %d, transit %v: %s to %s, want %s to %s", tc.ordered, tc.handling, tc.transit,
				e.Format(time.DateOnly), l.Format(time.DateOnly), tc.earliest[:10], tc.latest[:10])
		}
	}
}

func TestCheckNamesEveryBadField(t *testing.T) {
	bad := parcels()
	bad.Zones[0].Countries = []string{"DE", "de", "UK", "XX"}
	bad.Zones[1].Countries = append(bad.Zones[1].Countries, "DE")
	bad.Zones[1].Rates[0].Transit = Days{4, 2}
	bad.Zones[1].Rates[0].Bands = []Band{{0, 1000, 690}, {1200, 5000, 1290}}
	bad.Zones[1].Rates[1].Flat = -1
	bad.Zones[1].Rates[1].Name = "standard"
	bad.Zones[2].Regions = []string{"ES-CANARY"}
	bad.Zones[2].Rates[0].PerItem = math.MaxInt64
	bad.Zones[2].Rates[0].Carriers = []string{"dhl", "Bad Carrier", "dhl"}
	var got []string
	Check(bad, DefaultLimits(), nil, func(f, m string) { got = append(got, f+": "+m) })
	for _, want := range []string{
		"zones[0].countries[1]: must be an ISO 3166-1 alpha-2 country code",
		"zones[0].countries[2]:",
		"zones[0].countries[3]:",
		"zones[1].countries[3]: DE is already in zones[0].countries[0]",
		"zones[1].rates[0].transit_days.max: must be >= min (4), not 2",
		"zones[1].rates[0].weight_bands[1].from_grams: must be 1000",
		"zones[1].rates[1].name: repeats zones[1].rates[0].name",
		"zones[1].rates[1].flat: must be between 0",
		"zones[2].regions[0]: must be an ISO 3166-2 code",
		"zones[2].rates[0].per_item:",
		"zones[2].rates[0].carriers[1]: must be a carrier id",
		"zones[2].rates[0].carriers[2]: repeats",
	} {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want) }) {
			t.Errorf("no problem %q among:\n%s", want, strings.Join(got, "\n"))
		}
	}
	if len(got) != 12 {
		t.Errorf("%d problems, want 12:\n%s", len(got), strings.Join(got, "\n"))
	}
	var none []string
	tab, _ := NewTable(nil)
	Check(parcels(), DefaultLimits(), tab.Known, func(f, m string) { none = append(none, f+": "+m) })
	if len(none) != 0 {
		t.Errorf("a good profile: %v", none)
	}
}

func TestTrackingLinks(t *testing.T) {
	tab, err := NewTable([]Carrier{{ID: "bike", Name: "Bike courier", TrackingURL: "https://bike.example/t/{tracking}/status"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ carrier, number, want string }{
		{"ups", "1Z 999/AA", "https://www.ups.com/track?tracknum=1Z+999%2FAA"},
		{"dpd", "0123 4", "https://tracking.dpd.de/status/en_US/parcel/0123%204"},
		{"bike", "B-7", "https://bike.example/t/B-7/status"},
	} {
		c, ok := tab.Find(tc.carrier)
		if got := c.TrackingLink(tc.number); !ok || got != tc.want {
			t.Errorf("%s %q: %s, want %s", tc.carrier, tc.number, got, tc.want)
		}
	}
	for _, c := range []Carrier{
		{ID: "dhl", Name: "Mine", TrackingURL: "https://x.example/{tracking}"},
		{ID: "plain", Name: "Plain", TrackingURL: "http://x.example/{tracking}"},
		{ID: "none", Name: "None", TrackingURL: "https://x.example/"},
		{ID: "creds", Name: "Creds", TrackingURL: "https://u:p@x.example/{tracking}"},
	} {
		if _, err := NewTable([]Carrier{c}); err == nil {
			t.Errorf("carrier %+v accepted", c)
		}
	}
	for _, c := range Carriers() {
		if err := c.Check(); err != nil {
			t.Errorf("built-in %s: %v", c.ID, err)
		}
	}
}
