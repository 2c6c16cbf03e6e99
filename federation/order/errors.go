package order

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fedmart/fedmart/catalog/shipping"
)

// Errors of the order service. Callers test them with errors.Is; the
// wrapped message names the field, part or line at fault.
var (
	// ErrInvalid marks malformed input or a malformed wire message.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound marks an unknown (or someone else's) shopper, cart, order
	// or part.
	ErrNotFound = errors.New("not found")
	// ErrConflict marks a request that contradicts the state: an
	// Idempotency-Key reused with another body, a part that can no longer
	// be shipped, cancelled or refunded.
	ErrConflict = errors.New("conflict")
	// ErrForged marks a message whose signature does not verify, or whose
	// sender is not who sent it.
	ErrForged = errors.New("forged message")
	// ErrOutOfStock marks a checkout some of whose lines cannot be held
	// (see CheckoutError).
	ErrOutOfStock = errors.New("out of stock")
	// ErrPriceChanged marks a checkout some of whose prices changed since
	// the cart was filled (see CheckoutError).
	ErrPriceChanged = errors.New("price changed")
	// ErrNotShippable marks a checkout some of whose lines do not ship to
	// the address (see CheckoutError).
	ErrNotShippable = errors.New("not shippable")
	// ErrDeclined marks a payment the provider declined.
	ErrDeclined = errors.New("payment declined")
	// ErrPaymentFailed marks a payment provider that failed to answer.
	ErrPaymentFailed = errors.New("payment provider failed")
	// ErrUnavailable marks a home node that could not be reached.
	ErrUnavailable = errors.New("home node unavailable")
	// ErrEmptyCart marks a checkout of a cart without lines.
	ErrEmptyCart = errors.New("cart is empty")
	// ErrBudget marks a request over its sender's budget: too many holds
	// or reserves of one storefront, carts of one shopper.
	ErrBudget = errors.New("over budget")
)

// FieldError is one invalid input field. Message says the problem in
// English; Code, when set, names it for a program (a storefront that
// says it in the shopper's language): one of the Problem constants,
// with Params the values its sentence names, as text a program reads
// back: amounts in minor units beside a "currency", instants in RFC 3339.
type FieldError struct {
	Field   string            `json:"field"`
	Message string            `json:"message"`
	Code    string            `json:"code,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
}

// Problem codes of a FieldError. They are stable: a code once given is
// never renamed nor given another meaning, and new ones are only added.
const (
	// ProblemNotShippable: a line of the cart does not ship to the
	// country the cart or the address goes to. The field is listing_id
	// for a line refused as it is added (the cart's destination), and
	// shipping_address.country at checkout.
	ProblemNotShippable = "not_shippable"

	// Refusals of a coupon (field coupon); every one has the param
	// "code", the coupon's code as the shopper typed it or as stored.
	//
	// ProblemCouponUnknown: no coupon of this shop has the code (or it
	// is not a code at all, or the shop ended it).
	ProblemCouponUnknown = "coupon_unknown"
	// ProblemCouponNotYet: the coupon runs from "starts".
	ProblemCouponNotYet = "coupon_not_yet"
	// ProblemCouponExpired: the coupon ended at "ends".
	ProblemCouponExpired = "coupon_expired"
	// ProblemCouponUsedUp: the coupon's budget is spent.
	ProblemCouponUsedUp = "coupon_used_up"
	// ProblemCouponMinCart: the coupon needs items worth at least
	// "amount" of "currency".
	ProblemCouponMinCart = "coupon_min_cart"
	// ProblemCouponNoItems: no item of the cart is one the coupon covers.
	ProblemCouponNoItems = "coupon_no_items"
	// ProblemCouponPerShopper: the shopper used the coupon "uses" times,
	// the most it allows.
	ProblemCouponPerShopper = "coupon_per_shopper"
	// ProblemCouponChanged: at checkout the coupon takes "amount" off
	// the order instead of the "was" quoted (both of "currency"): its
	// budget is almost spent.
	ProblemCouponChanged = "coupon_changed"
)

// couponProblem is a refusal of coupon code with its problem code,
// params (beside "code") and English message.
func couponProblem(problem, code string, params map[string]string, format string, args ...any) FieldError {
	p := map[string]string{"code": code}
	for k, v := range params {
		p[k] = v
	}
	return FieldError{Field: "coupon", Message: fmt.Sprintf(format, args...), Code: problem, Params: p}
}

// FieldErrors lists every invalid field of one input. It wraps ErrInvalid.
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, f := range e {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid: " + strings.Join(parts, "; ")
}

func (e FieldErrors) Unwrap() error { return ErrInvalid }

func (e *FieldErrors) add(field, format string, args ...any) {
	*e = append(*e, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (e FieldErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// CheckoutError explains a refused checkout: the lines out of stock, the
// new quote of lines whose price changed (the cart now holds it), or the
// home platforms that could not be reached (their lines can be removed
// from the cart and the rest bought). It wraps ErrOutOfStock,
// ErrPriceChanged or ErrUnavailable.
type CheckoutError struct {
	Reason    string     `json:"reason"`
	Shortages []Shortage `json:"shortages,omitempty"`
	Quote     []Line     `json:"quote,omitempty"`
	// Platforms are the peer IDs of the unreachable home platforms.
	Platforms []string `json:"platforms,omitempty"`
	// Shipping is the new shipping price of parts whose home quoted it
	// otherwise (reason price_changed; the cart now holds it).
	Shipping []ShippingChange `json:"shipping,omitempty"`
	// Unshippable are the lines not shipped to Country (reason
	// not_shippable).
	Unshippable []Line `json:"unshippable,omitempty"`
	Country     string `json:"country,omitempty"`
	// shippingOptions is the home's full quote behind Shipping, for the
	// rejection it signs.
	shippingOptions []shipping.Option
	cause           error
}

func (e *CheckoutError) Error() string {
	switch e.Reason {
	case ReasonPriceChanged:
		names := make([]string, 0, len(e.Quote)+len(e.Shipping))
		for _, l := range e.Quote {
			names = append(names, fmt.Sprintf("%s now %s", l.SKU, l.UnitPrice))
		}
		for _, c := range e.Shipping {
			names = append(names, fmt.Sprintf("shipping (%s) now %s", c.Rate, c.Price))
		}
		return "price changed: " + strings.Join(names, ", ")
	case ReasonNotShippable:
		return "not shippable: " + describeUnshippable(e.Unshippable, e.Country)
	case ReasonUnavailable:
		names := make([]string, len(e.Platforms))
		for i, p := range e.Platforms {
			names[i] = shortPeer(p)
		}
		msg := "home platform unavailable: " + strings.Join(names, ", ")
		if e.cause != nil {
			msg += " (" + e.cause.Error() + ")"
		}
		return msg
	}
	names := make([]string, len(e.Shortages))
	for i, s := range e.Shortages {
		names[i] = fmt.Sprintf("%s (%d wanted, %d available)", s.SKU, s.Wanted, s.Available)
	}
	return "out of stock: " + strings.Join(names, ", ")
}

// Unwrap returns the sentinel of the reason, and the failure behind an
// unreachable platform when there was one.
func (e *CheckoutError) Unwrap() []error {
	switch e.Reason {
	case ReasonPriceChanged:
		return []error{ErrPriceChanged}
	case ReasonNotShippable:
		return []error{ErrNotShippable}
	case ReasonUnavailable:
		if e.cause != nil {
			return []error{ErrUnavailable, e.cause}
		}
		return []error{ErrUnavailable}
	}
	return []error{ErrOutOfStock}
}
