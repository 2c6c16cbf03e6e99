package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/indexer"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// members admits every origin the test registers.
type members struct {
	mu  sync.RWMutex // guards ids
	ids map[string]bool
}

func (m *members) IsMember(id string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.ids[id]
}

func (m *members) add(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ids[id] = true
}

// fakeFederation is a federation whose state the test sets.
type fakeFederation struct {
	mu      sync.Mutex // guards charter and states
	charter *federation.SignedCharter
	states  []federation.MemberState
}

func (f *fakeFederation) Members() []federation.MemberState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]federation.MemberState(nil), f.states...)
}

func (f *fakeFederation) Charter() (*federation.SignedCharter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.charter == nil {
		return nil, federation.ErrNoCharter
	}
	return f.charter, nil
}

// clock is a settable clock for the pages.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// node is one platform's catalog for the tests.
type node struct {
	db  *badger.DB
	cat *catalog.Catalog
	key crypto.PrivKey
	id  peer.ID

	mu   sync.Mutex // guards raws
	raws [][]byte   // records it signed, as gossip would carry them
}

// harness is this node ("Alpha Market", with a real catalog and search
// index over in-memory Badger) and another member ("Beta Bazaar") whose
// records it applies, served by a Web.
type harness struct {
	t        *testing.T
	self     *node
	other    *node
	index    *search.Index
	fed      *fakeFederation
	clock    *clock
	web      *Web
	opts     Options
	orders   *fakeOrders     // the order service (orders_fake_test.go)
	settle   *fakeSettlement // settlement (dashboard_fake_test.go)
	repl     *fakeReplication
	amend    *fakeAmendments
	budgets  *budget.Budgets // nil: no per-client limits
	merchant catalog.Merchant
	token    string
}

const (
	testBaseURL  = "https://alpha.example"
	testOperator = "op-secret-token"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

func newHarness(t *testing.T) *harness {
	t.Helper()
	ms := &members{ids: map[string]bool{}}
	h := &harness{t: t, index: search.New(), fed: &fakeFederation{}, clock: &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
	h.self, h.other = newNode(t, ms), newNode(t, ms)
	h.self.cat.OnChange(func(ch catalog.Change) { indexer.Apply(h.index, ch) })
	h.fed.charter = testCharter(h.self.id, h.other.id)
	h.fed.states = []federation.MemberState{{PeerID: h.other.id, Name: "Beta Bazaar", Status: federation.StatusActive,
		Connected: true, Reachable: true, LastSeen: h.clock.Now().Add(-3 * time.Second), RTT: 3200 * time.Microsecond}}
	var err error
	h.merchant, h.token, err = h.self.cat.CreateMerchant(context.Background(), "Alpha Goods & Co")
	if err != nil {
		t.Fatal(err)
	}
	h.orders, h.settle, h.repl, h.amend = newFakeOrders(h), newFakeSettlement(h), newFakeReplication(h), newFakeAmendments(h)
	h.opts = Options{BaseURL: testBaseURL, SessionSecret: testSecret, OperatorToken: testOperator, EventInterval: 50 * time.Millisecond,
		Payments: []string{order.MethodSandboxCard, order.MethodManual}}
	h.web = h.newWeb(h.opts)
	return h
}

// newWeb builds a Web over the harness's services with opts.
func (h *harness) newWeb(opts Options) *Web {
	h.t.Helper()
	c := h.self.cat
	wb, err := New(Deps{Search: h.index, Listings: c, Merchants: c, Editor: c, Federation: h.fed, Now: h.clock.Now,
		Orders: h.orders, Settlement: h.settle, Replication: h.repl, Amendments: h.amend, DB: h.self.db, Budgets: h.budgets}, opts)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = wb.Close() })
	return wb
}

func newNode(t *testing.T, ms *members) *node {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{db: db, key: key}
	if n.id, err = peer.IDFromPrivateKey(key); err != nil {
		t.Fatal(err)
	}
	ms.add(n.id.String())
	cfg := catalog.DefaultConfig()
	cfg.Currency = "EUR"
	if n.cat, err = catalog.Open(cfg, db, key, ms, nil, nil); err != nil {
		t.Fatal(err)
	}
	n.cat.OnChange(func(ch catalog.Change) {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.raws = append(n.raws, ch.Raw)
	})
	return n
}

func testCharter(self, other peer.ID) *federation.SignedCharter {
	return &federation.SignedCharter{
		Charter: federation.Charter{FederationID: "test-fed", Name: "Test Federation", Version: 2,
			Previous: strings.Repeat("ab", 32), Currency: "EUR", Period: federation.Duration(24 * time.Hour),
			Policy: federation.Policy{StorefrontCommissionBPS: 250, FederationFeeBPS: 50, Treasury: self.String(),
				PayableOn: federation.PayableOnDelivered},
			Members: []federation.Member{
				{PeerID: self.String(), Name: "Alpha Market", API: testBaseURL, Status: federation.StatusActive},
				{PeerID: other.String(), Name: "Beta Bazaar", API: "https://beta.example", Status: federation.StatusActive},
			}},
		Signatures: []federation.Signature{{PeerID: self.String(), Signature: "c2lnbmF0dXJlLW9mLWFscGhh"}},
	}
}

// input is a valid listing input.
func input(title, brand, category string, price, stock int64) catalog.ListingInput {
	return catalog.ListingInput{Title: title, Brand: brand, Category: category, Description: "A fine " + title,
		Images: []string{"https://img.example/" + url.PathEscape(title) + ".jpg"}, ShippingRegions: []string{"DE", "FR"},
		Variants: []catalog.Variant{{SKU: nextSKU(), Price: catalog.Money{Amount: price, Currency: "EUR"}, Stock: stock}}}
}

// skuCount numbers the SKUs input makes, unique across a test binary.
var skuCount atomic.Int64

func nextSKU() string { return fmt.Sprintf("SKU-%d", skuCount.Add(1)) }

// list creates a listing of this node's merchant.
func (h *harness) list(in catalog.ListingInput) catalog.Listing {
	h.t.Helper()
	l, err := h.self.cat.CreateListing(context.Background(), h.merchant.ID, in)
	if err != nil {
		h.t.Fatal(err)
	}
	return l
}

// listOther creates a listing on the other member and replicates it here.
func (h *harness) listOther(in catalog.ListingInput) catalog.Listing {
	h.t.Helper()
	ctx := context.Background()
	m, _, err := h.other.cat.CreateMerchant(ctx, "Beta Seller")
	if err != nil {
		h.t.Fatal(err)
	}
	l, err := h.other.cat.CreateListing(ctx, m.ID, in)
	if err != nil {
		h.t.Fatal(err)
	}
	h.other.mu.Lock()
	raws := h.other.raws
	h.other.raws = nil
	h.other.mu.Unlock()
	for _, raw := range raws {
		if _, err := h.self.cat.Apply(raw); err != nil {
			h.t.Fatal(err)
		}
	}
	return l
}

// browser is one visitor: it keeps the cookies the pages set.
type browser struct {
	t       *testing.T
	handler http.Handler
	cookies map[string]*http.Cookie
	addr    string // the client's address; "" is httptest's 192.0.2.1
}

func (h *harness) browser() *browser {
	return &browser{t: h.t, handler: h.web.Handler(), cookies: map[string]*http.Cookie{}}
}

// response is what a page answered.
type response struct {
	Code   int
	Header http.Header
	Body   string
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	if b.addr != "" {
		req.RemoteAddr = b.addr + ":40000"
	}
	rec := httptest.NewRecorder()
	b.handler.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
			continue
		}
		b.cookies[c.Name] = c
	}
	body, _ := io.ReadAll(res.Body)
	return response{Code: res.StatusCode, Header: res.Header, Body: string(body)}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	return b.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of a page's forms.
func csrf(t *testing.T, r response) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", r.Body)
	}
	return m[1]
}

// submit loads the page at formPath and posts form to action with its
// CSRF token.
func (b *browser) submit(formPath, action string, form url.Values) response {
	b.t.Helper()
	page := b.get(formPath)
	form.Set("csrf", csrf(b.t, page))
	return b.post(action, form)
}

// signInMerchant signs b in with token and checks the redirect.
func (b *browser) signInMerchant(token string) {
	b.t.Helper()
	r := b.submit("/merchant/signin", "/merchant/signin", url.Values{"token": {token}})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/merchant" {
		b.t.Fatalf("merchant sign-in: %d %s\n%s", r.Code, r.Header.Get("Location"), r.Body)
	}
}

// wantStatus fails unless r has the status.
func wantStatus(t *testing.T, r response, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("status %d, want %d\n%s", r.Code, code, r.Body)
	}
}
