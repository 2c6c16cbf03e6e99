package storefront

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// Checkout takes the shipping address and the payment method and places
// the cart's order with Orders.Checkout. The form carries an idempotency
// key made when it was first shown, so that a double submit, or a retry
// after a lost answer, places one order. When a home node refuses (stock
// gone, a price changed) or does not answer, or the card is declined,
// nothing is ordered or charged, and the form is shown again with what
// happened next to the lines or the input concerned.

// checkoutView is what the checkout template shows.
type checkoutView struct {
	Form *web.Form
	Cart cartView
	// Key is the idempotency key the form carries.
	Key string
	// Method is the payment method chosen.
	Method string
	// Card and Manual say which payment methods the storefront takes
	// (Options.Payments); the form offers only these.
	Card, Manual bool
	// Changes are the price changes the shopper is asked to confirm.
	Changes []string
	// Unavailable are the home platforms that did not answer, nil when
	// all did (checkout_unavailable.go).
	Unavailable *unavailableView
	// Points are the shopper's points the form offers, nil for none.
	Points *pointsOffer
	// Coupon is the code applied and CouponDiscount what it takes off
	// ("" for none); PayTotal is what the shopper pays with it.
	Coupon, CouponDiscount, PayTotal string
}

// Pay is what the shopper pays: the cart's total, less the coupon.
func (v checkoutView) Pay() string {
	if v.Coupon != "" && v.PayTotal != "" {
		return v.PayTotal
	}
	return v.Cart.Ship.Total
}

// Input returns one input of the form, with its autocomplete token, for
// the "text-web.Field" partial.
func (v checkoutView) Input(name, label, hint, autocomplete string) web.Field {
	return v.Form.Input(name, label, hint).WithAutocomplete(autocomplete)
}

// checkoutLabels are the messages that name the checkout inputs, by the
// order service's web.Field paths, which are also the inputs' names.
var checkoutLabels = map[string]string{
	"shipping_address.name":        "refusal.label.full_name",
	"shipping_address.line1":       "refusal.label.street",
	"shipping_address.city":        "refusal.label.city",
	"shipping_address.postal_code": "refusal.label.postal_code",
	"shipping_address.country":     "refusal.label.country",
	"shipping_address.region":      "refusal.label.region",
	"payment.method":               "refusal.label.payment_method",
	"payment.card_number":          "refusal.label.card_number",
	"points":                       "refusal.label.points",
}

// addressInputs are the shipping address inputs and the message that an
// empty one asks for.
var addressInputs = []struct{ name, missing string }{
	{"shipping_address.name", "refusal.enter_recipient"},
	{"shipping_address.line1", "refusal.enter_street"},
	{"shipping_address.city", "refusal.enter_city"},
	{"shipping_address.postal_code", "refusal.enter_postal_code"},
}

// countryCode is an ISO 3166-1 alpha-2 code.
var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// readCheckout reads the posted checkout form into a request, and the
// form with what was typed and what is missing, said in sp's language.
// The card number is never shown again.
func readCheckout(sp speech, pf url.Values) (order.CheckoutRequest, *web.Form) {
	f := web.NewForm()
	get := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	var req order.CheckoutRequest
	a := &req.ShippingAddress
	a.Name, a.Line1, a.City, a.PostalCode = get("shipping_address.name"), get("shipping_address.line1"),
		get("shipping_address.city"), get("shipping_address.postal_code")
	a.Country = strings.ToUpper(get("shipping_address.country"))
	f.Set("shipping_address.country", a.Country)
	a.Region = strings.ToUpper(get("shipping_address.region"))
	f.Set("shipping_address.region", a.Region)
	for _, in := range addressInputs {
		if f.Value(in.name) == "" {
			f.Add(in.name, sp.t(in.missing))
		}
	}
	if !countryCode.MatchString(a.Country) {
		f.Add("shipping_address.country", sp.t("refusal.choose_country"))
	}
	req.Coupon = order.NormalizeCoupon(get("coupon"))
	f.Set("coupon", req.Coupon)
	req.Payment.Method = pf.Get("payment.method")
	switch req.Payment.Method {
	case order.MethodSandboxCard:
		req.Payment.CardNumber = strings.NewReplacer(" ", "", "-", "").Replace(pf.Get("payment.card_number"))
		if req.Payment.CardNumber == "" {
			f.Add("payment.card_number", sp.t("refusal.enter_card"))
		}
	case order.MethodManual:
	default:
		f.Add("payment.method", sp.t("refusal.choose_payment"))
	}
	req.Points = readPoints(sp, f, pf.Get("points"))
	return req, f
}

// newCheckoutView is the checkout form with the payment methods the
// storefront takes, method chosen (the first one taken when "").
func (sf *Storefront) newCheckoutView(f *web.Form, method string) checkoutView {
	v := checkoutView{Form: f, Method: method, Card: slices.Contains(sf.opts.Payments, order.MethodSandboxCard),
		Manual: slices.Contains(sf.opts.Payments, order.MethodManual)}
	if v.Method == "" && v.Card {
		v.Method = order.MethodSandboxCard
	} else if v.Method == "" && v.Manual {
		v.Method = order.MethodManual
	}
	return v
}

// newIdempotencyKey returns 128 random bits for one checkout form.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// idempotencyKey is the shape of the keys newIdempotencyKey makes.
var idempotencyKey = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// checkoutForm is GET /checkout; an empty cart goes back to the cart. A
// guest is asked to sign in, sign up, or (when the storefront allows
// it) give a name and an e-mail address first (checkout_guest.go).
func (sf *Storefront) checkoutForm(w http.ResponseWriter, r *http.Request) {
	sv, ok, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if !ok {
		sf.guestCheckoutPage(w, r, sv.sess, http.StatusOK, web.NewForm())
		return
	}
	c, err := sf.currentCart(r.Context(), w, sv, false)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if len(c.Groups) == 0 {
		web.SeeOther(w, r, "/cart")
		return
	}
	f := web.NewForm()
	f.Set("shipping_address.name", sv.shopper.Name)
	if c.ShipTo != nil { // the address goes where the cart was quoted to
		f.Set("shipping_address.country", c.ShipTo.Country)
		f.Set("shipping_address.region", c.ShipTo.Region)
	}
	v := sf.newCheckoutView(f, "")
	v.Cart, v.Key = sf.cartView(r.Context(), c), newIdempotencyKey()
	v.Points = sf.checkoutPoints(r.Context(), sv.shopper.ID)
	sf.render(w, r, http.StatusOK, "checkout", sf.shopperPage(sv, sf.site.T(r, "checkout.title"), v))
}

// checkout places the order: POST /checkout. Success is a 303 to the
// order's page; anything else shows the form again.
func (sf *Storefront) checkout(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	req, f := readCheckout(sf.speechOf(r), r.PostForm)
	v := sf.newCheckoutView(f, req.Payment.Method)
	v.Key = r.PostForm.Get("key")
	if !idempotencyKey.MatchString(v.Key) {
		v.Key = newIdempotencyKey()
	}
	// The form names the cart it was shown for: once ordered, that cart is
	// gone and the session holds none, but a second submit of the form (a
	// double click, a retry after a lost answer) must reach the order
	// service with the same cart and key, which answers with the order.
	cartID := r.PostForm.Get("cart")
	before, err := sf.deps.Carts.GetCart(r.Context(), sv.shopper.ID, cartID)
	if cartID == "" || len(cartID) > 64 {
		before, err = sf.currentCart(r.Context(), w, sv, false)
		cartID = before.ID
	}
	if err != nil && !errors.Is(err, order.ErrNotFound) {
		sf.site.FailOrder(w, r, err)
		return
	}
	if cartID == "" || len(before.Groups) == 0 && !f.OK() {
		web.SeeOther(w, r, "/cart")
		return
	}
	v.Cart = sf.cartView(r.Context(), before)
	v.Points = sf.checkoutPoints(r.Context(), sv.shopper.ID)
	if v.Points == nil && f.Value("points") != "" { // show the field again, with what was typed
		v.Points = &pointsOffer{}
	}
	if r.PostForm.Get("apply") == "coupon" { // apply the code only: the form comes back with its discount
		v.Form = v.Form.WithoutErrors()
		status, err := sf.applyCoupon(r.Context(), sv, &v, before, req.Coupon)
		if err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
		sf.render(w, r, status, "checkout", sf.shopperPage(sv, sf.site.T(r, "checkout.title"), v))
		return
	}
	if req.Coupon != "" {
		if _, err := sf.applyCoupon(r.Context(), sv, &v, before, req.Coupon); err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
	}
	if !f.OK() {
		sf.render(w, r, http.StatusUnprocessableEntity, "checkout", sf.shopperPage(sv, sf.site.T(r, "checkout.title"), v))
		return
	}
	o, _, err := sf.deps.Carts.Checkout(r.Context(), sv.shopper.ID, cartID, v.Key, req)
	if err == nil {
		delete(sv.sess.Values, valueCart)
		if err := sf.sessions.Save(w, sv.sess); err != nil {
			sf.site.Log().Error("web: saving session after checkout", "err", err)
		}
		web.SeeOther(w, r, orderURL(o.ID)+"?done=placed")
		return
	}
	if errors.Is(err, order.ErrEmptyCart) || errors.Is(err, order.ErrNotFound) {
		web.SeeOther(w, r, "/cart")
		return
	}
	status, err := sf.checkoutRefused(r.Context(), sv, &v, before, err)
	if err == nil && v.Coupon != "" && len(v.Changes) > 0 { // the coupon's discount on the new prices
		var after order.Cart
		if after, err = sf.deps.Carts.GetCart(r.Context(), sv.shopper.ID, cartID); err == nil {
			_, err = sf.applyCoupon(r.Context(), sv, &v, after, v.Coupon)
		}
	}
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	sf.render(w, r, status, "checkout", sf.shopperPage(sv, sf.site.T(r, "checkout.title"), v))
}

// Messages of a checkout that placed nothing, by id.
const (
	msgOutOfStock    = "refusal.out_of_stock"
	msgPriceChanged  = "refusal.price_changed"
	msgDeclined      = "refusal.declined"
	msgPaymentFailed = "refusal.payment_failed"
	msgUnavailable   = "refusal.unavailable"
	msgKeyReused     = "refusal.key_reused"
)

// checkoutRefused puts what a refused checkout means into v, in the
// language of ctx's page, and returns the page's status; an error it does
// not know is returned.
func (sf *Storefront) checkoutRefused(ctx context.Context, sv shopperVisit, v *checkoutView, before order.Cart, err error) (int, error) {
	sp := sf.speechIn(ctx)
	var ce *order.CheckoutError
	switch {
	case couponRefused(sf.speechIn(ctx), v, err):
		return http.StatusUnprocessableEntity, nil
	case notShippable(sp, v, before, err):
		return http.StatusUnprocessableEntity, nil
	case addFieldErrors(sp, v.Form, err, checkoutLabels):
		return http.StatusUnprocessableEntity, nil
	case errors.Is(err, order.ErrPointsUnavailable):
		v.Form.Add("points", sp.t(msgPointsUnavailable))
		if v.Points == nil {
			v.Points = &pointsOffer{}
		}
		return http.StatusServiceUnavailable, nil
	case errors.As(err, &ce) && ce.Reason == order.ReasonPriceChanged:
		return http.StatusConflict, sf.priceChanged(ctx, sv, v, before, ce)
	case errors.As(err, &ce) && ce.Reason == order.ReasonUnavailable && len(ce.Platforms) > 0:
		sf.platformsDown(ctx, v, ce.Platforms)
		return http.StatusServiceUnavailable, nil
	case errors.As(err, &ce) && ce.Reason == order.ReasonUnavailable:
		v.Form.Add("", sp.t(msgUnavailable))
		return http.StatusServiceUnavailable, nil
	case errors.As(err, &ce):
		v.Form.Add("", sp.t(msgOutOfStock))
		for _, s := range ce.Shortages {
			if l := v.Cart.line(s.ListingID, s.SKU); l != nil {
				l.Note = sp.shortage(s.Available, s.Wanted, 0)
				continue
			}
			v.Form.Add("", sp.t("refusal.sku", "SKU", s.SKU, "Problem", sp.shortage(s.Available, s.Wanted, 0)))
		}
		return http.StatusConflict, nil
	case errors.Is(err, order.ErrDeclined):
		v.Form.Add("payment.card_number", sp.t(msgDeclined))
		return http.StatusUnprocessableEntity, nil
	case errors.Is(err, order.ErrPaymentFailed):
		v.Form.Add("", sp.t(msgPaymentFailed))
		return http.StatusServiceUnavailable, nil
	case errors.Is(err, order.ErrUnavailable):
		v.Form.Add("", sp.t(msgUnavailable))
		return http.StatusServiceUnavailable, nil
	case errors.Is(err, order.ErrConflict):
		v.Form.Add("", sp.t(msgKeyReused))
		v.Key = newIdempotencyKey()
		return http.StatusConflict, nil
	}
	return 0, err
}

// priceChanged shows the cart at its new prices, with each change of an
// item's price or a part's shipping and the new total, for the shopper to
// confirm.
func (sf *Storefront) priceChanged(ctx context.Context, sv shopperVisit, v *checkoutView, before order.Cart, ce *order.CheckoutError) error {
	after, err := sf.deps.Carts.GetCart(ctx, sv.shopper.ID, before.ID)
	if err != nil {
		return err
	}
	sp := sf.speechIn(ctx)
	v.Cart = sf.cartView(ctx, after)
	v.Form.Add("", sp.t(msgPriceChanged))
	for _, q := range ce.Quote {
		change := sp.priceChange(before, q)
		v.Changes = append(v.Changes, change)
		if l := v.Cart.line(q.ListingID, q.SKU); l != nil {
			l.Note = change
		}
	}
	for _, ch := range ce.Shipping {
		v.Changes = append(v.Changes, sp.shippingChange(before, v.Cart, ch))
	}
	v.Changes = append(v.Changes, sp.t("refusal.new_total", "Total", v.Cart.Ship.Total))
	return nil
}

// applyCoupon shows what code takes off cart c in v, or the reason it
// does not apply next to the coupon field; it returns the page's status.
func (sf *Storefront) applyCoupon(ctx context.Context, sv shopperVisit, v *checkoutView, c order.Cart, code string) (int, error) {
	if code == "" {
		v.Form.Add("coupon", sf.speechIn(ctx).t("refusal.enter_coupon"))
		return http.StatusUnprocessableEntity, nil
	}
	d, err := sf.deps.Carts.CouponQuote(ctx, sv.shopper.ID, c.ID, code)
	if couponRefused(sf.speechIn(ctx), v, err) {
		return http.StatusUnprocessableEntity, nil
	}
	if err != nil {
		return 0, err
	}
	total := c.Total
	if c.Shipping != nil {
		total = c.Shipping.Total
	}
	v.Coupon, v.CouponDiscount = code, sf.site.MoneyIn(ctx, d.Amount, d.Currency)
	v.PayTotal = sf.site.MoneyIn(ctx, total.Amount-d.Amount, total.Currency)
	return http.StatusOK, nil
}

// couponRefused puts a refusal of the coupon next to its field, in sp's
// language when the order service named it (order.ProblemCoupon*);
// English keeps the service's own sentence.
func couponRefused(sp speech, v *checkoutView, err error) bool {
	var fe order.FieldErrors
	if !errors.As(err, &fe) || len(fe) == 0 || fe[0].Field != "coupon" {
		return false
	}
	msg := strings.TrimSuffix(fe[0].Message, ".") + "."
	msg = strings.ToUpper(msg[:1]) + msg[1:]
	if sp.tag != locale.English {
		msg = sp.couponProblem(fe[0], msg)
	}
	v.Form.Add("coupon", msg)
	v.Coupon, v.CouponDiscount, v.PayTotal = "", "", ""
	return true
}
