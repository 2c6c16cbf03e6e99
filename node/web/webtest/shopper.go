package webtest

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// A shopper's steps through the storefront, which the storefront's tests
// and the console's (whose parts come from a shopper's checkout) share.

// shopperCount numbers the test shoppers' e-mail addresses.
var shopperCount atomic.Int64

// SignUp signs a new shopper up in b through the storefront's pages
// and returns b, signed in.
func SignUp(b *Browser) *Browser {
	b.T.Helper()
	email := fmt.Sprintf("ada%d@example.org", shopperCount.Add(1))
	r := b.Submit("/signup", "/signup", url.Values{"name": {"Ada Lovelace"}, "email": {email}, "password": {"correct horse"}})
	if r.Code != http.StatusSeeOther {
		b.T.Fatalf("sign-up: %d\n%s", r.Code, r.Body)
	}
	return b
}

// AddToCart posts the listing page's add-to-cart form.
func AddToCart(b *Browser, listingID, sku string, quantity int) Response {
	b.T.Helper()
	token := CSRF(b.T, b.Get("/signin/shopper"))
	return b.Post("/cart/items", url.Values{"csrf": {token}, "listing": {listingID}, "sku": {sku}, "quantity": {fmt.Sprint(quantity)}})
}

// KeyInput finds the idempotency key a checkout form carries.
var KeyInput = regexp.MustCompile(`name="key" value="([^"]+)"`)

// CartInput finds the cart a checkout form was shown for.
var CartInput = regexp.MustCompile(`name="cart" value="([^"]+)"`)

// CheckoutForm is a filled-in checkout form paying by approved card.
func CheckoutForm() url.Values {
	return url.Values{"shipping_address.name": {"Ada Lovelace"}, "shipping_address.line1": {"1 Analytical Row"},
		"shipping_address.city": {"London"}, "shipping_address.postal_code": {"N1 9GU"}, "shipping_address.country": {"gb"},
		"payment.method": {"sandbox_card"}, "payment.card_number": {"4242 4242 4242 4242"}}
}

// Checkout loads the checkout page and posts form with its CSRF token
// and idempotency key; change edits the form first.
func Checkout(b *Browser, change func(url.Values)) Response {
	b.T.Helper()
	page := b.Get("/checkout")
	WantStatus(b.T, page, http.StatusOK)
	return PostCheckout(b, page, change)
}

// PostCheckout posts the checkout form of page.
func PostCheckout(b *Browser, page Response, change func(url.Values)) Response {
	b.T.Helper()
	form := CheckoutForm()
	form.Set("csrf", CSRF(b.T, page))
	form.Set("key", KeyInput.FindStringSubmatch(page.Body)[1])
	form.Set("cart", CartInput.FindStringSubmatch(page.Body)[1])
	if change != nil {
		change(form)
	}
	return b.Post("/checkout", form)
}

// OrderLocation is the order a checkout redirected to.
func OrderLocation(t *testing.T, r Response) string {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/orders/ord_") || !strings.HasSuffix(loc, "?done=placed") {
		t.Fatalf("checkout: %d to %q\n%s", r.Code, loc, r.Body)
	}
	return strings.TrimSuffix(loc, "?done=placed")
}
