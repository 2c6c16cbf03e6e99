package storefront

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
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// promoSetup lists a pan on the other member with a 15 % offer of its
// merchant, replicated here, and creates a coupon of this storefront.
func promoSetup(t *testing.T, h *harness) catalog.Listing {
	t.Helper()
	ctx := context.Background()
	pan := h.ListOther(webtest.Input("Cast iron pan", "Forge", "Home > Kitchen", 5000, 20))
	now := h.Clock.Now()
	in := catalog.OfferInput{Name: "Winter sale", Kind: catalog.OfferPercent, PercentBPS: 1500, Starts: now.Add(-time.Hour), Ends: now.Add(30 * 24 * time.Hour)}
	if _, err := h.Other.Cat.PutOffer(ctx, pan.Merchant, "", in); err != nil {
		t.Fatal(err)
	}
	h.Replicate()
	c := order.CouponInput{Code: "WELCOME5", Kind: order.CouponAmount, Amount: 500, Budget: 100000, MinCart: 1000,
		Starts: now.Add(-time.Hour), Ends: now.Add(24 * time.Hour)}
	if _, err := h.Self.Orders.CreateCoupon(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.Code, c.Starts, c.Ends = "AUTUMN", now.Add(-48*time.Hour), now.Add(-24*time.Hour)
	if _, err := h.Self.Orders.CreateCoupon(ctx, c); err != nil {
		t.Fatal(err)
	}
	return pan
}

// TestOffersAndCouponsOnThePages: the listing and the cart show the
// merchant's offer; the checkout applies a coupon, shows a refused one's
// reason next to its field, and places the order at the discounted
// total, which the order's page shows.
func TestOffersAndCouponsOnThePages(t *testing.T) {
	h := newHarness(t)
	pan := promoSetup(t, h)
	guest := h.browser()
	guestAdd(t, guest, pan.ID, pan.Variants[0].SKU, 2)
	if c := guest.Get("/cart"); !strings.Contains(c.Body, `€85.00<span class="discount">€15.00 off</span>`) {
		t.Errorf("a guest's cart shows no offer:\n%s", c.Body)
	}
	b := h.shopper()
	if r := b.Get("/listings/" + pan.ID); !strings.Contains(r.Body, `<span class="offer-badge">−15 %</span> <span class="offer-name">Winter sale</span>`) {
		t.Errorf("the listing page shows no offer:\n%s", r.Body)
	}
	webtest.AddToCart(b, pan.ID, pan.Variants[0].SKU, 2)
	cart := b.Get("/cart")
	for _, want := range []string{`<span class="offer-badge line-offer">−15 %</span>`, `€85.00<span class="discount">€15.00 off</span>`, `€15.00 off, included`} {
		if !strings.Contains(cart.Body, want) {
			t.Errorf("the cart lacks %s", want)
		}
	}
	page := b.Get("/checkout")
	apply := func(code string) webtest.Response {
		return webtest.PostCheckout(b, page, func(f url.Values) { f.Set("coupon", code); f.Set("apply", "coupon") })
	}
	r := apply("autumn")
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if msg := webtest.FieldError(r.Body, "coupon"); !strings.HasPrefix(msg, "AUTUMN expired on ") {
		t.Errorf("next to the coupon: %q", msg)
	}
	if strings.Contains(r.Body, "Enter the street address") {
		t.Error("applying a coupon checked the address too")
	}
	r = apply("welcome5")
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{`<dd id="checkout-coupon">−€5.00</dd>`, `<span id="checkout-total">€80.00</span>`, `value="WELCOME5"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the checkout with the coupon lacks %s", want)
		}
	}
	at := webtest.OrderLocation(t, webtest.PostCheckout(b, page, func(f url.Values) { f.Set("coupon", "welcome5") }))
	o := b.Get(at)
	for _, want := range []string{`<span id="order-total">€80.00</span>`, `coupon WELCOME5 −<span id="order-coupon">€5.00</span>`, `2 × €50.00 − €15.00 = <strong>€85.00</strong>`} {
		if !strings.Contains(o.Body, want) {
			t.Errorf("the order page lacks %s", want)
		}
	}
	if c, _ := h.Self.Orders.Coupon(t.Context(), "WELCOME5"); c.Spent != 500 || c.Uses != 1 {
		t.Errorf("the coupon after the order: %+v", c)
	}
}

// TestOffersAndCouponsInChromium looks at the listing, the cart and the
// checkout with a refused and an applied coupon at a phone's and a
// desktop's size; nothing overflows on the phone.
func TestOffersAndCouponsInChromium(t *testing.T) {
	h := newHarness(t)
	pan := promoSetup(t, h)
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			if err := chromedp.Do(ctx, actions...); err != nil {
				t.Fatalf("%s at %d: %v", what, size.w, err)
			}
		}
		shoot := func(name string) {
			check.Shoot(t, ctx, shots, fmt.Sprintf("promo-%s-%d.png", name, size.w), size.w, name)
		}
		run("sign up", chromedp.Navigate(srv.URL+"/signup"), chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
			chromedp.SendKeys(chromedp.CSS(`#f-name`), "Grace Hopper"),
			chromedp.SendKeys(chromedp.CSS(`#f-email`), fmt.Sprintf("grace%d@example.org", size.w)),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
			chromedp.Submit(chromedp.CSS(`#f-password`)), chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)))
		run("listing", chromedp.Navigate(srv.URL+"/listings/"+pan.ID), chromedp.WaitVisible(chromedp.CSS(`.offers`)))
		shoot("listing")
		run("add", chromedp.SetValue(chromedp.CSS(`#add-quantity`), "2"), chromedp.Click(chromedp.CSS(`#add-to-cart`)),
			chromedp.WaitVisible(chromedp.CSS(`.line-offer`)))
		shoot("cart")
		run("checkout", chromedp.Navigate(srv.URL+"/checkout"), chromedp.WaitVisible(chromedp.CSS(`#f-coupon`)),
			chromedp.SendKeys(chromedp.CSS(`#f-coupon`), "autumn"), chromedp.Click(chromedp.CSS(`#apply-coupon`)),
			chromedp.WaitVisible(chromedp.CSS(`.field.invalid #f-coupon`)))
		shoot("coupon-refused")
		run("apply", chromedp.SetValue(chromedp.CSS(`#f-coupon`), "welcome5"), chromedp.Click(chromedp.CSS(`#apply-coupon`)),
			chromedp.WaitVisible(chromedp.CSS(`#checkout-coupon`)))
		total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#checkout-total`)))
		if err != nil {
			t.Fatal(err)
		}
		if total != "€80.00" {
			t.Errorf("at %d the checkout totals %q with the coupon, want €80.00", size.w, total)
		}
		shoot("coupon-applied")
	}
}
