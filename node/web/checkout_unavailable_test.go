package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation/order"
)

// cartSKUs lists the SKUs of the shopper's cart, by the page's lines.
func cartSKUs(t *testing.T, b *browser) []string {
	t.Helper()
	page := b.get("/checkout")
	wantStatus(t, page, http.StatusOK)
	var out []string
	for _, part := range strings.Split(page.Body, `data-sku="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	slices.Sort(out)
	return out
}

// downErr is the order service's answer when platforms do not answer.
func downErr(platforms ...string) error {
	return &order.CheckoutError{Reason: order.ReasonUnavailable, Platforms: platforms}
}

func TestCheckoutWithAPlatformNotAnswering(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.listOther(input("Oak chair", "Woodco", "Home", 12000, 2))
	stool := h.listOther(input("Oak stool", "Woodco", "Home", 4000, 2))
	b := h.shopper()
	b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1)
	b.addToCart(chair.ID, chair.Variants[0].SKU, 1)
	b.addToCart(stool.ID, stool.Variants[0].SKU, 2)
	other := h.other.id.String()

	h.orders.failNext(downErr(other))
	r := b.checkout(nil)
	wantStatus(t, r, http.StatusServiceUnavailable)
	for _, want := range []string{
		"Beta Bazaar did not answer, so nothing was ordered and nothing was charged. Any items the other platforms were holding for you were released.",
		`<h2 id="unavailable-title">Beta Bazaar is not answering</h2>`,
		`<p class="field-error group-note">Beta Bazaar is not answering, so these items cannot be ordered right now.</p>`,
		`<form method="post" action="/checkout/unavailable">`, `<input type="hidden" name="platform" value="` + other + `">`,
		`<button type="submit" id="remove-unavailable">Remove their lines and check out the rest</button>`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the refused checkout lacks %s", want)
		}
	}
	if n := strings.Count(r.Body, "group-note"); n != 1 {
		t.Errorf("%d groups marked, want Beta's alone", n)
	}
	if h.orders.placedCount() != 0 {
		t.Fatal("a refused checkout placed an order")
	}
	// The button takes Beta's lines out, exactly those, and returns to the
	// checkout with the rest.
	form := url.Values{"platform": {other}, "csrf": {csrf(t, r)}}
	wantRedirect(t, b.post("/checkout/unavailable", form), "/checkout?done=unavailable-removed")
	if got := cartSKUs(t, b); !slices.Equal(got, []string{lamp.Variants[0].SKU}) {
		t.Errorf("the cart holds %v, want the lamp alone", got)
	}
	page := b.get("/checkout?done=unavailable-removed")
	for _, want := range []string{"The items of the platforms that did not answer were taken out of your cart.",
		`<span id="checkout-total">20.00 EUR</span>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the checkout after the removal lacks %s", want)
		}
	}
	at := orderLocation(t, b.postCheckout(page, nil))
	if o := b.get(at); !strings.Contains(o.Body, "Card ending in 4242, 20.00 EUR charged") {
		t.Error("the rest was not ordered")
	}
}

// When every line is sold on a platform that does not answer, there is
// no rest to buy: the page says so, and removing them empties the cart.
func TestCheckoutWhenEveryLineIsOnAPlatformNotAnswering(t *testing.T) {
	h := newHarness(t)
	chair := h.listOther(input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.shopper()
	b.addToCart(chair.ID, chair.Variants[0].SKU, 1)
	other, gamma := h.other.id.String(), newPeerID(t).String()
	h.orders.failNext(downErr(other, gamma))
	r := b.checkout(nil)
	wantStatus(t, r, http.StatusServiceUnavailable)
	if strings.Contains(r.Body, "remove-unavailable") || !strings.Contains(r.Body, "Every item in your cart is sold there.") {
		t.Error("the page offers to buy a rest that is not there")
	}
	if !strings.Contains(r.Body, "<h2 id=\"unavailable-title\">Beta Bazaar and "+shortID(gamma)+" are not answering</h2>") {
		t.Error("the page does not name both platforms")
	}
	wantRedirect(t, b.post("/checkout/unavailable", url.Values{"platform": {other}, "csrf": {csrf(t, r)}}), "/cart?done=removed")
	if c := b.get("/cart"); !strings.Contains(c.Body, "Your cart is empty") {
		t.Error("the cart is not empty")
	}
}

// The removal is a shopper's form of this storefront like any other.
func TestRemoveUnavailableNeedsTheShopperAndTheForm(t *testing.T) {
	h := newHarness(t)
	chair := h.listOther(input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.shopper()
	b.addToCart(chair.ID, chair.Variants[0].SKU, 1)
	form := url.Values{"platform": {h.other.id.String()}}
	wantStatus(t, b.post("/checkout/unavailable", form), http.StatusForbidden)
	visitor := h.browser()
	wantRedirect(t, visitor.submit("/signin/shopper", "/checkout/unavailable", form), "/signin/shopper?next=%2Fcheckout")
	if got := cartSKUs(t, b); len(got) != 1 {
		t.Errorf("the cart holds %v after refused removals", got)
	}
}
