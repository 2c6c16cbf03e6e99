package catalog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// runPublisher runs PublishStock on n until the test ends and waits until
// ChangeStock defers to it.
func runPublisher(t *testing.T, c *Catalog) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.PublishStock(ctx) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("PublishStock: %v", err)
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			stop()
		}
	})
	testwait.For(t, 10*time.Second, func() error {
		if !c.coalesce.Load() {
			return errors.New("PublishStock has not started")
		}
		return nil
	})
	return stop
}

// stockRecords are the stock records of listing id that n announced, in
// order.
func (n *testNode) stockRecords(id string) []*Record {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []*Record
	for _, ch := range n.changes {
		if ch.Record.Kind == KindStock && ch.ID == id {
			out = append(out, ch.Record)
		}
	}
	return out
}

// TestCoalescedStockKeepsTheHomeAuthoritative takes stock from many
// goroutines while no publication is due: every take is decided from the
// home's stored units at once (nothing oversold, the home's reads exact),
// and no record is signed until the publisher's turn, which carries the
// latest units.
func TestCoalescedStockKeepsTheHomeAuthoritative(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.StockPublishEvery = time.Minute // no turn during the takes
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)
	in := input("Pan", "PAN-1")
	in.Variants[0].Stock = 40
	l, err := n.CreateListing(ctx, m, in)
	if err != nil {
		t.Fatal(err)
	}
	before := len(n.stockRecords(l.ID))
	stop := runPublisher(t, n.Catalog)

	var wg sync.WaitGroup
	var mu sync.Mutex
	sold, refused := 0, 0
	for g := 0; g < 10; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 6; i++ {
				err := n.ChangeStock(ctx, []StockChange{{ListingID: l.ID, SKU: "PAN-1", Delta: -1}}, nil)
				mu.Lock()
				switch {
				case err == nil:
					sold++
				case errors.Is(err, ErrOutOfStock):
					refused++
				default:
					t.Error(err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if sold != 40 || refused != 20 {
		t.Fatalf("sold %d and refused %d of 60 takes of 40 units", sold, refused)
	}
	got, err := n.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Variants[0].Stock; s != 0 {
		t.Fatalf("the home reads %d units after selling all 40", s)
	}
	if recs := n.stockRecords(l.ID); len(recs) != before {
		t.Fatalf("%d stock records signed before the publisher's turn", len(recs)-before)
	}
	// A return is decided from the pending units too.
	if err := n.ChangeStock(ctx, []StockChange{{ListingID: l.ID, SKU: "PAN-1", Delta: 3}}, nil); err != nil {
		t.Fatal(err)
	}
	stop()

	// The publisher's turn: one record with the latest units.
	if err := n.publishPending(n.stockQ.take()); err != nil {
		t.Fatal(err)
	}
	recs := n.stockRecords(l.ID)
	if len(recs) != before+1 || recs[len(recs)-1].Stock["PAN-1"] != 3 {
		t.Fatalf("after the turn: %d new records, last %v; want one with 3 units", len(recs)-before, recs[len(recs)-1].Stock)
	}
	if ids, err := n.pendingIDs(); err != nil || len(ids) != 0 {
		t.Fatalf("pending after publication: %v, %v", ids, err)
	}
}

// TestPendingStockSurvivesARestartAndConverges stops the publisher (as a
// crash would) with a take not yet published: the next run publishes the
// latest units, and a member that catches up reads them.
func TestPendingStockSurvivesARestartAndConverges(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	cfg := testConfig()
	cfg.StockPublishEvery = time.Minute
	home := newNode(t, cfg, members)
	m := home.merchant(t)
	l, err := home.CreateListing(ctx, m, input("Pot", "POT-1"))
	if err != nil {
		t.Fatal(err)
	}
	replica := newNode(t, testConfig(), members)
	syncFrom(t, replica, home, 100)

	stop := runPublisher(t, home.Catalog)
	if err := home.ChangeStock(ctx, []StockChange{{ListingID: l.ID, SKU: "POT-1", Delta: -7}}, nil); err != nil {
		t.Fatal(err)
	}
	stop() // nothing published: the take is only in the store

	cfg.StockPublishEvery = 10 * time.Millisecond
	later := &stepClock{t: time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)} // within the replica's MaxClockSkew
	again, err := Open(cfg, home.db, home.key, members, nil, later.now)
	if err != nil {
		t.Fatal(err)
	}
	restarted := &testNode{Catalog: again, db: home.db, key: home.key}
	again.OnChange(func(ch Change) {
		restarted.mu.Lock()
		defer restarted.mu.Unlock()
		restarted.changes = append(restarted.changes, ch)
	})
	runPublisher(t, again)
	testwait.For(t, 10*time.Second, func() error {
		recs := restarted.stockRecords(l.ID)
		if len(recs) == 0 {
			return errors.New("the pending stock was not published after the restart")
		}
		if s := recs[len(recs)-1].Stock["POT-1"]; s != 3 {
			return fmt.Errorf("published %d units, want 3", s)
		}
		return nil
	})
	syncFrom(t, replica, restarted, 100)
	got, err := replica.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Variants[0].Stock; s != 3 {
		t.Fatalf("the replica reads %d units after catching up, want 3", s)
	}
}

// TestMerchantStockReplacesPendingStock has a merchant set the units its
// newest record already says while orders hold some of them: the
// merchant's number wins at once, signed, and nothing stays pending.
func TestMerchantStockReplacesPendingStock(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.StockPublishEvery = time.Minute
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)
	l, err := n.CreateListing(ctx, m, input("Lid", "LID-1")) // 10 units, signed
	if err != nil {
		t.Fatal(err)
	}
	stop := runPublisher(t, n.Catalog)
	if err := n.ChangeStock(ctx, []StockChange{{ListingID: l.ID, SKU: "LID-1", Delta: -3}}, nil); err != nil {
		t.Fatal(err)
	}
	stop()
	before := len(n.stockRecords(l.ID))
	if err := n.SetStock(ctx, m, l.ID, "LID-1", 10); err != nil {
		t.Fatal(err)
	}
	got, err := n.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Variants[0].Stock; s != 10 {
		t.Fatalf("the home reads %d units after the merchant set 10", s)
	}
	recs := n.stockRecords(l.ID)
	if len(recs) != before+1 || recs[len(recs)-1].Stock["LID-1"] != 10 {
		t.Fatalf("%d records signed by the merchant's change, want one with 10 units", len(recs)-before)
	}
	if ids, err := n.pendingIDs(); err != nil || len(ids) != 0 {
		t.Fatalf("pending after the merchant's change: %v, %v", ids, err)
	}
}
