package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/console"
	"github.com/fedmart/fedmart/node/web/dashboard"
	"github.com/fedmart/fedmart/node/web/storefront"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// harness serves the whole site, the three audiences over one kit as
// node/pages.go builds them, for what crosses them: sessions and their
// cookie, CSRF, sign-outs, budgets shared by every sign-in, and what
// every page carries.
type harness struct {
	*webtest.Harness
	opts     web.Options
	payments []string
	site     *web.Site
	handler  http.Handler
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{Harness: webtest.New(t), opts: webtest.Options(), payments: []string{order.MethodSandboxCard, order.MethodManual}}
	h.rebuild()
	return h
}

// rebuild composes the site again, after a test changed the options, the
// payment methods or the budgets.
func (h *harness) rebuild() {
	h.T.Helper()
	h.site = h.Site(h.opts)
	o, c := h.Self.Orders, h.Self.Cat
	store, err := storefront.New(h.site, storefront.Deps{Search: h.Index, Listings: c, Merchants: c, Shoppers: o, Carts: o, Orders: o, Profiles: c},
		storefront.Options{Payments: h.payments})
	if err != nil {
		h.T.Fatal(err)
	}
	merchants, err := console.New(h.site, console.Deps{Merchants: c, Editor: c, Parts: o, Earnings: h.Settlement})
	if err != nil {
		h.T.Fatal(err)
	}
	box, err := mail.Open(h.Self.DB, mail.DefaultConfig(), mail.Options{}, nil, nil)
	if err != nil {
		h.T.Fatal(err)
	}
	operator, err := dashboard.New(h.site, dashboard.Deps{Federation: h.Fed, Amendments: noAmendments{}, Merchants: c, Orders: o,
		Settlement: h.Settlement, Replication: noReplication{}, Mail: box}, dashboard.Options{OperatorToken: webtest.Operator, EventInterval: 50 * time.Millisecond})
	if err != nil {
		h.T.Fatal(err)
	}
	h.handler = h.site.Handler(store, merchants, operator)
}

// browser is a new visitor of the site.
func (h *harness) browser() *webtest.Browser { return webtest.NewBrowser(h.T, h.handler) }

// operator returns a browser signed in as the operator.
func (h *harness) operator() *webtest.Browser {
	h.T.Helper()
	b := h.browser()
	if r := b.SignInOperator(webtest.Operator); r.Code != http.StatusSeeOther {
		h.T.Fatalf("operator sign-in: %d", r.Code)
	}
	return b
}

// placedCount is how many orders the storefront placed today.
func (h *harness) placedCount() int {
	h.T.Helper()
	now := h.Clock.Now()
	points, err := h.Self.Orders.Flow(h.T.Context(), now.Add(-24*time.Hour), time.Hour)
	if err != nil {
		h.T.Fatal(err)
	}
	n := 0
	for _, p := range points {
		n += p.Placed
	}
	return n
}
