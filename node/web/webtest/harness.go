package webtest

import (
	"context"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/indexer"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/web"
)

// The site's address and secrets in the tests.
const (
	BaseURL  = "https://alpha.example"
	Operator = "op-secret-token"
)

// Secret is the session secret of the tests' sites.
var Secret = []byte("0123456789abcdef0123456789abcdef")

// Harness is this node ("Alpha Market", Self) and another member ("Beta
// Bazaar", Other), each with a real catalog and order service over
// in-memory Badger, and what the pages read besides.
type Harness struct {
	T     *testing.T
	Self  *Node
	Other *Node
	// Index is Self's search index, fed by its catalog.
	Index *search.Index
	Fed   *Federation
	Clock *Clock
	// Settlement is the settlement view the console and dashboard read.
	Settlement *Settlement
	// Budgets are the per-client budgets Site uses; nil limits nothing.
	Budgets *budget.Budgets
	// Merchant is one of Self's merchants, signed in with Token.
	Merchant catalog.Merchant
	Token    string

	net     *memNet
	media   *mediaNet
	terms   atomic.Pointer[order.ServiceTerms]
	loyalty atomic.Pointer[order.LoyaltyTerms]
	ads     atomic.Pointer[order.AdTerms]
}

// SetLoyalty sets the charter's loyalty policy both members' order
// services read, at every policy version (by default none: no points).
func (h *Harness) SetLoyalty(t order.LoyaltyTerms) { h.loyalty.Store(&t) }

func (h *Harness) loyaltyAt(uint64) (order.LoyaltyTerms, bool) {
	if t := h.loyalty.Load(); t != nil {
		return *t, true
	}
	return order.LoyaltyTerms{}, false
}

// SetTerms sets the charter's complaint terms both members' order
// services read (by default none: 48h and 14 days, no arbiter).
func (h *Harness) SetTerms(t order.ServiceTerms) { h.terms.Store(&t) }

func (h *Harness) termsNow() order.ServiceTerms {
	if t := h.terms.Load(); t != nil {
		return *t
	}
	return order.ServiceTerms{}
}

// New makes the two members, their charter and states, and a merchant
// on Self.
func New(t *testing.T) *Harness {
	t.Helper()
	ms := &members{ids: map[string]bool{}}
	h := &Harness{T: t, Index: search.New(), Fed: &Federation{}, Clock: NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)),
		Settlement: NewSettlement(), net: newMemNet(), media: &mediaNet{members: map[string]*media.Service{}}}
	h.Self, h.Other = newNode(t, ms), newNode(t, ms)
	h.Self.startMedia(t, h.media)
	h.Other.startMedia(t, h.media)
	h.Self.Cat.OnChange(func(ch catalog.Change) { indexer.Apply(h.Index, ch) })
	h.Self.startOrders(t, h.net, h.Clock, h.termsNow, h.loyaltyAt, h.adsAt)
	h.Other.startOrders(t, h.net, h.Clock, h.termsNow, h.loyaltyAt, h.adsAt)
	h.Fed.charter = testCharter(h.Self.ID, h.Other.ID)
	h.Fed.states = []federation.MemberState{{PeerID: h.Other.ID, Name: OtherName, Status: federation.StatusActive,
		Connected: true, Reachable: true, LastSeen: h.Clock.Now().Add(-3 * time.Second), RTT: 3200 * time.Microsecond}}
	var err error
	h.Merchant, h.Token, err = h.Self.Cat.CreateMerchant(context.Background(), "Alpha Goods & Co")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Options are the site options of the tests: https, so that the cookie
// has its __Host- name, and test payments on.
func Options() web.Options {
	return web.Options{BaseURL: BaseURL, SessionSecret: Secret, TestPayments: true}
}

// Site builds the shared page kit over Self with opts, closed when the
// test ends.
func (h *Harness) Site(opts web.Options) *web.Site {
	h.T.Helper()
	site, err := web.New(web.Deps{Charter: h.Fed, Platform: h.Self.Cat.Platform(), DB: h.Self.DB, Budgets: h.Budgets, Now: h.Clock.Now,
		Media: h.Self.Media}, opts)
	if err != nil {
		h.T.Fatal(err)
	}
	h.T.Cleanup(func() { _ = site.Close() })
	return site
}

// Unreachable makes Other not answer (or, with down false, answer again):
// its order service takes no request, and Self sees it unreachable.
func (h *Harness) Unreachable(down bool) { h.net.setDown(h.Other.ID.String(), down) }

// Input is a valid listing input with one variant.
func Input(title, brand, category string, price, stock int64) catalog.ListingInput {
	return catalog.ListingInput{Title: title, Brand: brand, Category: category, Description: "A fine " + title,
		Images: []string{"https://img.example/" + url.PathEscape(title) + ".jpg"}, ShippingRegions: []string{"DE", "FR", "GB"},
		Variants: []catalog.Variant{{SKU: NextSKU(), Price: catalog.Money{Amount: price, Currency: "EUR"}, Stock: stock}}}
}

// skuCount numbers the SKUs Input makes, unique across a test binary.
var skuCount atomic.Int64

// NextSKU is a SKU no other listing of the test binary has.
func NextSKU() string { return fmt.Sprintf("SKU-%d", skuCount.Add(1)) }

// List creates a listing of Self's merchant.
func (h *Harness) List(in catalog.ListingInput) catalog.Listing {
	h.T.Helper()
	l, err := h.Self.Cat.CreateListing(context.Background(), h.Merchant.ID, in)
	if err != nil {
		h.T.Fatal(err)
	}
	return l
}

// ListOther creates a listing of a merchant of Other and replicates it to
// Self.
func (h *Harness) ListOther(in catalog.ListingInput) catalog.Listing {
	h.T.Helper()
	ctx := context.Background()
	m, _, err := h.Other.Cat.CreateMerchant(ctx, "Beta Seller")
	if err != nil {
		h.T.Fatal(err)
	}
	l, err := h.Other.Cat.CreateListing(ctx, m.ID, in)
	if err != nil {
		h.T.Fatal(err)
	}
	h.Replicate()
	return l
}

// Replicate applies on Self every record Other signed since the last
// time, as gossip would.
func (h *Harness) Replicate() {
	h.T.Helper()
	for _, raw := range h.Other.takeRecords() {
		if _, err := h.Self.Cat.Apply(raw); err != nil {
			h.T.Fatal(err)
		}
	}
}
