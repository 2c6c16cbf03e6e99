package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// Shipping is quoted by both roles from the same published records
// (catalog.ShippingFor): the storefront from its replicated copy, to show
// options and to price the order; the home node from its own, at reserve,
// where it refuses a price it did not compute (reason price_changed, with
// its ShippingQuote) and lines it does not ship to the address (reason
// not_shippable). The home node is the only authority, as for item prices.

// ShippingQuote is a home node's quote of a part's shipping, sent when
// the reserve's differs from it.
type ShippingQuote struct {
	// Options are the rates the home offers for the part, cheapest first.
	Options []shipping.Option `json:"options,omitempty"`
	// Chosen is the rate the reserve asked for (or the cheapest when it
	// is not offered) at the home's price.
	Chosen ShippingChoice `json:"chosen"`
	// Unshippable are the lines not shipped to the address.
	Unshippable []Line `json:"unshippable,omitempty"`
}

// ShippingChange is a part's shipping as its home node quoted it, in a
// checkout refused for a changed price.
type ShippingChange struct {
	Platform string `json:"platform"`
	Merchant string `json:"merchant"`
	ShippingChoice
}

// partQuote is the shipping of one merchant's lines to a destination.
type partQuote struct {
	options     []shipping.Option
	handling    int    // business days, the longest of the lines'
	unshippable []int  // indexes of lines not shipped there
	freeBy      string // the merchant's offer that ships the cheapest rate free
}

// quoteLines prices the shipping of lines (one merchant's) to dest from
// this node's copy of the merchant's records. Lines that ship under
// different profiles are priced per profile and combined (shipping.Combine).
func (s *Service) quoteLines(ctx context.Context, lines []Line, dest shipping.Destination) (partQuote, error) {
	type group struct {
		profile shipping.Profile
		items   []shipping.Item
		lines   []int
	}
	var groups []*group
	var q partQuote
	var platform, merchant string
	for i, l := range lines {
		listing, err := s.listings.Listing(ctx, l.ListingID)
		if errors.Is(err, catalog.ErrNotFound) || errors.Is(err, catalog.ErrInvalid) {
			q.unshippable = append(q.unshippable, i)
			continue
		}
		if err != nil {
			return partQuote{}, err
		}
		platform, merchant = listing.Platform, listing.Merchant
		terms, err := s.listings.ShippingFor(ctx, &listing)
		if err != nil {
			return partQuote{}, err
		}
		q.handling = max(q.handling, terms.HandlingDays)
		var grams int64
		for _, v := range listing.Variants {
			if v.SKU == l.SKU {
				grams = v.Grams
			}
		}
		j := slices.IndexFunc(groups, func(g *group) bool { return g.profile.ID == terms.Profile.ID })
		if j < 0 {
			groups = append(groups, &group{profile: terms.Profile})
			j = len(groups) - 1
		}
		g := groups[j]
		g.items = append(g.items, shipping.Item{Quantity: l.Quantity, Subtotal: l.gross(), Grams: grams})
		g.lines = append(g.lines, i)
	}
	var all [][]shipping.Option
	for _, g := range groups {
		opts, err := g.profile.Options(dest, g.items)
		switch {
		case errors.Is(err, shipping.ErrNotServed) || errors.Is(err, shipping.ErrTooHeavy):
			q.unshippable = append(q.unshippable, g.lines...)
		case err != nil:
			return partQuote{}, err
		default:
			all = append(all, opts)
		}
	}
	slices.Sort(q.unshippable)
	if len(q.unshippable) == 0 {
		q.options = shipping.Combine(all)
		applied, _, err := s.applyOffers(ctx, platform, merchant, lines)
		if err != nil {
			return partQuote{}, err
		}
		q.freeShipping(applied)
	}
	return q, nil
}

// choose picks rate (the cheapest when "" or not offered) from q.
func (q partQuote) choose(rate string, currency string) (ShippingChoice, bool) {
	o, ok := shipping.Pick(q.options, rate)
	if !ok {
		o, ok = shipping.Pick(q.options, "")
	}
	return ShippingChoice{Rate: o.Rate, Price: Money{Amount: o.Price, Currency: currency}}, ok
}

// homeShipping is the home node's check of a reserve's shipping: the
// price of the rate it asks for, from the home's own records, or the
// refusal to send (not shippable, or price changed with the home's
// quote). A reserve without shipping asks for the cheapest rate at 0, as
// storefronts did before shipping was charged.
func (s *Service) homeShipping(ctx context.Context, r *Reserve) (ShippingChoice, *CheckoutError, error) {
	cur := r.Lines[0].UnitPrice.Currency
	q, err := s.quoteLines(ctx, r.Lines, r.ShipTo.destination())
	if err != nil {
		return ShippingChoice{}, nil, err
	}
	if len(q.unshippable) > 0 {
		sq := &ShippingQuote{}
		for _, i := range q.unshippable {
			sq.Unshippable = append(sq.Unshippable, r.Lines[i])
		}
		return ShippingChoice{}, &CheckoutError{Reason: ReasonNotShippable, Unshippable: sq.Unshippable, Country: r.ShipTo.Country}, nil
	}
	asked := ShippingChoice{Price: Money{Currency: cur}}
	if r.Shipping != nil {
		asked = *r.Shipping
	}
	got, _ := q.choose(asked.Rate, cur)
	if got.Rate != asked.Rate && asked.Rate != "" || got.Price != asked.Price {
		return ShippingChoice{}, &CheckoutError{Reason: ReasonPriceChanged,
			Shipping: []ShippingChange{{Merchant: r.Merchant, ShippingChoice: got}}, shippingOptions: q.options}, nil
	}
	return got, nil, nil
}

// Estimate is when a part is expected to arrive, from the merchant's
// handling days and the rate's transit days, counted in business days
// from the day it is ordered.
type Estimate struct {
	Earliest time.Time `json:"earliest"`
	Latest   time.Time `json:"latest"`
}

func estimate(ordered time.Time, handling int, transit shipping.Days) Estimate {
	e, l := shipping.Deliveries(ordered, handling, transit)
	return Estimate{Earliest: e, Latest: l}
}

// describeUnshippable names lines that do not ship to country, for a
// shopper.
func describeUnshippable(lines []Line, country string) string {
	names := make([]string, len(lines))
	for i, l := range lines {
		names[i] = fmt.Sprintf("%q", l.Title)
	}
	if len(names) == 1 {
		return fmt.Sprintf("%s does not ship to %s", names[0], country)
	}
	return fmt.Sprintf("%s do not ship to %s", joinAnd(names), country)
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	out := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		out += ", " + x
	}
	return out + " and " + xs[len(xs)-1]
}
