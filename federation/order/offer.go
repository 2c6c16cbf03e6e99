package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
)

// Merchant offers are applied by both roles from the same published
// records (catalog.ApplyOffers), as shipping is: the storefront from its
// replicated copy when it shows a cart and when it places the order, each
// line carrying its discount and the offer (and version) that gives it;
// the home node from its own at reserve, where it refuses a line whose
// discount differs from its own with the new quote (reason
// price_changed), the same way it refuses a changed price. The merchant
// funds the discount: a part's total, and so the gross settlement splits,
// is the discounted price. Free shipping applies to the cheapest rate of
// a part whose covered items reach the offer's minimum.

// checkDiscount checks a line's discount: in the line's currency, no
// more than its worth, and given by an offer when there is one.
func (l Line) checkDiscount() error {
	d := l.Discount
	switch {
	case d.Amount == 0 && d.Currency == "" && l.Offer == "" && l.OfferVersion == 0:
		return nil
	case d.Amount < 0 || d.Amount > l.Quantity*l.UnitPrice.Amount || d.Currency != l.UnitPrice.Currency:
		return errors.New("discount: must be 0 or more, at most the line's worth, in its currency")
	case len(l.Offer) > 200 || d.Amount > 0 && (l.Offer == "" || l.OfferVersion == 0):
		return errors.New("offer: a discount names the offer (at most 200 bytes) and its version")
	}
	return nil
}

// offersOf reads the offers of merchant of platform.
func (s *Service) offersOf(ctx context.Context, platform, merchant string) ([]catalog.Offer, error) {
	if platform == "" {
		return nil, nil
	}
	return s.listings.Offers(ctx, platform, merchant)
}

// applyOffers applies the offers of merchant of platform, as this node
// holds them, to lines now.
func (s *Service) applyOffers(ctx context.Context, platform, merchant string, lines []Line) (catalog.Applied, []catalog.Offer, error) {
	offers, err := s.offersOf(ctx, platform, merchant)
	if err != nil {
		return catalog.Applied{}, nil, err
	}
	in := make([]catalog.OfferLine, len(lines))
	for i, l := range lines {
		in[i] = catalog.OfferLine{ListingID: l.ListingID, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice.Amount}
	}
	return catalog.ApplyOffers(offers, in, s.now()), offers, nil
}

// setDiscount gives l the discount d.
func (l *Line) setDiscount(d catalog.LineDiscount) {
	l.Discount, l.Offer, l.OfferVersion = Money{}, "", 0
	if d.Amount > 0 {
		l.Discount = Money{Amount: d.Amount, Currency: l.UnitPrice.Currency}
		l.Offer, l.OfferVersion = d.Offer, d.Version
	}
}

// sameDiscount reports whether two lines carry the same discount.
func sameDiscount(a, b Line) bool {
	return a.Discount.Amount == b.Discount.Amount && a.Offer == b.Offer && a.OfferVersion == b.OfferVersion
}

// homeDiscounts is the home node's check of a reserve's discounts: each
// line as the home's own offers discount it now, at the price the home
// holds for it (the reserve's when it has none; a changed price is
// refused on its own). It returns the lines whose discount differs, with
// the home's discount and price, nil when none do.
func (s *Service) homeDiscounts(ctx context.Context, r *Reserve) ([]Line, error) {
	lines := slices.Clone(r.Lines)
	for i := range lines {
		o, err := s.offer(ctx, lines[i].ListingID, lines[i].SKU)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		lines[i].UnitPrice, lines[i].Category = o.Price, o.Category
	}
	applied, _, err := s.applyOffers(ctx, s.self, r.Merchant, lines)
	if err != nil {
		return nil, err
	}
	var quote []Line
	for i := range lines {
		lines[i].setDiscount(applied.Lines[i])
		if !sameDiscount(lines[i], r.Lines[i]) {
			q := r.Lines[i]
			q.UnitPrice = lines[i].UnitPrice
			q.setDiscount(applied.Lines[i])
			quote = append(quote, q)
		}
	}
	return quote, nil
}

// discountCart gives every line of c the discount its merchant's offers
// give it now, as this node holds them (or as the home quoted it for
// these very lines, see homeDiscount), and totals c again.
func (s *Service) discountCart(ctx context.Context, c *Cart, home map[string]homeDiscount) error {
	type part struct{ platform, merchant string }
	idx := map[part][]int{}
	var order []part
	for i, l := range c.Lines {
		p := part{l.Platform, l.Merchant}
		if _, ok := idx[p]; !ok {
			order = append(order, p)
		}
		idx[p] = append(idx[p], i)
	}
	for _, p := range order {
		lines := make([]Line, len(idx[p]))
		for j, i := range idx[p] {
			l := c.Lines[i]
			lines[j] = Line{ListingID: l.ListingID, SKU: l.SKU, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice}
		}
		applied, offers, err := s.applyOffers(ctx, p.platform, p.merchant, lines)
		if err != nil {
			return err
		}
		for j, i := range idx[p] {
			l := &c.Lines[i]
			d := applied.Lines[j]
			if h, ok := home[offerKey(l.ListingID, l.SKU)]; ok && h.Quantity == l.Quantity && h.UnitPrice == l.UnitPrice {
				d = catalog.LineDiscount{Offer: h.Offer, Version: h.Version, Amount: h.Discount.Amount}
			}
			line := Line{UnitPrice: l.UnitPrice}
			line.setDiscount(d)
			l.Discount, l.Offer, l.OfferVersion, l.OfferLabel = line.Discount, line.Offer, line.OfferVersion, ""
			if k := slices.IndexFunc(offers, func(o catalog.Offer) bool { return o.ID == d.Offer }); k >= 0 && d.Amount > 0 {
				l.OfferLabel = offers[k].Label()
			}
		}
	}
	c.total()
	return nil
}

// homeDiscount is a line's discount as its home node quoted it after
// refusing the storefront's: the cart uses it for that line while its
// quantity and price stay the same.
type homeDiscount struct {
	Quantity  int64  `json:"quantity"`
	UnitPrice Money  `json:"unit_price"`
	Discount  Money  `json:"discount"`
	Offer     string `json:"offer,omitempty"`
	Version   uint64 `json:"version,omitempty"`
}

// takeHomeDiscounts keeps the discounts of quote, as the home of the
// part quoted them, for the cart's lines of platform. A discount that
// names no offer of that platform is not kept: a home discounts only
// with its own offers.
func (c *storedCart) takeHomeDiscounts(platform string, quote []Line) error {
	for _, q := range quote {
		if q.Offer != "" {
			if !strings.HasPrefix(q.Offer, platform+".") {
				return fmt.Errorf("%w: %s quoted a discount by offer %q, which is not its own", ErrForged, shortPeer(platform), q.Offer)
			}
		}
		i := slices.IndexFunc(c.Lines, func(l CartLine) bool { return l.ListingID == q.ListingID && l.SKU == q.SKU && l.Platform == platform })
		if i < 0 {
			continue
		}
		if c.HomeDiscounts == nil {
			c.HomeDiscounts = map[string]homeDiscount{}
		}
		c.HomeDiscounts[offerKey(q.ListingID, q.SKU)] = homeDiscount{Quantity: c.Lines[i].Quantity, UnitPrice: q.UnitPrice,
			Discount: q.Discount, Offer: q.Offer, Version: q.OfferVersion}
	}
	return nil
}

// freeShipping makes the cheapest option of q free when applied says
// shipping is free.
func (q *partQuote) freeShipping(applied catalog.Applied) {
	if applied.FreeShipping == nil || len(q.options) == 0 {
		return
	}
	q.options = slices.Clone(q.options)
	q.options[0].Price = 0
	q.freeBy = applied.FreeShipping.Offer
}

// OfferUptake is what one of a merchant's offers gave in the parts its
// home accepted: in how many parts, on how many units, and what it cost
// the merchant (free shipping is not counted: the rate it waived is not
// kept).
type OfferUptake struct {
	Offer string `json:"offer"`
	Parts int64  `json:"parts"`
	Units int64  `json:"units"`
	Cost  Money  `json:"cost"`
}

// maxUptakeParts bounds the parts OfferUptake reads, newest first.
const maxUptakeParts = 10000

// OfferUptake sums, per offer, the discounts in merchant's parts homed
// here that became orders (the newest maxUptakeParts), by offer id.
func (s *Service) OfferUptake(_ context.Context, merchant string) (map[string]OfferUptake, error) {
	out := map[string]OfferUptake{}
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range reverseKeys(txn, prefixMerchant+merchant+"/", "", maxUptakeParts) {
			p, err := loadHome(txn, k[strings.LastIndexByte(k, '/')+1:])
			if err != nil {
				return err
			}
			if !knownStatus(p.Status) || p.Status == StatusReserved || p.Status == StatusRejected {
				continue
			}
			seen := map[string]bool{}
			for _, l := range p.Lines {
				if l.Offer == "" || l.Discount.Amount == 0 {
					continue
				}
				u := out[l.Offer]
				u.Offer = l.Offer
				if !seen[l.Offer] {
					u.Parts++
					seen[l.Offer] = true
				}
				u.Units += l.Quantity
				u.Cost = Money{Amount: u.Cost.Amount + l.Discount.Amount, Currency: l.Discount.Currency}
				out[l.Offer] = u
			}
		}
		return nil
	})
	return out, err
}

// checkQuotedDiscounts holds the discounts a home quoted for o's lines
// (quote) to the offer records this node holds: a discount by an offer
// of another platform or merchant, or more than the offer it names can
// give (when this node holds that offer at the quoted version or later),
// is ErrForged, and the cart does not take it. An offer this node does
// not hold yet, or holds at an older version, is the home's to state.
func (s *Service) checkQuotedDiscounts(ctx context.Context, o Order, quote []Line) error {
	for _, p := range o.Parts {
		var offers []catalog.Offer
		for _, q := range quoteOf(quote, p) {
			if q.Offer == "" {
				continue
			}
			if !strings.HasPrefix(q.Offer, catalog.FormatMerchantID(p.Platform, p.Merchant)+".") {
				return fmt.Errorf("%w: %s quoted a discount by offer %q, which is not its merchant's", ErrForged, shortPeer(p.Platform), q.Offer)
			}
			if offers == nil {
				var err error
				if offers, err = s.offersOf(ctx, p.Platform, p.Merchant); err != nil {
					return err
				}
			}
			i := slices.IndexFunc(offers, func(x catalog.Offer) bool { return x.ID == q.Offer })
			if i < 0 || offers[i].Version < q.OfferVersion {
				continue
			}
			bound := offers[i].MaxDiscount(catalog.OfferLine{ListingID: q.ListingID, Category: q.Category, Quantity: q.Quantity, UnitPrice: q.UnitPrice.Amount})
			if q.Discount.Amount > bound {
				return fmt.Errorf("%w: %s quoted %s off %s by offer %s, which gives at most %s", ErrForged, shortPeer(p.Platform), q.Discount,
					q.SKU, q.Offer, Money{Amount: bound, Currency: q.UnitPrice.Currency})
			}
		}
	}
	return nil
}
