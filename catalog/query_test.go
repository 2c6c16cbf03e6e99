package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// shelf is a merchant with listings of known titles, SKUs and stock.
type shelf struct {
	n        *testNode
	merchant string
	ids      map[string]string // by title
}

// stocked is input with the given units per variant.
func stocked(title string, units map[string]int64) ListingInput {
	skus := slices.Sorted(maps.Keys(units))
	in := input(title, skus...)
	for i := range in.Variants {
		in.Variants[i].Stock = units[in.Variants[i].SKU]
	}
	return in
}

func newShelf(t *testing.T) *shelf {
	t.Helper()
	ctx := context.Background()
	members := &memberSet{}
	s := &shelf{n: newNode(t, testConfig(), members), ids: map[string]string{}}
	s.merchant = s.n.merchant(t)
	for _, in := range []ListingInput{
		stocked("Carbon steel skillet", map[string]int64{"PAN-28": 12, "PAN-32": 9}),    // in
		stocked("Cast iron skillet", map[string]int64{"PAN-CI-26": 3, "PAN-CI-30": 40}), // low: one variant at 3
		stocked("Enamel kettle", map[string]int64{"KET-1": 0}),                          // out
		stocked("Kettle descaler", map[string]int64{"KET-DESC": 6}),                     // in (6 > 5)
		stocked("Copper pot", map[string]int64{"POT-1": 0, "POT-2": 0}),                 // out
		stocked("Stock pot", map[string]int64{"POT-3": 5}),                              // low: at the mark
		stocked("Skillet lid", map[string]int64{"LID-28": 1}),                           // low
	} {
		l, err := s.n.CreateListing(ctx, s.merchant, in)
		if err != nil {
			t.Fatal(err)
		}
		s.ids[in.Title] = l.ID
	}
	// Another merchant of the node, and a listing of another member: never
	// among the merchant's.
	other := s.n.merchant(t)
	if _, err := s.n.CreateListing(ctx, other, stocked("Other skillet", map[string]int64{"PAN-OTHER": 4})); err != nil {
		t.Fatal(err)
	}
	b := newNode(t, testConfig(), members)
	if _, err := b.CreateListing(ctx, b.merchant(t), stocked("Remote skillet", map[string]int64{"PAN-R": 4})); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, s.n, b, 10)
	return s
}

// titles names the listings of a page, in order.
func (s *shelf) titles(m ListingMatches) string {
	byID := map[string]string{}
	for title, id := range s.ids {
		byID[id] = title
	}
	var out []string
	for _, l := range m.Listings {
		if byID[l.ID] == "" {
			return "a listing not the merchant's: " + l.Title
		}
		out = append(out, l.Title)
	}
	slices.Sort(out)
	return strings.Join(out, "|")
}

func TestQueryListingsFilters(t *testing.T) {
	s := newShelf(t)
	cases := []struct {
		name string
		q    ListingQuery
		want string
	}{
		{"all", ListingQuery{}, "Carbon steel skillet|Cast iron skillet|Copper pot|Enamel kettle|Kettle descaler|Skillet lid|Stock pot"},
		{"a word, any case", ListingQuery{Text: "SKILLET"}, "Carbon steel skillet|Cast iron skillet|Skillet lid"},
		{"every word", ListingQuery{Text: "skillet  iron"}, "Cast iron skillet"},
		{"part of a word", ListingQuery{Text: "kett"}, "Enamel kettle|Kettle descaler"},
		{"a SKU in the text", ListingQuery{Text: "pan-ci"}, "Cast iron skillet"},
		{"no match", ListingQuery{Text: "wok"}, ""},
		{"SKU", ListingQuery{SKU: "pot-"}, "Copper pot|Stock pot"},
		{"SKU of a second variant", ListingQuery{SKU: "PAN-32"}, "Carbon steel skillet"},
		{"title words are not SKUs", ListingQuery{SKU: "kettle"}, ""},
		{"in stock", ListingQuery{Stock: StockIn}, "Carbon steel skillet|Kettle descaler"},
		{"low", ListingQuery{Stock: StockLow}, "Cast iron skillet|Skillet lid|Stock pot"},
		{"out", ListingQuery{Stock: StockOut}, "Copper pot|Enamel kettle"},
		{"low mark 10", ListingQuery{Stock: StockLow, LowStock: 10}, "Carbon steel skillet|Cast iron skillet|Kettle descaler|Skillet lid|Stock pot"},
		{"low mark 2", ListingQuery{Stock: StockIn, LowStock: 2}, "Carbon steel skillet|Cast iron skillet|Kettle descaler|Stock pot"},
		{"text and stock", ListingQuery{Text: "skillet", Stock: StockLow}, "Cast iron skillet|Skillet lid"},
		{"text, SKU and stock", ListingQuery{Text: "pot", SKU: "3", Stock: StockLow}, "Stock pot"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := s.n.QueryListings(t.Context(), s.merchant, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.titles(m); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
			if want := len(strings.Split(c.want, "|")); c.want != "" && m.Total != want || c.want == "" && m.Total != 0 {
				t.Errorf("total %d for %q", m.Total, c.want)
			}
		})
	}
}

func TestQueryListingsPages(t *testing.T) {
	s := newShelf(t)
	ctx := t.Context()
	all, err := s.n.QueryListings(ctx, s.merchant, ListingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(all.Listings))
	for i, l := range all.Listings {
		ids[i] = l.ID
	}
	if !slices.IsSorted(ids) || all.Total != 7 || all.Next != "" {
		t.Fatalf("the first page of all: %v, total %d, next %q", ids, all.Total, all.Next)
	}
	// Numbered pages of 3: 3, 3, 1; each knows the total.
	var seen []string
	for page := range 4 {
		m, err := s.n.QueryListings(ctx, s.merchant, ListingQuery{Offset: 3 * page, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if m.Total != 7 {
			t.Errorf("page %d: total %d", page, m.Total)
		}
		for _, l := range m.Listings {
			seen = append(seen, l.ID)
		}
		if want := []int{3, 3, 1, 0}[page]; len(m.Listings) != want {
			t.Errorf("page %d has %d listings, want %d", page, len(m.Listings), want)
		}
	}
	if !slices.Equal(seen, ids) {
		t.Errorf("the numbered pages gave %v, want %v", seen, ids)
	}
	// Cursor pages over a filter.
	seen = nil
	after := ""
	for range 10 {
		m, err := s.n.QueryListings(ctx, s.merchant, ListingQuery{Stock: StockLow, After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if m.Total != 3 {
			t.Errorf("cursor page after %q: total %d", after, m.Total)
		}
		for _, l := range m.Listings {
			seen = append(seen, l.Title)
		}
		if after = m.Next; after == "" {
			break
		}
	}
	slices.Sort(seen)
	if strings.Join(seen, "|") != "Cast iron skillet|Skillet lid|Stock pot" {
		t.Errorf("cursor pages of the low ones: %v", seen)
	}
}

func TestQueryListingsRefusals(t *testing.T) {
	s := newShelf(t)
	other := s.n.merchant(t)
	ctx := t.Context()
	for name, q := range map[string]ListingQuery{
		"stock state":   {Stock: "plenty"},
		"limit":         {Limit: 501},
		"offset":        {Offset: -1},
		"long text":     {Text: strings.Repeat("a", 257)},
		"foreign after": {After: s.ids["Copper pot"]},
	} {
		m := other
		if name != "foreign after" {
			m = s.merchant
		}
		if _, err := s.n.QueryListings(ctx, m, q); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	m, err := s.n.QueryListings(ctx, other, ListingQuery{})
	if err != nil || m.Total != 0 || len(m.Listings) != 0 {
		t.Errorf("a merchant with no listings: %+v, %v", m, err)
	}
}

// summaries reads every stored summary of the node, by listing id.
func summaries(t *testing.T, db *badger.DB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixSummary), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().Key()[len(prefixSummary):])] = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantSummaries is the summary every live listing of n's own should have.
func wantSummaries(t *testing.T, n *testNode) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := n.All(func(l Listing) error {
		if l.Platform == n.self {
			stock := map[string]int64{}
			for _, v := range l.Variants {
				stock[v.SKU] = v.Stock
			}
			out[l.ID] = encodeSummary(&l, stock)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSummaries fails unless n's summaries match its listings exactly.
func checkSummaries(t *testing.T, n *testNode, when string) {
	t.Helper()
	got, want := summaries(t, n.db), wantSummaries(t, n)
	if !maps.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("%s: the stored summaries (%d) differ from the listings (%d)", when, len(got), len(want))
	}
}

// The summaries follow every kind of write, and are built once for a
// catalog kept before them.
func TestSummariesFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	pan, err := a.CreateListing(ctx, m, input("Pan", "PAN-1", "PAN-2"))
	if err != nil {
		t.Fatal(err)
	}
	pot, err := a.CreateListing(ctx, m, input("Pot", "POT-1"))
	if err != nil {
		t.Fatal(err)
	}
	checkSummaries(t, a, "after creating")
	backup := backupOf(t, a)
	steps := []struct {
		name string
		do   func() error
	}{
		{"replace with a new title and SKUs", func() error {
			_, err := a.ReplaceListing(ctx, m, pan.ID, input("Pan, seasoned", "PAN-1", "PAN-3"))
			return err
		}},
		{"set stock", func() error { return a.SetStock(ctx, m, pan.ID, "PAN-3", 0) }},
		{"an order takes stock", func() error {
			return a.ChangeStock(ctx, []StockChange{{ListingID: pot.ID, SKU: "POT-1", Delta: -4}}, nil)
		}},
		{"a feed", func() error {
			_, err := a.UpsertBatch(ctx, m, []ListingInput{input("Pot, large", "POT-1"), input("Lid", "LID-1")})
			return err
		}},
		{"a bulk change", func() error {
			_, err := a.ApplyBulk(ctx, m, []string{pan.ID, pot.ID}, BulkChange{Op: BulkAddStock, Amount: 2}, nil)
			return err
		}},
		{"take down", func() error { return a.TakeDown(ctx, m, pot.ID) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		checkSummaries(t, a, s.name)
	}
	// Replicated listings have none; records of ours learnt back after a
	// restore keep ours right.
	syncFrom(t, b, a, 10)
	checkSummaries(t, b, "on a member")
	if got := summaries(t, b.db); len(got) != 0 {
		t.Fatalf("a member keeps %d summaries of another's listings", len(got))
	}
	r := restoreNode(t, a, backup, members)
	syncFrom(t, r, b, 10)
	checkSummaries(t, r, "learnt back after a restore")
	// A catalog kept before the summaries builds them at Open.
	err = r.db.Update(func(txn *badger.Txn) error {
		for id := range summaries(t, r.db) {
			if err := txn.Delete(summaryKey(id)); err != nil {
				return err
			}
		}
		return txn.Delete([]byte(keySummariesBuilt))
	})
	if err != nil {
		t.Fatal(err)
	}
	r = openOn(t, r.db, a, members)
	checkSummaries(t, r, "built at Open")
	if len(summaries(t, r.db)) != 2 { // the pan and the lid
		t.Fatalf("built %d summaries, want 2", len(summaries(t, r.db)))
	}
}

func TestSummaryDecodeRefusesCorruption(t *testing.T) {
	l := &Listing{Title: "Pan", Variants: []Variant{{SKU: "PAN-1"}, {SKU: "PAN-2"}}}
	good := encodeSummary(l, map[string]int64{"PAN-1": 3})
	var s summary
	if err := decodeSummary(good, &s); err != nil || string(s.title) != "pan" || len(s.skus) != 2 || s.stock[0] != 3 || s.stock[1] != 0 {
		t.Fatalf("decoded %+v, %v", s, err)
	}
	for i := range len(good) {
		if err := decodeSummary(good[:i], &s); err == nil {
			t.Errorf("a summary cut to %d bytes decodes", i)
		}
	}
	if err := decodeSummary(append(slices.Clone(good), 0), &s); err == nil {
		t.Error("a summary with trailing bytes decodes")
	}
	if err := decodeSummary([]byte{2, 0, 0}, &s); err == nil {
		t.Error("a summary of an unknown version decodes")
	}
}

// BenchmarkQueryListings measures a filtered query over one merchant's
// 20,000 listings against a scan that decodes every listing, as a query
// without the summaries would.
func BenchmarkQueryListings(b *testing.B) {
	ctx := context.Background()
	n := newNode(b, testConfig(), &memberSet{})
	m := n.merchant(b)
	batch := make([]ListingInput, 0, 1000)
	for i := range 20_000 {
		batch = append(batch, stocked(fmt.Sprintf("Item %d skillet", i), map[string]int64{fmt.Sprintf("SKU-%d", i): int64(i % 9)}))
		if len(batch) == cap(batch) {
			if _, err := n.UpsertBatch(ctx, m, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	q := ListingQuery{Text: "skillet 12", Stock: StockLow, Offset: 25, Limit: 25}
	b.Run("summaries", func(b *testing.B) {
		for b.Loop() {
			if _, err := n.QueryListings(ctx, m, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-every-listing", func(b *testing.B) {
		for b.Loop() {
			total := 0
			cursor := ""
			for {
				page, next, err := n.MerchantListings(ctx, m, cursor, maxPage)
				if err != nil {
					b.Fatal(err)
				}
				for _, l := range page {
					if strings.Contains(strings.ToLower(l.Title), "12") {
						total++
					}
				}
				if cursor = next; next == "" {
					break
				}
			}
		}
	})
}
