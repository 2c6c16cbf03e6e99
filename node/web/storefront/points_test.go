package storefront

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// earnPoints signs a shopper up in a new browser, buys two of a listing
// of the other member, and has its merchant ship and deliver it, so that
// the shopper earns points at this storefront (its issuer).
func earnPoints(t *testing.T, h *harness) (*webtest.Browser, string) {
	t.Helper()
	h.SetLoyalty(order.LoyaltyTerms{EarnBPS: 10000, PointValue: 1, PayableOn: order.StatusDelivered, SpendableOn: order.StatusDelivered,
		Expiry: 365 * 24 * time.Hour, MaxShareBPS: 5000, Currency: "EUR"})
	l := h.ListOther(webtest.Input("Cast iron pan", "Forge", "Home > Kitchen", 2599, 10))
	b := webtest.SignUp(h.browser())
	webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 2)
	loc := webtest.OrderLocation(t, webtest.Checkout(b, nil))
	ctx := context.Background()
	o, err := h.Self.Orders.GetOrder(ctx, "", strings.TrimPrefix(loc, "/orders/"))
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0]
	testwait.For(t, 10*time.Second, func() error {
		_, err := h.Other.Orders.Ship(ctx, part.Merchant, part.ID, "DHL", "JD1")
		return err
	})
	if _, err := h.Other.Orders.Deliver(ctx, part.Merchant, part.ID); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		if r := b.Get("/points"); !strings.Contains(r.Body, "51 points") {
			return fmt.Errorf("points page:\n%s", r.Body)
		}
		return nil
	})
	return b, o.Shopper
}

// TestPointsPageAndCheckout: a shopper who earned points sees them, with
// their expiry and history, and spends some at checkout: too many are
// refused next to the field, and nothing is held; an issuer that does
// not answer is said next to the field; a fair number pays part of the
// order and the card the rest.
func TestPointsPageAndCheckout(t *testing.T) {
	h := newHarness(t)
	b, shopper := earnPoints(t, h)
	r := b.Get("/points")
	for _, want := range []string{`id="points-spendable">51 points (€0.51`, "Earned on an order", "Next expiry", `<a href="/points">Points</a>`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("points page lacks %q", want)
		}
	}
	l := h.List(webtest.Input("Linen towel", "Weaver", "Home > Textiles", 80, 10))
	webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 1)
	page := b.Get("/checkout")
	webtest.WantText(t, page, "You have 51 points to spend")
	r = webtest.PostCheckout(b, page, func(f url.Values) { f.Set("points", "41") })
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "at most 50.00 %") || !strings.Contains(r.Body, `id="f-points"`) {
		t.Errorf("too many points:\n%s", r.Body)
	}
	if pv, _ := h.Self.Orders.ShopperPoints(context.Background(), shopper); pv.Balance.Held != 0 || pv.Balance.Spendable != 51 {
		t.Errorf("a refused spend left %+v", pv.Balance)
	}
	r = webtest.PostCheckout(b, page, func(f url.Values) { f.Set("points", "many") })
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.WantText(t, r, "Enter a whole number of points")
	h.orders.failNext(fmt.Errorf("%w: Gamma, which keeps this shopper's points, does not answer now", order.ErrPointsUnavailable))
	r = webtest.PostCheckout(b, page, func(f url.Values) { f.Set("points", "10") })
	webtest.WantStatus(t, r, http.StatusServiceUnavailable)
	if !strings.Contains(r.Body, "which does not answer now") || !strings.Contains(r.Body, "Clear this field to check out without points") {
		t.Errorf("an issuer that does not answer:\n%s", r.Body)
	}
	r = webtest.PostCheckout(b, b.Get("/checkout"), func(f url.Values) { f.Set("points", "40") })
	loc := webtest.OrderLocation(t, r)
	o, err := h.Self.Orders.GetOrder(context.Background(), shopper, strings.TrimPrefix(loc, "/orders/"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Points == nil || o.Points.Points != 40 || o.Payment.Amount.Amount != o.Total.Amount-40 {
		t.Errorf("order paid with 40 points: %+v, payment %+v of %+v", o.Points, o.Payment, o.Total)
	}
	testwait.For(t, 10*time.Second, func() error {
		if r := b.Get("/points"); !strings.Contains(r.Body, `id="points-spendable">11 points`) || !strings.Contains(r.Body, "Spent at checkout") {
			return fmt.Errorf("points page after spending 40:\n%s", r.Body)
		}
		return nil
	})
}

// TestPointsPagesInChromium looks at the points page and the checkout
// with a points error at a phone's and a desktop's size: nothing
// overflows on the phone.
func TestPointsPagesInChromium(t *testing.T) {
	h := newHarness(t)
	b, _ := earnPoints(t, h)
	l := h.List(webtest.Input("Linen towel", "Weaver", "Home > Textiles", 80, 10))
	webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 1)
	snaps := map[string]string{
		"points":   b.Get("/points").Body,
		"checkout": webtest.PostCheckout(b, b.Get("/checkout"), func(f url.Values) { f.Set("points", "41") }).Body,
	}
	h.shootPages(t, "points-", []string{"points", "checkout"}, snaps)
}
