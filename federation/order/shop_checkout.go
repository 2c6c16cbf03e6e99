package order

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// CheckoutRequest is the body of a checkout.
type CheckoutRequest struct {
	ShippingAddress Address        `json:"shipping_address"`
	Payment         PaymentRequest `json:"payment"`
	// Points, when more than 0, pays that many of the shopper's loyalty
	// points towards the order (points_hold.go).
	Points int64 `json:"points,omitempty"`
	// Coupon is a code of this storefront's, optional.
	Coupon string `json:"coupon,omitempty"`
}

// idemRecord remembers a checkout under its Idempotency-Key.
type idemRecord struct {
	Digest string `json:"digest"`
	Order  string `json:"order"`
}

// attempt is one part of a checkout in flight: what is asked of its home
// node and what it answered.
type attempt struct {
	part    Part
	reserve *Message
	raw     []byte
	status  *Message
	sraw    []byte
	err     error
}

// Checkout turns shopper's cart into an order: each merchant's lines are
// reserved at their home node, the payment is taken once, and the order is
// stored with the confirms to send before the shopper is answered, so
// that an order a shopper saw survives any crash. key is the request's
// Idempotency-Key: a repeat with the same body returns the same order
// (replayed true); with another body it is ErrConflict.
func (s *Service) Checkout(ctx context.Context, shopper, cartID, key string, req CheckoutRequest) (o Order, replayed bool, err error) {
	if err := s.validateCheckout(key, req); err != nil {
		return Order{}, false, err
	}
	digest := requestDigest(cartID, req)
	idemKey := prefixIdem + shopper + "/" + hashHex(key)
	unlock := s.lockKey(idemKey)
	defer unlock()
	if id, err := s.idempotent(idemKey, digest); id != "" || err != nil {
		if err != nil {
			return Order{}, false, err
		}
		o, err := s.GetOrder(ctx, shopper, id)
		return o, true, err
	}
	defer func() { s.metrics.checkouts.WithLabelValues(checkoutResult(err)).Inc() }()
	cart, err := s.GetCart(ctx, shopper, cartID)
	if err != nil {
		return Order{}, false, err
	}
	if len(cart.Lines) == 0 {
		return Order{}, false, fmt.Errorf("%w: cart %s", ErrEmptyCart, cartID)
	}
	order := newOrder(shopper, cart, req.ShippingAddress, s.now())
	if err := s.priceShipping(ctx, &order, &cart); err != nil {
		var ce *CheckoutError
		if errors.As(err, &ce) { // the shopper sees the price now
			return Order{}, false, errors.Join(err, s.applyQuote(ctx, shopper, cartID, order, ce, false))
		}
		return Order{}, false, err
	}
	if err := s.previewCoupon(&order, NormalizeCoupon(req.Coupon)); err != nil {
		return Order{}, false, err
	}
	if err := s.unreachable(order); err != nil {
		return Order{}, false, err
	}
	attempts, err := s.reserveWithPoints(ctx, &order, req.ShippingAddress, req.Points)
	var ce *CheckoutError
	if errors.As(err, &ce) && ce.Reason == ReasonPriceChanged { // the home node knew before this storefront
		return Order{}, false, errors.Join(err, s.applyQuote(ctx, shopper, cartID, order, ce, true))
	}
	if err != nil {
		return Order{}, false, err
	}
	if err := s.pay(ctx, &order, attempts, req.Payment); err != nil {
		return Order{}, false, errors.Join(err, s.releasePoints(order.Points, order.ID))
	}
	confirms, err := s.place(&order, attempts, cartID, idemKey, digest)
	var fe FieldErrors
	if errors.As(err, &fe) { // the coupon was taken meanwhile: nothing is placed
		return Order{}, false, errors.Join(err, s.undoPayment(ctx, order, attempts), s.releasePoints(order.Points, order.ID))
	}
	if err != nil {
		return Order{}, false, err
	}
	s.confirmNow(ctx, confirms)
	o, err = s.GetOrder(ctx, shopper, order.ID)
	return o, false, err
}

func (s *Service) validateCheckout(key string, req CheckoutRequest) error {
	var errs FieldErrors
	if req.Points < 0 {
		errs.add("points", "must be 0 or more")
	}
	if key == "" || len(key) > 255 {
		errs.add("Idempotency-Key", "header is required (1..255 characters) so that a retried checkout cannot buy twice")
	}
	if c := NormalizeCoupon(req.Coupon); c != "" && !couponCode.MatchString(c) {
		errs = append(errs, couponProblem(ProblemCouponUnknown, req.Coupon, nil, "%q is not a coupon code", req.Coupon))
	}
	if err := req.ShippingAddress.Validate(); err != nil {
		errs = append(errs, err.(FieldErrors)...)
	}
	pr, ok := s.payments[req.Payment.Method]
	if !ok {
		errs.add("payment.method", "%q is not taken by this storefront, which takes %s", req.Payment.Method, s.methods())
	} else {
		errs = append(errs, pr.Validate(req.Payment)...)
	}
	return errs.err()
}

// methods names the payment methods the node's configuration switched
// on, for a refusal.
func (s *Service) methods() string {
	var out []string
	for m := range s.payments {
		out = append(out, m)
	}
	if len(out) == 0 {
		return "no payment method"
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func requestDigest(cartID string, req CheckoutRequest) string {
	return hashHex(cartID + "\x00" + string(mustJSON(req)))
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// idempotent returns the order a key already created.
func (s *Service) idempotent(key, digest string) (string, error) {
	var rec idemRecord
	var ok bool
	err := s.db.View(func(txn *badger.Txn) (err error) { ok, err = getJSON(txn, key, &rec); return err })
	switch {
	case err != nil || !ok:
		return "", err
	case rec.Digest != digest:
		return "", fmt.Errorf("%w: this Idempotency-Key was used for another checkout request", ErrConflict)
	}
	return rec.Order, nil
}

// applyQuote puts the new prices of ce into the cart: of items, and of
// shipping (fromHome: as the homes quoted it for o's parts, which then
// outranks this node's copy of their records); the price-changed error
// that carries them is returned to the shopper, who has now seen them.
func (s *Service) applyQuote(ctx context.Context, shopper, cartID string, o Order, ce *CheckoutError, fromHome bool) error {
	if fromHome {
		if err := s.checkQuotedDiscounts(ctx, o, ce.Quote); err != nil {
			return err
		}
	}
	v, err := s.changeCart(shopper, cartID, func(c *storedCart) error {
		if fromHome {
			c.takeHomeShipping(o, ce.Shipping)
		}
		c.takeQuoted(o, ce.Shipping)
		if fromHome {
			for _, p := range o.Parts {
				if err := c.takeHomeDiscounts(p.Platform, quoteOf(ce.Quote, p)); err != nil {
					return err
				}
			}
		}
		for _, q := range ce.Quote {
			for i := range c.Lines {
				if c.Lines[i].ListingID == q.ListingID && c.Lines[i].SKU == q.SKU {
					c.Lines[i].UnitPrice = q.UnitPrice
				}
			}
		}
		return nil
	})
	if err != nil || len(ce.Quote) == 0 || v.ShipTo == nil {
		return err
	}
	return s.quoteShown(ctx, &v) // new item prices may change shipping (free over a subtotal)
}

// newOrder splits a cart into one part per merchant, ordered by platform
// and merchant.
func newOrder(shopper string, cart Cart, to Address, now time.Time) Order {
	o := Order{ID: "ord_" + randomHex(10), Shopper: shopper, Status: StatusReserved, Total: cart.Total, ShipTo: to,
		CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	lines := slices.Clone(cart.Lines)
	slices.SortStableFunc(lines, func(a, b CartLine) int {
		return cmp.Or(cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Merchant, b.Merchant))
	})
	for _, l := range lines {
		n := len(o.Parts)
		if n == 0 || o.Parts[n-1].Platform != l.Platform || o.Parts[n-1].Merchant != l.Merchant {
			o.Parts = append(o.Parts, Part{ID: fmt.Sprintf("%s-%d", o.ID, n+1), Platform: l.Platform, Merchant: l.Merchant,
				Status: StatusReserved, Total: Money{Currency: l.UnitPrice.Currency}, UpdatedAt: o.CreatedAt})
			n++
		}
		p := &o.Parts[n-1]
		line := Line{ListingID: l.ListingID, SKU: l.SKU, Title: l.Title, Category: l.Category, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			Discount: l.Discount, Offer: l.Offer, OfferVersion: l.OfferVersion}
		p.Items = append(p.Items, line)
		p.Total.Amount += line.gross()
	}
	return o
}

// quoteOf is the lines of quote that belong to part p.
func quoteOf(quote []Line, p Part) []Line {
	var out []Line
	for _, q := range quote {
		if slices.ContainsFunc(p.Items, func(l Line) bool { return l.ListingID == q.ListingID && l.SKU == q.SKU }) {
			out = append(out, q)
		}
	}
	return out
}
