package storefront

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// shopper signs a new shopper up through the pages and returns its
// browser, signed in.
func (h *harness) shopper() *webtest.Browser { return webtest.SignUp(h.browser()) }

func TestShopperSignUpInAndOut(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	// Sign-up refuses a short password and says so next to it.
	form := url.Values{"name": {"Ada"}, "email": {"ada@example.org"}, "password": {"short"}, "next": {"/search?q=lamp"}}
	r := b.Submit("/signup?next=%2Fsearch%3Fq%3Dlamp", "/signup", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "password", "Choose a password of at least 8 characters.")
	if !strings.Contains(r.Body, `value="ada@example.org"`) || strings.Contains(r.Body, `value="short"`) {
		t.Error("the form does not keep the e-mail address, or shows the password")
	}
	before := b.Cookies[h.site.Sessions().Name()].Value
	form.Set("password", "correct horse")
	webtest.WantRedirect(t, b.Submit("/signup", "/signup", form), "/search?q=lamp")
	if b.Cookies[h.site.Sessions().Name()].Value == before {
		t.Error("sign-up kept the session")
	}
	cart := b.Get("/cart")
	for _, want := range []string{`<a href="/orders">Orders</a>`, `action="/signout"`, "Your cart is empty"} {
		if !strings.Contains(cart.Body, want) {
			t.Errorf("signed-in cart page lacks %s", want)
		}
	}
	// An address already in use is named next to its input.
	r = h.browser().Submit("/signup", "/signup", url.Values{"name": {"Eve"}, "email": {"ada@example.org"}, "password": {"12345678"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "email", "E-mail address is already registered on this storefront.")
	// Sign-out renews the session and forgets the shopper.
	r = b.Post("/signout", url.Values{"csrf": {webtest.CSRF(t, cart)}})
	webtest.WantRedirect(t, r, "/signin/shopper?done=signed-out")
	if r := b.Get("/signin/shopper?done=signed-out"); !strings.Contains(r.Body, "You are signed out.") {
		t.Error("no sign-out notice")
	}
	webtest.WantRedirect(t, b.Get("/orders"), "/signin/shopper?next=%2Forders")
	// A wrong password: 422 with the message next to the password.
	r = b.Submit("/signin/shopper", "/signin/shopper", url.Values{"email": {"ada@example.org"}, "password": {"wrong horse"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "password", "The e-mail address or the password is wrong.")
	r = b.Submit("/signin/shopper", "/signin/shopper", url.Values{"email": {""}, "password": {""}})
	webtest.HasFieldError(t, r.Body, "email", "Enter your e-mail address.")
	before = b.Cookies[h.site.Sessions().Name()].Value
	r = b.Submit("/signin/shopper?next=%2Forders", "/signin/shopper",
		url.Values{"email": {"ADA@example.org"}, "password": {"correct horse"}, "next": {"/orders"}})
	webtest.WantRedirect(t, r, "/orders")
	if b.Cookies[h.site.Sessions().Name()].Value == before {
		t.Error("sign-in kept the session")
	}
	webtest.WantStatus(t, b.Get("/orders"), http.StatusOK)
	// GET /signout asks before signing out, for pages without a form.
	confirm := b.Get("/signout")
	webtest.WantStatus(t, confirm, http.StatusOK)
	webtest.WantRedirect(t, b.Post("/signout", url.Values{"csrf": {webtest.CSRF(t, confirm)}}), "/signin/shopper?done=signed-out")
	webtest.WantRedirect(t, b.Get("/signout"), "/signin")
}

func TestShopperFormsNeedCSRF(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.Get("/signin/shopper")
	for _, path := range []string{"/signin/shopper", "/signup", "/signout", "/cart/items", "/cart/remove", "/checkout", "/orders/x/cancel"} {
		r := b.Post(path, url.Values{"email": {"a@example.org"}, "password": {"12345678"}, "name": {"A"}})
		webtest.WantStatus(t, r, http.StatusForbidden)
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
	email := "ada@example.org"
	h.browser().Submit("/signup", "/signup", url.Values{"name": {"Ada"}, "email": {email}, "password": {"correct horse"}})
	b := h.browser()
	page := b.Get("/signin/shopper?next=%2F%2Fevil.example")
	if strings.Contains(page.Body, "evil.example") {
		t.Error("the sign-in form carries a foreign next")
	}
	r := b.Post("/signin/shopper", url.Values{"csrf": {webtest.CSRF(t, page)}, "email": {email}, "password": {"correct horse"},
		"next": {"https://evil.example/"}})
	webtest.WantRedirect(t, r, "/")
}

func TestSigninChooserLinksEveryone(t *testing.T) {
	h := newHarness(t)
	r := h.browser().Get("/signin")
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{`href="/signin/shopper"`, `href="/signup"`, `href="/merchant/signin"`, `href="/operator/signin"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the chooser lacks %s", want)
		}
	}
}

func TestShopperPagesNeedSignIn(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	for path, next := range map[string]string{"/orders": "/signin/shopper?next=%2Forders",
		"/orders/ord_1": "/signin/shopper?next=%2Forders%2Ford_1", "/orders/ord_1/cancel": "/signin/shopper?next=%2Forders%2Ford_1%2Fcancel"} {
		webtest.WantRedirect(t, b.Get(path), next)
	}
	token := webtest.CSRF(t, b.Get("/signin/shopper"))
	webtest.WantRedirect(t, b.Post("/orders/ord_1/cancel", url.Values{"csrf": {token}}), "/signin/shopper?next=%2Forders%2Ford_1")
	webtest.WantRedirect(t, b.Post("/checkout", url.Values{"csrf": {token}}), "/signin/shopper?next=%2Fcheckout")
	// A visitor's cart is a guest's: it needs no account until checkout.
	r := b.Get("/cart")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "Your cart is empty") || !strings.Contains(r.Body, `<a href="/signin">Sign in</a>`) {
		t.Error("the signed-out cart is not a guest's")
	}
}

func TestSessionOfRemovedShopperEnds(t *testing.T) {
	h := newHarness(t)
	b := h.shopper()
	// A storefront whose accounts do not hold the shopper any more (a
	// database restored from before the sign-up): Beta's knows no Ada.
	h.shoppers = h.Other.Orders
	h.rebuild()
	b.Handler = h.handler
	webtest.WantRedirect(t, b.Get("/orders"), "/signin/shopper?next=%2Forders")
	if r := b.Get("/cart"); strings.Contains(r.Body, `action="/signout"`) || !strings.Contains(r.Body, `<a href="/signin">Sign in</a>`) {
		t.Error("the cart still treats the visitor as signed in")
	}
}

func TestSignOutEndsCopiedSessions(t *testing.T) {
	h := newHarness(t)
	b := h.shopper()
	copied := b.Copy()
	webtest.WantStatus(t, copied.Get("/orders"), http.StatusOK)
	h.Clock.Advance(time.Second)
	webtest.WantRedirect(t, b.Post("/signout", url.Values{"csrf": {webtest.CSRF(t, b.Get("/orders"))}}), "/signin/shopper?done=signed-out")
	// The cookie copied before the sign-out is signed and unexpired, but
	// its session is over.
	webtest.WantRedirect(t, copied.Get("/orders"), "/signin/shopper?next=%2Forders")
}

// signInFrom tries a shopper sign-in from the client at addr.
func (h *harness) signInFrom(addr, email, password string) webtest.Response {
	h.T.Helper()
	b := h.browser()
	b.Addr = addr
	return b.Submit("/signin/shopper", "/signin/shopper", url.Values{"email": {email}, "password": {password}})
}

func TestWrongPasswordsSlowOnlyTheirClient(t *testing.T) {
	h := newHarness(t)
	h.browser().Submit("/signup", "/signup", url.Values{"name": {"Ada"}, "email": {"ada@example.org"}, "password": {"correct horse"}})
	const stranger, ada = "203.0.113.66", "198.51.100.7"
	// The first failures of the pair cost nothing...
	for range web.FreeFailures {
		r := h.signInFrom(stranger, "ada@example.org", "wrong horse")
		webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
		webtest.HasFieldError(t, r.Body, "password", "The e-mail address or the password is wrong.")
	}
	// ...the next makes the pair wait, and says how long.
	r := h.signInFrom(stranger, "ada@example.org", "wrong horse")
	webtest.HasFieldError(t, r.Body, "password", "The e-mail address or the password is wrong. Wait 5 seconds before the next try.")
	r = h.signInFrom(stranger, "ADA@example.org", "correct horse")
	webtest.WantStatus(t, r, http.StatusTooManyRequests)
	webtest.HasFieldError(t, r.Body, "password", "Too many wrong passwords from this device: try again in 5 seconds.")
	if got := r.Header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After %q, want 5", got)
	}
	// The shopper, from her own client, signs in at once.
	webtest.WantRedirect(t, h.signInFrom(ada, "ada@example.org", "correct horse"), "/")
	// The stranger's next failure doubles the wait.
	h.Clock.Advance(5 * time.Second)
	r = h.signInFrom(stranger, "ada@example.org", "wrong horse")
	webtest.HasFieldError(t, r.Body, "password", "The e-mail address or the password is wrong. Wait 10 seconds before the next try.")
	// Once it has waited, the right password works and clears the pair.
	h.Clock.Advance(10 * time.Second)
	webtest.WantRedirect(t, h.signInFrom(stranger, "ada@example.org", "correct horse"), "/")
	webtest.WantStatus(t, h.signInFrom(stranger, "ada@example.org", "wrong horse"), http.StatusUnprocessableEntity)
	if w := h.store.signins.Wait(web.PairKey("ada@example.org", stranger)); w != 0 {
		t.Errorf("after a success the first failure imposes %s", w)
	}
}
