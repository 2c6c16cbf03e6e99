package catalog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// smallFeedRun is one small feed sent while the test holds the writer
// lock, and what came of it.
type smallFeedRun struct {
	merchant string
	res      BatchResult
	err      error
}

// sendWhileLocked holds n's writer lock until every feed of feeds (a
// merchant and its listing) waits in the queue of small feeds, lets it go,
// and returns what each feed got.
func sendWhileLocked(t *testing.T, n *testNode, feeds [][2]string, in func(merchant, title string) ListingInput) []smallFeedRun {
	t.Helper()
	ctx := context.Background()
	n.wmu.Lock()
	done := make(chan smallFeedRun, len(feeds))
	for _, f := range feeds {
		go func() {
			r, err := n.UpsertBatch(ctx, f[0], []ListingInput{in(f[0], f[1])})
			done <- smallFeedRun{merchant: f[0], res: r, err: err}
		}()
	}
	testwait.For(t, 10*time.Second, func() error {
		n.small.mu.Lock()
		defer n.small.mu.Unlock()
		if got := len(n.small.waiting); got != len(feeds) {
			return fmt.Errorf("%d feeds queued, want %d", got, len(feeds))
		}
		return nil
	})
	n.wmu.Unlock()
	out := make([]smallFeedRun, 0, len(feeds))
	for range feeds {
		out = append(out, <-done)
	}
	return out
}

func TestSmallFeedsShareATransaction(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	var ids []string
	for i := range 4 {
		m, _, err := n.CreateMerchant(ctx, fmt.Sprintf("Merchant %d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	// Four merchants, and the first twice with the same new SKU: its two
	// feeds must not share a transaction, or both would create a listing.
	feeds := [][2]string{{ids[0], "Pan"}, {ids[1], "Pot"}, {ids[2], "Lid"}, {ids[3], "Wok"}, {ids[0], "Pan, larger"}}
	runs := sendWhileLocked(t, n, feeds, func(m, title string) ListingInput { return input(title, "SKU-"+m) })
	created, updated := 0, 0
	for _, r := range runs {
		if r.err != nil || len(r.res.Rejected) > 0 {
			t.Fatalf("merchant %s: %+v, %v", r.merchant, r.res, r.err)
		}
		created += r.res.Created
		updated += r.res.Updated
	}
	if created != 4 || updated != 1 {
		t.Fatalf("%d listings created and %d updated, want 4 and 1 (the first merchant's second feed updates its first's)", created, updated)
	}
	for _, id := range ids {
		ls, _, err := n.MerchantListings(ctx, id, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != 1 {
			t.Fatalf("merchant %s has %d listings, want 1", id, len(ls))
		}
	}
	if mine, _, _ := n.MerchantListings(ctx, ids[0], "", 10); mine[0].Title != "Pan" && mine[0].Title != "Pan, larger" {
		t.Fatalf("the first merchant's listing reads %q", mine[0].Title)
	}
	// Whichever feed takes the lock first writes the four merchants' feeds
	// in one transaction; the first merchant's other feed needs a second.
	if fed, writes := n.SmallFeeds(); fed != 5 || writes != 2 {
		t.Fatalf("%d small feeds written in %d turns of the writer lock, want 5 in 2", fed, writes)
	}
	if got := storedRecords(t, n.db); got == 0 {
		t.Fatal("nothing stored")
	}
	if fed, _ := n.Synced(); fed != 5 {
		t.Fatalf("%d feeds synced, want 5", fed)
	}
}

func TestSmallFeedsKeepTheirOwnErrors(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.MaxMerchantListings = 1
	n := newNode(t, cfg, &memberSet{})
	full, free := n.merchant(t), n.merchant(t)
	if _, err := n.UpsertBatch(ctx, full, []ListingInput{input("Pan", "FULL-1")}); err != nil {
		t.Fatal(err)
	}
	// The full merchant's new listing is over its quota: the shared
	// transaction fails, and each feed is written again alone.
	runs := sendWhileLocked(t, n, [][2]string{{full, "FULL-2"}, {free, "FREE-1"}}, func(_, sku string) ListingInput { return input("Pot", sku) })
	for _, r := range runs {
		switch r.merchant {
		case full:
			if !errors.Is(r.err, ErrQuota) {
				t.Fatalf("the full merchant's feed: %+v, %v; want ErrQuota", r.res, r.err)
			}
		case free:
			if r.err != nil || r.res.Created != 1 {
				t.Fatalf("the other merchant's feed: %+v, %v; want one listing created", r.res, r.err)
			}
		}
	}
	if ls, _, _ := n.MerchantListings(ctx, full, "", 10); len(ls) != 1 {
		t.Fatalf("the full merchant has %d listings, want 1", len(ls))
	}
	if fed, writes := n.SmallFeeds(); fed != 3 || writes != 3 {
		t.Fatalf("%d small feeds in %d turns, want 3 in 3 (the first, then the two alone)", fed, writes)
	}
}

// TestAWrittenSmallFeedReturnsWithoutTheLock checks that a small feed
// another feed wrote returns while that feed still holds the writer
// lock: it needs no turn of the lock of its own to learn it was written.
func TestAWrittenSmallFeedReturnsWithoutTheLock(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	a, b := n.merchant(t), n.merchant(t)
	returned := make(chan smallFeedRun, 2)
	var waited []string
	hooked := make(chan struct{})
	n.small.afterWrite = func() { // under wmu, after the shared turn
		defer close(hooked)
		select {
		case r := <-returned:
			waited = append(waited, r.merchant)
			returned <- r
		case <-time.After(10 * time.Second):
			waited = append(waited, "none")
		}
	}
	n.wmu.Lock()
	for _, m := range []string{a, b} {
		go func() {
			r, err := n.UpsertBatch(ctx, m, []ListingInput{input("Pan", "SKU-"+m)})
			returned <- smallFeedRun{merchant: m, res: r, err: err}
		}()
	}
	testwait.For(t, 10*time.Second, func() error {
		n.small.mu.Lock()
		defer n.small.mu.Unlock()
		if got := len(n.small.waiting); got != 2 {
			return fmt.Errorf("%d feeds queued, want 2", got)
		}
		return nil
	})
	n.wmu.Unlock()
	<-hooked
	for range 2 {
		if r := <-returned; r.err != nil || r.res.Created != 1 {
			t.Fatalf("merchant %s: %+v, %v", r.merchant, r.res, r.err)
		}
	}
	if len(waited) != 1 || waited[0] == "none" {
		t.Fatalf("while the leader held the lock after its turn, returned: %v; want the feed it wrote for the other merchant", waited)
	}
	if fed, writes := n.SmallFeeds(); fed != 2 || writes != 1 {
		t.Fatalf("%d small feeds in %d turns, want 2 in 1", fed, writes)
	}
}

// TestSmallFeedsUnderLoad sends many small feeds of a few merchants at
// once, each creating or updating one of a handful of listings: every
// feed returns, and each merchant ends with one listing per SKU sent.
func TestSmallFeedsUnderLoad(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	merchants := make([]string, 6)
	for i := range merchants {
		merchants[i] = n.merchant(t)
	}
	const senders, feeds, skus = 24, 12, 3
	errs := make(chan error, senders)
	for s := range senders {
		go func() {
			m := merchants[s%len(merchants)]
			for f := range feeds {
				sku := fmt.Sprintf("SKU-%d", (s+f)%skus)
				if _, err := n.UpsertBatch(ctx, m, []ListingInput{input(fmt.Sprintf("Pan %d", f), sku)}); err != nil {
					errs <- fmt.Errorf("merchant %s, %s: %w", m, sku, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range senders {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range merchants {
		ls, _, err := n.MerchantListings(ctx, m, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != skus {
			t.Fatalf("merchant %s has %d listings, want %d", m, len(ls), skus)
		}
	}
	fed, writes := n.SmallFeeds()
	t.Logf("%d small feeds written in %d turns of the writer lock", fed, writes)
	if fed != senders*feeds || writes >= fed {
		t.Fatalf("%d small feeds in %d turns, want %d feeds, some sharing a turn", fed, writes, senders*feeds)
	}
}
