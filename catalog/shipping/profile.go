package shipping

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Profile is a merchant's shipping profile: where it ships and at what
// price. Listings name the profile they ship under.
type Profile struct {
	// ID is the global id, <platform>.<merchant>.<profile>, like a
	// listing's.
	ID string `json:"id"`
	// Merchant is the id of the merchant on its home node.
	Merchant string `json:"merchant"`
	// Name is what the merchant calls it ("Parcels", "Furniture").
	Name string `json:"name"`
	// Zones are the destinations served, never overlapping.
	Zones []Zone `json:"zones"`
}

// Zone is a set of destinations with the rates that apply there.
type Zone struct {
	// Name is what the merchant calls it ("Domestic", "EU").
	Name string `json:"name"`
	// Countries are ISO 3166-1 alpha-2 codes served as a whole.
	Countries []string `json:"countries,omitempty"`
	// Regions are ISO 3166-2 codes ("ES-CN") served on their own; a
	// region named here takes its destinations out of a zone that names
	// its country.
	Regions []string `json:"regions,omitempty"`
	// Rates are the options a shopper picks from, at least one.
	Rates []Rate `json:"rates"`
}

// Rate is one way of shipping an order part into a zone.
type Rate struct {
	// Name is what the shopper sees ("Standard", "Express"), unique in
	// its zone.
	Name string `json:"name"`
	// Flat is charged once per order part.
	Flat int64 `json:"flat,omitempty"`
	// PerItem is charged per unit.
	PerItem int64 `json:"per_item,omitempty"`
	// Bands price the part by its total weight; none means weight does
	// not matter.
	Bands []Band `json:"weight_bands,omitempty"`
	// FreeOver makes the rate free when the part's item subtotal reaches
	// it; 0 means never.
	FreeOver int64 `json:"free_over,omitempty"`
	// Transit is the time in transit, in business days.
	Transit Days `json:"transit_days"`
	// Carriers are the ids of the carriers used (see Carrier).
	Carriers []string `json:"carriers,omitempty"`
}

// Band is the price of parts weighing From grams up to, not including, To.
type Band struct {
	From   int64 `json:"from_grams"`
	To     int64 `json:"to_grams"`
	Amount int64 `json:"amount"`
}

// Days is a range of business days.
type Days struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Limits bound a profile. Receivers hold other members' profiles to the
// largest limits any node may configure (MaxLimits), as for listings.
type Limits struct {
	MaxZones     int   // per profile
	MaxRates     int   // per zone
	MaxPlaces    int   // countries and regions per zone
	MaxBands     int   // per rate
	MaxCarriers  int   // per rate
	MaxName      int   // characters of a profile, zone or rate name
	MaxAmount    int64 // any amount, in minor units
	MaxTransit   int   // business days
	MaxGrams     int64 // the heaviest band's upper bound
	MaxProfiles  int   // per merchant
	MaxListingKG int64 // a variant's weight, in kilograms
}

// DefaultLimits are a node's limits unless configured otherwise.
func DefaultLimits() Limits {
	return Limits{MaxZones: 32, MaxRates: 8, MaxPlaces: 300, MaxBands: 32, MaxCarriers: 8, MaxName: 80,
		MaxAmount: 1_000_000_00, MaxTransit: 120, MaxGrams: 2_000_000, MaxProfiles: 50, MaxListingKG: 2_000}
}

// MaxLimits are the largest limits any node may configure.
func MaxLimits() Limits {
	return Limits{MaxZones: 64, MaxRates: 16, MaxPlaces: 600, MaxBands: 64, MaxCarriers: 16, MaxName: 200,
		MaxAmount: 10_000_000_00, MaxTransit: 365, MaxGrams: 50_000_000, MaxProfiles: 500, MaxListingKG: 50_000}
}

// Check reports every problem of p under lim to add, by JSON path
// ("zones[1].rates[0].transit_days.max"). carriers tells whether a
// carrier id is known; nil accepts any well-formed id.
func Check(p Profile, lim Limits, carriers func(id string) bool, add func(field, message string)) {
	name(add, "name", p.Name, lim.MaxName)
	if len(p.Zones) == 0 || len(p.Zones) > lim.MaxZones {
		add("zones", fmt.Sprintf("must have between 1 and %d zones, not %d", lim.MaxZones, len(p.Zones)))
		return
	}
	countries, regions := map[string]string{}, map[string]string{}
	for i, z := range p.Zones {
		f := fmt.Sprintf("zones[%d]", i)
		name(add, f+".name", z.Name, lim.MaxName)
		if n := len(z.Countries) + len(z.Regions); n == 0 || n > lim.MaxPlaces {
			add(f+".countries", fmt.Sprintf("must name between 1 and %d countries and regions in all, not %d", lim.MaxPlaces, n))
		}
		for j, c := range z.Countries {
			g := fmt.Sprintf("%s.countries[%d]", f, j)
			if !IsCountry(c) {
				add(g, fmt.Sprintf("must be an ISO 3166-1 alpha-2 country code in capitals, not %q", clip(c)))
			} else if prev, dup := countries[c]; dup {
				add(g, fmt.Sprintf("%s is already in %s: zones must not overlap", c, prev))
			} else {
				countries[c] = g
			}
		}
		for j, r := range z.Regions {
			g := fmt.Sprintf("%s.regions[%d]", f, j)
			if !IsRegion(r) {
				add(g, fmt.Sprintf("must be an ISO 3166-2 code such as ES-CN (a country code, '-', 1 to 3 letters or digits), not %q", clip(r)))
			} else if prev, dup := regions[r]; dup {
				add(g, fmt.Sprintf("%s is already in %s: zones must not overlap", r, prev))
			} else {
				regions[r] = g
			}
		}
		if len(z.Rates) == 0 || len(z.Rates) > lim.MaxRates {
			add(f+".rates", fmt.Sprintf("must have between 1 and %d rates, not %d", lim.MaxRates, len(z.Rates)))
			continue
		}
		names := map[string]int{}
		for j, r := range z.Rates {
			g := fmt.Sprintf("%s.rates[%d]", f, j)
			if k, dup := names[strings.ToLower(r.Name)]; dup {
				add(g+".name", fmt.Sprintf("repeats %s.rates[%d].name %q", f, k, r.Name))
			}
			names[strings.ToLower(r.Name)] = j
			checkRate(r, g, lim, carriers, add)
		}
	}
}

func checkRate(r Rate, f string, lim Limits, carriers func(string) bool, add func(string, string)) {
	name(add, f+".name", r.Name, lim.MaxName)
	amount(add, f+".flat", r.Flat, lim.MaxAmount)
	amount(add, f+".per_item", r.PerItem, lim.MaxAmount)
	amount(add, f+".free_over", r.FreeOver, lim.MaxAmount)
	switch {
	case r.Transit.Min < 0 || r.Transit.Min > lim.MaxTransit:
		add(f+".transit_days.min", fmt.Sprintf("must be between 0 and %d business days, not %d", lim.MaxTransit, r.Transit.Min))
	case r.Transit.Max < r.Transit.Min:
		add(f+".transit_days.max", fmt.Sprintf("must be >= min (%d), not %d", r.Transit.Min, r.Transit.Max))
	case r.Transit.Max > lim.MaxTransit:
		add(f+".transit_days.max", fmt.Sprintf("must be at most %d business days, not %d", lim.MaxTransit, r.Transit.Max))
	}
	if len(r.Bands) > lim.MaxBands {
		add(f+".weight_bands", fmt.Sprintf("must have at most %d bands, not %d", lim.MaxBands, len(r.Bands)))
	} else {
		var next int64
		for k, b := range r.Bands {
			g := fmt.Sprintf("%s.weight_bands[%d]", f, k)
			switch {
			case b.From != next && k == 0:
				add(g+".from_grams", fmt.Sprintf("must be 0: the first band starts at 0 g, not %d", b.From))
			case b.From != next:
				add(g+".from_grams", fmt.Sprintf("must be %d, where the band before ends: bands must not leave a gap or overlap", next))
			case b.To <= b.From:
				add(g+".to_grams", fmt.Sprintf("must be more than from_grams (%d), not %d", b.From, b.To))
			case b.To > lim.MaxGrams:
				add(g+".to_grams", fmt.Sprintf("must be at most %d, not %d", lim.MaxGrams, b.To))
			}
			amount(add, g+".amount", b.Amount, lim.MaxAmount)
			next = b.To
		}
	}
	if len(r.Carriers) > lim.MaxCarriers {
		add(f+".carriers", fmt.Sprintf("must name at most %d carriers, not %d", lim.MaxCarriers, len(r.Carriers)))
	}
	for k, c := range r.Carriers {
		g := fmt.Sprintf("%s.carriers[%d]", f, k)
		switch {
		case !isCarrierID(c):
			add(g, fmt.Sprintf("must be a carrier id (lower-case letters, digits and '-'), not %q", clip(c)))
		case carriers != nil && !carriers(c):
			add(g, fmt.Sprintf("is not a known carrier: %q", c))
		case slices.Index(r.Carriers, c) < k:
			add(g, fmt.Sprintf("repeats %q", c))
		}
	}
}

func name(add func(string, string), field, s string, max int) {
	n := utf8.RuneCountInString(strings.TrimSpace(s))
	switch {
	case n == 0:
		add(field, "is required")
	case n > max:
		add(field, fmt.Sprintf("must be at most %d characters, not %d", max, n))
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }):
		add(field, "must be printable text on one line")
	}
}

func amount(add func(string, string), field string, v, max int64) {
	if v < 0 || v > max {
		add(field, fmt.Sprintf("must be between 0 and %d minor units, not %d", max, v))
	}
}

// IsCountry reports whether c is an assigned ISO 3166-1 alpha-2 country
// code in capitals ("DE"; not "de", "EU" or the reserved "UK").
func IsCountry(c string) bool {
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return false
	}
	r, err := language.ParseRegion(c)
	return err == nil && r.IsCountry() && r.ISO3() != "ZZZ"
}

// IsRegion reports whether r has the form of an ISO 3166-2 subdivision
// code of an assigned country: "ES-CN", "DE-BY", "GB-SCT". Only the
// country part is checked against the standard's list.
func IsRegion(r string) bool {
	country, sub, ok := strings.Cut(r, "-")
	if !ok || !IsCountry(country) || len(sub) == 0 || len(sub) > 3 {
		return false
	}
	for i := 0; i < len(sub); i++ {
		if c := sub[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isCarrierID(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}
