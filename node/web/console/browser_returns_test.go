package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserReturnOnAPhone follows a return in Chromium at 390x844: the
// shopper asks on the storefront's order page (too many units refused
// next to the line), the merchant finds it on the Returns page, has a
// plain http label refused next to it, approves with a drop-off code, an
// address and a label, and marks the units received after the
// confirmation of the refund; the shopper then reads every step. Each
// page passes the overflow check and axe-core's rules; the order page,
// the list and the return's page are looked at on a desktop too.
func TestBrowserReturnOnAPhone(t *testing.T) {
	h := newHarness(t)
	c := h.serve(t)
	at, part := h.deliveredToAda()
	check := webtest.NewPageChecker(t)
	checked := func(page string) {
		t.Helper()
		c.fits(page)
		ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
		defer cancel()
		found, err := check.Check(ctx)
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		for _, f := range found {
			t.Errorf("%s on a phone: %s", page, f)
		}
	}
	c.run("viewport-phone", chromedp.EmulateViewport(390, 844))
	c.shopperSignIn(at)
	c.run("phone-order", chromedp.Navigate(c.base+at), chromedp.WaitVisible(chromedp.CSS(`a.return-some`)))
	checked("phone order page with a return offered")
	c.run("phone-return-form", chromedp.Click(chromedp.CSS(`a.return-some`)), chromedp.WaitVisible(chromedp.CSS(`#request-return`)))
	checked("phone return form")
	c.run("phone-return-too-many",
		chromedp.SendKeys(chromedp.CSS(`#f-lines-0-quantity`), "9"),
		chromedp.SetValue(chromedp.CSS(`#f-reason`), "damaged"),
		chromedp.Click(chromedp.CSS(`#request-return`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-lines-0-quantity-error`)),
	)
	if got := eval[string](c, `document.querySelector('#f-lines-0-quantity-error').textContent`); !strings.HasSuffix(got, ": only 2 left to return, not 9.") {
		t.Errorf("next to the units: %q", got)
	}
	checked("phone return form refused")
	c.run("phone-return-asked",
		chromedp.SetValue(chromedp.CSS(`#f-lines-0-quantity`), "1"),
		chromedp.SendKeys(chromedp.CSS(`#f-note`), "The handle came loose after one use."),
		chromedp.Click(chromedp.CSS(`#request-return`)),
		chromedp.WaitVisible(chromedp.CSS(`li.part-return[data-state="requested"]`)),
	)
	checked("phone order page with a return asked")

	c.signIn(h.Token)
	c.run("phone-returns", chromedp.Navigate(c.base+"/merchant/returns"), chromedp.WaitVisible(chromedp.CSS(`tr.return[data-state="requested"]`)))
	checked("phone returns list")
	c.run("phone-return", chromedp.Click(chromedp.CSS(`tr.return a.button`)), chromedp.WaitVisible(chromedp.CSS(`#approve-return`)))
	checked("phone return to answer")
	c.run("phone-approve-http",
		chromedp.SendKeys(chromedp.CSS(`#f-label_url`), "http://labels.example/RET-123456.pdf"),
		chromedp.Click(chromedp.CSS(`#approve-return`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-label_url-error`)),
	)
	checked("phone approval refused")
	c.run("phone-approved",
		chromedp.SetValue(chromedp.CSS(`#f-label_url`), "https://labels.carrier-with-a-long-name.example/returns/2026/RET-123456-7890-ABCDEF.pdf"),
		chromedp.SendKeys(chromedp.CSS(`#f-drop_off_code`), "RET-123456"),
		chromedp.SendKeys(chromedp.CSS(`#f-address`), "Alpha Goods & Co, Returns desk, Hafenstraße 1, 28195 Bremen"),
		chromedp.Click(chromedp.CSS(`#approve-return`)),
		chromedp.WaitVisible(chromedp.CSS(`tr.return[data-state="approved"]`)),
	)
	checked("phone returns list after the approval")
	c.run("phone-receive", chromedp.Click(chromedp.CSS(`tr.return a.button`)), chromedp.WaitVisible(chromedp.CSS(`#receive-return`)))
	if got := eval[string](c, `document.querySelector('#return-refund').textContent`); got != "€44.91" {
		t.Errorf("the receipt's confirmation refunds %q", got)
	}
	checked("phone receipt confirmation")
	c.run("phone-received", chromedp.Click(chromedp.CSS(`#receive-return`)), chromedp.WaitVisible(chromedp.CSS(`tr.return[data-state="received"]`)))
	checked("phone returns list after the receipt")
	c.run("desktop-returns", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`tr.return`)))
	c.fits("desktop returns list")
	c.run("desktop-return", chromedp.Click(chromedp.CSS(`tr.return a.button`)), chromedp.WaitVisible(chromedp.CSS(`.return-refunded`)))
	c.fits("desktop received return")

	c.shopperSignIn(at)
	c.run("desktop-order-returned", chromedp.Navigate(c.base+at), chromedp.WaitVisible(chromedp.CSS(`li.part-return[data-state="received"]`)))
	c.fits("desktop order page with a return received")
	if got := eval[string](c, `document.querySelector('li.part-return .return-refund').textContent`); got != "€44.91 refunded" {
		t.Errorf("the shopper reads %q", got)
	}
	c.run("phone-order-returned", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`li.part-return`)))
	checked("phone order page with a return received")
	if p, err := h.Self.Orders.HomePartOf(t.Context(), h.Merchant.ID, part); err != nil || p.Refunded.Amount != 4491 {
		t.Errorf("the home refunded %+v: %v", p.Refunded, err)
	}
}

// deliveredToAda has ada@returns.example buy 2 skillets at €49.90 of
// the merchant, whose policy takes returns within 30 days with a 10 %
// restocking fee, and the merchant ship and deliver them. It returns the
// order's page and the part.
func (h *harness) deliveredToAda() (string, string) {
	h.T.Helper()
	_, err := h.Self.Cat.SetMerchantProfile(h.T.Context(), h.Merchant.ID, catalog.MerchantProfileInput{Name: "Alpha Goods & Co", Country: "DE",
		Email: "help@alpha.example", Policies: catalog.Policies{ReturnDays: 30, ReturnShipping: catalog.ReturnPaidByMerchant, RestockingFeeBPS: 1000}})
	if err != nil {
		h.T.Fatal(err)
	}
	skillet := h.List(webtest.Input("Hand-forged carbon steel skillet with a long riveted handle", "Ferro", "Home > Kitchen", 4990, 7))
	b := h.browser()
	webtest.WantStatus(h.T, b.Submit("/signup", "/signup", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@returns.example"},
		"password": {"correct horse"}}), http.StatusSeeOther)
	webtest.WantStatus(h.T, webtest.AddToCart(b, skillet.ID, skillet.Variants[0].SKU, 2), http.StatusSeeOther)
	at := webtest.OrderLocation(h.T, webtest.Checkout(b, nil))
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	if _, err := h.Self.Orders.ShipWith(h.T.Context(), h.Merchant.ID, part, order.Shipment{Carrier: "dhl-paket", Tracking: "JD0001"}); err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Self.Orders.Deliver(h.T.Context(), h.Merchant.ID, part); err != nil {
		h.T.Fatal(err)
	}
	h.Clock.Advance(time.Hour)
	return at, part
}

// shopperSignIn signs Ada in on the storefront, then goes to next.
func (c *chrome) shopperSignIn(next string) {
	c.t.Helper()
	c.run("shopper-signin",
		chromedp.Navigate(c.base+"/signin/shopper?next="+url.QueryEscape(next)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "ada@returns.example"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse"),
		chromedp.Submit(chromedp.CSS(`#f-password`)),
		chromedp.WaitVisible(chromedp.CSS(`li.part`)),
	)
}
