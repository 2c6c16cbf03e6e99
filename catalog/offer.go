package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A merchant's offers are published records like its shipping profiles:
// signed by the merchant's home node, replicated by gossip and catch-up,
// one current version per id (records of kind KindOffer, whose Subject is
// the offer's id, <platform>.<merchant>.<offer>), ended by a tombstone.
// Every storefront applies them when it quotes a cart from its copy
// (ApplyOffers); the home node applies them again from its own at
// reserve, and refuses a reserve whose discounts differ with its quote.
// The merchant funds an offer: the part's gross is the discounted price.

// The kinds of offers.
const (
	// OfferPercent takes PercentBPS off the price of every unit in scope.
	OfferPercent = "percent"
	// OfferAmount takes Amount off the price of every unit in scope
	// (never below zero).
	OfferAmount = "amount"
	// OfferBuyGet gives Get units free for every Buy units bought of one
	// line in scope ("buy 2 get 1": Buy 2, Get 1, every third unit free).
	OfferBuyGet = "buy_get"
	// OfferFreeShipping ships a merchant's part free when the items in
	// scope come to at least MinSubtotal after the other offers.
	OfferFreeShipping = "free_shipping"
)

// Offer is a merchant's promotion as every member sees it.
type Offer struct {
	// ID is the global id, <platform>.<merchant>.<offer>.
	ID string `json:"id"`
	// Platform is the peer ID of the merchant's home node.
	Platform string `json:"platform"`
	// Merchant is the merchant's id on its home node.
	Merchant string `json:"merchant"`
	// Name is what shoppers and the merchant see ("Summer sale").
	Name string `json:"name"`
	// Kind is OfferPercent, OfferAmount, OfferBuyGet or
	// OfferFreeShipping.
	Kind string `json:"kind"`
	// PercentBPS is the share taken off, in basis points (percent only).
	PercentBPS int64 `json:"percent_bps,omitempty"`
	// Amount is taken off each unit, in minor units of the federation's
	// currency (amount only).
	Amount int64 `json:"amount,omitempty"`
	// Buy and Get: for every Buy units, Get more free (buy_get only).
	Buy int64 `json:"buy,omitempty"`
	Get int64 `json:"get,omitempty"`
	// MinSubtotal is the items' total from which shipping is free, in
	// minor units (free_shipping only).
	MinSubtotal int64 `json:"min_subtotal,omitempty"`
	// Listings and Categories limit the offer to these listing ids and
	// categories (a category covers its sub-categories); with neither, it
	// covers the merchant's whole shop.
	Listings   []string `json:"listings,omitempty"`
	Categories []string `json:"categories,omitempty"`
	// PerOrderLimit is the most units one order gets discounted (the
	// free units of buy_get); 0 means no limit.
	PerOrderLimit int64 `json:"per_order_limit,omitempty"`
	// Starts and Ends bound when the offer applies: from Starts, before
	// Ends.
	Starts time.Time `json:"starts"`
	Ends   time.Time `json:"ends"`
	// Version counts the offer's changes, from 1.
	Version uint64 `json:"version"`
	// UpdatedAt is when the home node signed it.
	UpdatedAt time.Time `json:"updated_at"`
}

// OfferInput is what a merchant sends to create or replace an offer.
type OfferInput struct {
	Name          string    `json:"name"`
	Kind          string    `json:"kind"`
	PercentBPS    int64     `json:"percent_bps"`
	Amount        int64     `json:"amount"`
	Buy           int64     `json:"buy"`
	Get           int64     `json:"get"`
	MinSubtotal   int64     `json:"min_subtotal"`
	Listings      []string  `json:"listings"`
	Categories    []string  `json:"categories"`
	PerOrderLimit int64     `json:"per_order_limit"`
	Starts        time.Time `json:"starts"`
	Ends          time.Time `json:"ends"`
}

// Limits of an offer.
const (
	maxOfferName = 100
	// MaxOffers is the most offers (ended ones included) one merchant
	// may publish, and the most any node holds of one merchant.
	MaxOffers      = 100
	maxOfferScope  = 100
	maxOfferBuyGet = 100
	maxOfferDays   = 366
	// maxOfferMoney caps an amount or a minimum subtotal, in minor units.
	maxOfferMoney = 1_000_000_000_000
)

// Active reports whether o applies at t.
func (o *Offer) Active(t time.Time) bool { return !t.Before(o.Starts) && t.Before(o.Ends) }

// Covers reports whether o applies to a listing of its merchant with
// category.
func (o *Offer) Covers(listingID, category string) bool {
	if len(o.Listings) == 0 && len(o.Categories) == 0 {
		return true
	}
	if slices.Contains(o.Listings, listingID) {
		return true
	}
	for _, c := range o.Categories {
		if category == c || strings.HasPrefix(category, c+categorySep) {
			return true
		}
	}
	return false
}

// Label is how a storefront names the offer next to a price: "−15 %",
// "−2.50 off" is left to the page (it knows the currency), so Label
// says the kind's words without amounts for amount offers.
func (o *Offer) Label() string {
	switch o.Kind {
	case OfferPercent:
		if o.PercentBPS%100 == 0 {
			return fmt.Sprintf("−%d %%", o.PercentBPS/100)
		}
		return fmt.Sprintf("−%d.%02d %%", o.PercentBPS/100, o.PercentBPS%100)
	case OfferBuyGet:
		return fmt.Sprintf("buy %d get %d", o.Buy, o.Get)
	case OfferFreeShipping:
		return "free shipping"
	}
	return o.Name
}

// validateOffer checks in for merchant of self.
func validateOffer(in OfferInput, self, merchant string) error {
	v := &validator{}
	v.text("name", in.Name, true, maxOfferName, false)
	switch in.Kind {
	case OfferPercent:
		if in.PercentBPS < 1 || in.PercentBPS > 10000 {
			v.add("percent_bps", "must be between 1 and 10000 basis points, not %d", in.PercentBPS)
		}
	case OfferAmount:
		if in.Amount < 1 || in.Amount > maxOfferMoney {
			v.add("amount", "must be between 1 and %d minor units, not %d", int64(maxOfferMoney), in.Amount)
		}
	case OfferBuyGet:
		if in.Buy < 1 || in.Buy > maxOfferBuyGet {
			v.add("buy", "must be between 1 and %d units, not %d", maxOfferBuyGet, in.Buy)
		}
		if in.Get < 1 || in.Get > maxOfferBuyGet {
			v.add("get", "must be between 1 and %d units, not %d", maxOfferBuyGet, in.Get)
		}
	case OfferFreeShipping:
		if in.MinSubtotal < 0 || in.MinSubtotal > maxOfferMoney {
			v.add("min_subtotal", "must be between 0 and %d minor units, not %d", int64(maxOfferMoney), in.MinSubtotal)
		}
	default:
		v.add("kind", "must be %q, %q, %q or %q, not %q", OfferPercent, OfferAmount, OfferBuyGet, OfferFreeShipping, clip(in.Kind))
	}
	offerFieldsOf(v, in)
	if len(in.Listings) > maxOfferScope {
		v.add("listings", "names %d listings, at most %d", len(in.Listings), maxOfferScope)
	} else {
		for i, id := range in.Listings {
			if p, m, _, err := ParseID(id); err != nil || p != self || m != merchant {
				v.add(fmt.Sprintf("listings[%d]", i), "must be the id of one of this merchant's listings, not %q", clip(id))
			}
		}
	}
	if len(in.Categories) > maxOfferScope {
		v.add("categories", "names %d categories, at most %d", len(in.Categories), maxOfferScope)
	} else {
		for i, c := range in.Categories {
			if c == "" || len(c) > 1000 || strings.TrimSpace(c) != c {
				v.add(fmt.Sprintf("categories[%d]", i), "must be a category path such as \"Home > Kitchen\", not %q", clip(c))
			}
		}
	}
	return v.result()
}

// offerFieldsOf checks what every kind shares: the per-order limit and
// the validity window.
func offerFieldsOf(v *validator, in OfferInput) {
	if in.PerOrderLimit < 0 || in.PerOrderLimit > 10000 {
		v.add("per_order_limit", "must be between 0 (no limit) and 10000 units, not %d", in.PerOrderLimit)
	}
	switch {
	case in.Starts.IsZero():
		v.add("starts", "is required (RFC 3339 time)")
	case in.Ends.IsZero():
		v.add("ends", "is required (RFC 3339 time)")
	case !in.Ends.After(in.Starts):
		v.add("ends", "must be after starts")
	case in.Ends.Sub(in.Starts) > maxOfferDays*24*time.Hour:
		v.add("ends", "must be at most %d days after starts", maxOfferDays)
	}
}

// offerOf builds the offer a merchant's input describes, with copies.
func offerOf(in OfferInput) *Offer {
	return &Offer{Name: strings.TrimSpace(in.Name), Kind: in.Kind, PercentBPS: in.PercentBPS, Amount: in.Amount,
		Buy: in.Buy, Get: in.Get, MinSubtotal: in.MinSubtotal, Listings: slices.Clone(in.Listings),
		Categories: slices.Clone(in.Categories), PerOrderLimit: in.PerOrderLimit,
		Starts: in.Starts.UTC(), Ends: in.Ends.UTC()}
}

// input is the inverse of offerOf.
func (o *Offer) input() OfferInput {
	return OfferInput{Name: o.Name, Kind: o.Kind, PercentBPS: o.PercentBPS, Amount: o.Amount, Buy: o.Buy, Get: o.Get,
		MinSubtotal: o.MinSubtotal, Listings: o.Listings, Categories: o.Categories, PerOrderLimit: o.PerOrderLimit,
		Starts: o.Starts, Ends: o.Ends}
}

// offerContent is what a digest of an offer covers: everything the
// merchant controls, without identity, version or time.
func offerContent(o *Offer) digest {
	cp := *o
	cp.ID, cp.Platform, cp.Merchant, cp.Version, cp.UpdatedAt = "", "", "", 0, time.Time{}
	return contentSum(&cp)
}

// OfferLine is one line of a merchant's part as ApplyOffers reads it.
type OfferLine struct {
	ListingID string
	Category  string
	Quantity  int64
	// UnitPrice is the price of one unit, in minor units.
	UnitPrice int64
}

// LineDiscount is what the offers take off one line: Amount in minor
// units, by the offer Offer at Version (none when Amount is 0).
type LineDiscount struct {
	Offer   string
	Version uint64
	Amount  int64
}

// Applied is what a merchant's offers do to one part at a time: a
// discount per line (in the order of the lines) and, when shipping is
// free, the free-shipping offer that makes it so.
type Applied struct {
	Lines        []LineDiscount
	FreeShipping *LineDiscount
}

// ApplyOffers applies offers (one merchant's, live or not) to that
// merchant's lines at t. Each line takes the one offer that takes the
// most off it (ties: the smaller id), never more than its price; a
// per-order limit counts the units discounted across the lines, in their
// order. Free shipping applies when the items the offer covers come to
// MinSubtotal after the discounts. The home node and every storefront
// compute the same from the same records and time.
func ApplyOffers(offers []Offer, lines []OfferLine, t time.Time) Applied {
	live := make([]Offer, 0, len(offers))
	for _, o := range offers {
		if o.Active(t) {
			live = append(live, o)
		}
	}
	slices.SortFunc(live, func(a, b Offer) int { return strings.Compare(a.ID, b.ID) })
	out := Applied{Lines: make([]LineDiscount, len(lines))}
	used := map[string]int64{} // units each limited offer discounted so far
	for i, l := range lines {
		for _, o := range live {
			if o.Kind == OfferFreeShipping || !o.Covers(l.ListingID, l.Category) {
				continue
			}
			units := l.Quantity
			if o.PerOrderLimit > 0 {
				units = min(units, o.PerOrderLimit-used[o.ID])
			}
			if d := discountOf(o, l, units); d > out.Lines[i].Amount {
				out.Lines[i] = LineDiscount{Offer: o.ID, Version: o.Version, Amount: d}
			}
		}
		if d := out.Lines[i]; d.Amount > 0 {
			o := live[slices.IndexFunc(live, func(o Offer) bool { return o.ID == d.Offer })]
			if o.PerOrderLimit > 0 {
				used[o.ID] += unitsOf(o, l, min(l.Quantity, o.PerOrderLimit-used[o.ID]))
			}
		}
	}
	for _, o := range live {
		if o.Kind != OfferFreeShipping {
			continue
		}
		var sub int64
		for i, l := range lines {
			if o.Covers(l.ListingID, l.Category) {
				sub += l.Quantity*l.UnitPrice - out.Lines[i].Amount
			}
		}
		if sub > 0 && sub >= o.MinSubtotal {
			out.FreeShipping = &LineDiscount{Offer: o.ID, Version: o.Version}
			break
		}
	}
	return out
}

// MaxDiscount is the most o can take off line l, whatever the other
// lines of the order and the time: a bound a storefront holds a home's
// quote to.
func (o *Offer) MaxDiscount(l OfferLine) int64 { return discountOf(*o, l, l.Quantity) }

// discountOf is what o takes off units of line l (at most its worth).
func discountOf(o Offer, l OfferLine, units int64) int64 {
	if units <= 0 || l.UnitPrice <= 0 {
		return 0
	}
	var d int64
	switch o.Kind {
	case OfferPercent:
		// Rounded half up to the minor unit, as commission is.
		d = (units*l.UnitPrice*o.PercentBPS + 5000) / 10000
	case OfferAmount:
		d = units * min(o.Amount, l.UnitPrice)
	case OfferBuyGet:
		d = freeUnits(o, l.Quantity, units) * l.UnitPrice
	}
	return min(d, l.Quantity*l.UnitPrice)
}

// freeUnits is how many of quantity units a buy_get offer gives free,
// at most limit.
func freeUnits(o Offer, quantity, limit int64) int64 {
	return min(quantity/(o.Buy+o.Get)*o.Get, limit)
}

// unitsOf is how many units a discount of o on l counts against its
// per-order limit.
func unitsOf(o Offer, l OfferLine, units int64) int64 {
	if o.Kind == OfferBuyGet {
		return freeUnits(o, l.Quantity, units)
	}
	return units
}
