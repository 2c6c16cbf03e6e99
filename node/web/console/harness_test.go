package console

import (
	"net/http"
	"testing"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/storefront"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// harness serves the console over the webtest members, with the
// storefront beside it: the parts a merchant ships come from shoppers'
// checkouts, and the shopper sees what the merchant did.
type harness struct {
	*webtest.Harness
	opts    web.Options
	editor  ListingEditor // Alpha's catalog unless a test says otherwise
	site    *web.Site
	console *Console
	handler http.Handler
	// sponsored fills the storefront's sponsored slots; nil: none.
	sponsored storefront.Sponsored
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{Harness: webtest.New(t), opts: webtest.Options()}
	h.editor = h.Self.Cat
	h.rebuild()
	return h
}

// rebuild builds the site, the console and the storefront again, after a
// test changed the options or the editor.
func (h *harness) rebuild() {
	h.T.Helper()
	h.site = h.Site(h.opts)
	var err error
	h.console, err = New(h.site, Deps{Merchants: h.Self.Cat, Editor: h.editor, Parts: h.Self.Orders, Earnings: h.Settlement,
		Pictures: h.Self.Media.Store(), Profiles: h.Self.Cat, Offers: h.Self.Cat, Uptake: h.Self.Orders,
		Campaigns: h.Self.Cat, AdSpend: h.Self.Orders})
	if err != nil {
		h.T.Fatal(err)
	}
	o := h.Self.Orders
	store, err := storefront.New(h.site, storefront.Deps{Search: h.Index, Listings: h.Self.Cat, Merchants: h.Self.Cat,
		Shoppers: o, Carts: o, Orders: o, Profiles: h.Self.Cat, Sponsored: h.sponsored}, storefront.Options{Payments: []string{order.MethodSandboxCard}})
	if err != nil {
		h.T.Fatal(err)
	}
	h.handler = h.site.Handler(h.console, store)
}

// browser is a new visitor.
func (h *harness) browser() *webtest.Browser { return webtest.NewBrowser(h.T, h.handler) }

// shopper is a new shopper's browser, signed in.
func (h *harness) shopper() *webtest.Browser { return webtest.SignUp(h.browser()) }
