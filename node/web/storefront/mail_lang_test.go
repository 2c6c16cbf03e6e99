package storefront

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestSignupRecordsPageLanguage: the account remembers the language of
// the pages the shopper signed up in, the one picked with the selector,
// so that the storefront's e-mails speak it.
func TestSignupRecordsPageLanguage(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		email string
		picks []string // the selector's links followed, in turn
		want  string
	}{
		{"en@example.org", nil, "en"},
		{"picked@example.cn", []string{"zh-CN"}, "zh"},
		{"back@example.org", []string{"zh-CN", "en"}, "en"},
	} {
		b := h.browser()
		for _, pick := range tc.picks {
			webtest.WantStatus(t, b.Get("/?lang="+pick), http.StatusOK)
		}
		form := url.Values{"name": {"Li Lei"}, "email": {tc.email}, "password": {"correct horse"}}
		webtest.WantRedirect(t, b.Submit("/signup", "/signup", form), "/cart?done=welcome")
		sh, err := h.Self.Orders.ShopperByEmail(t.Context(), tc.email)
		if err != nil {
			t.Fatal(err)
		}
		if sh.Lang != tc.want {
			t.Errorf("picked %q: the account's language is %q, want %q", tc.picks, sh.Lang, tc.want)
		}
	}
}
