package storefront

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// guestAdd adds quantity of a listing's first variant to b's cart from
// the listing page's form, as a visitor who has not signed in does.
func guestAdd(t *testing.T, b *webtest.Browser, listingID, sku string, quantity int) webtest.Response {
	t.Helper()
	page := b.Get(web.ListingURL(listingID))
	webtest.WantStatus(t, page, http.StatusOK)
	return b.Post("/cart/items", url.Values{"csrf": {webtest.CSRF(t, page)}, "listing": {listingID}, "sku": {sku},
		"quantity": {fmt.Sprint(quantity)}})
}

func TestGuestFillsACart(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.browser()
	webtest.WantRedirect(t, guestAdd(t, b, lamp.ID, lamp.Variants[0].SKU, 2), "/cart?done=added")
	webtest.WantRedirect(t, guestAdd(t, b, chair.ID, chair.Variants[0].SKU, 1), "/cart?done=added")
	webtest.WantRedirect(t, guestAdd(t, b, lamp.ID, lamp.Variants[0].SKU, 1), "/cart?done=added") // adds to the line
	page := b.Get("/cart?done=added")
	for _, want := range []string{"Added to your cart.", ">From Alpha Market</h2>", ">From Beta Bazaar</h2>",
		`<td class="subtotal" data-label="Subtotal">€60.00</td>`, `<span id="cart-total">€180.00</span>`,
		"this cart is kept in this browser", `href="/checkout" id="checkout"`, `<a href="/signin">Sign in</a>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the guest's cart lacks %s", want)
		}
	}
	// More than the stock, counting what the cart holds, is refused.
	r := guestAdd(t, b, chair.ID, chair.Variants[0].SKU, 2)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "quantity", "Only 2 available, and your cart already holds 1.")
	// Quantities change and lines go, as in a shopper's cart.
	set := func(q string) webtest.Response {
		return b.Post("/cart/quantity", url.Values{"csrf": {webtest.CSRF(t, page)}, "listing": {lamp.ID}, "sku": {lamp.Variants[0].SKU}, "quantity": {q}})
	}
	webtest.WantRedirect(t, set("4"), "/cart?done=updated")
	r = set("9")
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "Only 5 available; you asked for 9.") {
		t.Error("a quantity over the stock is not said next to the line")
	}
	webtest.WantRedirect(t, b.Post("/cart/remove", url.Values{"csrf": {webtest.CSRF(t, page)}, "listing": {chair.ID}, "sku": {chair.Variants[0].SKU}}),
		"/cart?done=removed")
	page = b.Get("/cart")
	if strings.Contains(page.Body, "Oak chair") || !strings.Contains(page.Body, `<span id="cart-total">€80.00</span>`) {
		t.Errorf("after the changes the guest's cart reads:\n%s", page.Body)
	}
	// A listing taken down leaves the cart.
	if err := h.Self.Cat.TakeDown(t.Context(), h.Merchant.ID, lamp.ID); err != nil {
		t.Fatal(err)
	}
	if page := b.Get("/cart"); !strings.Contains(page.Body, "Your cart is empty") {
		t.Error("a listing taken down is still in the guest's cart")
	}
}

func TestGuestCartHoldsFifteenLines(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	for i := range maxGuestLines {
		l := h.List(webtest.Input(fmt.Sprintf("Mug %d", i), "Acme", "Home", 1000, 3))
		webtest.WantRedirect(t, guestAdd(t, b, l.ID, l.Variants[0].SKU, 3), "/cart?done=added")
	}
	if n := len(b.Cookies[h.site.Sessions().Name()].Value); n > 3800 {
		t.Errorf("a full guest cart makes a cookie of %d bytes", n)
	}
	l := h.List(webtest.Input("One too many", "Acme", "Home", 1000, 3))
	r := guestAdd(t, b, l.ID, l.Variants[0].SKU, 1)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.WantText(t, r, english(t, msgGuestFull, "Max", maxGuestLines))
	if page := b.Get("/cart"); strings.Count(page.Body, `<tr class="line"`) != maxGuestLines {
		t.Errorf("the full cart holds %d lines", strings.Count(page.Body, `<tr class="line"`))
	}
}

// sessionValues decodes the Values of b's session cookie.
func sessionValues(t *testing.T, h *harness, b *webtest.Browser) map[string]string {
	t.Helper()
	c := b.Cookies[h.site.Sessions().Name()]
	if c == nil {
		t.Fatal("no session cookie")
	}
	payload, _, _ := strings.Cut(c.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	var sess web.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		t.Fatal(err)
	}
	return sess.Values
}

func TestGuestCartMergesAtSignUp(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.browser()
	guestAdd(t, b, lamp.ID, lamp.Variants[0].SKU, 2)
	guestAdd(t, b, chair.ID, chair.Variants[0].SKU, 1)
	r := b.Submit("/signup", "/signup", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.org"}, "password": {"correct horse"}})
	webtest.WantRedirect(t, r, "/cart?done=welcome")
	page := b.Get("/cart?done=welcome")
	for _, want := range []string{"Your account is open and you are signed in.", `action="/signout"`, "Desk lamp", "Oak chair",
		`<span id="cart-total">€160.00</span>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the new account's cart lacks %s", want)
		}
	}
	if strings.Contains(page.Body, "kept in this browser") {
		t.Error("the signed-in cart still says it is a guest's")
	}
	if v := sessionValues(t, h, b); v[valueGuest] != "" || v[valueCart] == "" {
		t.Errorf("after sign-up the session holds %v, want a cart and no guest lines", v)
	}
	// The lines are the account's: they are there after signing out and in.
	webtest.WantRedirect(t, b.Post("/signout", url.Values{"csrf": {webtest.CSRF(t, page)}}), "/signin/shopper?done=signed-out")
	if page := b.Get("/cart"); !strings.Contains(page.Body, "Your cart is empty") {
		t.Error("signing out kept the cart in the browser")
	}
	r = b.Submit("/signin/shopper", "/signin/shopper", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}})
	webtest.WantRedirect(t, r, "/")
	if page := b.Get("/cart"); !strings.Contains(page.Body, `<span id="cart-total">€160.00</span>`) {
		t.Error("signing in again did not find the account's cart")
	}
}

func TestGuestCartMergesAtSignIn(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b := webtest.SignUp(h.browser())
	webtest.WantRedirect(t, webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 3), "/cart?done=added")
	email := h.shopperEmail(t, b)
	webtest.WantRedirect(t, b.Post("/signout", url.Values{"csrf": {webtest.CSRF(t, b.Get("/cart"))}}), "/signin/shopper?done=signed-out")
	// As a guest, on the same browser: three more lamps (five are left,
	// three in the account's cart) and a chair.
	guestAdd(t, b, lamp.ID, lamp.Variants[0].SKU, 3)
	guestAdd(t, b, chair.ID, chair.Variants[0].SKU, 1)
	r := b.Submit("/signin/shopper?next=%2Fcheckout", "/signin/shopper",
		url.Values{"email": {email}, "password": {"correct horse"}, "next": {"/checkout"}})
	webtest.WantRedirect(t, r, "/cart?done=merged-partly")
	page := b.Get("/cart?done=merged-partly")
	webtest.WantText(t, page, shopperNotices["merged-partly"])
	if !strings.Contains(page.Body, `value="5"`) || !strings.Contains(page.Body, "Oak chair") ||
		!strings.Contains(page.Body, `<span id="cart-total">€220.00</span>`) {
		t.Errorf("the merged cart should hold the 5 lamps there are and the chair:\n%s", page.Body)
	}
	// Everything fits: the sign-in goes where it was asked to.
	webtest.WantRedirect(t, b.Post("/signout", url.Values{"csrf": {webtest.CSRF(t, page)}}), "/signin/shopper?done=signed-out")
	guestAdd(t, b, chair.ID, chair.Variants[0].SKU, 1)
	r = b.Submit("/signin/shopper?next=%2Fcheckout", "/signin/shopper",
		url.Values{"email": {email}, "password": {"correct horse"}, "next": {"/checkout"}})
	webtest.WantRedirect(t, r, "/checkout")
	if page := b.Get("/checkout"); !strings.Contains(page.Body, `<span id="checkout-total">€340.00</span>`) {
		t.Errorf("the checkout after the second sign-in:\n%s", page.Body)
	}
}

// shopperEmail is the e-mail address b's shopper signed up with.
func (h *harness) shopperEmail(t *testing.T, b *webtest.Browser) string {
	t.Helper()
	sh, err := h.Self.Orders.Shopper(t.Context(), sessionValues(t, h, b)[web.ValueShopper])
	if err != nil {
		t.Fatal(err)
	}
	return sh.Email
}

func TestGuestCartCookieTamperingRefused(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	pan := h.List(webtest.Input("Iron pan", "Acme", "Home", 90000, 5))
	b := h.browser()
	guestAdd(t, b, lamp.ID, lamp.Variants[0].SKU, 1)
	page := b.Get("/cart")
	if !strings.Contains(page.Body, `<span id="cart-total">€20.00</span>`) {
		t.Fatalf("the guest's cart:\n%s", page.Body)
	}
	name := h.site.Sessions().Name()
	payload, sig, _ := strings.Cut(b.Cookies[name].Value, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(payload)
	for what, edit := range map[string]func(string) string{
		"more units":      func(s string) string { return strings.Replace(s, `"1 `, `"5 `, 1) },
		"another listing": func(s string) string { return strings.ReplaceAll(s, lamp.ID, pan.ID) },
		"another SKU":     func(s string) string { return strings.ReplaceAll(s, lamp.Variants[0].SKU, pan.Variants[0].SKU) },
		"a line of its own": func(s string) string {
			return strings.Replace(s, `"guest":"`, `"guest":"9 `+pan.ID+" "+pan.Variants[0].SKU+`|`, 1)
		},
		"the signature alone": func(s string) string { return s },
	} {
		forged := b.Copy()
		c := *b.Cookies[name]
		c.Value = base64.RawURLEncoding.EncodeToString([]byte(edit(string(raw)))) + "." + sig
		if what == "the signature alone" {
			c.Value = payload + "." + strings.Repeat("A", len(sig))
		}
		forged.Cookies[name] = &c
		r := forged.Get("/cart")
		if !strings.Contains(r.Body, "Your cart is empty") || strings.Contains(r.Body, "Iron pan") {
			t.Errorf("a cookie changed for %s is believed:\n%s", what, r.Body)
		}
		r = forged.Post("/cart/quantity", url.Values{"csrf": {webtest.CSRF(t, page)}, "listing": {lamp.ID}, "sku": {lamp.Variants[0].SKU}, "quantity": {"2"}})
		webtest.WantStatus(t, r, http.StatusForbidden)
	}
	if page := b.Get("/cart"); !strings.Contains(page.Body, `<span id="cart-total">€20.00</span>`) {
		t.Error("the guest's own cookie no longer reads")
	}
}

func TestGuestCheckoutAsksWhoIsOrdering(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	b := h.browser()
	webtest.WantRedirect(t, b.Get("/checkout"), "/cart")
	guestAdd(t, b, lamp.ID, lamp.Variants[0].SKU, 2)
	page := b.Get("/checkout")
	webtest.WantStatus(t, page, http.StatusOK)
	for _, want := range []string{`<span id="checkout-total">€40.00</span>`, `href="/signin/shopper?next=%2Fcheckout" id="checkout-signin"`,
		`href="/signup?next=%2Fcheckout" id="checkout-signup"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("a guest's checkout lacks %s", want)
		}
	}
	// By default checking out needs an account.
	if strings.Contains(page.Body, `action="/checkout/guest"`) {
		t.Error("guest checkout is offered though the storefront does not take it")
	}
	token := webtest.CSRF(t, b.Get("/cart"))
	webtest.WantStatus(t, b.Post("/checkout/guest", url.Values{"csrf": {token}, "name": {"Ada"}, "email": {"ada@example.org"}}),
		http.StatusNotFound)
	webtest.WantRedirect(t, b.Post("/checkout", url.Values{"csrf": {token}}), "/signin/shopper?next=%2Fcheckout")
	// Signing up from there comes back to the checkout, cart and all.
	r := b.Submit("/signup?next=%2Fcheckout", "/signup", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.org"},
		"password": {"correct horse"}, "next": {"/checkout"}})
	webtest.WantRedirect(t, r, "/checkout")
	at := webtest.OrderLocation(t, webtest.Checkout(b, nil))
	if o := b.Get(at); !strings.Contains(o.Body, "Card ending in 4242, €40.00 charged") {
		t.Errorf("the order:\n%s", o.Body)
	}
}

func TestGuestCheckoutWithAnEmailAddress(t *testing.T) {
	h := newHarness(t)
	h.guestCheckout = true
	h.rebuild()
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	// A shopper signs in with this address; a guest may give it too,
	// and takes nothing from them.
	ada := webtest.SignUp(h.browser())
	taken := h.shopperEmail(t, ada)
	b := h.browser()
	guestAdd(t, b, lamp.ID, lamp.Variants[0].SKU, 2)
	page := b.Get("/checkout")
	if !strings.Contains(page.Body, `action="/checkout/guest"`) || !strings.Contains(page.Body, `id="checkout-guest"`) {
		t.Fatalf("the guest's checkout offers no guest form:\n%s", page.Body)
	}
	r := b.Post("/checkout/guest", url.Values{"csrf": {webtest.CSRF(t, page)}, "name": {"Grace Hopper"}, "email": {"not an address"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "email", "E-mail address must be a plain e-mail address such as ada@example.org.")
	r = b.Post("/checkout/guest", url.Values{"csrf": {webtest.CSRF(t, page)}, "name": {"Grace Hopper"}, "email": {taken}})
	webtest.WantRedirect(t, r, "/checkout")
	form := b.Get("/checkout")
	for _, want := range []string{`value="Grace Hopper"`, `<span id="checkout-total">€40.00</span>`, `id="place-order"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the guest's checkout form lacks %s", want)
		}
	}
	at := webtest.OrderLocation(t, webtest.PostCheckout(b, form, nil))
	if o := b.Get(at); !strings.Contains(o.Body, "Card ending in 4242, €40.00 charged") {
		t.Errorf("the guest's order:\n%s", o.Body)
	}
	// The shopper who signs in with the address still does.
	r = h.browser().Submit("/signin/shopper", "/signin/shopper", url.Values{"email": {taken}, "password": {"correct horse"}})
	webtest.WantRedirect(t, r, "/")
}
