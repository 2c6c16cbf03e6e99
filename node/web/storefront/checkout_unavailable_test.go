package storefront

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// cartSKUs lists the SKUs of the shopper's cart, by the page's lines.
func cartSKUs(t *testing.T, b *webtest.Browser) []string {
	t.Helper()
	page := b.Get("/checkout")
	webtest.WantStatus(t, page, http.StatusOK)
	var out []string
	for _, part := range strings.Split(page.Body, `data-sku="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	slices.Sort(out)
	return out
}

// postCheckoutTo posts the checkout form of page to action, as a button
// with that formaction does.
func postCheckoutTo(b *webtest.Browser, action string, page webtest.Response, change func(url.Values)) webtest.Response {
	b.T.Helper()
	form := webtest.CheckoutForm()
	form.Set("csrf", webtest.CSRF(b.T, page))
	form.Set("key", webtest.KeyInput.FindStringSubmatch(page.Body)[1])
	form.Set("cart", webtest.CartInput.FindStringSubmatch(page.Body)[1])
	change(form)
	return b.Post(action, form)
}

// downErr is the order service's answer when platforms do not answer.
func downErr(platforms ...string) error {
	return &order.CheckoutError{Reason: order.ReasonUnavailable, Platforms: platforms}
}

func TestCheckoutWithAPlatformNotAnswering(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	stool := h.ListOther(webtest.Input("Oak stool", "Woodco", "Home", 4000, 2))
	b := h.shopper()
	webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1)
	webtest.AddToCart(b, chair.ID, chair.Variants[0].SKU, 1)
	webtest.AddToCart(b, stool.ID, stool.Variants[0].SKU, 2)
	other := h.Other.ID.String()

	h.Unreachable(true)
	r := webtest.Checkout(b, nil)
	webtest.WantStatus(t, r, http.StatusServiceUnavailable)
	for _, want := range []string{
		"Beta Bazaar did not answer, so nothing was ordered and nothing was charged. Any items the other platforms were holding for you were released.",
		`<h2 id="unavailable-title">Beta Bazaar is not answering</h2>`,
		`<p class="field-error group-note">Beta Bazaar is not answering, so these items cannot be ordered right now.</p>`,
		`<button type="submit" id="remove-unavailable" form="checkout-form" formaction="/checkout/unavailable">Remove their lines and check out the rest</button>`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the refused checkout lacks %s", want)
		}
	}
	if n := strings.Count(r.Body, "group-note"); n != 1 {
		t.Errorf("%d groups marked, want Beta's alone", n)
	}
	if h.placedCount() != 0 {
		t.Fatal("a refused checkout placed an order")
	}
	for _, want := range []string{`<form method="post" action="/checkout" class="checkout-form" id="checkout-form" novalidate>`,
		`<input type="hidden" name="platform" value="` + other + `" form="checkout-form">`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the refused checkout lacks %s", want)
		}
	}
	// The button submits the checkout form elsewhere: it takes Beta's lines
	// out, exactly those, and shows the checkout again with the rest and
	// the address as typed.
	page := postCheckoutTo(b, "/checkout/unavailable", r, func(f url.Values) { f.Set("platform", other) })
	webtest.WantStatus(t, page, http.StatusOK)
	if got := cartSKUs(t, b); !slices.Equal(got, []string{lamp.Variants[0].SKU}) {
		t.Errorf("the cart holds %v, want the lamp alone", got)
	}
	for _, want := range []string{"The items of the platforms that did not answer were taken out of your cart.",
		`<span id="checkout-total">€20.00</span>`, `value="1 Analytical Row"`, `value="GB"`, `name="payment.card_number" value=""`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the checkout after the removal lacks %s", want)
		}
	}
	if strings.Contains(page.Body, "field-error") || strings.Contains(page.Body, "unavailable-title") {
		t.Error("the checkout after the removal shows problems")
	}
	if webtest.KeyInput.FindStringSubmatch(page.Body)[1] == webtest.KeyInput.FindStringSubmatch(r.Body)[1] {
		t.Error("the checkout of another cart keeps the refused form's key")
	}
	// Sent again (a reload), it removes nothing more.
	webtest.WantStatus(t, postCheckoutTo(b, "/checkout/unavailable", r, func(f url.Values) { f.Set("platform", other) }), http.StatusOK)
	if got := cartSKUs(t, b); len(got) != 1 {
		t.Errorf("the cart holds %v after the removal was sent again", got)
	}
	at := webtest.OrderLocation(t, webtest.PostCheckout(b, page, nil))
	if o := b.Get(at); !strings.Contains(o.Body, "Card ending in 4242, €20.00 charged") {
		t.Error("the rest was not ordered")
	}
}

// When every line is sold on a platform that does not answer, there is
// no rest to buy: the page says so, and removing them empties the cart.
func TestCheckoutWhenEveryLineIsOnAPlatformNotAnswering(t *testing.T) {
	h := newHarness(t)
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.shopper()
	webtest.AddToCart(b, chair.ID, chair.Variants[0].SKU, 1)
	other, gamma := h.Other.ID.String(), webtest.NewPeerID(t).String()
	h.orders.failNext(downErr(other, gamma))
	r := webtest.Checkout(b, nil)
	webtest.WantStatus(t, r, http.StatusServiceUnavailable)
	if strings.Contains(r.Body, "remove-unavailable") || !strings.Contains(r.Body, "Every item in your cart is sold there.") {
		t.Error("the page offers to buy a rest that is not there")
	}
	if !strings.Contains(r.Body, "<h2 id=\"unavailable-title\">Beta Bazaar and "+web.ShortID(gamma)+" are not answering</h2>") {
		t.Error("the page does not name both platforms")
	}
	// A shopper reading Chinese is told the same in Chinese, the names joined as Chinese joins them.
	b.Get("/?lang=zh-CN")
	h.orders.failNext(downErr(other, gamma))
	zh := webtest.Checkout(b, nil)
	webtest.WantStatus(t, zh, http.StatusServiceUnavailable)
	wantAll(t, "the zh-CN checkout", zh.Body, "<h2 id=\"unavailable-title\">Beta Bazaar和"+web.ShortID(gamma)+" 暂无响应</h2>",
		"Beta Bazaar和"+web.ShortID(gamma)+" 没有响应，因此本次没有下单，也没有扣款。", "购物车中的所有商品都在该平台销售。")
	b.Get("/?lang=en")
	webtest.WantRedirect(t, postCheckoutTo(b, "/checkout/unavailable", r, func(f url.Values) { f.Set("platform", other) }), "/cart?done=removed")
	if c := b.Get("/cart"); !strings.Contains(c.Body, "Your cart is empty") {
		t.Error("the cart is not empty")
	}
}

// The removal is a shopper's form of this storefront like any other.
func TestRemoveUnavailableNeedsTheShopperAndTheForm(t *testing.T) {
	h := newHarness(t)
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.shopper()
	webtest.AddToCart(b, chair.ID, chair.Variants[0].SKU, 1)
	form := url.Values{"platform": {h.Other.ID.String()}}
	webtest.WantStatus(t, b.Post("/checkout/unavailable", form), http.StatusForbidden)
	visitor := h.browser()
	webtest.WantRedirect(t, visitor.Submit("/signin/shopper", "/checkout/unavailable", form), "/signin/shopper?next=%2Fcheckout")
	if got := cartSKUs(t, b); len(got) != 1 {
		t.Errorf("the cart holds %v after refused removals", got)
	}
}
