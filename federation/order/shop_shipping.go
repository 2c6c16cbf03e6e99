package order

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/fedmart/fedmart/catalog/shipping"
)

// CartShipping is a cart's shipping to its ship-to destination: per part
// (one merchant's lines) the options, the chosen rate and when it
// arrives, and the totals with shipping.
type CartShipping struct {
	To    shipping.Destination `json:"to"`
	Parts []CartPartShipping   `json:"parts"`
	// Shipping is the sum of the parts' chosen rates.
	Shipping Money `json:"shipping"`
	// Total is the items and the shipping.
	Total Money `json:"total"`
	// Shippable is false when a line does not ship to To: the cart cannot
	// be checked out there.
	Shippable bool `json:"shippable"`
}

// CartPartShipping is the shipping of one merchant's lines.
type CartPartShipping struct {
	Platform string            `json:"platform"`
	Merchant string            `json:"merchant"`
	Options  []shipping.Option `json:"options"`
	// Rate and Price are the chosen option (the cheapest unless the
	// shopper chose).
	Rate     string    `json:"rate,omitempty"`
	Price    Money     `json:"price"`
	Estimate *Estimate `json:"estimate,omitempty"`
	// Handling is the merchant's handling time in business days, the
	// longest of the lines'.
	Handling int `json:"-"`
	// Unshippable are the lines that do not ship to the destination.
	Unshippable []CartLine `json:"unshippable,omitempty"`
}

// homeQuote is a part's shipping as its home node quoted it after
// refusing the storefront's price: the cart uses it for that part, rate
// and destination until the lines change.
type homeQuote struct {
	To     shipping.Destination `json:"to"`
	Choice ShippingChoice       `json:"choice"`
	Lines  string               `json:"lines"` // linesKey of the part when quoted
}

// partKey names a cart part: one merchant of one platform.
func partKey(platform, merchant string) string { return platform + "/" + merchant }

// linesKey identifies what a part's lines are: listings, SKUs, units and
// prices.
func linesKey(lines []Line) string {
	return hashHex(string(mustJSON(lines)))
}

// SetShipTo sets where the cart ships to, so that it is quoted with
// shipping; lines that do not ship there are flagged in the quote.
func (s *Service) SetShipTo(ctx context.Context, shopper, cartID string, to shipping.Destination) (Cart, error) {
	if err := (Address{Name: "-", Line1: "-", City: "-", PostalCode: "-", Country: to.Country, Region: to.Region}).Validate(); err != nil {
		return Cart{}, err
	}
	c, err := s.changeCart(shopper, cartID, func(c *storedCart) error {
		c.ShipTo = &to
		return nil
	})
	if err != nil {
		return Cart{}, err
	}
	return c, s.quoteShown(ctx, &c)
}

// ChooseShipping picks rate for the part of the cart that merchant of
// platform sells.
func (s *Service) ChooseShipping(ctx context.Context, shopper, cartID, platform, merchant, rate string) (Cart, error) {
	c, err := s.GetCart(ctx, shopper, cartID)
	if err != nil {
		return Cart{}, err
	}
	if c.Shipping == nil {
		return Cart{}, FieldErrors{{Field: "ship_to", Message: "choose where the cart ships to first"}}
	}
	i := slices.IndexFunc(c.Shipping.Parts, func(p CartPartShipping) bool { return p.Platform == platform && p.Merchant == merchant })
	if i < 0 {
		return Cart{}, fmt.Errorf("%w: cart %s has no lines of merchant %s", ErrNotFound, cartID, merchant)
	}
	if _, ok := shipping.Pick(c.Shipping.Parts[i].Options, rate); !ok || rate == "" {
		return Cart{}, FieldErrors{{Field: "rate", Message: fmt.Sprintf("%q is not a shipping rate of this part to %s", rate, c.Shipping.To)}}
	}
	c, err = s.changeCart(shopper, cartID, func(c *storedCart) error {
		if c.Rates == nil {
			c.Rates = map[string]string{}
		}
		c.Rates[partKey(platform, merchant)] = rate
		return nil
	})
	if err != nil {
		return Cart{}, err
	}
	return c, s.quoteShown(ctx, &c)
}

// quoteCart gives c's lines their merchants' discounts, and fills c's
// shipping when it has a destination.
func (s *Service) quoteCart(ctx context.Context, c *Cart) error {
	if err := s.discountCart(ctx, c, c.homeDiscounts); err != nil {
		return err
	}
	if c.ShipTo == nil || len(c.Lines) == 0 {
		return nil
	}
	order := newOrder(c.Shopper, *c, Address{Country: c.ShipTo.Country, Region: c.ShipTo.Region}, s.now())
	cs := &CartShipping{To: *c.ShipTo, Shipping: Money{Currency: c.Total.Currency}, Total: c.Total, Shippable: true}
	for _, p := range order.Parts {
		ps, err := s.quotePart(ctx, c, p, *c.ShipTo)
		if err != nil {
			return err
		}
		cs.Shippable = cs.Shippable && len(ps.Unshippable) == 0
		cs.Shipping.Amount += ps.Price.Amount
		cs.Total.Amount += ps.Price.Amount
		cs.Parts = append(cs.Parts, ps)
	}
	c.Shipping = cs
	return nil
}

// quoteShown quotes c after a change the shopper made and keeps what it
// shows as the shipping the shopper saw (storedCart.Quoted).
func (s *Service) quoteShown(ctx context.Context, c *Cart) error {
	if err := s.quoteCart(ctx, c); err != nil || c.Shipping == nil {
		return err
	}
	return s.keepQuoted(c.Shopper, c.ID, *c)
}

// keepQuoted records the shipping of every shippable part of cart v as
// what the shopper saw.
func (s *Service) keepQuoted(shopper, cartID string, v Cart) error {
	order := newOrder(v.Shopper, v, Address{}, s.now())
	_, err := s.changeCart(shopper, cartID, func(c *storedCart) error {
		c.Quoted = map[string]homeQuote{}
		for _, ps := range v.Shipping.Parts {
			i := slices.IndexFunc(order.Parts, func(p Part) bool { return p.Platform == ps.Platform && p.Merchant == ps.Merchant })
			if i < 0 || len(ps.Unshippable) > 0 {
				continue
			}
			c.Quoted[partKey(ps.Platform, ps.Merchant)] = homeQuote{To: v.Shipping.To, Choice: ShippingChoice{Rate: ps.Rate, Price: ps.Price},
				Lines: linesKey(order.Parts[i].Items)}
		}
		return nil
	})
	return err
}

// quotePart quotes one part of cart c to dest: the local quote, or the
// home's where it refused the local price for these very lines.
func (s *Service) quotePart(ctx context.Context, c *Cart, p Part, dest shipping.Destination) (CartPartShipping, error) {
	cur := p.Total.Currency
	ps := CartPartShipping{Platform: p.Platform, Merchant: p.Merchant, Price: Money{Currency: cur}}
	q, err := s.quoteLines(ctx, p.Items, dest)
	if err != nil {
		return CartPartShipping{}, err
	}
	for _, i := range q.unshippable {
		it := p.Items[i]
		k := slices.IndexFunc(c.Lines, func(l CartLine) bool { return l.ListingID == it.ListingID && l.SKU == it.SKU })
		ps.Unshippable = append(ps.Unshippable, c.Lines[k])
	}
	if len(ps.Unshippable) > 0 {
		return ps, nil
	}
	key := partKey(p.Platform, p.Merchant)
	ps.Options = q.options
	choice, _ := q.choose(c.rates[key], cur)
	if h, ok := c.homeQuotes[key]; ok && h.To == dest && h.Lines == linesKey(p.Items) && (c.rates[key] == "" || h.Choice.Rate == c.rates[key]) {
		choice = h.Choice
		if i := slices.IndexFunc(ps.Options, func(o shipping.Option) bool { return o.Rate == choice.Rate }); i >= 0 {
			ps.Options = slices.Clone(ps.Options)
			ps.Options[i].Price = choice.Price.Amount
		}
	}
	ps.Rate, ps.Price, ps.Handling = choice.Rate, choice.Price, q.handling
	if o, ok := shipping.Pick(ps.Options, ps.Rate); ok {
		e := estimate(s.now(), q.handling, o.Transit)
		ps.Estimate = &e
	}
	return ps, nil
}

// priceShipping gives every part of o its shipping to o's address, as the
// cart chose it, and adds it to the totals. Lines that do not ship there
// refuse the checkout, named; so does a price the shopper was not shown
// (the records changed since, or the cart was never quoted and shipping is
// not free): the cart then holds the new price, as for a changed item
// price.
func (s *Service) priceShipping(ctx context.Context, o *Order, c *Cart) error {
	dest := o.ShipTo.destination()
	var unshippable []Line
	var changed []ShippingChange
	o.Total.Amount = 0
	for i := range o.Parts {
		p := &o.Parts[i]
		ps, err := s.quotePart(ctx, c, *p, dest)
		if err != nil {
			return err
		}
		for _, l := range ps.Unshippable {
			unshippable = append(unshippable, Line{ListingID: l.ListingID, SKU: l.SKU, Title: l.Title})
		}
		p.Shipping, p.ShippingRate, p.Estimate, p.Handling = ps.Price, ps.Rate, ps.Estimate, &ps.Handling
		seen, ok := c.quoted[partKey(p.Platform, p.Merchant)]
		if ok && (seen.To != dest || seen.Lines != linesKey(p.Items)) {
			ok = false
		}
		if len(ps.Unshippable) == 0 && (ok && seen.Choice != (ShippingChoice{Rate: ps.Rate, Price: ps.Price}) || !ok && ps.Price.Amount > 0) {
			changed = append(changed, ShippingChange{Platform: p.Platform, Merchant: p.Merchant, ShippingChoice: ShippingChoice{Rate: ps.Rate, Price: ps.Price}})
		}
		p.Total.Amount += ps.Price.Amount
		o.Total.Amount += p.Total.Amount
		o.Shipping.Amount += ps.Price.Amount
		o.Shipping.Currency = p.Total.Currency
	}
	if unshippable != nil {
		return FieldErrors{{Field: "shipping_address.country", Message: "must be a country every line ships to: " + describeUnshippable(unshippable, o.ShipTo.Country),
			Code: ProblemNotShippable}}
	}
	if changed != nil {
		return &CheckoutError{Reason: ReasonPriceChanged, Shipping: changed}
	}
	return nil
}

// takeQuoted records changes, for o's parts, as the shipping the shopper
// saw.
func (c *storedCart) takeQuoted(o Order, changes []ShippingChange) {
	for _, ch := range changes {
		i := slices.IndexFunc(o.Parts, func(p Part) bool { return p.Platform == ch.Platform && p.Merchant == ch.Merchant })
		if i < 0 {
			continue
		}
		if c.Quoted == nil {
			c.Quoted = map[string]homeQuote{}
		}
		c.Quoted[partKey(ch.Platform, ch.Merchant)] = homeQuote{To: o.ShipTo.destination(), Choice: ch.ShippingChoice, Lines: linesKey(o.Parts[i].Items)}
	}
}

// takeHomeShipping keeps the shipping quotes home nodes answered a
// checkout with in the cart, for the parts of o they belong to.
func (c *storedCart) takeHomeShipping(o Order, changes []ShippingChange) {
	for _, ch := range changes {
		i := slices.IndexFunc(o.Parts, func(p Part) bool { return p.Platform == ch.Platform && p.Merchant == ch.Merchant })
		if i < 0 {
			continue
		}
		if c.HomeShipping == nil {
			c.HomeShipping = map[string]homeQuote{}
		}
		c.HomeShipping[partKey(ch.Platform, ch.Merchant)] = homeQuote{To: o.ShipTo.destination(), Choice: ch.ShippingChoice,
			Lines: linesKey(o.Parts[i].Items)}
	}
}

// shippingChanges collects what home nodes quoted for shipping in the
// rejections of a checkout's attempts.
func shippingChanges(attempts []*attempt) []ShippingChange {
	var out []ShippingChange
	for _, a := range attempts {
		if a.status == nil || a.status.Status.ShippingQuote == nil || len(a.status.Status.ShippingQuote.Unshippable) > 0 {
			continue
		}
		out = append(out, ShippingChange{Platform: a.part.Platform, Merchant: a.part.Merchant, ShippingChoice: a.status.Status.ShippingQuote.Chosen})
	}
	slices.SortFunc(out, func(a, b ShippingChange) int {
		return cmp.Compare(partKey(a.Platform, a.Merchant), partKey(b.Platform, b.Merchant))
	})
	return out
}

// QuoteItems quotes the shipping of items to dest as a cart holding them
// would be quoted, without a cart: for a listing page, or a client that
// keeps its own cart. Unknown listings and SKUs are field errors.
func (s *Service) QuoteItems(ctx context.Context, dest shipping.Destination, items []ItemInput) (CartShipping, error) {
	if err := (Address{Name: "-", Line1: "-", City: "-", PostalCode: "-", Country: dest.Country, Region: dest.Region}).Validate(); err != nil {
		return CartShipping{}, err
	}
	if len(items) == 0 || len(items) > maxCartLines {
		return CartShipping{}, FieldErrors{{Field: "items", Message: fmt.Sprintf("must hold 1 to %d items", maxCartLines)}}
	}
	c := storedCart{ShipTo: &dest}
	for i, in := range items {
		o, err := s.offer(ctx, in.ListingID, in.SKU)
		if errors.Is(err, ErrNotFound) {
			return CartShipping{}, FieldErrors{{Field: fmt.Sprintf("items[%d].listing_id", i), Message: fmt.Sprintf("no listing %q with SKU %q in the catalog", in.ListingID, in.SKU)}}
		}
		if err != nil {
			return CartShipping{}, err
		}
		if in.Quantity < 1 || in.Quantity > 100 {
			return CartShipping{}, FieldErrors{{Field: fmt.Sprintf("items[%d].quantity", i), Message: "must be between 1 and 100"}}
		}
		c.Lines = append(c.Lines, CartLine{ListingID: o.ListingID, SKU: o.SKU, Title: o.Title, Category: o.Category, Platform: o.Platform,
			Merchant: o.Merchant, Quantity: in.Quantity, UnitPrice: o.Price})
	}
	v := c.view()
	if err := s.quoteCart(ctx, &v); err != nil {
		return CartShipping{}, err
	}
	return *v.Shipping, nil
}
