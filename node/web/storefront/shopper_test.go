package storefront

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// shopperCount numbers the test shoppers' e-mail addresses.
var shopperCount atomic.Int64

// shopper signs a new shopper up through the pages and returns its
// browser, signed in.
func (h *harness) shopper() *browser {
	h.t.Helper()
	b := h.browser()
	email := fmt.Sprintf("ada%d@example.org", shopperCount.Add(1))
	r := b.submit("/signup", "/signup", url.Values{"name": {"Ada Lovelace"}, "email": {email}, "password": {"correct horse"}})
	if r.Code != http.StatusSeeOther {
		h.t.Fatalf("sign-up: %d\n%s", r.Code, r.Body)
	}
	return b
}

// addToCart posts the listing page's add-to-cart form.
func (b *browser) addToCart(listingID, sku string, quantity int) response {
	b.t.Helper()
	token := csrf(b.t, b.get("/signin/shopper"))
	return b.post("/cart/items", url.Values{"csrf": {token}, "listing": {listingID}, "sku": {sku}, "quantity": {fmt.Sprint(quantity)}})
}

// wantRedirect fails unless r is a 303 to location.
}

func TestShopperSignUpInAndOut(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	// Sign-up refuses a short password and says so next to it.
	form := url.Values{"name": {"Ada"}, "email": {"ada@example.org"}, "password": {"short"}, "next": {"/search?q=lamp"}}
	r := b.submit("/signup?next=%2Fsearch%3Fq%3Dlamp", "/signup", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	hasFieldError(t, r.Body, "password", "Choose a password of at least 8 characters.")
	if !strings.Contains(r.Body, `value="ada@example.org"`) || strings.Contains(r.Body, `value="short"`) {
		t.Error("the form does not keep the e-mail address, or shows the password")
	}
	before := b.cookies[h.web.sessions.name].Value
	form.Set("password", "correct horse")
	wantRedirect(t, b.submit("/signup", "/signup", form), "/search?q=lamp")
	if b.cookies[h.web.sessions.name].Value == before {
		t.Error("sign-up kept the session")
	}
	cart := b.get("/cart")
	for _, want := range []string{`<a href="/orders">Orders</a>`, `action="/signout"`, "Your cart is empty"} {
		if !strings.Contains(cart.Body, want) {
			t.Errorf("signed-in cart page lacks %s", want)
		}
	}
	// An address already in use is named next to its input.
	r = h.browser().submit("/signup", "/signup", url.Values{"name": {"Eve"}, "email": {"ada@example.org"}, "password": {"12345678"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	hasFieldError(t, r.Body, "email", "E-mail address is already registered on this storefront.")
	// Sign-out renews the session and forgets the shopper.
	r = b.post("/signout", url.Values{"csrf": {csrf(t, cart)}})
	wantRedirect(t, r, "/signin/shopper?done=signed-out")
	if r := b.get("/signin/shopper?done=signed-out"); !strings.Contains(r.Body, "You are signed out.") {
		t.Error("no sign-out notice")
	}
	wantRedirect(t, b.get("/orders"), "/signin/shopper?next=%2Forders")
	// A wrong password: 422 with the message next to the password.
	r = b.submit("/signin/shopper", "/signin/shopper", url.Values{"email": {"ada@example.org"}, "password": {"wrong horse"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	hasFieldError(t, r.Body, "password", "The e-mail address or the password is wrong.")
	r = b.submit("/signin/shopper", "/signin/shopper", url.Values{"email": {""}, "password": {""}})
	hasFieldError(t, r.Body, "email", "Enter your e-mail address.")
	before = b.cookies[h.web.sessions.name].Value
	r = b.submit("/signin/shopper?next=%2Forders", "/signin/shopper",
		url.Values{"email": {"ADA@example.org"}, "password": {"correct horse"}, "next": {"/orders"}})
	wantRedirect(t, r, "/orders")
	if b.cookies[h.web.sessions.name].Value == before {
		t.Error("sign-in kept the session")
	}
	wantStatus(t, b.get("/orders"), http.StatusOK)
	// GET /signout asks before signing out, for pages without a form.
	confirm := b.get("/signout")
	wantStatus(t, confirm, http.StatusOK)
	wantRedirect(t, b.post("/signout", url.Values{"csrf": {csrf(t, confirm)}}), "/signin/shopper?done=signed-out")
	wantRedirect(t, b.get("/signout"), "/signin")
}

func TestShopperFormsNeedCSRF(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.get("/signin/shopper")
	for _, path := range []string{"/signin/shopper", "/signup", "/signout", "/cart/items", "/cart/remove", "/checkout", "/orders/x/cancel"} {
		r := b.post(path, url.Values{"email": {"a@example.org"}, "password": {"12345678"}, "name": {"A"}})
		wantStatus(t, r, http.StatusForbidden)
	}
}

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/":                     "/",
		"/listings/a.b.c?x=1#y": "/listings/a.b.c?x=1#y",
		"/search?q=%2F%2Fx":     "/search?q=%2F%2Fx",
		"":                      "",
		"//evil.example/":       "",
		"///evil.example":       "",
		"/\\evil.example":       "",
		"\\\\evil.example":      "",
		"https://evil.example/": "",
		"javascript:alert(1)":   "",
		"evil.example":          "",
		"/a\r\nLocation: x":     "",
		"/a\tb":                 "",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestSignInIgnoresForeignNext(t *testing.T) {
	h := newHarness(t)
	h.shopper() // ada<n>@example.org
	b := h.browser()
	page := b.get("/signin/shopper?next=%2F%2Fevil.example")
	if strings.Contains(page.Body, "evil.example") {
		t.Error("the sign-in form carries a foreign next")
	}
	email := fmt.Sprintf("ada%d@example.org", shopperCount.Load())
	r := b.post("/signin/shopper", url.Values{"csrf": {csrf(t, page)}, "email": {email}, "password": {"correct horse"},
		"next": {"https://evil.example/"}})
	wantRedirect(t, r, "/")
}

func TestSigninChooserLinksEveryone(t *testing.T) {
	h := newHarness(t)
	r := h.browser().get("/signin")
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{`href="/signin/shopper"`, `href="/signup"`, `href="/merchant/signin"`, `href="/operator/signin"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the chooser lacks %s", want)
		}
	}
}

func TestShopperPagesNeedSignIn(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	for path, next := range map[string]string{"/checkout": "/signin/shopper?next=%2Fcheckout",
		"/orders": "/signin/shopper?next=%2Forders", "/orders/ord_1": "/signin/shopper?next=%2Forders%2Ford_1"} {
		wantRedirect(t, b.get(path), next)
	}
	token := csrf(t, b.get("/signin/shopper"))
	wantRedirect(t, b.post("/orders/ord_1/cancel", url.Values{"csrf": {token}}), "/signin/shopper?next=%2Forders%2Ford_1")
	wantRedirect(t, b.post("/checkout", url.Values{"csrf": {token}}), "/signin/shopper?next=%2Fcheckout")
	r := b.get("/cart")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `href="/signin/shopper?next=%2Fcart"`) {
		t.Error("the signed-out cart does not offer to sign in")
	}
}

func TestSessionOfRemovedShopperEnds(t *testing.T) {
	h := newHarness(t)
	b := h.shopper()
	h.orders.mu.Lock()
	for id := range h.orders.shoppers {
		delete(h.orders.shoppers, id)
	}
	h.orders.mu.Unlock()
	wantRedirect(t, b.get("/orders"), "/signin/shopper?next=%2Forders")
	if r := b.get("/cart"); !strings.Contains(r.Body, "Sign in to fill a cart") {
		t.Error("the cart still treats the visitor as signed in")
	}
}

func TestSignOutEndsCopiedSessions(t *testing.T) {
	h := newHarness(t)
	b := h.shopper()
	copied := &browser{t: t, handler: b.handler, cookies: maps.Clone(b.cookies)}
	wantStatus(t, copied.get("/orders"), http.StatusOK)
	h.clock.Advance(time.Second)
	wantRedirect(t, b.post("/signout", url.Values{"csrf": {csrf(t, b.get("/orders"))}}), "/signin/shopper?done=signed-out")
	// The cookie copied before the sign-out is signed and unexpired, but
	// its session is over.
	wantRedirect(t, copied.get("/orders"), "/signin/shopper?next=%2Forders")
}
