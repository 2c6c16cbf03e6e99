package storefront

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/prometheus/client_golang/prometheus"
)

// withMail gives the storefront a real mail queue on Alpha's Badger, its
// unsubscribe links signed as the node signs them.
func (h *harness) withMail() *mail.Queue {
	h.T.Helper()
	q, err := mail.Open(h.Self.DB, mail.DefaultConfig(), mail.Options{Secret: []byte("node secret"), UnsubscribeURL: func() string { return "http://alpha.example/mail/unsubscribe" }}, nil, prometheus.NewRegistry())
	if err != nil {
		h.T.Fatal(err)
	}
	h.mail = q
	h.rebuild()
	return q
}

// pathOf is the storefront path of an unsubscribe link.
func pathOf(t *testing.T, link string) string {
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

// TestUnsubscribeLink: the link of a notification shows the address's
// preference without a sign-in, in the letter's language; its button
// turns notifications off and back on; a mail client's one-click POST
// (RFC 8058) turns them off without a session; a forged token changes
// nothing.
func TestUnsubscribeLink(t *testing.T) {
	h := newHarness(t)
	q := h.withMail()
	ctx := t.Context()
	link := pathOf(t, q.UnsubscribeURL("ada@example.org", "en"))
	b := h.browser()
	r := b.Get(link)
	webtest.WantStatus(t, r, 200)
	webtest.WantText(t, r, "are on")
	r = b.Post(link, url.Values{})
	if off, _ := q.Unsubscribed(ctx, "ada@example.org"); !off {
		t.Fatalf("the button did not unsubscribe: %d %s", r.Code, r.Body)
	}
	r = b.Get(link)
	webtest.WantText(t, r, "are off")
	webtest.WantText(t, r, "Turn notifications back on")
	b.Post(link, url.Values{"on": {"1"}})
	if off, _ := q.Unsubscribed(ctx, "ada@example.org"); off {
		t.Fatal("the button did not turn notifications back on")
	}

	// a mail client's one-click POST, with no session or CSRF token
	req := httptest.NewRequest("POST", link, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, req)
	if off, _ := q.Unsubscribed(ctx, "ada@example.org"); w.Code != http.StatusOK || !off {
		t.Fatalf("one-click unsubscribe: %d, off %v", w.Code, off)
	}

	// a token for another address, or none, is refused and changes nothing
	forged := strings.Replace(link, "ada%40example.org", "eve%40example.org", 1)
	req = httptest.NewRequest("POST", forged, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = httptest.NewRecorder()
	h.handler.ServeHTTP(w, req)
	if off, _ := q.Unsubscribed(ctx, "eve@example.org"); w.Code != http.StatusNotFound || off {
		t.Errorf("a forged link: %d, off %v", w.Code, off)
	}
	webtest.WantStatus(t, b.Get("/mail/unsubscribe?a=ada%40example.org"), 404)
	// other POSTs still need their CSRF token
	req = httptest.NewRequest("POST", "/signout", strings.NewReader(""))
	w = httptest.NewRecorder()
	h.handler.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden {
		t.Errorf("a POST without a CSRF token elsewhere: %d", w.Code)
	}

	// the Chinese letter's link opens the page in Chinese
	r = b.Get(pathOf(t, q.UnsubscribeURL("li@example.cn", "zh")))
	if !strings.Contains(r.Body, `<html lang="zh">`) {
		t.Errorf("the Chinese page's language:\n%s", r.Body)
	}
	webtest.WantText(t, r, "退订通知")
}

// TestUnsubscribeInChromium looks at the unsubscribe page in English and
// Chinese at a phone's and a desktop's size: nothing overflows on the
// phone, and the button turns notifications off without JavaScript.
func TestUnsubscribeInChromium(t *testing.T) {
	h := newHarness(t)
	q := h.withMail()
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		for _, lang := range []string{"en", "zh"} {
			addr := fmt.Sprintf("shopper-%s-%d@example.org", lang, size.w)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+pathOf(t, q.UnsubscribeURL(addr, lang))), chromedp.WaitVisible(chromedp.CSS(`#toggle`)),
				chromedp.Click(chromedp.CSS(`#toggle`)), chromedp.WaitVisible(chromedp.CSS(`.narrow .notice`))); err != nil {
				t.Fatal(err)
			}
			if off, _ := q.Unsubscribed(t.Context(), addr); !off {
				t.Errorf("%s at %d: the button did not unsubscribe", lang, size.w)
			}
			check.Shoot(t, ctx, shots, fmt.Sprintf("unsubscribe-%s-%d.png", lang, size.w), size.w, "unsubscribe page ("+lang+")")
		}
	}
}
