package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
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
		wb := h.newWeb(Options{BaseURL: c.base, SessionSecret: testSecret})
		rec := httptest.NewRecorder()
		wb.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/merchant/signin", nil))
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
	if r := h.browser().get("/"); r.Header.Get("Set-Cookie") != "" {
		t.Error("the home page set a cookie")
	}
}

func TestSessionRejectsTamperingAndExpiry(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.signInMerchant(h.token)
	good := *b.cookies[h.web.sessions.name]
	payload, sig, _ := strings.Cut(good.Value, ".")
	forgeries := map[string]string{
		"changed payload": flip(payload) + "." + sig,
		"no signature":    payload,
		"empty":           "",
	}
	other := newSessions([]byte(strings.Repeat("z", 32)), true, "", time.Hour, h.clock.Now)
	sess, _ := h.web.sessions.load(requestWith(good))
	forged := httptest.NewRecorder()
	_ = other.save(forged, sess)
	forgeries["other secret"] = forged.Result().Cookies()[0].Value
	for name, value := range forgeries {
		c := good
		c.Value = value
		b.cookies[c.Name] = &c
		if r := b.get("/merchant"); r.Code != http.StatusSeeOther {
			t.Errorf("%s: /merchant is %d", name, r.Code)
		}
	}
	b.cookies[good.Name] = &good
	wantStatus(t, b.get("/merchant"), http.StatusOK)
	h.clock.Advance(h.web.opts.SessionTTL)
	if r := b.get("/merchant"); r.Code != http.StatusSeeOther {
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

func TestSealedTokenOpensOnlyWithItsLabel(t *testing.T) {
	s := newSessions(testSecret, true, "", time.Hour, time.Now)
	sealed := s.seal(sealMerchant, "fmm_secret")
	if strings.Contains(sealed, "secret") {
		t.Fatal("sealing leaves the token readable")
	}
	if got, ok := s.open(sealMerchant, sealed); !ok || got != "fmm_secret" {
		t.Errorf("open = %q %v", got, ok)
	}
	for _, bad := range []string{sealed[:len(sealed)-2], "", "!!", sealed + "A"} {
		if _, ok := s.open(sealMerchant, bad); ok {
			t.Errorf("open(%q) succeeded", bad)
		}
	}
	if _, ok := s.open("operator", sealed); ok {
		t.Error("a token opens under another label")
	}
}

func TestSignInRenewsSessionAndCSRFToken(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	before := csrf(t, b.get("/merchant/signin"))
	b.signInMerchant(h.token)
	after := csrf(t, b.get("/merchant"))
	if before == after {
		t.Fatal("the CSRF token survived the sign-in")
	}
	r := b.post("/merchant/signout", url.Values{"csrf": {before}})
	wantStatus(t, r, http.StatusForbidden)
}

func TestOptionsValidate(t *testing.T) {
	ok := Options{BaseURL: "https://shop.example/", SessionSecret: testSecret}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]Options{
		"BaseURL: required":            {SessionSecret: testSecret},
		"BaseURL: must be an absolute": {BaseURL: "shop.example", SessionSecret: testSecret},
		"SessionSecret":                {BaseURL: "https://shop.example"},
		"must have no path":            {BaseURL: "https://shop.example/store", SessionSecret: testSecret},
		"SessionTTL":                   {BaseURL: "https://shop.example", SessionSecret: testSecret, SessionTTL: -1},
		"Payments[1]: must be manual or sandbox_card": {BaseURL: "https://shop.example", SessionSecret: testSecret,
			Payments: []string{"manual", "paypal"}},
	}
	for want, o := range cases {
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want an error naming %s", err, want)
		}
	}
	if _, err := New(Deps{}, ok); err == nil {
		t.Error("New accepted empty Deps")
	}
}
