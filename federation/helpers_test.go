package federation

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func newKey(t testing.TB) (crypto.PrivKey, peer.ID) {
	t.Helper()
	k, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(k)
	return k, id
}

func memDB(t testing.TB) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Listen = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}
	cfg.DialInterval = 50 * time.Millisecond
	cfg.MaxBackoff = 500 * time.Millisecond
	cfg.PingInterval = 200 * time.Millisecond
	return cfg
}

// testNode is a running Federation on loopback.
type testNode struct {
	*Federation
	key    crypto.PrivKey
	cancel context.CancelFunc
	done   chan error
}

func startNode(t *testing.T, key crypto.PrivKey) *testNode {
	t.Helper()
	return startNodeDB(t, key, memDB(t))
}

// startNodeDB is startNode over a given database, so that a test can stop a
// member and start it again with what it had stored.
func startNodeDB(t *testing.T, key crypto.PrivKey, db *badger.DB) *testNode {
	t.Helper()
	f, err := New(testConfig(), key, db, discard(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &testNode{Federation: f, key: key, cancel: cancel, done: make(chan error, 1)}
	go func() { n.done <- f.Run(ctx) }()
	t.Cleanup(n.stop)
	return n
}

// federate gives every node v1 and waits until each is connected to all
// the others.
func federate(t *testing.T, v1 *SignedCharter, nodes ...*testNode) {
	t.Helper()
	for _, n := range nodes {
		if err := n.Submit(context.Background(), v1); err != nil {
			t.Fatal(err)
		}
	}
	testwait.For(t, 10*time.Second, func() error {
		for _, n := range nodes {
			if err := connectedTo(n, otherThan(n, nodes...)...); err != nil {
				return err
			}
		}
		return nil
	})
}

func (n *testNode) stop() {
	if n.cancel == nil {
		return
	}
	n.cancel()
	<-n.done
	n.Close()
	n.cancel = nil
}

func (n *testNode) member(name string) Member {
	m := Member{PeerID: n.Self().String(), Name: name, API: "http://127.0.0.1:1", Status: StatusActive}
	for _, a := range n.Addrs() {
		m.Addrs = append(m.Addrs, a.String())
	}
	return m
}

// founding returns version 1 listing members, signed by keys.
func founding(t *testing.T, members []Member, keys ...crypto.PrivKey) *SignedCharter {
	t.Helper()
	sc := &SignedCharter{Charter: Charter{
		FederationID: "test-fed", Name: "Test Federation", Version: 1, Currency: "EUR",
		Period: Duration(time.Hour), Members: members,
		Policy: Policy{StorefrontCommissionBPS: 1000, FederationFeeBPS: 100, PayableOn: PayableOnDelivered},
	}}
	signAll(t, sc, keys...)
	return sc
}

// amend returns the successor of prev with edit applied, signed by keys.
func amend(t *testing.T, prev *SignedCharter, edit func(*Charter), keys ...crypto.PrivKey) *SignedCharter {
	t.Helper()
	next := prev.Charter
	next.Members = append([]Member(nil), prev.Charter.Members...)
	next.Version, next.Previous = prev.Charter.Version+1, prev.Charter.Digest()
	edit(&next)
	sc := &SignedCharter{Charter: next}
	signAll(t, sc, keys...)
	return sc
}

func signAll(t *testing.T, sc *SignedCharter, keys ...crypto.PrivKey) {
	t.Helper()
	for _, k := range keys {
		if err := sc.Sign(k); err != nil {
			t.Fatal(err)
		}
	}
}
