package webtest

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Node is one member: its Badger, its catalog and its order service, as
// the node wires them.
type Node struct {
	DB     *badger.DB
	Cat    *catalog.Catalog
	Orders *order.Service
	// Media holds the pictures its merchants upload, and fetches other
	// members' from them.
	Media *media.Service
	Key   crypto.PrivKey
	ID    peer.ID

	mu   sync.Mutex // guards raws
	raws [][]byte   // records it signed, as gossip would carry them
}

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

// newNode opens a member's Badger in memory and its catalog.
func newNode(t *testing.T, ms *members) *Node {
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
	n := &Node{DB: db, Key: key}
	if n.ID, err = peer.IDFromPrivateKey(key); err != nil {
		t.Fatal(err)
	}
	ms.add(n.ID.String())
	cfg := catalog.DefaultConfig()
	cfg.Currency = "EUR"
	if n.Cat, err = catalog.Open(cfg, db, key, ms, nil, nil); err != nil {
		t.Fatal(err)
	}
	n.Cat.OnChange(func(ch catalog.Change) {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.raws = append(n.raws, ch.Raw)
	})
	return n
}

// takeRecords returns the records n signed since the last call.
func (n *Node) takeRecords() [][]byte {
	n.mu.Lock()
	defer n.mu.Unlock()
	raws := n.raws
	n.raws = nil
	return raws
}

// startOrders starts n's order service on net, and stops it when the
// test ends, before the database closes.
func (n *Node) startOrders(t *testing.T, net *memNet, clk *Clock, terms func() order.ServiceTerms, loyalty func(uint64) (order.LoyaltyTerms, bool), ads func(uint64) (order.AdTerms, bool)) {
	t.Helper()
	cfg := order.DefaultConfig()
	cfg.RetryMax, cfg.ConfirmWait, cfg.RequestTimeout = 50*time.Millisecond, 2*time.Second, 2*time.Second
	tr := net.transport(n.ID.String())
	svc, err := order.New(cfg, order.Deps{DB: n.DB, Key: n.Key, Inventory: n.Cat, Listings: n.Cat,
		Transport: tr, Payments: []order.Provider{order.SandboxCard{DB: n.DB, Now: clk.Now}, order.Manual{Now: clk.Now}},
		Policy: func() uint64 { return 2 }, Reach: net, Now: clk.Now, Profiles: n.Cat, Terms: terms, Loyalty: loyalty,
		Ads: ads, Campaigns: campaignBook{n.Cat}})
	if err != nil {
		t.Fatal(err)
	}
	n.Orders = svc
	net.join(n.ID.String(), svc)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = svc.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}
