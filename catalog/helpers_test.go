package catalog

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// memberSet is a Membership for tests.
type memberSet struct {
	mu  sync.RWMutex // guards ids
	ids map[string]bool
}

func (m *memberSet) IsMember(id string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.ids[id]
}

func (m *memberSet) add(ids ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ids == nil {
		m.ids = make(map[string]bool)
	}
	for _, id := range ids {
		m.ids[id] = true
	}
}

// stepClock advances one second per reading.
type stepClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Currency = "EUR"
	return cfg
}

func newDB(t testing.TB) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func newKey(t testing.TB) crypto.PrivKey {
	t.Helper()
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func peerOf(t testing.TB, k crypto.PrivKey) string {
	t.Helper()
	id, err := peer.IDFromPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

// testNode is a catalog with the records it produced, as a gossip layer
// would see them.
type testNode struct {
	*Catalog
	db  *badger.DB
	key crypto.PrivKey

	mu      sync.Mutex // guards changes
	changes []Change
}

func newNode(t testing.TB, cfg Config, members *memberSet) *testNode {
	t.Helper()
	return newNodeOn(t, newDB(t), cfg, members)
}

func newNodeOn(t testing.TB, db *badger.DB, cfg Config, members *memberSet) *testNode {
	t.Helper()
	n := &testNode{db: db, key: newKey(t)}
	members.add(peerOf(t, n.key))
	clock := &stepClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c, err := Open(cfg, n.db, n.key, members, nil, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	c.SetCarryStock(true) // as at the charter's protocol level 2
	n.Catalog = c
	c.OnChange(func(ch Change) {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.changes = append(n.changes, ch)
	})
	return n
}

// raws returns the records the node stored so far, in order.
func (n *testNode) raws() [][]byte {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([][]byte, len(n.changes))
	for i, ch := range n.changes {
		out[i] = ch.Raw
	}
	return out
}

// rawOf returns the stored change with the given seq of the node's origin.
func (n *testNode) rawOf(t testing.TB, seq uint64) []byte {
	t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, ch := range n.changes {
		if ch.Record.Origin == n.self && ch.Record.Seq == seq {
			return ch.Raw
		}
	}
	t.Fatalf("no record with seq %d", seq)
	return nil
}

func (n *testNode) merchant(t testing.TB) string {
	t.Helper()
	m, _, err := n.CreateMerchant(context.Background(), "Acme")
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// storedRecords counts the records in the store.
func storedRecords(t testing.TB, db *badger.DB) int {
	t.Helper()
	n := 0
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixRecord)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// syncFrom runs a catch-up of dst from src the way the network layer does.
func syncFrom(t testing.TB, dst, src *testNode, batch int) (sent int) {
	t.Helper()
	err := src.Since(dst.Marks(), batch, func(raws [][]byte) error {
		if len(raws) > batch {
			t.Fatalf("batch of %d records, want at most %d", len(raws), batch)
		}
		for _, raw := range raws {
			sent++
			if _, err := dst.Apply(raw); err != nil && !isNoop(err) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for o, m := range src.Marks() {
		if err := dst.AdvanceMark(o, m); err != nil {
			t.Fatal(err)
		}
	}
	return sent
}

// isNoop reports the refusals a replicating caller ignores.
func isNoop(err error) bool {
	return errors.Is(err, ErrDuplicate) || errors.Is(err, ErrStale) || errors.Is(err, ErrAway)
}

// input returns a valid listing input whose variants have the given SKUs.
func input(title string, skus ...string) ListingInput {
	in := ListingInput{
		Title:           title,
		Description:     "A sturdy thing.\nMade to last.",
		Category:        "Home > Kitchen > Cookware",
		Brand:           "Acme",
		GTIN:            "4006381333931",
		Attributes:      map[string]string{"material": "steel"},
		Images:          []string{"https://img.example.com/a.jpg"},
		ShippingRegions: []string{"DE", "FR"},
	}
	for i, s := range skus {
		in.Variants = append(in.Variants, Variant{
			SKU:     s,
			Options: map[string]string{"size": fmt.Sprint(20 + 2*i)},
			Price:   Money{Amount: 2999 + int64(i), Currency: "EUR"},
			Stock:   int64(10 + i),
		})
	}
	return in
}
