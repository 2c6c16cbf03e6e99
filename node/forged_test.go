package node

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
)

func seal(t *testing.T, r *catalog.Record, key crypto.PrivKey) []byte {
	t.Helper()
	env, err := record.Seal(r, key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fakeListing(platform, title string) *catalog.Listing {
	return &catalog.Listing{ID: catalog.FormatID(platform, "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"), Platform: platform, Merchant: "aaaaaaaaaaaaaaaa",
		Title: title, Category: "Home > Kitchen", Brand: "Fake", ShippingRegions: []string{"DE"}, Version: 1, UpdatedAt: time.Now().UTC(),
		Variants: []catalog.Variant{{SKU: "FAKE-1", Price: catalog.Money{Amount: 100, Currency: "EUR"}}}}
}

// Forged records published on the topic by a member are refused by every
// other member, never stored, and do not disturb what is stored, whether
// GossipSub signs its messages or carries the signed records bare.
func TestForgedRecordsAreNeverStored(t *testing.T) {
	for _, mode := range []string{"strict", "none"} {
		t.Run("message_signing="+mode, func(t *testing.T) {
			forgeries(t, startClusterWith(t, func(cfg *Config) { cfg.Replication.MessageSigning = mode }, "Alpha", "Beta", "Gamma"))
		})
	}
}

func forgeries(t *testing.T, c *Cluster) {
	a, b := c.Nodes[0], c.Nodes[1]
	var mu sync.Mutex
	var raws [][]byte // alpha's own records, in order
	a.cat.OnChange(func(ch catalog.Change) {
		mu.Lock()
		raws = append(raws, ch.Raw)
		mu.Unlock()
	})
	tok := newMerchant(t, c, 0, "Honest")
	_, body := call(t, "POST", a.APIURL()+"/v1/listings", "/v1/listings", tok, listingBody("Honest kettle", "KET-1", 3000, 3))
	var l struct{ ID string }
	_ = json.Unmarshal(body, &l)
	call(t, "PUT", a.APIURL()+"/v1/listings/"+l.ID, "/v1/listings/{id}", tok, listingBody("Honest kettle mark two", "KET-1", 3200, 3))
	testwait.For(t, 15*time.Second, findsOnly(t, c.Nodes, "q=kettle", "Honest kettle mark two"))

	outsiderKey, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	outsider, _ := peer.IDFromPrivateKey(outsiderKey)
	alphaKey, _ := LoadIdentity(a.cfg.path(a.cfg.Identity))
	mu.Lock()
	v1 := raws[0]
	tampered := append([]byte(nil), raws[len(raws)-1]...)
	mu.Unlock()
	i := strings.Index(string(tampered), "mark two")
	tampered[i] = 'M'
	huge := fakeListing(a.PeerID().String(), "Huge")
	huge.Description = strings.Repeat("x", 100_000)

	forged := map[string][]byte{
		"signed by a non-member": seal(t, &catalog.Record{Origin: outsider.String(), Seq: 1, Kind: catalog.KindListing,
			ListingID: fakeListing(outsider.String(), "Outsider pan").ID, Version: 1, Listing: fakeListing(outsider.String(), "Outsider pan"), Time: time.Now()}, outsiderKey),
		"tampered bytes": tampered,
		"origin is not the signer": seal(t, &catalog.Record{Origin: b.PeerID().String(), Seq: 99, Kind: catalog.KindListing,
			ListingID: fakeListing(b.PeerID().String(), "Impostor pan").ID, Version: 1, Listing: fakeListing(b.PeerID().String(), "Impostor pan"), Time: time.Now()}, alphaKey),
		"replayed older version": v1,
		"oversize": seal(t, &catalog.Record{Origin: a.PeerID().String(), Seq: 1000, Kind: catalog.KindListing,
			ListingID: huge.ID, Version: 1, Listing: huge, Time: time.Now()}, alphaKey),
	}
	for name, raw := range forged {
		if _, err := b.cat.Apply(raw); err == nil {
			t.Fatalf("%s: beta's catalog accepted it directly", name)
		}
		a.repl.Publish(raw)
	}
	// A valid record sent after them arrives, so the forged ones had their chance.
	call(t, "POST", a.APIURL()+"/v1/listings", "/v1/listings", tok, listingBody("Honest teapot", "TEA-1", 2000, 3))
	testwait.For(t, 15*time.Second, findsOnly(t, c.Nodes, "q=teapot", "Honest teapot"))

	for _, n := range c.Nodes[1:] {
		for _, q := range []string{"q=outsider", "q=impostor", "q=huge"} {
			if got := searchOn(t, n, q).Total; got != 0 {
				t.Errorf("%s stored a forged record (%s)", n.Name(), q)
			}
		}
		if got := searchOn(t, n, "q=kettle").Items; len(got) != 1 || got[0].Title != "Honest kettle mark two" {
			t.Errorf("%s: the kettle changed: %+v", n.Name(), got)
		}
		// Validation runs concurrently per message: the teapot may be done first.
		testwait.For(t, 10*time.Second, func() error {
			if refused := metric(t, n, `fedmart_catalog_gossip_received_total{outcome="refused"}`); refused < 3 {
				return fmt.Errorf("%s refused %v forged records on the topic, want at least 3", n.Name(), refused)
			}
			return nil
		})
	}
}

// A member that serves a forged record on the catch-up stream gets the
// stream refused: the requester stores nothing from it and does not adopt
// the marks the liar claims.
func TestCatchUpRefusesForgedRecords(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	outsiderKey, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	outsider, _ := peer.IDFromPrivateKey(outsiderKey)
	forged := seal(t, &catalog.Record{Origin: outsider.String(), Seq: 1, Kind: catalog.KindListing,
		ListingID: fakeListing(outsider.String(), "Smuggled pan").ID, Version: 1, Listing: fakeListing(outsider.String(), "Smuggled pan"), Time: time.Now()}, outsiderKey)
	// Alpha turns liar: it answers catch-up with the forged record and
	// claims to hold everything up to seq 1000 of its own origin.
	a.fed.Handle(replication.SyncProtocol, func(_ context.Context, _ peer.ID, s network.Stream) error {
		if _, err := wire.NewReader(s).ReadFrame(1 << 20); err != nil {
			return err
		}
		if err := wire.WriteFrame(s, append([]byte{'r'}, forged...)); err != nil {
			return err
		}
		end, _ := json.Marshal(map[string]any{"marks": map[string]uint64{a.PeerID().String(): 1000}})
		return wire.WriteFrame(s, append([]byte{'e'}, end...))
	})
	marks := b.cat.Marks()
	if _, err := b.repl.SyncWith(context.Background(), a.PeerID()); err == nil || !strings.Contains(err.Error(), "refused record") {
		t.Fatalf("catch-up from a liar: err = %v", err)
	}
	if got := b.cat.Marks(); fmt.Sprint(got) != fmt.Sprint(marks) {
		t.Fatalf("marks moved from %v to %v", marks, got)
	}
	if got := searchOn(t, b, "q=smuggled").Total; got != 0 {
		t.Fatal("the forged record was stored")
	}
}

// A member answering catch-up cannot make another skip a third member's
// records by claiming marks for them: without records of that origin
// signed up to the claim, the requester's mark does not move, and its
// next catch-up with an honest member still brings them.
func TestCatchUpTakesNoMarkOnAMembersWord(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta", "Gamma")
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	tok := newMerchant(t, c, 2, "Third Goods")
	if s, body := call(t, "POST", g.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feedOf(5, "third")); s != 200 || !strings.Contains(string(body), `"created":5`) {
		t.Fatalf("batch: %d %s", s, body)
	}
	testwait.For(t, 30*time.Second, totalOn(t, b, "q=third", 5))
	gamma := g.PeerID().String()
	held := b.cat.Marks()[gamma]
	// Alpha turns liar: it sends nothing and claims Gamma's records up to 1000.
	a.fed.Handle(replication.SyncProtocol, func(_ context.Context, _ peer.ID, s network.Stream) error {
		if _, err := wire.NewReader(s).ReadFrame(1 << 20); err != nil {
			return err
		}
		end, _ := json.Marshal(map[string]any{"marks": map[string]uint64{gamma: 1000}})
		return wire.WriteFrame(s, append([]byte{'e'}, end...))
	})
	if _, err := b.repl.SyncWith(context.Background(), a.PeerID()); err != nil {
		t.Fatalf("catch-up from the liar: %v", err)
	}
	if got := b.cat.Marks()[gamma]; got != held {
		t.Fatalf("Beta's mark for Gamma moved from %d to %d on Alpha's word", held, got)
	}
}

// A member that dates its records ahead of the others' clocks (to stay
// at the top of every "newest" list, say) has them ignored by every
// other member: not stored, not relayed, and not counted against the
// relaying member, whose clock may merely run a little ahead. A record
// within catalog.MaxClockSkew of the clock is stored; catch-up does not
// adopt a member's marks over an early record it serves, so the record
// is asked for again once it is due.
func TestRecordsDatedAheadWaitForTheClock(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta", "Gamma")
	a, b := c.Nodes[0], c.Nodes[1]
	alpha := a.PeerID().String()
	alphaKey, err := LoadIdentity(a.cfg.path(a.cfg.Identity))
	if err != nil {
		t.Fatal(err)
	}
	dated := func(seq uint64, title string, at time.Time) []byte {
		l := fakeListing(alpha, title)
		l.ID = catalog.FormatID(alpha, "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbb"+string(rune('b'+seq)))
		l.UpdatedAt = at.UTC()
		return seal(t, &catalog.Record{Origin: alpha, Seq: seq, Kind: catalog.KindListing, ListingID: l.ID, Version: 1,
			Listing: l, Time: l.UpdatedAt}, alphaKey)
	}
	// An honest listing first, then more until every member has had one
	// by gossip. Finding it is not enough: a member may have it by
	// catch-up before Alpha knows it is on the topic, and would then never
	// see the record dated an hour ahead, which the others ignore and so
	// do not relay.
	tok := newMerchant(t, c, 0, "Honest")
	call(t, "POST", a.APIURL()+"/v1/listings", "/v1/listings", tok, listingBody("Honest pan", "PAN-1", 3000, 3))
	testwait.For(t, 15*time.Second, findsOnly(t, c.Nodes, "q=pan", "Honest pan"))
	spoons := 0
	testwait.For(t, 15*time.Second, func() error {
		for _, n := range c.Nodes[1:] {
			if metric(t, n, `fedmart_catalog_gossip_received_total{outcome="stored"}`)+
				metric(t, n, `fedmart_catalog_gossip_received_total{outcome="known"}`) < 1 {
				spoons++
				call(t, "POST", a.APIURL()+"/v1/listings", "/v1/listings", tok, listingBody(fmt.Sprintf("Honest spoon %d", spoons), fmt.Sprintf("SPOON-%d", spoons), 500, 1))
				return fmt.Errorf("%s has had no record by gossip", n.Name())
			}
		}
		return nil
	})
	testwait.For(t, 15*time.Second, func() error { // every member holds the spoons too, so marks are level
		for _, n := range c.Nodes[1:] {
			if got, want := n.cat.Marks()[alpha], a.cat.Marks()[alpha]; got != want {
				return fmt.Errorf("%s's mark for Alpha is %d, want %d", n.Name(), got, want)
			}
		}
		return nil
	})
	mark := a.cat.Marks()[alpha]
	near := dated(mark+1, "Nearly teapot", time.Now().Add(2*time.Minute))
	far := dated(mark+2, "Tomorrow kettle", time.Now().Add(time.Hour))
	if _, err := b.cat.Apply(far); !errors.Is(err, catalog.ErrEarly) || !strings.Contains(err.Error(), "ahead of this node's clock") {
		t.Fatalf("Beta's catalog took a record dated an hour ahead: %v", err)
	}
	a.repl.Publish(near)
	a.repl.Publish(far)
	for _, n := range c.Nodes[1:] {
		testwait.For(t, 15*time.Second, findsOnly(t, []*Node{n}, "q=teapot", "Nearly teapot"))
		testwait.For(t, 10*time.Second, func() error {
			if early := metric(t, n, `fedmart_catalog_gossip_received_total{outcome="early"}`); early < 1 {
				return fmt.Errorf("%s ignored %v early records, want 1", n.Name(), early)
			}
			return nil
		})
		if got := searchOn(t, n, "q=kettle").Total; got != 0 {
			t.Errorf("%s stored the record dated an hour ahead", n.Name())
		}
		if got := metric(t, n, `fedmart_catalog_gossip_received_total{outcome="refused"}`); got != 0 {
			t.Errorf("%s counted %v records as refused, which lowers the relaying member's score", n.Name(), got)
		}
		if got := n.cat.Marks()[alpha]; got != mark+1 {
			t.Errorf("%s's mark for Alpha is %d, want %d: the early record after it is still owed", n.Name(), got, mark+1)
		}
	}

	// Alpha serves the early record on catch-up and vouches for it.
	a.fed.Handle(replication.SyncProtocol, func(_ context.Context, _ peer.ID, s network.Stream) error {
		if _, err := wire.NewReader(s).ReadFrame(1 << 20); err != nil {
			return err
		}
		if err := wire.WriteFrame(s, append([]byte{'r'}, far...)); err != nil {
			return err
		}
		end, _ := json.Marshal(map[string]any{"marks": map[string]uint64{alpha: mark + 2}})
		return wire.WriteFrame(s, append([]byte{'e'}, end...))
	})
	if _, err := b.repl.SyncWith(context.Background(), a.PeerID()); err == nil || !strings.Contains(err.Error(), "ahead of this node's clock") {
		t.Fatalf("catch-up serving an early record: err = %v", err)
	}
	if got := b.cat.Marks()[alpha]; got != mark+1 {
		t.Fatalf("Beta adopted Alpha's mark over the early record: %d, want %d", got, mark+1)
	}
}
