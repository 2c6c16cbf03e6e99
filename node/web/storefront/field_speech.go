package storefront

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The problems the order service names by field (order.FieldErrors), in
// the shopper's language. The service writes its messages in English;
// the storefront leads each with the input's label in the page's
// language, and says a problem the service marks with a code (a line
// that does not ship to the country chosen) wholly in that language from
// what it holds: the line's title and the country.

// itemLabels are the messages that name the add-to-cart form's inputs.
var itemLabels = map[string]string{"quantity": "refusal.label.quantity", "sku": "refusal.label.variant"}

// addFieldErrors puts an order.FieldErrors' problems next to the inputs
// of the same names, each message led by the input's label (labels maps
// an input to the message naming it); the problem of a web.Field without
// a label goes above the form as a sentence of its own. It reports
// whether err was one.
func addFieldErrors(sp speech, f *web.Form, err error, labels map[string]string) bool {
	var fe order.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	for _, e := range fe {
		msg := strings.TrimSuffix(e.Message, ".") + "."
		if label, ok := labels[e.Field]; ok {
			f.Add(e.Field, sp.t("refusal.labelled", "Label", sp.t(label), "Problem", msg))
			continue
		}
		f.Add("", strings.ToUpper(msg[:1])+msg[1:])
	}
	return true
}

// notShippableAdd says, next to the add-to-cart form, that the line
// titled title does not ship to dest, where the cart goes, when err says
// so (order.ProblemNotShippable); it reports whether it did. English
// keeps the service's own sentence.
func (sp speech) notShippableAdd(f *web.Form, err error, title string, dest *shipping.Destination) bool {
	e, ok := problem(err, order.ProblemNotShippable)
	if !ok || dest == nil {
		return false
	}
	if sp.tag == locale.English {
		msg := strings.TrimSuffix(e.Message, ".") + "."
		f.Add("", strings.ToUpper(msg[:1])+msg[1:])
		return true
	}
	f.Add("", sp.t("refusal.not_shippable_add", "Title", sp.t("cart_ship.quoted", "Title", title), "Country", sp.destination(*dest)))
	return true
}

// notShippable says, next to the checkout's country, which of the cart's
// lines do not ship to the country of the address, when err says some do
// not (order.ProblemNotShippable); it reports whether it did. The lines
// are those the cart before checkout was quoted as not shipping there,
// when it was quoted to that country.
func notShippable(sp speech, v *checkoutView, before order.Cart, err error) bool {
	if _, ok := problem(err, order.ProblemNotShippable); !ok || sp.tag == locale.English {
		return false // English keeps the service's own sentence, after the label
	}
	country := v.Form.Value("shipping_address.country")
	var titles []string
	if s := before.Shipping; s != nil && before.ShipTo != nil && before.ShipTo.Country == country {
		for _, p := range s.Parts {
			for _, l := range p.Unshippable {
				title := l.Title
				if cl := v.Cart.line(l.ListingID, l.SKU); cl != nil {
					title = cl.Title // as the cart names it in sp's language
				}
				titles = append(titles, title)
			}
		}
	}
	if len(titles) == 0 {
		v.Form.Add("shipping_address.country", sp.t("refusal.not_shippable_some", "Country", sp.country(country)))
		return true
	}
	v.Form.Add("shipping_address.country", sp.noShipPart(titles, sp.country(country)))
	return true
}

// problem is err's first field error with code.
func problem(err error, code string) (order.FieldError, bool) {
	var fe order.FieldErrors
	if !errors.As(err, &fe) {
		return order.FieldError{}, false
	}
	for _, e := range fe {
		if e.Code == code {
			return e, true
		}
	}
	return order.FieldError{}, false
}

// couponMessages are the messages of the coupon problems by code.
var couponMessages = map[string]string{
	order.ProblemCouponUnknown:    "refusal.coupon.unknown",
	order.ProblemCouponNotYet:     "refusal.coupon.not_yet",
	order.ProblemCouponExpired:    "refusal.coupon.expired",
	order.ProblemCouponUsedUp:     "refusal.coupon.used_up",
	order.ProblemCouponMinCart:    "refusal.coupon.min_cart",
	order.ProblemCouponNoItems:    "refusal.coupon.no_items",
	order.ProblemCouponPerShopper: "refusal.coupon.per_shopper",
	order.ProblemCouponChanged:    "refusal.coupon.changed",
}

// couponProblem says refusal e of a coupon in sp's language from its
// code and params, or english when it has no code this page knows (or
// params it cannot read).
func (sp speech) couponProblem(e order.FieldError, english string) string {
	id, ok := couponMessages[e.Code]
	if !ok {
		return english
	}
	p := e.Params
	args := []any{"Code", p["code"]}
	money := func(key string) (string, bool) {
		n, err := strconv.ParseInt(p[key], 10, 64)
		return sp.cash(n, p["currency"]), err == nil
	}
	when := func(key string) (string, bool) {
		t, err := time.Parse(time.RFC3339, p[key])
		return web.FormatTimeIn(sp.tag, t, sp.zone), err == nil
	}
	var okA, okB = true, true
	var a, b string
	switch e.Code {
	case order.ProblemCouponNotYet:
		a, okA = when("starts")
		args = append(args, "When", a)
	case order.ProblemCouponExpired:
		a, okA = when("ends")
		args = append(args, "When", a)
	case order.ProblemCouponMinCart:
		a, okA = money("amount")
		args = append(args, "Amount", a)
	case order.ProblemCouponChanged:
		a, okA = money("amount")
		b, okB = money("was")
		args = append(args, "Amount", a, "Was", b)
	case order.ProblemCouponPerShopper:
		n, err := strconv.ParseInt(p["uses"], 10, 64)
		okA = err == nil
		args = append(args, "Count", n)
	}
	if !okA || !okB {
		return english
	}
	return sp.t(id, args...)
}
