package dashboard

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestOperatorSignOutEndsCopiedSessions(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	copied := b.Copy()
	webtest.WantStatus(t, copied.Get("/operator"), http.StatusOK)
	lines := openEvents(t, h, copied, "/operator/events")
	for nextLine(t, lines) != "event: members" {
	}
	h.Clock.Advance(time.Second)
	webtest.WantRedirect(t, b.Post("/operator/signout", url.Values{"csrf": {webtest.CSRF(t, b.Get("/operator"))}}), "/operator/signin?done=signed-out")
	webtest.WantRedirect(t, copied.Get("/operator/merchants"), "/operator/signin")
	// The copy's live updates end too.
	for nextLine(t, lines) != "event: signedout" {
	}
	waitEnd(t, lines)
	webtest.WantStatus(t, h.operator().Get("/operator"), http.StatusOK)
}

func TestOperatorReplacesAMerchantsToken(t *testing.T) {
	h := newHarness(t)
	m := h.browser()
	m.SignInMerchant(h.Token)
	op := h.operator()
	page := op.Get("/operator/merchants/" + h.Merchant.ID)
	link := `href="/operator/merchants/` + h.Merchant.ID + `/token"`
	if !strings.Contains(page.Body, link) {
		t.Fatalf("the merchant's page has no link to replace the token:\n%s", page.Body)
	}
	confirm := op.Get("/operator/merchants/" + h.Merchant.ID + "/token")
	webtest.WantStatus(t, confirm, http.StatusOK)
	webtest.WantText(t, confirm, "The current token stops working at once")
	done := op.Post("/operator/merchants/"+h.Merchant.ID+"/token", url.Values{"csrf": {webtest.CSRF(t, confirm)}})
	webtest.WantStatus(t, done, http.StatusOK)
	token := regexpToken.FindStringSubmatch(done.Body)
	if token == nil || token[1] == h.Token || done.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("no new token shown, or the page may be cached:\n%s", done.Body)
	}
	// The merchant's session ended with the old token; the new one signs in.
	webtest.WantRedirect(t, m.Get("/merchant"), "/merchant/signin")
	r := h.browser().Submit("/merchant/signin", "/merchant/signin", url.Values{"token": {h.Token}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	h.browser().SignInMerchant(token[1])
	webtest.WantStatus(t, op.Get("/operator/merchants/nobody/token"), http.StatusNotFound)
	// Only the operator may.
	webtest.WantRedirect(t, h.browser().Get("/operator/merchants/"+h.Merchant.ID+"/token"), "/operator/signin")
}

var regexpToken = regexp.MustCompile(`<code class="token" id="new-token">([^<]+)</code>`)
