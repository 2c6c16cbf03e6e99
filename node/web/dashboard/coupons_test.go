package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// buyWithCoupon checks out qty units of a new listing of Self's merchant
// with code, as a new shopper, and returns the order.
func (h *harness) buyWithCoupon(code string, price, qty int64) order.Order {
	h.T.Helper()
	ctx := context.Background()
	l := h.List(webtest.Input("Cast iron pan", "Forge", "Home > Kitchen", price, 20))
	o := h.Self.Orders
	sh, _, err := o.CreateShopper(ctx, order.ShopperInput{Name: "Ada", Email: fmt.Sprintf("ada-%d@example.org", time.Now().UnixNano())})
	if err != nil {
		h.T.Fatal(err)
	}
	c, err := o.CreateCart(ctx, sh.ID)
	if err != nil {
		h.T.Fatal(err)
	}
	if _, err := o.AddItem(ctx, sh.ID, c.ID, order.ItemInput{ListingID: l.ID, SKU: l.Variants[0].SKU, Quantity: qty}); err != nil {
		h.T.Fatal(err)
	}
	placed, _, err := o.Checkout(ctx, sh.ID, c.ID, "k", order.CheckoutRequest{Coupon: code,
		ShippingAddress: order.Address{Name: "Ada", Line1: "1 Row", City: "London", PostalCode: "N1", Country: "GB"},
		Payment:         order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}})
	if err != nil {
		h.T.Fatal(err)
	}
	return placed
}

func postCoupon(t *testing.T, b *webtest.Browser, path string, form url.Values) webtest.Response {
	t.Helper()
	form.Set("csrf", webtest.CSRF(t, b.Get("/operator/coupons")))
	return b.Post(path, form)
}

// TestCouponsAreCreatedShownWithTheirUseAndEnded: the operator creates
// a coupon from the form (problems next to the inputs, a code taken
// refused), an order uses it, the list and the coupon's page show its
// budget and use, and the operator ends it.
func TestCouponsAreCreatedShownWithTheirUseAndEnded(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	day := h.Clock.Now().UTC().Format(time.DateOnly)
	form := url.Values{"code": {"x"}, "kind": {"percent"}, "percent": {"10"}, "budget": {"0"}, "starts": {day}, "ends": {"soon"}}
	r := postCoupon(t, b, "/operator/coupons", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "ends", "Ends must be a date such as 2026-12-01.")
	form.Set("ends", h.Clock.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly))
	r = postCoupon(t, b, "/operator/coupons", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if msg := webtest.FieldError(r.Body, "code"); !strings.HasPrefix(msg, "Code must be 3 to 32") {
		t.Errorf("next to the code: %q", msg)
	}
	if msg := webtest.FieldError(r.Body, "budget"); !strings.HasPrefix(msg, "Budget must be between 1") {
		t.Errorf("next to the budget: %q", msg)
	}
	form.Set("code", "welcome10")
	form.Set("budget", "100")
	form.Set("per_shopper", "1")
	webtest.WantRedirect(t, postCoupon(t, b, "/operator/coupons", form), "/operator/coupons?done=created")
	r = postCoupon(t, b, "/operator/coupons", form)
	webtest.HasFieldError(t, r.Body, "code", "Code WELCOME10 exists already: choose another.")

	o := h.buyWithCoupon("WELCOME10", 5000, 2)
	if o.CouponDiscount.Amount != 1000 {
		t.Fatalf("the order's discount: %+v", o.CouponDiscount)
	}
	list := b.Get("/operator/coupons")
	for _, want := range []string{`<strong id="coupons-spent">€10.00</strong>`, `<span class="coupon-budget">€10.00 of €100.00</span>`,
		`<td data-label="Orders" class="coupon-uses">1</td>`, "10 % off", "1 per shopper", `<span class="badge">live</span>`} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the coupons page lacks %s", want)
		}
	}
	page := b.Get("/operator/coupons/WELCOME10")
	for _, want := range []string{"<code>" + o.ID + "</code>", `<td data-label="Discount (your cost)">€10.00</td>`, `id="end-coupon"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the coupon's page lacks %s", want)
		}
	}
	webtest.WantRedirect(t, postCoupon(t, b, "/operator/coupons/WELCOME10/end", url.Values{}), "/operator/coupons?done=ended")
	if c, _ := h.Self.Orders.Coupon(t.Context(), "WELCOME10"); !c.Ended {
		t.Error("the coupon is not ended")
	}
	webtest.WantStatus(t, b.Get("/operator/coupons/NOPE"), http.StatusNotFound)
}

// TestCouponsInChromium looks at the coupons list, a refused form and a
// coupon's page at a phone's and a desktop's size: nothing overflows on
// the phone.
func TestCouponsInChromium(t *testing.T) {
	h := newHarness(t)
	now := h.Clock.Now()
	in := order.CouponInput{Code: "SPRING-WELCOME-2026", Kind: order.CouponAmount, Amount: 500, Budget: 2000, MinCart: 3000, PerShopper: 1,
		Categories: []string{"Home > Kitchen"}, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 1, 0)}
	if _, err := h.Self.Orders.CreateCoupon(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	h.buyWithCoupon(in.Code, 4000, 1)
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/operator/signin"), chromedp.SendKeys(chromedp.CSS(`#f-token`), webtest.Operator),
			chromedp.Submit(chromedp.CSS(`#f-token`)), chromedp.WaitVisible(chromedp.CSS(`.area-nav`))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/operator/coupons"), chromedp.WaitVisible(chromedp.CSS(`#coupons`))); err != nil {
			t.Fatal(err)
		}
		check.Shoot(t, ctx, shots, fmt.Sprintf("coupons-%d.png", size.w), size.w, "coupons")
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#f-code`), "no"), chromedp.Click(chromedp.CSS(`#create-coupon`)),
			chromedp.WaitVisible(chromedp.CSS(`.error-summary`))); err != nil {
			t.Fatal(err)
		}
		check.Shoot(t, ctx, shots, fmt.Sprintf("coupons-refused-%d.png", size.w), size.w, "refused coupon form")
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/operator/coupons/"+in.Code), chromedp.WaitVisible(chromedp.CSS(`#coupon-uses`))); err != nil {
			t.Fatal(err)
		}
		check.Shoot(t, ctx, shots, fmt.Sprintf("coupon-%d.png", size.w), size.w, "coupon")
	}
}
