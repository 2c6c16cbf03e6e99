package order

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// testClock is a settable clock shared by a test's members.
type testClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// catalogue is the federation's listings as every storefront sees them:
// the description and home of each listing. Each member's stock lives in
// its own Badger (see stockKeeper), as the catalog keeps it.
type catalogue struct {
	mu        sync.Mutex // guards listings and terms
	listings  map[string]catalog.Listing
	terms     map[string]catalog.ShippingTerms   // by listing id; free to GB, DE and FR in 2-5 days otherwise
	old       map[string]catalog.ShippingTerms   // by reader/listing id: see view
	profiles  map[string]catalog.MerchantProfile // by platform/merchant
	offers    map[string]catalog.Offer           // live offers by id
	oldOffers map[string][]catalog.Offer         // by reader: see staleOffers
}

// policies gives merchant of platform its terms of sale.
func (c *catalogue) policies(platform, merchant string, p catalog.Policies) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.profiles == nil {
		c.profiles = map[string]catalog.MerchantProfile{}
	}
	c.profiles[platform+"/"+merchant] = catalog.MerchantProfile{ID: catalog.FormatMerchantID(platform, merchant), Platform: platform,
		Merchant: merchant, Name: merchant, Policies: p, Version: 1}
}

// MerchantProfile reads a merchant's profile, as the replicated catalog
// does.
func (c *catalogue) MerchantProfile(_ context.Context, platform, merchant string) (catalog.MerchantProfile, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.profiles[platform+"/"+merchant]
	if !ok {
		return catalog.MerchantProfile{}, fmt.Errorf("%w: merchant profile %s/%s", catalog.ErrNotFound, platform, merchant)
	}
	return p, nil
}

// ship makes listing id ship under p, with handling days.
func (c *catalogue) ship(id string, p shipping.Profile, handling int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.terms == nil {
		c.terms = map[string]catalog.ShippingTerms{}
	}
	c.terms[id] = catalog.ShippingTerms{Profile: p, HandlingDays: handling}
}

// ShippingFor returns what ship set for l, or free shipping.
func (c *catalogue) ShippingFor(_ context.Context, l *catalog.Listing) (catalog.ShippingTerms, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.terms[l.ID]; ok {
		return t, nil
	}
	return catalog.ShippingTerms{HandlingDays: 1, Profile: shipping.Profile{ID: "free", Name: "Free", Zones: []shipping.Zone{
		{Name: "Europe", Countries: []string{"GB", "DE", "FR"}, Rates: []shipping.Rate{{Name: "Standard", Transit: shipping.Days{Min: 2, Max: 5}}}}}}}, nil
}

// offer publishes (or, with ended, ends) an offer of its merchant.
func (c *catalogue) offer(o catalog.Offer, ended bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.offers == nil {
		c.offers = map[string]catalog.Offer{}
	}
	c.offers[o.ID] = o
	if ended {
		delete(c.offers, o.ID)
	}
}

// Offers returns the live offers of merchant of platform.
func (c *catalogue) Offers(_ context.Context, platform, merchant string) ([]catalog.Offer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []catalog.Offer
	for _, o := range c.offers {
		if o.Platform == platform && o.Merchant == merchant {
			out = append(out, o)
		}
	}
	return out, nil
}

// staleOffers makes reader see offers (nil: the catalogue's again) for
// every merchant, as a copy not yet replicated.
func (c *catalogue) staleOffers(reader string, offers []catalog.Offer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.oldOffers == nil {
		c.oldOffers = map[string][]catalog.Offer{}
	}
	c.oldOffers[reader] = offers
	if offers == nil {
		delete(c.oldOffers, reader)
	}
}

// Offers returns the reader's stale offers, else the catalogue's.
func (v view) Offers(ctx context.Context, platform, merchant string) ([]catalog.Offer, error) {
	v.mu.Lock()
	old, ok := v.oldOffers[v.reader]
	v.mu.Unlock()
	if !ok {
		return v.catalogue.Offers(ctx, platform, merchant)
	}
	var out []catalog.Offer
	for _, o := range old {
		if o.Platform == platform && o.Merchant == merchant {
			out = append(out, o)
		}
	}
	return out, nil
}

// Carriers is the built-in table.
func (c *catalogue) Carriers() shipping.Table { return shipping.Carriers() }

// view is the catalogue as member reader sees it: shipping terms set
// with stale (an older copy of a record, not replicated yet) come first.
type view struct {
	*catalogue
	reader string
}

// stale makes reader see listing id ship under t until cleared (t zero).
func (c *catalogue) stale(reader, id string, t catalog.ShippingTerms) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.old == nil {
		c.old = map[string]catalog.ShippingTerms{}
	}
	c.old[reader+"/"+id] = t
	if t.Profile.ID == "" {
		delete(c.old, reader+"/"+id)
	}
}

// ShippingFor returns the reader's stale terms, else the catalogue's.
func (v view) ShippingFor(ctx context.Context, l *catalog.Listing) (catalog.ShippingTerms, error) {
	v.mu.Lock()
	t, ok := v.old[v.reader+"/"+l.ID]
	v.mu.Unlock()
	if ok {
		return t, nil
	}
	return v.catalogue.ShippingFor(ctx, l)
}

func (c *catalogue) put(l catalog.Listing) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listings[l.ID] = l
}

// Listing reads the shared catalogue, as the replicated catalog does.
func (c *catalogue) Listing(_ context.Context, id string) (catalog.Listing, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.listings[id]
	if !ok {
		return catalog.Listing{}, fmt.Errorf("%w: listing %s", catalog.ErrNotFound, id)
	}
	return l, nil
}

// stockKeeper is a home node's stock in its own Badger: the Inventory the
// catalog is to the real node, reduced to units per SKU under "t/stock/".
type stockKeeper struct {
	db   *badger.DB
	self string
	cat  *catalogue
	mu   sync.Mutex // serializes writers, as the catalog's write lock does
}

func stockKey(listing, sku string) []byte { return []byte("t/stock/" + listing + "/" + sku) }

// ChangeStock applies changes all or nothing and runs also in the same
// transaction, like catalog.ChangeStock.
func (k *stockKeeper) ChangeStock(_ context.Context, changes []catalog.StockChange, also func(*badger.Txn, map[string]*catalog.Listing) error) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.db.Update(func(txn *badger.Txn) error {
		var short []catalog.Shortage
		for _, c := range changes {
			have, err := readStock(txn, c.ListingID, c.SKU)
			if err != nil {
				return err
			}
			if have+c.Delta < 0 {
				short = append(short, catalog.Shortage{ListingID: c.ListingID, SKU: c.SKU, Wanted: -c.Delta, Available: have})
				continue
			}
			if err := txn.Set(stockKey(c.ListingID, c.SKU), []byte(strconv.FormatInt(have+c.Delta, 10))); err != nil {
				return err
			}
		}
		if short != nil {
			return &catalog.ShortError{Lines: short}
		}
		listings := map[string]*catalog.Listing{}
		for _, c := range changes {
			if l, err := k.cat.Listing(context.Background(), c.ListingID); err == nil && l.Platform == k.self {
				listings[l.ID] = &l
			}
		}
		return also(txn, listings)
	})
}

func readStock(txn *badger.Txn, listing, sku string) (int64, error) {
	item, err := txn.Get(stockKey(listing, sku))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int64
	err = item.Value(func(v []byte) (err error) { n, err = strconv.ParseInt(string(v), 10, 64); return err })
	return n, err
}

// bookKeeper is the settlement ledger's queue as the order service feeds
// it: each event lands under "t/book/" in the status's own transaction.
type bookKeeper struct{}

func (bookKeeper) Enqueue(txn *badger.Txn, ev PartEvent) error {
	if p := ev.Points; p != nil {
		b, _ := json.Marshal(ev)
		return txn.Set([]byte(fmt.Sprintf("t/book/%s/points_%s/%s", ev.Part, p.Step, p.Refund)), b)
	}
	if ev.Status.Status == StatusReserved || ev.Status.Status == StatusRejected || ev.Status.Status == StatusShipped {
		return nil
	}
	b, _ := json.Marshal(ev)
	return txn.Set([]byte(fmt.Sprintf("t/book/%s/%s/%d", ev.Part, ev.Status.Status, ev.Status.Seq)), b)
}

func (bookKeeper) Notify() {}

// member is one node of an in-process cluster.
type member struct {
	id    string
	key   crypto.PrivKey
	dir   string
	db    *badger.DB
	svc   *Service
	stop  context.CancelFunc
	done  chan struct{}
	stock *stockKeeper
	// notes are the notices m's service gave its notifier.
	notes *noticeLog

	mu   sync.Mutex      // guards down
	down map[string]bool // members this one sees as unreachable

	// skew is how far m's clock is ahead of the cluster's (set before
	// open).
	skew time.Duration
	// recovering starts m's service catching up after a restore (set
	// before open), as a node started on restored data does.
	recovering bool
}

// now is m's clock.
func (m *member) now(f *cluster) func() time.Time {
	return func() time.Time { return f.clk.now().Add(m.skew) }
}

// Reachable reports what the test says.
func (m *member) Reachable(p string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.down[p]
}

// sees makes m see member p as reachable or not.
func (m *member) sees(p string, reachable bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down == nil {
		m.down = map[string]bool{}
	}
	m.down[p] = !reachable
}

// cluster is members over a memNet.
type cluster struct {
	t       *testing.T
	net     *memNet
	cat     *catalogue
	clk     *testClock
	members []*member
	cfg     Config

	termsMu sync.Mutex   // guards terms and loyalty
	terms   ServiceTerms // the charter's complaint terms, as every member reads them
	loyalty LoyaltyTerms // the charter's loyalty policy (every version)
	ads     adsFixture   // the charter's ad policy and the homes' campaigns (ads_test.go)
}

// setLoyalty changes the loyalty policy every member reads.
func (f *cluster) setLoyalty(t LoyaltyTerms) {
	f.termsMu.Lock()
	defer f.termsMu.Unlock()
	f.loyalty = t
}

func (f *cluster) loyaltyAt(uint64) (LoyaltyTerms, bool) {
	f.termsMu.Lock()
	defer f.termsMu.Unlock()
	return f.loyalty, true
}

// setTerms changes the complaint terms every member reads.
func (f *cluster) setTerms(t ServiceTerms) {
	f.termsMu.Lock()
	defer f.termsMu.Unlock()
	f.terms = t
}

func (f *cluster) termsNow() ServiceTerms {
	f.termsMu.Lock()
	defer f.termsMu.Unlock()
	return f.terms
}

func newCluster(t *testing.T, n int) *cluster {
	t.Helper()
	f := &cluster{t: t, net: newMemNet(), cat: &catalogue{listings: map[string]catalog.Listing{}},
		clk: &testClock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}, cfg: DefaultConfig()}
	f.cfg.RetryMax, f.cfg.ConfirmWait, f.cfg.RequestTimeout = 50*time.Millisecond, time.Second, time.Second
	for range n {
		f.add(0)
	}
	return f
}

// add starts one more member, its clock skew ahead of the cluster's.
func (f *cluster) add(skew time.Duration) *member {
	f.t.Helper()
	k, id := testKey(f.t)
	m := &member{id: id, key: k, dir: f.t.TempDir(), notes: &noticeLog{}, skew: skew}
	f.members = append(f.members, m)
	f.open(m)
	return m
}

// open opens (or reopens) m's Badger on disk and starts its service.
func (f *cluster) open(m *member) {
	f.t.Helper()
	db, err := badger.Open(badger.DefaultOptions(m.dir).WithLogger(nil))
	if err != nil {
		f.t.Fatal(err)
	}
	m.db = db
	m.stock = &stockKeeper{db: db, self: m.id, cat: f.cat}
	tr := f.net.transport(m.id)
	svc, err := New(f.cfg, Deps{DB: db, Key: m.key, Inventory: m.stock, Listings: view{f.cat, m.id}, Transport: tr, Sync: tr,
		Payments: []Provider{SandboxCard{DB: db, Now: m.now(f)}, Manual{Now: m.now(f)}}, Policy: func() uint64 { return 1 },
		Books: bookKeeper{}, Reach: m, Now: m.now(f), Profiles: f.cat, Terms: f.termsNow, Notifier: m.notes, Loyalty: f.loyaltyAt,
		Ads: f.ads.termsAt, Campaigns: &f.ads, Recovering: m.recovering,
		PointsAuth: func(_ context.Context, storefront, account string, auth []byte) error {
			return checkLeave(m.key, storefront, account, auth)
		}})
	if err != nil {
		f.t.Fatal(err)
	}
	m.svc = svc
	f.net.join(m.id, svc)
	ctx, cancel := context.WithCancel(context.Background())
	m.stop, m.done = cancel, make(chan struct{})
	go func() {
		defer close(m.done)
		_ = svc.Run(ctx)
	}()
	f.t.Cleanup(func() { f.halt(m) })
}

// halt stops m's service and closes its Badger, as a process ending does.
func (f *cluster) halt(m *member) {
	if m.db == nil {
		return
	}
	f.net.join(m.id, nil)
	m.stop()
	<-m.done
	_ = m.db.Close()
	m.db = nil
}

// restart stops m and opens it again on the same data.
func (f *cluster) restart(m *member) {
	f.t.Helper()
	f.halt(m)
	f.open(m)
}

// list puts a listing with one SKU of merchant on home m with stock units.
func (f *cluster) list(m *member, merchant, sku string, price, units int64) offer {
	f.t.Helper()
	o := offer{ListingID: m.id[len(m.id)-6:] + "." + merchant + "." + strings.ToLower(sku), SKU: sku, Platform: m.id, Merchant: merchant,
		Title: sku, Category: "Home > Kitchen", Price: Money{Amount: price, Currency: "EUR"}, Stock: units}
	f.cat.put(catalog.Listing{ID: o.ListingID, Platform: m.id, Merchant: merchant, Title: sku, Category: o.Category, Version: 1,
		Variants: []catalog.Variant{{SKU: sku, Price: catalog.Money{Amount: price, Currency: "EUR"}, Stock: units}}})
	err := m.db.Update(func(txn *badger.Txn) error {
		return txn.Set(stockKey(o.ListingID, sku), []byte(strconv.FormatInt(units, 10)))
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

// stockOf reads the units of o at its home.
func (f *cluster) stockOf(o offer) int64 {
	f.t.Helper()
	for _, m := range f.members {
		if m.id != o.Platform {
			continue
		}
		var n int64
		if err := m.db.View(func(txn *badger.Txn) (err error) { n, err = readStock(txn, o.ListingID, o.SKU); return err }); err != nil {
			f.t.Fatal(err)
		}
		return n
	}
	f.t.Fatalf("no home for %s", o.ListingID)
	return 0
}

var testShipTo = Address{Name: "Ada Lovelace", Line1: "1 Analytical St", City: "London", PostalCode: "N1", Country: "GB"}

// buy checks out qty of each offer on storefront m with the sandbox card
// and returns the order.
func (f *cluster) buy(m *member, key string, qty int64, offers ...offer) (Order, error) {
	f.t.Helper()
	return f.buyWith(m, key, PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}, qty, offers...)
}

// buyWith is buy paying with pay.
func (f *cluster) buyWith(m *member, key string, pay PaymentRequest, qty int64, offers ...offer) (Order, error) {
	f.t.Helper()
	ctx := context.Background()
	sh, _, err := m.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: fmt.Sprintf("ada+%s@example.org", newMessageID()[:8])})
	if err != nil {
		f.t.Fatal(err)
	}
	cart, err := m.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, o := range offers {
		if _, err := m.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: o.ListingID, SKU: o.SKU, Quantity: qty}); err != nil {
			return Order{}, err
		}
	}
	o, _, err := m.svc.Checkout(ctx, sh.ID, cart.ID, key, CheckoutRequest{ShippingAddress: testShipTo, Payment: pay})
	return o, err
}

// partOn returns the state of part id as the storefront m holds it.
func partOn(t testing.TB, m *member, id string) Part {
	t.Helper()
	o, err := m.svc.GetOrder(context.Background(), "", orderOfPart(id))
	if err != nil {
		t.Fatal(err)
	}
	return *o.partOf(id)
}

// statusOn waits until storefront m shows part id in status.
func statusOn(t testing.TB, m *member, id, status string) {
	t.Helper()
	testwait.For(t, 10*time.Second, func() error {
		if got := partOn(t, m, id).Status; got != status {
			return fmt.Errorf("part %s is %s on the storefront, want %s", id, got, status)
		}
		return nil
	})
}

// drained waits until every member's outbox is empty.
func (f *cluster) drained() {
	f.t.Helper()
	testwait.For(f.t, 10*time.Second, func() error {
		for _, m := range f.members {
			d, err := m.svc.Outbox(context.Background())
			if err != nil {
				return err
			}
			for _, x := range d {
				if x.Messages > 0 {
					return fmt.Errorf("%s still owes %s %d messages", shortPeer(m.id), shortPeer(x.Peer), x.Messages)
				}
			}
		}
		return nil
	})
}

// booked lists the settlement events m's books hold for part, by
// "status/seq".
func booked(t testing.TB, m *member, part string) []string {
	t.Helper()
	var out []string
	err := m.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, "t/book/"+part+"/", "", 0) {
			out = append(out, strings.TrimPrefix(k, "t/book/"+part+"/"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// statuses lists the status messages m logged for part, by seq.
func statuses(t testing.TB, m *member, part string) map[uint64][]*Message {
	t.Helper()
	msgs, err := m.svc.Messages(context.Background(), part)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint64][]*Message{}
	for _, x := range msgs {
		if x.Kind == KindStatus {
			out[x.Status.Seq] = append(out[x.Status.Seq], x)
		}
	}
	return out
}

// backup copies m's database as it is now into a new folder, as
// fedmart backup does.
func (f *cluster) backup(m *member) string {
	f.t.Helper()
	var buf bytes.Buffer
	if _, err := m.db.Backup(&buf, 0); err != nil {
		f.t.Fatal(err)
	}
	dir := f.t.TempDir()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	if err := db.Load(&buf, 64); err != nil {
		f.t.Fatal(err)
	}
	return dir
}

// restoreFrom stops m and starts it again on the folder a backup made.
func (f *cluster) restoreFrom(m *member, dir string) {
	f.t.Helper()
	f.halt(m)
	m.dir = dir
	f.open(m)
}
