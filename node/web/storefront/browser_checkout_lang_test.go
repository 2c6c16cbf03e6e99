package storefront

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestRefusedCheckoutInChineseInChromium: a checkout refused in zh-CN (a
// declined card; an item sold out since it was added) reads in Chinese
// and fits a phone and a desktop window, its problems linked from the
// summary.
func TestRefusedCheckoutInChineseInChromium(t *testing.T) {
	h := newShippingCart(t)
	b := h.shopper()
	b.Get("/?lang=zh-CN")
	for _, l := range []catalog.Listing{h.pan, h.lamp} {
		webtest.WantRedirect(t, webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 1), "/cart?done=added")
	}
	webtest.WantRedirect(t, shipTo(t, b, "DE", ""), "/cart?done=ship-to")
	toDE := func(f url.Values) { f.Set("shipping_address.country", "DE") }
	// The lamp sells out before any checkout holds one, whose release
	// would give it back.
	setStock := func(n int64) {
		if err := h.Self.Cat.SetStock(t.Context(), h.Merchant.ID, h.lamp.ID, h.lamp.Variants[0].SKU, n); err != nil {
			t.Fatal(err)
		}
	}
	setStock(0)
	stock := webtest.Checkout(b, toDE)
	webtest.WantStatus(t, stock, http.StatusConflict)
	noEnglish(t, "the checkout of a lamp gone", stock.Body)
	setStock(5)
	declined := webtest.Checkout(b, func(f url.Values) { toDE(f); f.Set("payment.card_number", order.CardDecline) })
	webtest.WantStatus(t, declined, http.StatusUnprocessableEntity)
	noEnglish(t, "the declined checkout", declined.Body)

	pages := map[string]string{"/snap/checkout-declined-zh": declined.Body, "/snap/checkout-stock-zh": stock.Body}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if body, ok := pages[req.URL.Path]; ok { // the pages as the signed-in shopper got them; styles from the site
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(body))
			return
		}
		h.handler.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		for _, name := range []string{"checkout-declined-zh", "checkout-stock-zh"} {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/snap/"+name), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
				t.Fatal(err)
			}
			check.Shoot(t, ctx, shots, fmt.Sprintf("%s-%d.png", name, size.w), size.w, name)
		}
	}
}
