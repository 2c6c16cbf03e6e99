package order

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// maxCartLines bounds a cart.
const maxCartLines = 100

// CartLine is one SKU in a cart, at the price it was quoted when added.
type CartLine struct {
	ListingID string `json:"listing_id"`
	SKU       string `json:"sku"`
	Title     string `json:"title"`
	Category  string `json:"category"`
	Platform  string `json:"platform"`
	Merchant  string `json:"merchant"`
	Quantity  int64  `json:"quantity"`
	UnitPrice Money  `json:"unit_price"`
	// Discount is what the merchant's offer Offer (at OfferVersion, shown
	// as OfferLabel: "−15 %", "buy 2 get 1") takes off the line now;
	// Subtotal is after it.
	Discount     Money  `json:"discount,omitzero"`
	Offer        string `json:"offer,omitempty"`
	OfferVersion uint64 `json:"offer_version,omitempty"`
	OfferLabel   string `json:"offer_label,omitempty"`
	Subtotal     Money  `json:"subtotal"`
}

// Cart is a shopper's cart on this storefront.
type Cart struct {
	ID      string      `json:"id"`
	Shopper string      `json:"shopper"`
	Lines   []CartLine  `json:"-"`
	Groups  []CartGroup `json:"groups"`
	// Discount is what merchants' offers take off the items; Total is
	// after it.
	Discount Money `json:"discount,omitzero"`
	Total    Money `json:"total"`
	Items    int64 `json:"items"`
	// ShipTo is where the cart is quoted to ship, once the shopper says.
	ShipTo *shipping.Destination `json:"ship_to,omitempty"`
	// Shipping is the cart's shipping to ShipTo.
	Shipping  *CartShipping `json:"shipping,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`

	rates         map[string]string       // chosen rate by partKey
	homeQuotes    map[string]homeQuote    // by partKey
	quoted        map[string]homeQuote    // by partKey
	homeDiscounts map[string]homeDiscount // by offerKey
}

// CartGroup is the lines of a cart that one home platform sells: one part
// per merchant at checkout.
type CartGroup struct {
	Platform string     `json:"platform"`
	Lines    []CartLine `json:"lines"`
	Total    Money      `json:"total"`
}

// storedCart is a cart as kept.
type storedCart struct {
	ID      string     `json:"id"`
	Shopper string     `json:"shopper"`
	Lines   []CartLine `json:"lines"`
	// ShipTo, Rates and HomeShipping: see Cart and homeQuote. Quoted is
	// the shipping the shopper was last shown, by partKey: a checkout at
	// another price is refused with the new one.
	ShipTo       *shipping.Destination `json:"ship_to,omitempty"`
	Rates        map[string]string     `json:"rates,omitempty"`
	HomeShipping map[string]homeQuote  `json:"home_shipping,omitempty"`
	Quoted       map[string]homeQuote  `json:"quoted,omitempty"`
	// HomeDiscounts are line discounts as their homes quoted them, by
	// offerKey (see homeDiscount).
	HomeDiscounts map[string]homeDiscount `json:"home_discounts,omitempty"`
	CreatedAt     time.Time               `json:"created_at"`
	UpdatedAt     time.Time               `json:"updated_at"`
}

// view groups the cart by platform and totals it.
func (c *storedCart) view() Cart {
	v := Cart{ID: c.ID, Shopper: c.Shopper, Lines: slices.Clone(c.Lines), ShipTo: c.ShipTo, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		rates: c.Rates, homeQuotes: c.HomeShipping, quoted: c.Quoted, homeDiscounts: c.HomeDiscounts}
	v.total()
	return v
}

// total groups the cart's lines by platform and totals them, each line
// after its discount.
func (v *Cart) total() {
	v.Groups, v.Total, v.Discount, v.Items = []CartGroup{}, Money{}, Money{}, 0
	for k := range v.Lines {
		l := &v.Lines[k]
		l.Subtotal = Money{Amount: l.Quantity*l.UnitPrice.Amount - l.Discount.Amount, Currency: l.UnitPrice.Currency}
		if l.Discount.Amount > 0 {
			v.Discount = Money{Amount: v.Discount.Amount + l.Discount.Amount, Currency: l.UnitPrice.Currency}
		}
		i := slices.IndexFunc(v.Groups, func(g CartGroup) bool { return g.Platform == l.Platform })
		if i < 0 {
			v.Groups = append(v.Groups, CartGroup{Platform: l.Platform, Total: Money{Currency: l.UnitPrice.Currency}})
			i = len(v.Groups) - 1
		}
		v.Groups[i].Lines = append(v.Groups[i].Lines, *l)
		v.Groups[i].Total.Amount += l.Subtotal.Amount
		v.Total.Amount += l.Subtotal.Amount
		v.Total.Currency = l.UnitPrice.Currency
		v.Items += l.Quantity
	}
	slices.SortStableFunc(v.Groups, func(a, b CartGroup) int { return cmp.Compare(a.Platform, b.Platform) })
}

// CreateCart opens an empty cart for shopper, who may keep at most
// Config.MaxCarts open (ErrBudget beyond).
func (s *Service) CreateCart(_ context.Context, shopper string) (Cart, error) {
	now := s.now().UTC()
	c := storedCart{ID: "crt_" + randomHex(8), Shopper: shopper, Lines: []CartLine{}, CreatedAt: now, UpdatedAt: now}
	unlock := s.lockShop(shopper)
	defer unlock()
	err := s.db.Update(func(txn *badger.Txn) error {
		n, err := openCarts(txn, shopper)
		if err != nil {
			return err
		}
		if n >= s.cfg.MaxCarts {
			return fmt.Errorf("%w: %d carts open; check one out or empty one", ErrBudget, n)
		}
		if err := txn.Set([]byte(prefixShopCart+shopper+"/"+c.ID), nil); err != nil {
			return err
		}
		if err := setOpenCarts(txn, shopper, n+1); err != nil {
			return err
		}
		return putJSON(txn, prefixCart+c.ID, c)
	})
	return c.view(), err
}

// GetCart returns shopper's cart id, with its shipping when it has a
// destination.
func (s *Service) GetCart(ctx context.Context, shopper, id string) (Cart, error) {
	var c *storedCart
	err := s.db.View(func(txn *badger.Txn) (err error) { c, err = loadCart(txn, shopper, id); return err })
	if err != nil {
		return Cart{}, err
	}
	v := c.view()
	return v, s.quoteCart(ctx, &v)
}

// LatestCart returns the open cart of shopper changed last, or
// ErrNotFound when there is none: a shopper who signs in again finds the
// cart left on another visit or device.
func (s *Service) LatestCart(ctx context.Context, shopper string) (Cart, error) {
	var latest *storedCart
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := prefixShopCart + shopper + "/"
		for _, k := range keys(txn, prefix, "", s.cfg.MaxCarts) {
			c, err := loadCart(txn, shopper, k[len(prefix):])
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if latest == nil || c.UpdatedAt.After(latest.UpdatedAt) {
				latest = c
			}
		}
		return nil
	})
	if err != nil {
		return Cart{}, err
	}
	if latest == nil {
		return Cart{}, fmt.Errorf("%w: shopper %s has no open cart", ErrNotFound, shopper)
	}
	v := latest.view()
	return v, s.discountCart(ctx, &v, v.homeDiscounts)
}

func loadCart(txn *badger.Txn, shopper, id string) (*storedCart, error) {
	var c storedCart
	ok, err := getJSON(txn, prefixCart+id, &c)
	if err != nil {
		return nil, err
	}
	if !ok || c.Shopper != shopper {
		return nil, fmt.Errorf("%w: cart %s", ErrNotFound, id)
	}
	return &c, nil
}

// ItemInput is a line to add to a cart.
type ItemInput struct {
	ListingID string `json:"listing_id"`
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
}

// AddItem adds quantity units of a listing's SKU to the cart at its
// current price (adding to a line already there). A listing or SKU that
// the federation's catalog does not hold is named in a FieldErrors; more
// units than the catalog shows in stock is a *CheckoutError.
func (s *Service) AddItem(ctx context.Context, shopper, cartID string, in ItemInput) (Cart, error) {
	return s.putLine(ctx, shopper, cartID, in, true)
}

// SetQuantity sets the quantity of a cart's line to in.Quantity, at the
// SKU's current price. A line the cart does not hold is ErrNotFound; the
// other errors are AddItem's.
func (s *Service) SetQuantity(ctx context.Context, shopper, cartID string, in ItemInput) (Cart, error) {
	return s.putLine(ctx, shopper, cartID, in, false)
}

// putLine quotes in's SKU at its current price and adds in.Quantity units
// to its line (add, which may open the line) or makes them the line's
// quantity (a line the cart holds already).
func (s *Service) putLine(ctx context.Context, shopper, cartID string, in ItemInput, add bool) (Cart, error) {
	if in.Quantity < 1 || in.Quantity > 100 {
		return Cart{}, FieldErrors{{Field: "quantity", Message: "must be between 1 and 100"}}
	}
	o, err := s.offer(ctx, in.ListingID, in.SKU)
	if errors.Is(err, ErrNotFound) {
		return Cart{}, FieldErrors{{Field: "listing_id", Message: fmt.Sprintf("no listing %q with SKU %q in the catalog", in.ListingID, in.SKU)}}
	}
	if err != nil {
		return Cart{}, err
	}
	if err := s.shipsTo(ctx, shopper, cartID, o); err != nil {
		return Cart{}, err
	}
	v, err := s.changeCart(shopper, cartID, func(c *storedCart) error {
		i := slices.IndexFunc(c.Lines, func(l CartLine) bool { return l.ListingID == in.ListingID && l.SKU == in.SKU })
		switch {
		case i < 0 && !add:
			return fmt.Errorf("%w: cart %s has no line of listing %s with SKU %q", ErrNotFound, cartID, in.ListingID, in.SKU)
		case i < 0 && len(c.Lines) >= maxCartLines:
			return FieldErrors{{Field: "listing_id", Message: fmt.Sprintf("a cart holds at most %d lines", maxCartLines)}}
		case i < 0:
			c.Lines = append(c.Lines, CartLine{ListingID: o.ListingID, SKU: o.SKU})
			i = len(c.Lines) - 1
		}
		l := &c.Lines[i]
		want := in.Quantity
		if add {
			want += l.Quantity
		}
		if want > o.Stock {
			return &CheckoutError{Reason: ReasonOutOfStock, Shortages: []Shortage{{ListingID: o.ListingID, SKU: o.SKU, Wanted: want, Available: o.Stock}}}
		}
		l.Title, l.Category, l.Platform, l.Merchant, l.UnitPrice = o.Title, o.Category, o.Platform, o.Merchant, o.Price
		l.Quantity = want
		return nil
	})
	if err != nil {
		return Cart{}, err
	}
	return v, s.quoteShown(ctx, &v)
}

// shipsTo refuses offer o for a cart that ships where o's merchant does
// not, naming the line and the country.
func (s *Service) shipsTo(ctx context.Context, shopper, cartID string, o offer) error {
	var c *storedCart
	if err := s.db.View(func(txn *badger.Txn) (err error) { c, err = loadCart(txn, shopper, cartID); return err }); err != nil || c.ShipTo == nil {
		return err
	}
	line := Line{ListingID: o.ListingID, SKU: o.SKU, Title: o.Title, Quantity: 1, UnitPrice: o.Price}
	q, err := s.quoteLines(ctx, []Line{line}, *c.ShipTo)
	if err != nil || len(q.unshippable) == 0 {
		return err
	}
	return FieldErrors{{Field: "listing_id", Message: describeUnshippable([]Line{line}, c.ShipTo.String()), Code: ProblemNotShippable}}
}

// RemoveItem removes the cart's lines of sku (of listingID, when several
// merchants use the same SKU).
func (s *Service) RemoveItem(ctx context.Context, shopper, cartID, sku, listingID string) (Cart, error) {
	v, err := s.changeCart(shopper, cartID, func(c *storedCart) error {
		n := len(c.Lines)
		c.Lines = slices.DeleteFunc(c.Lines, func(l CartLine) bool {
			return l.SKU == sku && (listingID == "" || l.ListingID == listingID)
		})
		if len(c.Lines) == n {
			return fmt.Errorf("%w: cart %s has no line with SKU %q", ErrNotFound, cartID, sku)
		}
		return nil
	})
	if err != nil {
		return Cart{}, err
	}
	return v, s.quoteShown(ctx, &v)
}

func (s *Service) changeCart(shopper, id string, fn func(*storedCart) error) (Cart, error) {
	unlock := s.lockShop(id)
	defer unlock()
	var out Cart
	err := s.db.Update(func(txn *badger.Txn) error {
		c, err := loadCart(txn, shopper, id)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		c.UpdatedAt = s.now().UTC()
		out = c.view()
		return putJSON(txn, prefixCart+c.ID, c)
	})
	return out, err
}

// openCarts is how many carts shopper has open. It is counted (o/ncart/),
// not read off the carts' keys: a checkout deletes its cart's key, and a
// read walks every deleted key until Badger's compaction drops it, so
// that a shopper's every new cart walked all the carts they had checked
// out since. A shopper whose count an earlier build did not keep is
// counted from the keys once.
func openCarts(txn *badger.Txn, shopper string) (int, error) {
	raw, err := getRaw(txn, prefixOpenCarts+shopper)
	switch {
	case err != nil:
		return 0, err
	case len(raw) == 8:
		return int(binary.BigEndian.Uint64(raw)), nil
	}
	return len(keys(txn, prefixShopCart+shopper+"/", "", 0)), nil
}

// setOpenCarts records that shopper has n carts open.
func setOpenCarts(txn *badger.Txn, shopper string, n int) error {
	return txn.Set([]byte(prefixOpenCarts+shopper), binary.BigEndian.AppendUint64(nil, uint64(max(n, 0))))
}

// closeCart takes cart off shopper's open carts.
func closeCart(txn *badger.Txn, shopper, cart string) error {
	key := []byte(prefixShopCart + shopper + "/" + cart)
	switch _, err := txn.Get(key); {
	case errors.Is(err, badger.ErrKeyNotFound):
		return nil
	case err != nil:
		return err
	}
	n, err := openCarts(txn, shopper)
	if err != nil {
		return err
	}
	if err := txn.Delete(key); err != nil {
		return err
	}
	return setOpenCarts(txn, shopper, n-1)
}
