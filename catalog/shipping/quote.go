package shipping

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Errors of a quote.
var (
	// ErrNotServed: no zone of the profile holds the destination.
	ErrNotServed = errors.New("shipping: destination not served")
	// ErrTooHeavy: the destination is served, but by no rate whose weight
	// bands hold the part.
	ErrTooHeavy = errors.New("shipping: part too heavy for every rate")
	// ErrOverflow: a price does not fit in an int64.
	ErrOverflow = errors.New("shipping: price overflows")
)

// Destination is where a part ships to.
type Destination struct {
	// Country is the ISO 3166-1 alpha-2 code.
	Country string `json:"country"`
	// Region is the ISO 3166-2 code within Country, or "".
	Region string `json:"region,omitempty"`
}

// Item is one line of a part as shipping sees it.
type Item struct {
	Quantity int64 // units
	Subtotal int64 // units × unit price, minor units
	Grams    int64 // weight of one unit; 0 when not given
}

// Option is one priced way of shipping a part.
type Option struct {
	// Rate is the rate's name, which the shopper picks and the reserve
	// names.
	Rate string `json:"rate"`
	// Price is in minor units of the federation's currency.
	Price int64 `json:"price"`
	// Transit is the rate's time in transit, in business days.
	Transit Days `json:"transit_days"`
	// Carriers are the ids of the carriers the rate uses.
	Carriers []string `json:"carriers,omitempty"`
}

// ZoneOf returns the zone of p holding dest: the one naming its region,
// else the one naming its country; nil when none does.
func (p *Profile) ZoneOf(dest Destination) *Zone {
	if dest.Region != "" {
		for i := range p.Zones {
			if slices.Contains(p.Zones[i].Regions, dest.Region) {
				return &p.Zones[i]
			}
		}
	}
	for i := range p.Zones {
		if slices.Contains(p.Zones[i].Countries, dest.Country) {
			return &p.Zones[i]
		}
	}
	return nil
}

// Options prices every rate of the zone holding dest for a part of
// items, cheapest first (then fastest, then by name). A rate whose bands
// do not hold the part's weight is left out.
func (p *Profile) Options(dest Destination, items []Item) ([]Option, error) {
	z := p.ZoneOf(dest)
	if z == nil {
		return nil, fmt.Errorf("%w: %s does not ship to %s", ErrNotServed, p.Name, dest)
	}
	var units, subtotal, grams int64
	var ok bool
	for _, it := range items {
		if units, ok = add(units, it.Quantity); !ok {
			return nil, ErrOverflow
		}
		if subtotal, ok = add(subtotal, it.Subtotal); !ok {
			return nil, ErrOverflow
		}
		w, ok1 := mul(it.Grams, it.Quantity)
		if grams, ok = add(grams, w); !ok || !ok1 {
			return nil, ErrOverflow
		}
	}
	var out []Option
	for _, r := range z.Rates {
		price, err := r.price(units, subtotal, grams)
		if errors.Is(err, ErrTooHeavy) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Option{Rate: r.Name, Price: price, Transit: r.Transit, Carriers: slices.Clone(r.Carriers)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %d g to %s", ErrTooHeavy, grams, dest)
	}
	sortOptions(out)
	return out, nil
}

// price is the rate's price for a part of units weighing grams with an
// item subtotal.
func (r Rate) price(units, subtotal, grams int64) (int64, error) {
	var band int64
	if len(r.Bands) > 0 {
		i := slices.IndexFunc(r.Bands, func(b Band) bool { return grams >= b.From && grams < b.To })
		if i < 0 {
			return 0, ErrTooHeavy
		}
		band = r.Bands[i].Amount
	}
	if r.FreeOver > 0 && subtotal >= r.FreeOver {
		return 0, nil
	}
	per, ok1 := mul(r.PerItem, units)
	sum, ok2 := add(r.Flat, per)
	sum, ok3 := add(sum, band)
	if !ok1 || !ok2 || !ok3 {
		return 0, ErrOverflow
	}
	return sum, nil
}

// Combine merges the options of the groups of one part that ship under
// different profiles: a rate offered by every group (by name) becomes one
// option at the sum of the prices, in transit as long as the slowest; when
// no name is common to all, the part has one option, "Combined", made of
// each group's cheapest.
func Combine(groups [][]Option) []Option {
	switch len(groups) {
	case 0:
		return nil
	case 1:
		return groups[0]
	}
	var out []Option
	for _, first := range groups[0] {
		o, ok := first, true
		o.Carriers = slices.Clone(o.Carriers)
		for _, g := range groups[1:] {
			i := slices.IndexFunc(g, func(x Option) bool { return strings.EqualFold(x.Rate, first.Rate) })
			if i < 0 {
				ok = false
				break
			}
			if o, ok = merge(o, g[i]); !ok {
				return nil
			}
		}
		if ok {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		o := Option{Rate: "Combined"}
		for _, g := range groups {
			var ok bool
			if o, ok = merge(o, g[0]); !ok {
				return nil
			}
		}
		out = []Option{o}
	}
	sortOptions(out)
	return out
}

func merge(a, b Option) (Option, bool) {
	sum, ok := add(a.Price, b.Price)
	a.Price = sum
	a.Transit = Days{Min: max(a.Transit.Min, b.Transit.Min), Max: max(a.Transit.Max, b.Transit.Max)}
	for _, c := range b.Carriers {
		if !slices.Contains(a.Carriers, c) {
			a.Carriers = append(a.Carriers, c)
		}
	}
	return a, ok
}

func sortOptions(os []Option) {
	slices.SortStableFunc(os, func(a, b Option) int {
		return cmp.Or(cmp.Compare(a.Price, b.Price), cmp.Compare(a.Transit.Max, b.Transit.Max), strings.Compare(a.Rate, b.Rate))
	})
}

// Pick returns the option named rate (case-insensitively), or the
// cheapest when rate is "".
func Pick(os []Option, rate string) (Option, bool) {
	if len(os) == 0 {
		return Option{}, false
	}
	if rate == "" {
		return os[0], true
	}
	i := slices.IndexFunc(os, func(o Option) bool { return strings.EqualFold(o.Rate, rate) })
	if i < 0 {
		return Option{}, false
	}
	return os[i], true
}

// Deliveries estimates when a part ordered at ordered arrives: handling
// business days, then the transit's, counted in UTC from the order's day
// (an order on a weekend starts on Monday). The times are midnights UTC.
func Deliveries(ordered time.Time, handling int, transit Days) (earliest, latest time.Time) {
	y, m, d := ordered.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return AddBusinessDays(day, handling+transit.Min), AddBusinessDays(day, handling+transit.Max)
}

// AddBusinessDays returns the day n business days (Monday to Friday)
// after day; a weekend day first moves to the Monday after it.
func AddBusinessDays(day time.Time, n int) time.Time {
	for weekend(day) {
		day = day.AddDate(0, 0, 1)
	}
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if !weekend(day) {
			n--
		}
	}
	return day
}

func weekend(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }

// String writes a destination as "DE" or "ES-CN".
func (d Destination) String() string {
	if d.Region != "" {
		return d.Region
	}
	return d.Country
}

func add(a, b int64) (int64, bool) {
	if b > 0 && a > math.MaxInt64-b || b < 0 && a < math.MinInt64-b {
		return 0, false
	}
	return a + b, true
}

func mul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || a == -1 && b == math.MinInt64 || b == -1 && a == math.MinInt64 {
		return 0, false
	}
	return c, true
}
