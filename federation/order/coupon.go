package order

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Storefront coupons are codes a storefront's operator creates and the
// storefront funds: the home nodes are paid the undiscounted parts
// (nothing in a reserve changes), the shopper pays the order's total less
// the coupon's discount, and the storefront keeps a record of each use
// (its cost, in its own accounts). A code is checked against its window,
// minimum cart, per-shopper limit and budget before the parts are
// reserved, and again, atomically, in the transaction that places the
// order, which also counts the use: two checkouts cannot both take the
// last of a budget. A checkout that loses that race is refused with the
// coupon's error; its payment is given back and its holds released.

// The kinds of coupons.
const (
	CouponPercent = "percent"
	CouponAmount  = "amount"
)

// Coupon is a storefront's code as its operator manages it.
type Coupon struct {
	// Code is what shoppers type, upper-case letters, digits and '-'.
	Code string `json:"code"`
	// Kind is CouponPercent or CouponAmount.
	Kind string `json:"kind"`
	// PercentBPS is taken off the eligible items, in basis points.
	PercentBPS int64 `json:"percent_bps,omitempty"`
	// Amount is taken off the eligible items, in minor units.
	Amount int64 `json:"amount,omitempty"`
	// MinCart is the least the order's items (after merchants' offers)
	// must come to, in minor units.
	MinCart int64 `json:"min_cart"`
	// Budget is the most the coupon gives away in all, in minor units;
	// a use that would pass it gets what is left.
	Budget int64 `json:"budget"`
	// PerShopper is how often one shopper may use the code; 0: no limit.
	PerShopper int64 `json:"per_shopper"`
	// Categories and Platforms limit the items the coupon applies to, by
	// category (with its sub-categories) and by the home member that
	// sells them; empty: every item.
	Categories []string `json:"categories,omitempty"`
	Platforms  []string `json:"platforms,omitempty"`
	// Starts and Ends bound when the code is taken.
	Starts time.Time `json:"starts"`
	Ends   time.Time `json:"ends"`
	// Spent is what the coupon gave away so far, and Uses in how many
	// orders.
	Spent int64 `json:"spent"`
	Uses  int64 `json:"uses"`
	// Ended is set when the operator ended the code.
	Ended     bool      `json:"ended"`
	CreatedAt time.Time `json:"created_at"`
}

// CouponInput is what an operator sends to create a coupon.
type CouponInput struct {
	Code       string    `json:"code"`
	Kind       string    `json:"kind"`
	PercentBPS int64     `json:"percent_bps"`
	Amount     int64     `json:"amount"`
	MinCart    int64     `json:"min_cart"`
	Budget     int64     `json:"budget"`
	PerShopper int64     `json:"per_shopper"`
	Categories []string  `json:"categories"`
	Platforms  []string  `json:"platforms"`
	Starts     time.Time `json:"starts"`
	Ends       time.Time `json:"ends"`
}

// CouponUse is one order's use of a coupon: its cost to the storefront.
type CouponUse struct {
	Code     string    `json:"code"`
	Order    string    `json:"order"`
	Shopper  string    `json:"shopper"`
	Discount Money     `json:"discount"`
	At       time.Time `json:"at"`
}

// maxCoupons bounds the codes one storefront keeps.
const maxCoupons = 1000

var couponCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,31}$`)

// NormalizeCoupon is how a code a shopper typed is looked up: trimmed,
// in capitals.
func NormalizeCoupon(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

func (in CouponInput) validate() error {
	var errs FieldErrors
	if !couponCode.MatchString(in.Code) {
		errs.add("code", "must be 3 to 32 upper-case letters, digits or '-', starting with a letter or digit, not %q", in.Code)
	}
	switch in.Kind {
	case CouponPercent:
		if in.PercentBPS < 1 || in.PercentBPS > 10000 {
			errs.add("percent_bps", "must be between 1 and 10000 basis points, not %d", in.PercentBPS)
		}
	case CouponAmount:
		if in.Amount < 1 || in.Amount > maxMoney {
			errs.add("amount", "must be between 1 and %d minor units, not %d", int64(maxMoney), in.Amount)
		}
	default:
		errs.add("kind", "must be %q or %q, not %q", CouponPercent, CouponAmount, in.Kind)
	}
	if in.MinCart < 0 || in.MinCart > maxMoney {
		errs.add("min_cart", "must be between 0 and %d minor units, not %d", int64(maxMoney), in.MinCart)
	}
	if in.Budget < 1 || in.Budget > maxMoney {
		errs.add("budget", "must be between 1 and %d minor units, not %d", int64(maxMoney), in.Budget)
	}
	if in.PerShopper < 0 || in.PerShopper > 1000 {
		errs.add("per_shopper", "must be between 0 (no limit) and 1000, not %d", in.PerShopper)
	}
	if len(in.Categories) > 100 {
		errs.add("categories", "names %d categories, at most 100", len(in.Categories))
	}
	for i, c := range in.Categories {
		if c == "" || len(c) > 1000 || strings.TrimSpace(c) != c {
			errs.add(fmt.Sprintf("categories[%d]", i), "must be a category path such as \"Home > Kitchen\", not %q", c)
		}
	}
	if len(in.Platforms) > 100 {
		errs.add("platforms", "names %d members, at most 100", len(in.Platforms))
	}
	for i, p := range in.Platforms {
		if p == "" || len(p) > 128 {
			errs.add(fmt.Sprintf("platforms[%d]", i), "must be a member's peer ID, not %q", p)
		}
	}
	switch {
	case in.Starts.IsZero():
		errs.add("starts", "is required (RFC 3339 time)")
	case in.Ends.IsZero():
		errs.add("ends", "is required (RFC 3339 time)")
	case !in.Ends.After(in.Starts):
		errs.add("ends", "must be after starts")
	}
	return errs.err()
}

// maxMoney caps a coupon's amounts, in minor units.
const maxMoney = 1_000_000_000_000

// CreateCoupon stores a new code; a code that exists (ended or not) is
// ErrConflict. Amounts are in minor units of the federation's currency.
func (s *Service) CreateCoupon(_ context.Context, in CouponInput) (Coupon, error) {
	in.Code = NormalizeCoupon(in.Code)
	if err := in.validate(); err != nil {
		return Coupon{}, err
	}
	c := Coupon{Code: in.Code, Kind: in.Kind, PercentBPS: in.PercentBPS, Amount: in.Amount, MinCart: in.MinCart, Budget: in.Budget,
		PerShopper: in.PerShopper, Categories: slices.Clone(in.Categories), Platforms: slices.Clone(in.Platforms),
		Starts: in.Starts.UTC(), Ends: in.Ends.UTC(), CreatedAt: s.now().UTC()}
	if c.Kind != CouponPercent {
		c.PercentBPS = 0
	}
	if c.Kind != CouponAmount {
		c.Amount = 0
	}
	err := s.update(func(txn *badger.Txn) error {
		if ok, err := getJSON(txn, prefixCoupon+c.Code, &Coupon{}); err != nil || ok {
			return errOr(err, fmt.Errorf("%w: coupon %s exists already", ErrConflict, c.Code))
		}
		if n := len(keys(txn, prefixCoupon, "", maxCoupons)); n >= maxCoupons {
			return fmt.Errorf("%w: %d coupons kept, the most a storefront keeps", ErrBudget, n)
		}
		return putJSON(txn, prefixCoupon+c.Code, c)
	})
	return c, err
}

func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// EndCoupon ends a code: no checkout takes it from then on.
func (s *Service) EndCoupon(_ context.Context, code string) (Coupon, error) {
	code = NormalizeCoupon(code)
	var c Coupon
	err := s.update(func(txn *badger.Txn) error {
		ok, err := getJSON(txn, prefixCoupon+code, &c)
		if err != nil || !ok {
			return errOr(err, fmt.Errorf("%w: coupon %s", ErrNotFound, code))
		}
		c.Ended = true
		return putJSON(txn, prefixCoupon+code, c)
	})
	return c, err
}

// Coupons returns the storefront's codes, by code.
func (s *Service) Coupons(_ context.Context) ([]Coupon, error) {
	var out []Coupon
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixCoupon, "", maxCoupons) {
			var c Coupon
			if _, err := getJSON(txn, k, &c); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// Coupon returns one code.
func (s *Service) Coupon(_ context.Context, code string) (Coupon, error) {
	var c Coupon
	code = NormalizeCoupon(code)
	err := s.db.View(func(txn *badger.Txn) error {
		ok, err := getJSON(txn, prefixCoupon+code, &c)
		if err == nil && !ok {
			err = fmt.Errorf("%w: coupon %s", ErrNotFound, code)
		}
		return err
	})
	return c, err
}

// CouponUses returns the newest uses of a code, at most limit.
func (s *Service) CouponUses(_ context.Context, code string, limit int) ([]CouponUse, error) {
	var out []CouponUse
	err := s.db.View(func(txn *badger.Txn) error {
		ks := keys(txn, prefixCouponUse+NormalizeCoupon(code)+"/", "", 0)
		slices.Reverse(ks)
		for _, k := range ks[:min(len(ks), limit)] {
			var u CouponUse
			if _, err := getJSON(txn, k, &u); err != nil {
				return err
			}
			out = append(out, u)
		}
		return nil
	})
	return out, err
}

// couponFor is what code takes off order o for its shopper now, checked
// against everything the code says; a refusal is a FieldErrors naming
// "coupon", in words for the shopper.
func (s *Service) couponFor(txn *badger.Txn, code string, o *Order) (Coupon, Money, error) {
	refuse := func(problem string, params map[string]string, format string, args ...any) (Coupon, Money, error) {
		return Coupon{}, Money{}, FieldErrors{couponProblem(problem, code, params, format, args...)}
	}
	var c Coupon
	ok, err := getJSON(txn, prefixCoupon+code, &c)
	if err != nil {
		return Coupon{}, Money{}, err
	}
	now := s.now()
	switch {
	case !ok || c.Ended:
		return refuse(ProblemCouponUnknown, nil, "%q is not a coupon of this shop", code)
	case now.Before(c.Starts):
		return refuse(ProblemCouponNotYet, map[string]string{"starts": c.Starts.UTC().Format(time.RFC3339)}, "%s can be used from %s", code, c.Starts.Format("2 Jan 2006 15:04 MST"))
	case !now.Before(c.Ends):
		return refuse(ProblemCouponExpired, map[string]string{"ends": c.Ends.UTC().Format(time.RFC3339)}, "%s expired on %s", code, c.Ends.Format("2 Jan 2006 15:04 MST"))
	case c.Spent >= c.Budget:
		return refuse(ProblemCouponUsedUp, nil, "%s is used up: its budget is spent", code)
	}
	var items, eligible int64
	for _, p := range o.Parts {
		for _, l := range p.Items {
			items += l.gross()
			if c.covers(p.Platform, l.Category) {
				eligible += l.gross()
			}
		}
	}
	if items < c.MinCart {
		return refuse(ProblemCouponMinCart, map[string]string{"amount": strconv.FormatInt(c.MinCart, 10), "currency": o.Total.Currency},
			"%s needs items worth at least %s", code, Money{Amount: c.MinCart, Currency: o.Total.Currency})
	}
	if eligible == 0 {
		return refuse(ProblemCouponNoItems, nil, "%s does not apply to any item in this cart", code)
	}
	if c.PerShopper > 0 {
		var n int64
		if _, err := getJSON(txn, prefixCouponShopper+code+"/"+o.Shopper, &n); err != nil {
			return Coupon{}, Money{}, err
		}
		if n >= c.PerShopper {
			return refuse(ProblemCouponPerShopper, map[string]string{"uses": strconv.FormatInt(n, 10)}, "%s was used %d times by you already, the most it allows", code, n)
		}
	}
	d := c.Amount
	if c.Kind == CouponPercent {
		d = (eligible*c.PercentBPS + 5000) / 10000
	}
	d = min(d, eligible, c.Budget-c.Spent)
	return c, Money{Amount: d, Currency: o.Total.Currency}, nil
}

// covers reports whether the coupon applies to an item of category sold
// by platform.
func (c *Coupon) covers(platform, category string) bool {
	if len(c.Platforms) > 0 && !slices.Contains(c.Platforms, platform) {
		return false
	}
	if len(c.Categories) == 0 {
		return true
	}
	for _, x := range c.Categories {
		if category == x || strings.HasPrefix(category, x+" > ") {
			return true
		}
	}
	return false
}

// previewCoupon checks the coupon of a checkout before anything is
// reserved, and takes its discount off o's total.
func (s *Service) previewCoupon(o *Order, code string) error {
	if code == "" {
		return nil
	}
	var d Money
	err := s.db.View(func(txn *badger.Txn) (err error) { _, d, err = s.couponFor(txn, code, o); return err })
	if err != nil {
		return err
	}
	o.Coupon, o.CouponDiscount = code, d
	o.Total.Amount -= d.Amount
	return nil
}

// useCoupon checks o's coupon again and counts its use, in the
// transaction that places o: it must give the discount o was priced
// with, or o is not placed.
func (s *Service) useCoupon(txn *badger.Txn, o *Order) error {
	if o.Coupon == "" {
		return nil
	}
	gross := *o
	gross.Total.Amount += o.CouponDiscount.Amount
	c, d, err := s.couponFor(txn, o.Coupon, &gross)
	if err != nil {
		return err
	}
	if d != o.CouponDiscount {
		return FieldErrors{couponProblem(ProblemCouponChanged, o.Coupon, map[string]string{"amount": strconv.FormatInt(d.Amount, 10), "was": strconv.FormatInt(o.CouponDiscount.Amount, 10), "currency": d.Currency},
			"%s now takes %s off this order, not %s: its budget is almost spent; check out again", o.Coupon, d, o.CouponDiscount)}
	}
	c.Spent += d.Amount
	c.Uses++
	if err := putJSON(txn, prefixCoupon+c.Code, c); err != nil {
		return err
	}
	var n int64
	if _, err := getJSON(txn, prefixCouponShopper+c.Code+"/"+o.Shopper, &n); err != nil {
		return err
	}
	if err := putJSON(txn, prefixCouponShopper+c.Code+"/"+o.Shopper, n+1); err != nil {
		return err
	}
	u := CouponUse{Code: c.Code, Order: o.ID, Shopper: o.Shopper, Discount: d, At: o.CreatedAt}
	return putJSON(txn, prefixCouponUse+c.Code+"/"+timeKey(o.CreatedAt)+"/"+o.ID, u)
}

// CouponQuote is what code would take off shopper's cart now: the
// checkout checks it again. A code that does not apply is a FieldErrors
// naming "coupon".
func (s *Service) CouponQuote(ctx context.Context, shopper, cartID, code string) (Money, error) {
	code = NormalizeCoupon(code)
	if !couponCode.MatchString(code) {
		return Money{}, FieldErrors{couponProblem(ProblemCouponUnknown, code, nil, "%q is not a coupon code", code)}
	}
	cart, err := s.GetCart(ctx, shopper, cartID)
	if err != nil {
		return Money{}, err
	}
	o := newOrder(shopper, cart, Address{}, s.now())
	var d Money
	err = s.db.View(func(txn *badger.Txn) (err error) { _, d, err = s.couponFor(txn, code, &o); return err })
	return d, err
}
