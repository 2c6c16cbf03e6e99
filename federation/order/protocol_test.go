package order

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
)

func TestCheckoutAcrossTwoHomes(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	apron := f.list(c, "linen", "APRON", 2500, 10)
	o, err := f.buy(a, "k1", 2, pan, apron)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Parts) != 2 {
		t.Fatalf("%d parts, want one per home", len(o.Parts))
	}
	for _, p := range o.Parts {
		statusOn(t, a, p.ID, StatusAccepted)
	}
	if f.stockOf(pan) != 8 || f.stockOf(apron) != 8 {
		t.Errorf("stock %d and %d, want 8 and 8", f.stockOf(pan), f.stockOf(apron))
	}
	f.drained()
	for _, p := range o.Parts {
		home := map[string]*member{b.id: b, c.id: c}[p.Platform]
		for _, m := range []*member{a, home} {
			if got := booked(t, m, p.ID); !slices.Equal(got, []string{"accepted/2"}) {
				t.Errorf("%s booked %v for %s, want the accepted status once", shortPeer(m.id), got, p.ID)
			}
		}
	}
}

// TestRepeatedRequestGetsTheSameAnswer: a home node answers a repeated
// confirm, and any later request about the part, with the very status
// message that stated its state: one confirm, one accepted status.
func TestRepeatedRequestGetsTheSameAnswer(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	f.net.fault(a.id, b.id, nil, true) // every request arrives twice
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)
	f.drained()
	if n := len(statuses(t, b, part)[2]); n != 1 {
		t.Fatalf("home signed %d statuses with seq 2, want exactly one", n)
	}
	_, confirm, err := a.svc.newSigned(KindConfirm, b.id, part, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := b.svc.Handle(context.Background(), a.id, confirm)
	again := b.svc.Handle(context.Background(), a.id, confirm)
	if !bytes.Equal(first, again) {
		t.Errorf("a repeated confirm got another answer:\n%s\n%s", first, again)
	}
	_, cancel, _ := a.svc.newSigned(KindCancel, b.id, part, nil)
	if _, err := b.svc.Ship(context.Background(), "forge", part, "DHL", "JD1"); err != nil { // shipped: the cancel is refused
		t.Fatal(err)
	}
	refused := b.svc.Handle(context.Background(), a.id, cancel)
	st, _, err := decodeReply(refused, b.id, KindCancel, part)
	if err != nil || st.Status.Status != StatusShipped {
		t.Fatalf("a refused cancel answers %s (%v), want the shipped status", refused, err)
	}
	if n := len(statuses(t, b, part)[3]); n != 1 {
		t.Errorf("home signed %d statuses with seq 3, want the shipped one only", n)
	}
}

// TestReleaseOfAnUnknownPartIsDone: a release that overtakes its reserve
// ends the sender's retries, and the late reserve then holds nothing.
func TestReleaseOfAnUnknownPartIsDone(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	_, release, _ := a.svc.newSigned(KindRelease, b.id, "ord_x-1", nil)
	if _, _, err := decodeReply(b.svc.Handle(context.Background(), a.id, release), b.id, KindRelease, "ord_x-1"); err != nil {
		t.Fatalf("release of an unknown part: %v", err)
	}
	reserve := SignedReserve(a.key, b.id, "ord_x-1", "forge", testShipTo,
		[]Line{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 3, UnitPrice: pan.Price}})
	if st, _, err := decodeReply(b.svc.Handle(context.Background(), a.id, reserve), b.id, KindReserve, "ord_x-1"); err != nil || st != nil {
		t.Fatalf("late reserve: status %v, %v; want a bare acknowledgement", st, err)
	}
	if n := f.stockOf(pan); n != 10 {
		t.Errorf("stock %d after a released part's late reserve, want 10", n)
	}
}

// TestStorefrontKeepsTheNewestStatusAcrossRestarts: statuses that arrive
// out of order, twice, and after the storefront restarted fold to the
// newest.
func TestStorefrontKeepsTheNewestStatusAcrossRestarts(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)
	f.drained()
	f.net.partition(a.id, b.id, true)
	ship, err := b.svc.Ship(context.Background(), "forge", part, "DHL", "JD1")
	if err != nil || ship.Seq != 3 {
		t.Fatal(ship, err)
	}
	if _, err := b.svc.Deliver(context.Background(), "forge", part); err != nil {
		t.Fatal(err)
	}
	shipped, delivered := statuses(t, b, part)[3][0].Encode(), statuses(t, b, part)[4][0].Encode()
	f.restart(a)
	for _, raw := range [][]byte{delivered, shipped} {
		if r := a.svc.Handle(context.Background(), b.id, raw); !bytes.Contains(r, []byte(`"ack":true`)) {
			t.Fatalf("storefront answered %s", r)
		}
	}
	f.restart(a)
	a.svc.Handle(context.Background(), b.id, shipped)
	if got := partOn(t, a, part); got.Status != StatusDelivered || got.Seq != 4 {
		t.Fatalf("after shipped arrived late and again: %s seq %d, want delivered seq 4", got.Status, got.Seq)
	}
	f.net.partition(a.id, b.id, false)
	f.drained()
	if got := booked(t, a, part); !slices.Equal(got, []string{"accepted/2", "delivered/4"}) {
		t.Errorf("storefront booked %v", got)
	}
}

// TestConcurrentCheckoutsNeverOversell: two storefronts race for five
// units.
func TestConcurrentCheckoutsNeverOversell(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	pan := f.list(b, "forge", "PAN", 4990, 5)
	var wg sync.WaitGroup
	var mu sync.Mutex
	placed := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.buy([]*member{a, c}[i%2], fmt.Sprint("k", i), 1, pan)
			if err == nil {
				mu.Lock()
				placed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if placed != 5 || f.stockOf(pan) != 0 {
		t.Fatalf("%d checkouts placed, %d units left; want 5 and 0", placed, f.stockOf(pan))
	}
}

// TestHoldsExpire: a reserve nobody confirms gives its units back once
// its hold expires.
func TestHoldsExpire(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	reserve := SignedReserve(a.key, b.id, "ord_y-1", "forge", testShipTo,
		[]Line{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 4, UnitPrice: pan.Price}})
	st, _, err := decodeReply(b.svc.Handle(context.Background(), a.id, reserve), b.id, KindReserve, "ord_y-1")
	if err != nil || st.Status.Status != StatusReserved || f.stockOf(pan) != 6 {
		t.Fatalf("reserve: %v %v, stock %d", st, err, f.stockOf(pan))
	}
	f.clk.add(f.cfg.HoldTTL + time.Second)
	testwait.For(t, 10*time.Second, func() error {
		if n := f.stockOf(pan); n != 10 {
			return fmt.Errorf("stock %d after the hold expired", n)
		}
		return nil
	})
	var p *HomePart
	_ = b.db.View(func(txn *badger.Txn) (err error) { p, err = loadHome(txn, "ord_y-1"); return err })
	if p.Status != statusExpired {
		t.Errorf("part %s after its hold expired", p.Status)
	}
	// A day later the part that never became an order is forgotten, with
	// its messages and the answers they got.
	f.clk.add(f.cfg.PruneAfter + time.Minute)
	if err := b.svc.pruneEnded(context.Background()); err != nil {
		t.Fatal(err)
	}
	err = b.db.View(func(txn *badger.Txn) error {
		for _, prefix := range []string{prefixHome, prefixMessages, prefixInbox, prefixPeerMessages, prefixLatest, prefixEnded, prefixMerchant} {
			if ks := keys(txn, prefix, "", 0); len(ks) != 0 {
				return fmt.Errorf("%d keys left under %s: %v", len(ks), prefix, ks)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
