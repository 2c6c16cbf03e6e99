package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/groupsync"
	"github.com/fedmart/fedmart/internal/testwait"
)

// feed returns n valid entries, entry i with SKUs F-i-0..F-i-(variants-1).
func feed(n, variants int) []ListingInput {
	out := make([]ListingInput, n)
	for i := range out {
		skus := make([]string, variants)
		for j := range skus {
			skus[j] = fmt.Sprintf("F-%d-%d", i, j)
		}
		out[i] = input(fmt.Sprintf("Item %d", i), skus...)
	}
	return out
}

func TestUpsertBatch(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.BatchChunk = 7 // several chunks
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)

	items := feed(20, 2)
	items[3].Title = ""                           // invalid
	items[5] = input("Repeats", "F-4-1")          // a SKU of entry 4
	items[6] = input("Clashes", "NEW-6", "F-7-0") // a SKU entry 7 also has
	res, err := n.UpsertBatch(ctx, m, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 17 || res.Updated != 0 || res.Unchanged != 0 || len(res.Rejected) != 3 {
		t.Fatalf("first run %+v", res)
	}
	for i, want := range []struct {
		index int
		field string
	}{{3, "title"}, {5, "variants[0].sku"}, {7, "variants[0].sku"}} {
		r := res.Rejected[i]
		if r.Index != want.index || r.Errors[0].Field != want.field {
			t.Fatalf("rejection %d: %+v, want entry %d field %s", i, r, want.index, want.field)
		}
	}
	seq, count := n.Marks()[n.Platform()], n.Count()
	if seq != 17 || count != 17 { // one record per new listing
		t.Fatalf("seq %d count %d", seq, count)
	}

	// The same feed again changes nothing.
	res, err = n.UpsertBatch(ctx, m, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 0 || res.Updated != 0 || res.Unchanged != 17 || len(res.Rejected) != 3 {
		t.Fatalf("second run %+v", res)
	}
	if n.Marks()[n.Platform()] != seq || n.Count() != count {
		t.Fatalf("second run moved seq to %d, count to %d", n.Marks()[n.Platform()], n.Count())
	}

	// Change one description, one stock; drop a variant of a third.
	items[0].Title = "Item 0, better"
	items[1].Variants[1].Stock = 0
	items[2].Variants = items[2].Variants[:1]
	res, err = n.UpsertBatch(ctx, m, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 3 || res.Unchanged != 14 || res.Created != 0 {
		t.Fatalf("third run %+v", res)
	}
	// A listing record, a stock record, and a listing record that
	// carries its stock (both changed).
	if got := n.Marks()[n.Platform()]; got != seq+3 {
		t.Fatalf("seq %d, want %d", got, seq+3)
	}
	// F-2-1 left its listing: a new entry may use it.
	res, err = n.UpsertBatch(ctx, m, []ListingInput{input("Reuse", "F-2-1")})
	if err != nil || res.Created != 1 {
		t.Fatalf("reuse %+v %v", res, err)
	}
}

func TestUpsertBatchUnknownMerchant(t *testing.T) {
	n := newNode(t, testConfig(), &memberSet{})
	if _, err := n.UpsertBatch(context.Background(), newLocalID(), feed(1, 1)); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("err = %v", err)
	}
}

// A feed that writes is synced before it returns, and counted in Synced;
// one that changes nothing is neither.
func TestUpsertBatchCountsItsSync(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	items := feed(3, 1)
	for i, want := range []uint64{1, 1} { // written, then the same feed again: unchanged
		if _, err := n.UpsertBatch(ctx, m, items); err != nil {
			t.Fatal(err)
		}
		if got, _ := n.Synced(); got != want {
			t.Fatalf("feed %d: %d feeds synced, want %d", i, got, want)
		}
	}
}

// Feeds that arrive while a flush runs share the next one (SyncWith):
// four merchants' feeds cost the disk two flushes, not four, and each
// returns only after a flush that began after its commit.
func TestFeedsShareFlushes(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	gate := make(chan struct{})
	var flushes atomic.Int64
	g := groupsync.New(func() error {
		if flushes.Add(1) == 1 {
			<-gate // the first flush takes a while
		}
		return n.db.Sync()
	}, 0)
	n.SyncWith(g)
	feed := func(i int) error {
		m, _, err := n.CreateMerchant(ctx, fmt.Sprintf("Merchant %d", i))
		if err != nil {
			return err
		}
		_, err = n.UpsertBatch(ctx, m.ID, []ListingInput{input(fmt.Sprintf("Pan %d", i), fmt.Sprintf("P-%d", i))})
		return err
	}
	errs := make(chan error, 4)
	go func() { errs <- feed(0) }()
	testwait.For(t, 10*time.Second, func() error {
		if flushes.Load() != 1 {
			return errors.New("the first feed's flush has not begun")
		}
		return nil
	})
	for i := 1; i < 4; i++ {
		go func() { errs <- feed(i) }()
	}
	testwait.For(t, 10*time.Second, func() error {
		if w := g.Waiting(); w != 3 {
			return fmt.Errorf("%d feeds wait for the next flush, want 3", w)
		}
		return nil
	})
	select {
	case err := <-errs:
		t.Fatalf("a feed returned before its flush: %v", err)
	default:
	}
	close(gate)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := flushes.Load(); got != 2 {
		t.Fatalf("%d flushes for four feeds, want 2", got)
	}
	if fed, _ := n.Synced(); fed != 4 {
		t.Fatalf("%d feeds counted synced, want 4", fed)
	}
}

func TestUpsertBatchSameListingTwice(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	if _, err := n.CreateListing(ctx, m, input("Pan", "A", "B")); err != nil {
		t.Fatal(err)
	}
	res, err := n.UpsertBatch(ctx, m, []ListingInput{input("Pan", "A", "B"), input("Pan B", "B")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 1 || len(res.Rejected) != 1 || res.Rejected[0].Index != 1 {
		t.Fatalf("%+v", res)
	}
}

func TestUpsertBatchFitsSmallTransactions(t *testing.T) {
	ctx := context.Background()
	// A 1 MiB memtable allows Badger transactions of about 150 KiB.
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil).WithMemTableSize(1 << 20).WithValueThreshold(64 << 10))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	n := newNodeOn(t, db, testConfig(), &memberSet{})
	m := n.merchant(t)
	if chunks := n.chunks(prepareAll(t, n, m, feed(600, 3))); len(chunks) < 5 {
		t.Fatalf("%d chunks; the estimate does not follow Badger's limits", len(chunks))
	}
	res, err := n.UpsertBatch(ctx, m, feed(600, 3))
	if err != nil || res.Created != 600 || n.Count() != 600 {
		t.Fatalf("%+v %v count %d", res, err, n.Count())
	}
	// A chunk that does not fit after all is split until it does.
	items := prepareAll(t, n, m, feed(1200, 3)[600:])
	var delivered []<-chan struct{}
	if err := n.upsertChunk(m, items, map[string]int{}, &delivered); err != nil {
		t.Fatal(err)
	}
	if len(delivered) < 2 {
		t.Fatalf("%d commits announced; the chunk was not split", len(delivered))
	}
	for _, done := range delivered {
		<-done
	}
	if res := tally(items); res.Created != 600 || n.Count() != 1200 || n.Marks()[n.Platform()] != 1200 {
		t.Fatalf("%+v count %d", res, n.Count())
	}
}

func prepareAll(t *testing.T, n *testNode, merchant string, in []ListingInput) []*batchItem {
	t.Helper()
	items := make([]*batchItem, len(in))
	for i := range in {
		p, errs := n.prepare(merchant, "", in[i])
		if errs != nil {
			t.Fatal(errs)
		}
		items[i] = &batchItem{index: i, p: p}
	}
	return items
}

// TestPrepareBoundsRecordSize checks prepare's size estimates against
// the records signed: a new listing is one record when description and
// stock fit one, and two records when only each fits alone.
func TestPrepareBoundsRecordSize(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)
	mp, err := n.Merchant(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	small, big := input("Pan", "P-1"), input("Pan "+strings.Repeat("é", 150), "Q-1", "Q-2", "Q-3")
	for _, in := range []ListingInput{small, big} {
		p, errs := n.prepare(m, mp.Name, in) // as CreateListing does
		if errs != nil || !p.oneFits {
			t.Fatalf("%v, one record fits: %v", errs, p.oneFits)
		}
		if _, err := n.CreateListing(ctx, m, in); err != nil {
			t.Fatal(err)
		}
		raws := n.raws()
		actual := len(raws[len(raws)-1])
		estimate := len(contentJSON(p.desc)) + len(stockJSON(p.stock)) + n.bothFraming
		if estimate < actual || estimate > actual+200 { // seqs, versions and times are probed at their longest
			t.Fatalf("estimated %d bytes, signed %d", estimate, actual)
		}
	}

	// Under a limit that each record meets alone but not both in one,
	// the listing is two records, each estimated.
	n2 := newNode(t, cfg, &memberSet{})
	m2 := n2.merchant(t)
	if mp, err = n2.Merchant(ctx, m2); err != nil {
		t.Fatal(err)
	}
	p, _ := n2.prepare(m2, mp.Name, big)
	n2.cfg.MaxRecordBytes = p.bytes - len(stockJSON(p.stock)) - n2.stockFraming + 20 // the listing record's size, and a little
	p, errs := n2.prepare(m2, mp.Name, big)
	if errs != nil || p.oneFits {
		t.Fatalf("%v, one record fits: %v", errs, p.oneFits)
	}
	if _, err := n2.CreateListing(ctx, m2, big); err != nil {
		t.Fatal(err)
	}
	raws := n2.raws()
	actual := len(raws[len(raws)-2]) + len(raws[len(raws)-1])
	if p.bytes < actual || p.bytes > actual+200 {
		t.Fatalf("estimated %d bytes for two records, signed %d", p.bytes, actual)
	}
}

// TestCarryStockOffSignsTwoRecords: a home whose charter is below
// protocol level 2 signs a new listing, alone or in a feed, as a listing
// record and a stock record, which a build before that level accepts.
func TestCarryStockOffSignsTwoRecords(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	n.SetCarryStock(false)
	m := n.merchant(t)
	before := len(n.raws())
	if _, err := n.CreateListing(ctx, m, input("Pan", "P-1")); err != nil {
		t.Fatal(err)
	}
	if res, err := n.UpsertBatch(ctx, m, feed(3, 1)); err != nil || res.Created != 3 {
		t.Fatalf("%+v %v", res, err)
	}
	raws := n.raws()[before:]
	kinds := map[Kind]int{}
	for _, raw := range raws {
		r, err := Decode(raw, n.cfg.MaxRecordBytes)
		if err != nil {
			t.Fatal(err)
		}
		if r.CarriesStock() {
			t.Fatalf("record %d carries its listing's stock", r.Seq)
		}
		kinds[r.Kind]++
	}
	if kinds[KindListing] != 4 || kinds[KindStock] != 4 {
		t.Fatalf("four new listings signed %v, want four listing and four stock records", kinds)
	}
}

func BenchmarkUpsertBatch(b *testing.B) {
	const size = 5000
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		n := newNode(b, testConfig(), &memberSet{})
		m := n.merchant(b)
		items := feed(size, 2)
		b.StartTimer()
		res, err := n.UpsertBatch(ctx, m, items)
		if err != nil || res.Created != size {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "listings/s")
}

// The handlers see each commit once, in commit order and one at a time,
// although a write lets go of the writer lock before they run; a feed
// returns only once they have seen all of it.
func TestChangesReachHandlersInCommitOrder(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.BatchChunk = 5 // eight chunks for a feed of 40
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)
	first, err := n.UpsertBatch(ctx, m, feed(1, 1))
	if err != nil || first.Created != 1 {
		t.Fatalf("%+v %v", first, err)
	}
	var (
		mu       sync.Mutex
		seqs     []uint64
		titles   = map[string]bool{}
		inFlight atomic.Bool
		overlaps atomic.Int32
	)
	n.OnChanges(func(chs []Change) {
		if inFlight.Swap(true) {
			overlaps.Add(1)
		}
		time.Sleep(2 * time.Millisecond) // a slow index: the next write goes on meanwhile
		mu.Lock()
		for _, ch := range chs {
			seqs = append(seqs, ch.Record.Seq)
			if ch.Listing != nil {
				titles[ch.Listing.Title] = true
			}
		}
		mu.Unlock()
		inFlight.Store(false)
	})
	ls, _, err := n.MerchantListings(ctx, m, "", 1)
	if err != nil || len(ls) != 1 {
		t.Fatal(ls, err)
	}
	id := ls[0].ID
	stocked := make(chan error, 1)
	go func() {
		for i := range 20 {
			if err := n.SetStock(ctx, m, id, "F-0-0", int64(100+i)); err != nil {
				stocked <- err
				return
			}
		}
		stocked <- nil
	}()
	in := feed(41, 1)[1:]
	res, err := n.UpsertBatch(ctx, m, in)
	if err != nil || res.Created != 40 {
		t.Fatalf("%+v %v", res, err)
	}
	mu.Lock()
	for _, e := range in {
		if !titles[e.Title] {
			t.Errorf("the feed returned before the handlers saw %q", e.Title)
		}
	}
	mu.Unlock()
	if err := <-stocked; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if top := n.Marks()[n.Platform()]; uint64(len(seqs)) != top-1 {
		t.Fatalf("handlers saw %d records, the catalog signed %d after the first", len(seqs), top-1)
	}
	for i, s := range seqs {
		if s != uint64(i+2) {
			t.Fatalf("record %d seen as seq %d: not in commit order %v", i, s, seqs)
		}
	}
	if overlaps.Load() != 0 {
		t.Fatalf("handlers ran at the same time %d times", overlaps.Load())
	}
}

// TestUpsertBatchUpdateRefusesAnotherListingsSKU updates a listing with
// a second variant whose SKU another listing has: the entry is refused
// by that variant, and both listings stay as they were.
func TestUpsertBatchUpdateRefusesAnotherListingsSKU(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	if res, err := n.UpsertBatch(ctx, m, []ListingInput{input("Pan", "A-0"), input("Pot", "B-0")}); err != nil || res.Created != 2 {
		t.Fatalf("%+v, %v", res, err)
	}
	res, err := n.UpsertBatch(ctx, m, []ListingInput{input("Pan", "A-0", "B-0")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 0 || len(res.Rejected) != 1 || res.Rejected[0].Errors[0].Field != "variants[1].sku" {
		t.Fatalf("%+v: want the entry refused by variants[1].sku", res)
	}
	if res, err := n.UpsertBatch(ctx, m, []ListingInput{input("Pan", "A-0"), input("Pot", "B-0")}); err != nil || res.Unchanged != 2 {
		t.Fatalf("the two listings changed: %+v, %v", res, err)
	}
}

// A feed of streamFrom entries or more is signed while it is decided
// (sealer.stream). What it stores must be what a feed signed after its
// deciding would store: one record per change, seqs running on without
// a gap in the order of the entries, each verifying as this node's, with
// the entry's content; rejected entries take no seq.
func TestAFeedSignedWhileDecidedStoresWhatItSigned(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	items := feed(3*streamFrom, 1)
	items[4].Title = ""                    // invalid
	items[9] = input("Repeats", "F-8-0")   // a SKU of entry 8
	items[20] = input("Clashes", "F-21-0") // a SKU entry 21 also has
	items[21].Variants[0].SKU = "F-21-0"

	check := func(round string, from uint64, want []ListingInput) {
		t.Helper()
		var got []*Record
		err := n.Since(map[string]uint64{n.Platform(): from}, 1000, func(raws [][]byte) error {
			for _, raw := range raws {
				r, err := Decode(raw, n.cfg.MaxRecordBytes)
				if err != nil {
					return err
				}
				got = append(got, r)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", round, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d records after seq %d, want %d", round, len(got), from, len(want))
		}
		for i, r := range got {
			if r.Origin != n.Platform() || r.Seq != from+uint64(i)+1 {
				t.Fatalf("%s: record %d is %s/%d, want seq %d", round, i, r.Origin, r.Seq, from+uint64(i)+1)
			}
			w := want[i]
			stockOK := r.Stock == nil && from > 0 || r.Stock[w.Variants[0].SKU] == w.Variants[0].Stock // an update of the price alone carries no stock
			if r.Listing == nil || r.Listing.Title != w.Title || r.Listing.Variants[0].Price != w.Variants[0].Price || !stockOK {
				t.Fatalf("%s: seq %d holds %+v (stock %v), want entry %q", round, r.Seq, r.Listing, r.Stock, w.Title)
			}
		}
	}

	res, err := n.UpsertBatch(ctx, m, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != len(items)-3 || len(res.Rejected) != 3 {
		t.Fatalf("first feed %+v", res)
	}
	var accepted []ListingInput
	for i, it := range items {
		if i != 4 && i != 9 && i != 21 {
			accepted = append(accepted, it)
		}
	}
	check("the new listings", 0, accepted)

	// The merchant's next feed: every accepted listing's price changed.
	next := slices.Clone(accepted)
	for i := range next {
		next[i].Variants = slices.Clone(next[i].Variants)
		next[i].Variants[0].Price.Amount += 100
	}
	res, err = n.UpsertBatch(ctx, m, next)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != len(next) || len(res.Rejected) != 0 {
		t.Fatalf("second feed %+v", res)
	}
	check("the updates", uint64(len(accepted)), next)
}
