package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// pair returns two nodes of one federation.
func pair(t *testing.T) (a, b *testNode) {
	members := &memberSet{}
	return newNode(t, testConfig(), members), newNode(t, testConfig(), members)
}

func TestApplyRefusesAndStoresNothing(t *testing.T) {
	ctx := context.Background()
	big := testConfig()
	big.MaxRecordBytes, big.MaxDescriptionLen = 1<<20, 100_000
	members := &memberSet{}
	a, b := newNode(t, big, members), newNode(t, testConfig(), members)
	outsider := newNode(t, testConfig(), &memberSet{})
	m, om := a.merchant(t), outsider.merchant(t)

	l, err := a.CreateListing(ctx, m, input("Pan", "PAN-1")) // seq 1, carrying its stock
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Pan v2", "Pan v3"} { // seqs 2, 3
		if _, err := a.ReplaceListing(ctx, m, l.ID, input(title, "PAN-1")); err != nil {
			t.Fatal(err)
		}
	}
	huge := input("Huge", "HUGE-1")
	huge.Description = strings.Repeat("x", 80_000)
	if _, err := a.CreateListing(ctx, m, huge); err != nil { // seq 4
		t.Fatal(err)
	}
	if _, err := outsider.CreateListing(ctx, om, input("Pan", "PAN-1")); err != nil {
		t.Fatal(err)
	}
	forged := wellFormed(a.Platform())
	forged.Seq = 9

	// B holds v3 (seq 3) and has a gap below it. A stale record at the
	// mark would move the mark (see TestStaleRecordAtMarkMovesIt); seq 2
	// is not at the mark.
	if _, err := b.Apply(a.rawOf(t, 3)); err != nil {
		t.Fatal(err)
	}
	marks, count, records := b.Marks(), b.Count(), storedRecords(t, b.db)
	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		{"not a member", outsider.raws()[0], ErrNotMember},
		{"signed by another key", mustSeal(t, forged, b.key), ErrForged},
		{"tampered", bytes.Replace(a.rawOf(t, 1), []byte(`"PAN-1":10`), []byte(`"PAN-1":99`), 1), ErrForged},
		{"oversize", a.rawOf(t, 4), ErrTooLarge},
		{"older version", a.rawOf(t, 2), ErrStale},
		{"duplicate", a.rawOf(t, 3), ErrDuplicate},
		{"garbage", []byte{1, 2, 3}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := b.Apply(tt.raw); !errors.Is(err, tt.want) {
				t.Fatalf("Apply err = %v, want %v", err, tt.want)
			}
			if !maps.Equal(b.Marks(), marks) || b.Count() != count || storedRecords(t, b.db) != records {
				t.Fatalf("store changed: marks %v (was %v), count %d (was %d)", b.Marks(), marks, b.Count(), count)
			}
		})
	}
	if got, err := b.Listing(ctx, l.ID); err != nil || got.Title != "Pan v3" {
		t.Fatalf("B reads %+v, %v", got, err)
	}
}

func TestApplyRefusesConflictsAndListingsOverLimits(t *testing.T) {
	a, b := pair(t)
	// Another currency than B's settlement currency.
	l := wellFormed(a.Platform())
	l.Listing.Variants[0].Price.Currency = "USD"
	if _, err := b.Apply(mustSeal(t, l, a.key)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "variants[0].price.currency") {
		t.Fatalf("foreign currency: %v", err)
	}
	// Two different records with one seq: the second is a conflict.
	r1, r2 := wellFormed(a.Platform()), wellFormed(a.Platform())
	if _, err := b.Apply(mustSeal(t, r1, a.key)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(mustSeal(t, r2, a.key)); !errors.Is(err, ErrConflict) {
		t.Fatalf("equivocation: %v", err)
	}
	// A listing change after its takedown is a conflict.
	tomb := *r1
	tomb.Seq, tomb.Version, tomb.Tombstone, tomb.Listing = 2, 2, true, nil
	if _, err := b.Apply(mustSeal(t, &tomb, a.key)); err != nil {
		t.Fatal(err)
	}
	back := *r1
	back.Seq, back.Version = 3, 3
	back.Listing = wellFormed(a.Platform()).Listing
	back.Listing.ID, back.Listing.Merchant, back.Listing.Version = r1.ListingID, r1.Listing.Merchant, 3
	if _, err := b.Apply(mustSeal(t, &back, a.key)); !errors.Is(err, ErrConflict) {
		t.Fatalf("resurrection: %v", err)
	}
	if b.Count() != 0 || b.Marks()[a.Platform()] != 2 {
		t.Fatalf("count %d marks %v", b.Count(), b.Marks())
	}
}

func TestTwoNodesConverge(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	ma, mb := a.merchant(t), b.merchant(t)
	var ids []string
	for i, skus := range [][]string{{"A-1"}, {"A-2", "A-3"}, {"A-4"}} {
		l, err := a.CreateListing(ctx, ma, input("Item "+string(rune('A'+i)), skus...))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	if _, err := b.CreateListing(ctx, mb, input("B's pan", "B-1")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ReplaceListing(ctx, ma, ids[0], input("Item A, renamed", "A-1")); err != nil {
		t.Fatal(err)
	}
	if err := a.SetStock(ctx, ma, ids[1], "A-3", 0); err != nil {
		t.Fatal(err)
	}
	if err := a.TakeDown(ctx, ma, ids[2]); err != nil {
		t.Fatal(err)
	}

	syncFrom(t, b, a, 2)
	syncFrom(t, a, b, 2)
	if got, want := listingsOf(t, b), listingsOf(t, a); got != want {
		t.Fatalf("B holds\n%s\nA holds\n%s", got, want)
	}
	if a.Count() != 3 || b.Count() != 3 {
		t.Fatalf("counts %d %d", a.Count(), b.Count())
	}
	if _, err := b.Listing(ctx, ids[2]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("taken-down listing on B: %v", err)
	}
	if !maps.Equal(a.Marks(), b.Marks()) {
		t.Fatalf("marks differ: %v %v", a.Marks(), b.Marks())
	}
	// A second catch-up moves nothing.
	if n := syncFrom(t, b, a, 2); n != 0 {
		t.Fatalf("second catch-up sent %d records", n)
	}
}

func TestGapAndCatchUp(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	m := a.merchant(t)
	if _, err := a.CreateListing(ctx, m, input("One", "S-1")); err != nil { // seq 1, carrying its stock
		t.Fatal(err)
	}
	l2, err := a.CreateListing(ctx, m, input("Two", "S-2")) // seq 2, carrying its stock
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetStock(ctx, m, l2.ID, "S-2", 5); err != nil { // seq 3 supersedes 2's stock
		t.Fatal(err)
	}
	renamed := input("Two, renamed", "S-2")
	renamed.Variants[0].Stock = 5
	if _, err := a.ReplaceListing(ctx, m, l2.ID, renamed); err != nil { // seq 4 supersedes the rest of 2
		t.Fatal(err)
	}
	origin := a.Platform()

	if res, err := b.Apply(a.rawOf(t, 1)); err != nil || res.Gap {
		t.Fatalf("seq 1: %+v %v", res, err)
	}
	res, err := b.Apply(a.rawOf(t, 3))
	if err != nil || !res.Gap || !hasGap(b.Catalog, origin) || b.Marks()[origin] != 1 {
		t.Fatalf("seq 3: %+v %v, mark %d", res, err, b.Marks()[origin])
	}
	if mark, top := b.Origin(origin); mark != 1 || top != 3 {
		t.Fatalf("B's origin state after seq 3: mark %d top %d, want 1 and 3 (the lag the dashboard shows)", mark, top)
	}

	// A holds 1, 3, 4; B lacks what is above its mark 1: 3 and 4.
	var sent [][]byte
	err = a.Since(b.Marks(), 10, func(raws [][]byte) error { sent = append(sent, raws...); return nil })
	if err != nil || len(sent) != 2 {
		t.Fatalf("Since sent %d records, %v; want 2", len(sent), err)
	}
	for _, raw := range sent {
		if _, err := b.Apply(raw); err != nil && !isNoop(err) {
			t.Fatal(err)
		}
	}
	if !hasGap(b.Catalog, origin) || b.Marks()[origin] != 1 {
		t.Fatalf("seq 2 was superseded, B cannot know: mark %d", b.Marks()[origin])
	}
	if err := b.AdvanceMark(origin, a.Marks()[origin]); err != nil {
		t.Fatal(err)
	}
	if hasGap(b.Catalog, origin) || b.Marks()[origin] != 4 {
		t.Fatalf("after AdvanceMark: gap %v mark %d", hasGap(b.Catalog, origin), b.Marks()[origin])
	}
	if mark, top := b.Origin(origin); mark != 4 || top != 4 {
		t.Fatalf("caught up: mark %d top %d, want 4 and 4", mark, top)
	}
	if got, want := listingsOf(t, b), listingsOf(t, a); got != want {
		t.Fatalf("B holds\n%s\nA holds\n%s", got, want)
	}
}

func TestStaleRecordAtMarkMovesIt(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	m := a.merchant(t)
	l, err := a.CreateListing(ctx, m, input("Pan", "PAN-1")) // 1, carrying its stock
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetStock(ctx, m, l.ID, "PAN-1", 4); err != nil { // 2
		t.Fatal(err)
	}
	next := input("Pan 2", "PAN-1")
	next.Variants[0].Stock = 4
	if _, err := a.ReplaceListing(ctx, m, l.ID, next); err != nil { // 3
		t.Fatal(err)
	}
	for _, seq := range []uint64{3, 2} {
		if _, err := b.Apply(a.rawOf(t, seq)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Apply(a.rawOf(t, 1)); !errors.Is(err, ErrStale) {
		t.Fatalf("seq 1: %v", err)
	}
	if b.Marks()[a.Platform()] != 3 || hasGap(b.Catalog, a.Platform()) {
		t.Fatalf("mark %d", b.Marks()[a.Platform()])
	}
}

func TestSupersessionKeepsOneRecordPerListingAndKind(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	m := a.merchant(t)
	l, err := a.CreateListing(ctx, m, input("Pan", "PAN-1"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := a.SetStock(ctx, m, l.ID, "PAN-1", int64(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ReplaceListing(ctx, m, l.ID, input("Pan "+string(rune('a'+i)), "PAN-1")); err != nil {
			t.Fatal(err)
		}
	}
	for _, raw := range a.raws() { // live delivery of every record, in order
		if _, err := b.Apply(raw); err != nil {
			t.Fatal(err)
		}
	}
	// The last change set both description and stock: one record that
	// carries both is the listing's only one.
	for _, n := range []*testNode{a, b} {
		if got := storedRecords(t, n.db); got != 1 {
			t.Fatalf("%d records stored, want 1", got)
		}
	}
	// A stock record supersedes its stock only: the record that carried
	// it stays, as the listing record.
	seen := len(a.raws())
	if err := a.SetStock(ctx, m, l.ID, "PAN-1", 7); err != nil {
		t.Fatal(err)
	}
	for _, raw := range a.raws()[seen:] {
		if _, err := b.Apply(raw); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []*testNode{a, b} {
		if got := storedRecords(t, n.db); got != 2 {
			t.Fatalf("%d records stored, want 2", got)
		}
		if got, err := n.Listing(ctx, l.ID); err != nil || got.Title != "Pan e" || got.Variants[0].Stock != 7 {
			t.Fatalf("reads %+v, %v", got, err)
		}
	}
	if err := a.TakeDown(ctx, m, l.ID); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 100)
	for _, n := range []*testNode{a, b} {
		if got := storedRecords(t, n.db); got != 1 {
			t.Fatalf("%d records stored after takedown, want the tombstone", got)
		}
	}
}

func TestSinceBatchesAndStops(t *testing.T) {
	ctx := context.Background()
	a, _ := pair(t)
	m := a.merchant(t)
	for i := range 8 { // a record each
		if _, err := a.CreateListing(ctx, m, input("Pan", "PAN-"+string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []int
	err := a.Since(nil, 3, func(raws [][]byte) error { sizes = append(sizes, len(raws)); return nil })
	if err != nil || len(sizes) != 3 || sizes[0] != 3 || sizes[2] != 2 {
		t.Fatalf("batches %v, %v", sizes, err)
	}
	stop := errors.New("stop")
	if err := a.Since(nil, 3, func([][]byte) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
	if err := a.Since(nil, 0, func([][]byte) error { return nil }); !errors.Is(err, ErrInvalid) {
		t.Fatalf("batch 0: %v", err)
	}
}

// listingsOf renders every live listing of a node, for comparison.
func listingsOf(t *testing.T, n *testNode) string {
	t.Helper()
	var b strings.Builder
	err := n.All(func(l Listing) error {
		j, err := json.Marshal(l)
		b.Write(j)
		b.WriteByte('\n')
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestNodeLearnsItsOwnRecordsBack(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	l, err := a.CreateListing(ctx, m, input("Pan", "PAN-1", "PAN-2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ReplaceListing(ctx, m, l.ID, input("Pan", "PAN-1", "PAN-3")); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)

	// A loses its database and starts again with its key.
	restored := &testNode{db: newDB(t), key: a.key}
	c, err := Open(testConfig(), restored.db, a.key, members, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	restored.Catalog = c
	syncFrom(t, restored, b, 10)
	if got, want := listingsOf(t, restored), listingsOf(t, a); got != want {
		t.Fatalf("restored holds\n%s\nwant\n%s", got, want)
	}
	if restored.Marks()[a.Platform()] != a.Marks()[a.Platform()] {
		t.Fatalf("marks %v, want %v", restored.Marks(), a.Marks())
	}
	err = restored.db.View(func(txn *badger.Txn) error {
		for sku, want := range map[string]string{"PAN-1": l.ID, "PAN-2": "", "PAN-3": l.ID} {
			if got, err := lookupSKU(txn, m, sku); err != nil || got != want {
				t.Errorf("SKU %s -> %q, %v; want %q", sku, got, err, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentWritesAndOutOfOrderDelivery(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	m := a.merchant(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				l, err := a.CreateListing(ctx, m, input("Pan", fmt.Sprintf("W%d-%d", w, i)))
				if err == nil && i%3 == 0 {
					err = a.SetStock(ctx, m, l.ID, l.Variants[0].SKU, int64(i))
				}
				if err == nil && i%5 == 0 {
					err = a.TakeDown(ctx, m, l.ID)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Deliver every record, in reverse, from two goroutines, while reading.
	raws := a.raws()
	for g := range 2 {
		wg.Go(func() {
			for i := len(raws) - 1 - g; i >= 0; i -= 2 {
				if _, err := b.Apply(raws[i]); err != nil && !isNoop(err) {
					t.Error(err)
				}
				_ = b.Count()
				_ = b.Marks()
			}
		})
	}
	wg.Wait()
	syncFrom(t, b, a, 7)
	if got, want := listingsOf(t, b), listingsOf(t, a); got != want {
		t.Fatalf("B holds\n%s\nA holds\n%s", got, want)
	}
	if a.Count() != 32 || b.Count() != 32 || !maps.Equal(a.Marks(), b.Marks()) || hasGap(b.Catalog, a.Platform()) {
		t.Fatalf("counts %d %d, marks %v %v", a.Count(), b.Count(), a.Marks(), b.Marks())
	}
}

// TestMerchantNameTravelsWithTheListing checks that a storefront can name
// the merchant of a replicated listing, and that a name no home node could
// have signed is refused.
func TestMerchantNameTravelsWithTheListing(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	l, err := a.CreateListing(ctx, a.merchant(t), input("Pan", "PAN-1"))
	if err != nil {
		t.Fatal(err)
	}
	if l.MerchantName != "Acme" {
		t.Fatalf("the home node signed merchant name %q, want Acme", l.MerchantName)
	}
	syncFrom(t, b, a, 10)
	if got, err := b.Listing(ctx, l.ID); err != nil || got.MerchantName != "Acme" {
		t.Fatalf("replicated: %q %v, want Acme", got.MerchantName, err)
	}
	long := wellFormed(a.Platform())
	long.Listing.MerchantName = strings.Repeat("n", maxMerchantName+1)
	if _, err := b.Apply(mustSeal(t, long, a.key)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "merchant_name") {
		t.Fatalf("an oversize merchant name: %v, want ErrInvalid naming merchant_name", err)
	}
}

// hasGap reports whether c holds records of origin above its mark.
func hasGap(c *Catalog, origin string) bool {
	mark, top := c.Origin(origin)
	return top > mark
}

// TestListingRecordCarriesStock: a member places each part of a listing
// record that carries stock by its own version, keeps the record while
// either head names it, and refuses it once both parts are older than
// what it holds.
func TestListingRecordCarriesStock(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	m := a.merchant(t)
	l, err := a.CreateListing(ctx, m, input("Pan", "PAN-1")) // 1: description and stock (10)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetStock(ctx, m, l.ID, "PAN-1", 4); err != nil { // 2: stock
		t.Fatal(err)
	}
	next := input("Pan 2", "PAN-1")
	next.Variants[0].Stock = 4
	if _, err := a.ReplaceListing(ctx, m, l.ID, next); err != nil { // 3: description
		t.Fatal(err)
	}
	if got := storedRecords(t, a.db); got != 2 {
		t.Fatalf("the home stores %d records, want 2 (seq 1 superseded twice)", got)
	}
	read := func(step string, title string, stock int64) {
		t.Helper()
		got, err := b.Listing(ctx, l.ID)
		if err != nil || got.Title != title || got.Variants[0].Stock != stock {
			t.Fatalf("%s: reads %q with %d units, %v; want %q with %d", step, got.Title, got.Variants[0].Stock, err, title, stock)
		}
	}
	if _, err := b.Apply(a.rawOf(t, 3)); err != nil {
		t.Fatal(err)
	}
	read("the description alone", "Pan 2", 0)
	// Seq 1's description is older than the one held, its stock newer
	// than none: the stock is placed.
	if _, err := b.Apply(a.rawOf(t, 1)); err != nil {
		t.Fatalf("seq 1 after 3: %v", err)
	}
	read("seq 1's stock", "Pan 2", 10)
	if _, err := b.Apply(a.rawOf(t, 2)); err != nil {
		t.Fatal(err)
	}
	read("the newer stock", "Pan 2", 4)
	if got := storedRecords(t, b.db); got != 2 {
		t.Fatalf("B stores %d records, want 2", got)
	}
	if _, err := b.Apply(a.rawOf(t, 1)); !errors.Is(err, ErrStale) {
		t.Fatalf("seq 1, both parts older: %v", err)
	}
	read("after the stale record", "Pan 2", 4)
}

// TestCarriedStockIsHeldToTheLimits: a member signing, with its own key,
// a listing record that carries more units or more SKUs than any node
// allows is refused like a stock record that does, and nothing is stored.
func TestCarriedStockIsHeldToTheLimits(t *testing.T) {
	a, b := pair(t)
	hi := ceilings()
	many := make(map[string]int64, hi.MaxVariants+1)
	for i := range hi.MaxVariants + 1 {
		many[fmt.Sprintf("SKU-%d", i)] = 1
	}
	for _, tt := range []struct {
		name  string
		stock map[string]int64
		field string
	}{
		{"units over the ceiling", map[string]int64{"PAN-1": hi.MaxStock + 1}, "units, more than"},
		{"SKUs over the ceiling", many, "SKUs, more than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := wellFormed(a.Platform())
			r.Stock, r.StockVersion = tt.stock, 1
			marks, records := b.Marks(), storedRecords(t, b.db)
			if _, err := b.Apply(mustSeal(t, r, a.key)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Apply err = %v, want ErrInvalid naming %q", err, tt.field)
			}
			if !maps.Equal(b.Marks(), marks) || storedRecords(t, b.db) != records {
				t.Fatalf("store changed: marks %v (was %v)", b.Marks(), marks)
			}
		})
	}
}

// Another member's record dated more than MaxClockSkew ahead of this
// node's clock is refused with ErrEarly and leaves nothing behind; the
// same bytes are taken once the clock has caught up. A record within the
// skew is taken at once, and a node's own records are never early to it.
func TestEarlyRecordIsTakenOnceDue(t *testing.T) {
	members := &memberSet{}
	a := newNode(t, testConfig(), members)
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	b := &testNode{db: newDB(t), key: newKey(t)}
	members.add(peerOf(t, b.key))
	var err error
	if b.Catalog, err = Open(testConfig(), b.db, b.key, members, nil, clock); err != nil {
		t.Fatal(err)
	}
	dated := func(seq uint64, at time.Time) []byte {
		r := wellFormed(a.Platform())
		r.Seq, r.Time, r.Listing.UpdatedAt = seq, at, at
		return mustSeal(t, r, a.key)
	}
	near, far := dated(1, now.Add(MaxClockSkew)), dated(2, now.Add(time.Hour))
	if _, err := b.Apply(near); err != nil {
		t.Fatalf("a record dated MaxClockSkew ahead: %v", err)
	}
	marks, count, records := b.Marks(), b.Count(), storedRecords(t, b.db)
	for _, apply := range []func() error{
		func() error { _, err := b.Apply(far); return err },
		func() error { _, errs := b.ApplyBatch([][]byte{far}); return errs[0] },
	} {
		if err := apply(); !errors.Is(err, ErrEarly) || Skipped(err) {
			t.Fatalf("a record dated an hour ahead: err = %v, want ErrEarly, not skipped", err)
		}
		if !maps.Equal(b.Marks(), marks) || b.Count() != count || storedRecords(t, b.db) != records {
			t.Fatalf("store changed: marks %v (was %v), count %d (was %d)", b.Marks(), marks, b.Count(), count)
		}
	}
	mu.Lock()
	now = now.Add(time.Hour - MaxClockSkew)
	mu.Unlock()
	if _, err := b.Apply(far); err != nil {
		t.Fatalf("the record once its time is within the skew: %v", err)
	}
	if b.Marks()[a.Platform()] != 2 || b.Count() != count+1 {
		t.Fatalf("marks %v, count %d", b.Marks(), b.Count())
	}
	// A record that breaks a limit is refused as invalid, dated ahead
	// or not: its relay does not escape the refusal.
	bad := wellFormed(a.Platform())
	bad.Seq, bad.Time, bad.Listing.UpdatedAt = 3, now.Add(time.Hour), now.Add(time.Hour)
	bad.Listing.Variants[0].Price.Currency = "USD"
	if _, err := b.Apply(mustSeal(t, bad, a.key)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("an invalid record dated ahead: err = %v, want ErrInvalid", err)
	}
	// B's own record, echoed back, is B's own claim about its clock.
	own := wellFormed(b.Platform())
	own.Time = now.Add(24 * time.Hour)
	own.Listing.UpdatedAt = own.Time
	if _, err := b.Apply(mustSeal(t, own, b.key)); errors.Is(err, ErrEarly) {
		t.Fatalf("a node's own record: %v", err)
	}
}
