package storefront

import (
	"net/http"
	"net/url"
	"testing"

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

	pages := map[string]string{"checkout-declined-zh": declined.Body, "checkout-stock-zh": stock.Body}
	h.shootPages(t, "", []string{"checkout-declined-zh", "checkout-stock-zh"}, pages)
}
