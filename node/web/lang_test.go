package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A visitor's language is the one they picked (remembered in a cookie),
// else their browser's, else English; every page says which it is in and
// links its other languages.
func TestLanguageChoice(t *testing.T) {
	h := newHarness(t)
	page := func(path, accept string, cookies ...*http.Cookie) string {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	for _, tc := range []struct {
		name, accept, lang, nav string
	}{
		{"no preference", "", `<html lang="en">`, ">Cart</a>"},
		{"a Chinese browser", "zh-CN,zh;q=0.9,en;q=0.5", `<html lang="zh-CN">`, ">购物车</a>"},
		{"a German browser", "de-DE,de;q=0.9", `<html lang="en">`, ">Cart</a>"},
	} {
		body := page("/", tc.accept)
		if !strings.Contains(body, tc.lang) || !strings.Contains(body, tc.nav) {
			t.Errorf("%s: the home page lacks %s or %s", tc.name, tc.lang, tc.nav)
		}
	}

	// The selector's link sets the cookie; the cookie outweighs the browser.
	b := h.browser()
	r := b.Get("/?lang=zh-CN")
	wantContains(t, r.Body, `<html lang="zh-CN">`, `<link rel="alternate" hreflang="en" href="`+h.opts.BaseURL+`/?lang=en">`,
		`<link rel="alternate" hreflang="zh-CN" href="`+h.opts.BaseURL+`/?lang=zh-CN">`, `lang="zh-CN" hreflang="zh-CN" aria-current="true">简体中文</a>`)
	if r := b.Get("/search?q=x&lang=zh-CN"); strings.Contains(r.Body, `rel="alternate" hreflang`) || !strings.Contains(r.Body, `href="/search?lang=en&amp;q=x"`) {
		t.Error("a noindex page has hreflang alternates, or its selector drops its query")
	}
	c := b.Cookies["lang"]
	if c == nil || c.Value != "zh-CN" || !c.HttpOnly || c.MaxAge <= 0 {
		t.Fatalf("the selector did not remember zh-CN: %+v", c)
	}
	if body := page("/cart", "en-US", c); !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, "购物车") {
		t.Error("the remembered choice does not outweigh Accept-Language")
	}
	if r := b.Get("/?lang=en"); !strings.Contains(r.Body, `<html lang="en">`) || b.Cookies["lang"].Value != "en" {
		t.Error("choosing English again does not stick")
	}
	if r := b.Get("/?lang=klingon"); !strings.Contains(r.Body, `<html lang="en">`) || b.Cookies["lang"].Value != "en" {
		t.Error("an unknown language changed the choice")
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if v := rec.Header().Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept-Language") {
		t.Errorf("Vary is %q: caches would serve one language to all", v)
	}
}

// The console's chrome follows the merchant's choice too.
func TestConsoleNavigationInChinese(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	r := b.Get("/merchant?lang=zh-CN")
	wantContains(t, r.Body, `<html lang="zh-CN">`, `aria-label="商家后台"`, `href="/merchant/listings/new">新建商品</a>`, `>退出登录</button>`)
	r = b.Get("/merchant?lang=en")
	wantContains(t, r.Body, `aria-label="Merchant console"`, `href="/merchant/listings/new">New listing</a>`)
}

func wantContains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("the page lacks %s", w)
		}
	}
}
