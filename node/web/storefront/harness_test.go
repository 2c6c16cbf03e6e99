package storefront

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// harness serves the storefront over the webtest members: Alpha's real
// catalog, search index and order service, with Beta's order service
// behind the in-memory transport.
type harness struct {
	*webtest.Harness
	opts     web.Options
	payments []string
	// guestCheckout is Options.GuestCheckout.
	guestCheckout bool
	// country is Options.Country.
	country  string
	shoppers Shoppers // Alpha's order service unless a test says otherwise
	mail     MailPreferences
	orders   *refusing
	site     *web.Site
	store    *Storefront
	handler  http.Handler
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{Harness: webtest.New(t), opts: webtest.Options(), payments: []string{order.MethodSandboxCard, order.MethodManual}}
	h.shoppers, h.orders = h.Self.Orders, &refusing{Carts: h.Self.Orders}
	h.rebuild()
	return h
}

// rebuild builds the site and the storefront again, after a test changed
// the options, the payment methods or the budgets.
func (h *harness) rebuild() {
	h.T.Helper()
	h.site = h.Site(h.opts)
	var err error
	h.store, err = New(h.site, Deps{Search: h.Index, Listings: h.Self.Cat, Merchants: h.Self.Cat, Shoppers: h.shoppers,
		Carts: h.orders, Orders: h.Self.Orders, Profiles: h.Self.Cat, Mail: h.mail, Points: h.Self.Orders},
		Options{Payments: h.payments, GuestCheckout: h.guestCheckout, Country: h.country})
	if err != nil {
		h.T.Fatal(err)
	}
	h.handler = h.site.Handler(h.store)
}

// browser is a new visitor of the storefront.
func (h *harness) browser() *webtest.Browser { return webtest.NewBrowser(h.T, h.handler) }

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

// refusing is the order service with one checkout's answer forced. It
// stays a fake for the answers a federation in one process does not give
// on demand: a plain order.ErrUnavailable, a key that placed another
// order, a platform holding no line of the cart reported down beside
// one that is (Unreachable makes a real member stop answering).
type refusing struct {
	Carts
	mu   sync.Mutex // guards next
	next error
}

// failNext makes the next checkout answer err.
func (f *refusing) failNext(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next = err
}

// Checkout answers the forced error once, else asks the order service.
func (f *refusing) Checkout(ctx context.Context, shopper, cartID, key string, req order.CheckoutRequest) (order.Order, bool, error) {
	f.mu.Lock()
	err := f.next
	f.next = nil
	f.mu.Unlock()
	if err != nil {
		return order.Order{}, false, err
	}
	return f.Carts.Checkout(ctx, shopper, cartID, key, req)
}
