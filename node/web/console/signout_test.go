package console

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestMerchantSignOutEndsCopiedSessions(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	copied := b.Copy()
	webtest.WantStatus(t, copied.Get("/merchant"), http.StatusOK)
	other := h.browser() // the same merchant on another device
	other.SignInMerchant(h.Token)
	h.Clock.Advance(time.Second)
	webtest.WantRedirect(t, b.Post("/merchant/signout", url.Values{"csrf": {webtest.CSRF(t, b.Get("/merchant"))}}), "/merchant/signin?done=signed-out")
	// The cookie copied before the sign-out is signed, unexpired and
	// holds a token that still works, but its session is over.
	webtest.WantRedirect(t, copied.Get("/merchant"), "/merchant/signin")
	webtest.WantRedirect(t, other.Get("/merchant"), "/merchant/signin")
	// Signing in again, even within the same second, starts a live session.
	b.SignInMerchant(h.Token)
	webtest.WantStatus(t, b.Get("/merchant"), http.StatusOK)
}
