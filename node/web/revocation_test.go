package web

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// copyOf is another browser holding b's cookies: a copied session.
func copyOf(b *browser) *browser {
	return &browser{t: b.t, handler: b.handler, cookies: maps.Clone(b.cookies)}
}

func TestMerchantSignOutEndsCopiedSessions(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.signInMerchant(h.token)
	copied := copyOf(b)
	wantStatus(t, copied.get("/merchant"), http.StatusOK)
	other := h.browser() // the same merchant on another device
	other.signInMerchant(h.token)
	h.clock.Advance(time.Second)
	wantRedirect(t, b.post("/merchant/signout", url.Values{"csrf": {csrf(t, b.get("/merchant"))}}), "/merchant/signin?done=signed-out")
	// The cookie copied before the sign-out is signed, unexpired and
	// holds a token that still works, but its session is over.
	wantRedirect(t, copied.get("/merchant"), "/merchant/signin")
	wantRedirect(t, other.get("/merchant"), "/merchant/signin")
	// Signing in again, even within the same second, starts a live session.
	b.signInMerchant(h.token)
	wantStatus(t, b.get("/merchant"), http.StatusOK)
}

func TestOperatorSignOutEndsCopiedSessions(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	copied := copyOf(b)
	wantStatus(t, copied.get("/operator"), http.StatusOK)
	lines := openEvents(t, h, copied, "/operator/events")
	for nextLine(t, lines) != "event: members" {
	}
	h.clock.Advance(time.Second)
	wantRedirect(t, b.post("/operator/signout", url.Values{"csrf": {csrf(t, b.get("/operator"))}}), "/operator/signin?done=signed-out")
	wantRedirect(t, copied.get("/operator/merchants"), "/operator/signin")
	// The copy's live updates end too.
	for nextLine(t, lines) != "event: signedout" {
	}
	waitEnd(t, lines)
	wantStatus(t, h.operator().get("/operator"), http.StatusOK)
}

func TestOperatorReplacesAMerchantsToken(t *testing.T) {
	h := newHarness(t)
	m := h.browser()
	m.signInMerchant(h.token)
	op := h.operator()
	list := op.get("/operator/merchants")
	link := `href="/operator/merchants/` + h.merchant.ID + `/token"`
	if !strings.Contains(list.Body, link) {
		t.Fatalf("the merchants page has no link to replace the token:\n%s", list.Body)
	}
	confirm := op.get("/operator/merchants/" + h.merchant.ID + "/token")
	wantStatus(t, confirm, http.StatusOK)
	wantText(t, confirm, "The current token stops working at once")
	done := op.post("/operator/merchants/"+h.merchant.ID+"/token", url.Values{"csrf": {csrf(t, confirm)}})
	wantStatus(t, done, http.StatusOK)
	token := regexpToken.FindStringSubmatch(done.Body)
	if token == nil || token[1] == h.token || done.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("no new token shown, or the page may be cached:\n%s", done.Body)
	}
	// The merchant's session ended with the old token; the new one signs in.
	wantRedirect(t, m.get("/merchant"), "/merchant/signin")
	r := h.browser().submit("/merchant/signin", "/merchant/signin", url.Values{"token": {h.token}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	h.browser().signInMerchant(token[1])
	wantStatus(t, op.get("/operator/merchants/nobody/token"), http.StatusNotFound)
	// Only the operator may.
	wantRedirect(t, h.browser().get("/operator/merchants/"+h.merchant.ID+"/token"), "/operator/signin")
}

var regexpToken = regexp.MustCompile(`<code class="token" id="new-token">([^<]+)</code>`)
