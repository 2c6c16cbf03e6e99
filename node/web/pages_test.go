package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestSessionCookieFlags(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		base, name string
		secure     bool
	}{
		{"https://alpha.example", "__Host-fedmart_session", true},
		{"http://127.0.0.1:8080", "fedmart_session_8080", false},
		{"http://localhost", "fedmart_session", false},
		{"https://alpha.example:8443", "__Host-fedmart_session_8443", true},
	}
	for _, c := range cases {
		h.opts = web.Options{BaseURL: c.base, SessionSecret: webtest.Secret}
		h.rebuild()
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/merchant/signin", nil))
		cookies := rec.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("%s: cookies %v", c.base, cookies)
		}
		ck := cookies[0]
		if ck.Name != c.name || ck.Secure != c.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge <= 0 {
			t.Errorf("%s: cookie %+v", c.base, ck)
		}
		if rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: a page with a CSRF token may be cached", c.base)
		}
	}
	// Storefront pages start no session.
	if r := h.browser().Get("/"); r.Header.Get("Set-Cookie") != "" {
		t.Error("the home page set a cookie")
	}
}

func TestSessionRejectsTamperingAndExpiry(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	good := *b.Cookies[h.site.Sessions().Name()]
	payload, sig, _ := strings.Cut(good.Value, ".")
	forgeries := map[string]string{
		"changed payload": flip(payload) + "." + sig,
		"no signature":    payload,
		"empty":           "",
	}
	other := h.Site(web.Options{BaseURL: webtest.BaseURL, SessionSecret: []byte(strings.Repeat("z", 32))}).Sessions()
	sess, _ := h.site.Sessions().Load(requestWith(good))
	forged := httptest.NewRecorder()
	_ = other.Save(forged, sess)
	forgeries["other secret"] = forged.Result().Cookies()[0].Value
	for name, value := range forgeries {
		c := good
		c.Value = value
		b.Cookies[c.Name] = &c
		if r := b.Get("/merchant"); r.Code != http.StatusSeeOther {
			t.Errorf("%s: /merchant is %d", name, r.Code)
		}
	}
	b.Cookies[good.Name] = &good
	webtest.WantStatus(t, b.Get("/merchant"), http.StatusOK)
	h.Clock.Advance(12 * time.Hour) // the sessions' default lifetime
	if r := b.Get("/merchant"); r.Code != http.StatusSeeOther {
		t.Errorf("an expired session is still signed in: %d", r.Code)
	}
}

// flip changes the first character of s.
func flip(s string) string {
	if s[0] == 'e' {
		return "f" + s[1:]
	}
	return "e" + s[1:]
}

func requestWith(c http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&c)
	return r
}

func TestSignInRenewsSessionAndCSRFToken(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	before := webtest.CSRF(t, b.Get("/merchant/signin"))
	b.SignInMerchant(h.Token)
	after := webtest.CSRF(t, b.Get("/merchant"))
	if before == after {
		t.Fatal("the CSRF token survived the sign-in")
	}
	r := b.Post("/merchant/signout", url.Values{"csrf": {before}})
	webtest.WantStatus(t, r, http.StatusForbidden)
}

// testBanner is what every page says while payments are tests.
const testBanner = "Test payments: no money is taken."

func TestTestPaymentsAreSaidOnEveryPage(t *testing.T) {
	h := newHarness(t) // takes the sandbox card
	b := h.browser()
	b.SignInMerchant(h.Token)
	for _, path := range []string{"/", "/search", "/signin/shopper", "/cart", "/merchant", "/operator/signin", "/nowhere"} {
		if r := b.Get(path); !strings.Contains(r.Body, testBanner) {
			t.Errorf("%s does not say that payments are tests", path)
		}
	}
	h.payments, h.opts.TestPayments = []string{order.MethodManual}, false
	h.rebuild()
	if r := h.browser().Get("/"); strings.Contains(r.Body, testBanner) {
		t.Error("a storefront without the sandbox says that payments are tests")
	}
}

func TestPageStatuses(t *testing.T) {
	h := newHarness(t)
	l := h.List(webtest.Input("Steel kettle", "Acme", "Home > Kitchen", 2999, 4))
	platform, merchant, _, _ := catalog.ParseID(l.ID)
	unknown := catalog.FormatID(platform, merchant, "aaaaaaaaaaaaaaaa")
	cases := []struct {
		path     string
		code     int
		location string
	}{
		{"/", http.StatusOK, ""},
		{"/search", http.StatusOK, ""},
		{"/search?q=kettle&category=Home&brand=Acme&min_price=10&max_price=50&in_stock=1&sort=price_asc", http.StatusOK, ""},
		{"/search?min_price=ten", http.StatusBadRequest, ""},
		{"/search?cursor=bogus", http.StatusBadRequest, ""},
		{web.ListingURL(l.ID), http.StatusOK, ""},
		{web.ListingURL(unknown), http.StatusNotFound, ""},
		{"/listings/not-an-id", http.StatusNotFound, ""},
		{"/no/such/page", http.StatusNotFound, ""},
		{"/sitemap.xml", http.StatusOK, ""},
		{"/sitemap-pages.xml?n=1", http.StatusOK, ""},
		{"/sitemap-listings.xml", http.StatusOK, ""},
		{"/c/home/kitchen", http.StatusOK, ""},
		{"/c/home/kitchen?brand=Acme&sort=price_asc", http.StatusOK, ""},
		{"/c/home/kitchen/", http.StatusMovedPermanently, "/c/home/kitchen"},
		{"/c/no-such-category", http.StatusNotFound, ""},
		{"/robots.txt", http.StatusOK, ""},
		{"/signin", http.StatusOK, ""},
		{"/cart", http.StatusOK, ""},
		{"/static/site.css", http.StatusOK, ""},
		{"/static/operator.js", http.StatusOK, ""},
		{"/static/", http.StatusNotFound, ""},
		{"/static/missing.css", http.StatusNotFound, ""},
		{"/merchant/signin", http.StatusOK, ""},
		{"/merchant", http.StatusSeeOther, "/merchant/signin"},
		{"/merchant/listings/new", http.StatusSeeOther, "/merchant/signin"},
		{"/merchant/listings/" + l.ID, http.StatusSeeOther, "/merchant/signin"},
		{"/operator/signin", http.StatusOK, ""},
		{"/operator", http.StatusSeeOther, "/operator/signin"},
		{"/operator/charter", http.StatusSeeOther, "/operator/signin"},
		{"/operator/merchants", http.StatusSeeOther, "/operator/signin"},
		{"/operator/events", http.StatusSeeOther, "/operator/signin"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := h.browser().Get(c.path)
			webtest.WantStatus(t, r, c.code)
			if got := r.Header.Get("Location"); got != c.location {
				t.Errorf("Location %q, want %q", got, c.location)
			}
			if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("security headers missing: %v", r.Header)
			}
		})
	}
}

func TestSignInsSignUpsAndCheckoutsSpendBudgets(t *testing.T) {
	h := newHarness(t)
	h.Budgets = budget.New(budget.Config{Accounts: budget.Rate{N: 1, Per: time.Hour}, SignIns: budget.Rate{N: 2, Per: time.Minute},
		Checkouts: budget.Rate{N: 1, Per: time.Hour}, Clients: 100}, nil, h.Clock.Now)
	h.rebuild()
	b := h.browser()
	webtest.WantRedirect(t, b.Submit("/signup", "/signup", url.Values{"name": {"Ada"}, "email": {"ada@example.org"}, "password": {"correct horse"}}), "/cart?done=welcome")
	r := h.browser().Submit("/signup", "/signup", url.Values{"name": {"Bob"}, "email": {"bob@example.org"}, "password": {"battery staple"}})
	webtest.WantStatus(t, r, http.StatusTooManyRequests)
	webtest.WantText(t, r, "Too many accounts were opened from your network. Try again in 60 minutes.")
	if r.Header.Get("Retry-After") != "3600" {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Sign-in attempts of every kind share one budget per client.
	webtest.WantStatus(t, h.signInFrom("", "ada@example.org", "wrong horse"), http.StatusUnprocessableEntity)
	m := h.browser()
	webtest.WantStatus(t, m.Submit("/merchant/signin", "/merchant/signin", url.Values{"token": {"fmm_wrong"}}), http.StatusUnprocessableEntity)
	r = h.signInFrom("", "ada@example.org", "correct horse")
	webtest.WantStatus(t, r, http.StatusTooManyRequests)
	webtest.WantText(t, r, "Too many sign-in attempts came from your network. Try again in 30 seconds.")
	// Another client has budgets of its own.
	webtest.WantRedirect(t, h.signInFrom("198.51.100.7", "ada@example.org", "correct horse"), "/")
}

func TestCheckoutsSpendTheirBudget(t *testing.T) {
	h := newHarness(t)
	h.Budgets = budget.New(budget.Config{Checkouts: budget.Rate{N: 1, Per: time.Hour}, Clients: 100}, nil, h.Clock.Now)
	h.rebuild()
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	b := webtest.SignUp(h.browser())
	webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1)
	webtest.OrderLocation(t, webtest.Checkout(b, nil))
	webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1)
	r := webtest.Checkout(b, nil)
	webtest.WantStatus(t, r, http.StatusTooManyRequests)
	webtest.WantText(t, r, "Too many orders were placed from your network. Try again in 60 minutes.")
	if h.placedCount() != 1 {
		t.Errorf("%d orders placed, want 1", h.placedCount())
	}
}

// signInFrom tries a shopper sign-in from the client at addr.
func (h *harness) signInFrom(addr, email, password string) webtest.Response {
	h.T.Helper()
	b := h.browser()
	b.Addr = addr
	return b.Submit("/signin/shopper", "/signin/shopper", url.Values{"email": {email}, "password": {password}})
}
