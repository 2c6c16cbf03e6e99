package storefront

import (
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// A replicated listing's page names its home member's page as
// canonical, in the link, og:url and the JSON-LD; the home's own page
// is canonical to itself. Both carry a Twitter card.
func TestListingCanonicalIsOnItsHomeStorefront(t *testing.T) {
	h := newHarness(t)
	own := h.List(webtest.Input("Cast iron pan", "Acme", "Home > Kitchen", 4500, 2))
	remote := h.ListOther(webtest.Input("Wool socks", "Knitwear", "Clothing", 1200, 10))
	for _, tc := range []struct{ id, want string }{
		{own.ID, webtest.BaseURL + web.ListingURL(own.ID)},
		{remote.ID, "https://beta.example" + web.ListingURL(remote.ID)},
	} {
		body := h.browser().Get(web.ListingURL(tc.id)).Body
		for _, want := range []string{`<link rel="canonical" href="` + tc.want + `">`, `<meta property="og:url" content="` + tc.want + `">`,
			`"url":"` + tc.want + `"`, `<meta name="twitter:card" content="summary_large_image">`} {
			if !strings.Contains(body, want) {
				t.Errorf("page of %s lacks %s", tc.id, want)
			}
		}
		if strings.Contains(body, `name="robots"`) {
			t.Errorf("page of %s is kept out of the index", tc.id)
		}
	}
}
