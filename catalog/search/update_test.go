package search

import (
	"context"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestUpsertReplaces(t *testing.T) {
	ix := newIndexOf(shopDocs())
	a1 := shopDocs()[0]
	a1.Title, a1.Description, a1.Brand, a1.Category = "Carbon Steel Wok", "Round bottom", "Wokster", "Home > Kitchen > Woks"
	a1.Price, a1.InStock = 26000, false
	ix.Upsert(a1)
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"old title term gone", Query{Text: "pan"}, []string{"a2", "a7", "a3"}},
		{"old description term gone", Query{Text: "skillet"}, nil},
		{"new title term", Query{Text: "woks"}, []string{"a1"}},
		{"new description term", Query{Text: "bottom"}, []string{"a1"}},
		{"old brand gone", Query{Brand: []string{"Acme"}}, []string{"a6", "a3"}},
		{"new brand", Query{Brand: []string{"Wokster"}}, []string{"a1"}},
		{"old category gone", Query{Category: "Home > Kitchen > Cookware"}, []string{"a2"}},
		{"new price", Query{MinPrice: 25000, Sort: PriceDesc}, []string{"a7", "a1"}},
		{"no longer in stock", Query{InStock: true, Category: "Home > Kitchen"}, []string{"a7", "a4", "a3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(mustSearch(t, ix, tt.q).Items); !slices.Equal(got, tt.want) {
				t.Errorf("items = %v, want %v", got, tt.want)
			}
		})
	}
	checkInvariants(t, ix)
	res := mustSearch(t, ix, Query{})
	if res.Total != 8 || ix.Len() != 8 {
		t.Errorf("Total %d, Len %d after replacing: want 8", res.Total, ix.Len())
	}
	if want := map[string]int{"Acme": 2, "Wokster": 1, "Chefly": 1, "Thermo": 1, "GreenCo": 1, "Brewster": 1}; !maps.Equal(res.Facets.Brand, want) {
		t.Errorf("brand facet = %v, want %v", res.Facets.Brand, want)
	}
}

func TestDeleteRemoves(t *testing.T) {
	ix := newIndexOf(shopDocs())
	ix.Delete("a3")
	ix.Delete("a3")      // twice is harmless
	ix.Delete("missing") // so is an unknown id
	if ix.Len() != 7 {
		t.Fatalf("Len = %d, want 7", ix.Len())
	}
	checkInvariants(t, ix)
	if got := ids(mustSearch(t, ix, Query{Text: "knife"}).Items); len(got) != 0 {
		t.Errorf("deleted doc still found: %v", got)
	}
	res := mustSearch(t, ix, Query{})
	f := res.Facets
	if res.Total != 7 || f.Brand["Acme"] != 2 || f.Platform["p1"] != 2 || f.Category["Home"] != 4 || f.InStock != 5 {
		t.Errorf("facets after delete: total %d %+v", res.Total, f)
	}
	if f.Price[3].Count != 1 {
		t.Errorf("50-100 band = %d, want 1", f.Price[3].Count)
	}
	// The freed slot is reused by the next new document.
	ix.Upsert(Doc{ID: "b1", Title: "Bread Knife", Brand: "Acme"})
	if got := ids(mustSearch(t, ix, Query{Text: "knife"}).Items); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("knife = %v, want [b1]", got)
	}
	if ix.slots.len() != 8 {
		t.Errorf("%d slots, want the freed one reused", ix.slots.len())
	}
}

func TestDeleteEverything(t *testing.T) {
	docs := genDocs(200, 3)
	ix := newIndexOf(docs)
	for _, d := range docs {
		ix.Delete(d.ID)
	}
	res := mustSearch(t, ix, Query{Text: "steel"})
	if res.Total != 0 || ix.Len() != 0 || len(mustSearch(t, ix, Query{}).Items) != 0 {
		t.Fatalf("index not empty: %+v", res)
	}
	for _, tm := range ix.terms {
		if tm.df != 0 || len(tm.lists) != 0 {
			t.Fatalf("term %q keeps df %d and %d postings", tm.text, tm.df, len(tm.lists))
		}
	}
	if ix.lenSum != [numFields]int64{} {
		t.Errorf("length sums = %v", ix.lenSum)
	}
}

// TestConcurrentSearchAndUpdate runs searches against concurrent updates;
// the race detector checks the locking, the assertions the invariants.
func TestConcurrentSearchAndUpdate(t *testing.T) {
	docs := genDocs(500, 4)
	ix := newIndexOf(docs[:250])
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, d := range docs[250:] {
			ix.Upsert(d)
			ix.Delete(docs[i].ID)
			d.Title = "changed " + d.Title
			ix.Upsert(d)
		}
	})
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Go(func() {
			q := Query{Text: genVocab[g], Sort: Sort(g), Limit: 10}
			for range 200 {
				res, err := ix.Search(q)
				if err == nil && (len(res.Items) > res.Total || len(res.Items) > 10) {
					err = fmt.Errorf("%d items of Total %d", len(res.Items), res.Total)
				}
				if err != nil {
					errs <- err
					return
				}
				q.Cursor = res.NextCursor
			}
		})
	}
	wg.Wait()
	close(errs)
	checkInvariants(t, ix)
	for err := range errs {
		t.Error(err)
	}
	if ix.Len() != 250 {
		t.Errorf("Len = %d, want 250", ix.Len())
	}
}

func TestCompactKeepsResults(t *testing.T) {
	docs := genDocs(300, 8)
	ix := newIndexOf(docs)
	for _, d := range docs[:50] {
		ix.Delete(d.ID)
	}
	var before []Result
	for _, q := range snapshotQueries {
		before = append(before, mustSearch(t, ix, q))
	}
	ix.Compact()
	checkInvariants(t, ix)
	for i, q := range snapshotQueries {
		if got := mustSearch(t, ix, q); !reflect.DeepEqual(got, before[i]) {
			t.Errorf("query %+v changed after Compact", q)
		}
	}
	ix.Upsert(docs[0]) // still takes updates
	ix.Delete(docs[60].ID)
	checkInvariants(t, ix)
}

// Compact files the documents by category: afterwards each category's
// documents sit in consecutive slots, no slot is free, and every search
// (ratings, facets and pages included) answers as before. A second
// Compact finds them in order and leaves them be.
func TestCompactFilesDocumentsByCategory(t *testing.T) {
	docs := genDocs(2000, 9)
	ix := newIndexOf(docs)
	for i, d := range docs[:300] {
		if i%3 == 0 {
			ix.Delete(d.ID)
		} else {
			d.Title += " revised"
			ix.Upsert(d)
		}
		ix.SetRating(docs[i+500].ID, int64(100+i%400), int64(1+i%7))
	}
	ix.SetRating("late", 480, 3) // a document not indexed yet keeps its rating
	queries := append(slices.Clone(snapshotQueries),
		Query{Sort: TopRated, Limit: 100}, Query{Text: "revised", MinRating: 3},
		Query{Text: "steel", Category: "Electronics", Sort: Newest, Limit: 7})
	pages := func() [][]Result {
		var out [][]Result
		for _, q := range queries {
			var rs []Result
			for range 4 { // the first pages, through their cursors
				r := mustSearch(t, ix, q)
				rs = append(rs, r)
				if q.Cursor = r.NextCursor; q.Cursor == "" {
					break
				}
			}
			out = append(out, rs)
		}
		return out
	}
	before := pages()
	ix.Compact()
	checkInvariants(t, ix)
	ix.mu.RLock()
	if ix.slots.len() != ix.ids.len() {
		t.Errorf("%d slots for %d documents: free slots were kept", ix.slots.len(), ix.ids.len())
	}
	for s := 1; s < ix.slots.len(); s++ {
		if a, b := ix.categories.path(ix.categoryOf[s-1]), ix.categories.path(ix.categoryOf[s]); a > b {
			t.Fatalf("slot %d is in %q, after slot %d in %q: not filed by category", s, b, s-1, a)
		}
	}
	gen := ix.gen
	ix.mu.RUnlock()
	if got := pages(); !reflect.DeepEqual(got, before) {
		for i := range got {
			if !reflect.DeepEqual(got[i], before[i]) {
				t.Errorf("query %+v answers otherwise after Compact", queries[i])
			}
		}
	}
	ix.Compact()
	if ix.gen != gen {
		t.Error("a second Compact filed the documents again")
	}
	ix.Upsert(Doc{ID: "late", Title: "Late steel kettle", Category: "Home > Kitchen", Price: 100, Currency: "EUR"})
	ix.Delete(docs[400].ID)
	checkInvariants(t, ix)
	if r := mustSearch(t, ix, Query{Text: "late kettle"}); r.Total != 1 {
		t.Errorf("a document added after Compact: %d results", r.Total)
	}
	if r := mustSearch(t, ix, Query{Text: "late kettle", MinRating: 4}); r.Total != 1 {
		t.Error("a document rated before it was indexed lost its rating to Compact")
	}
}

// Refile files the index while a writer upserts, rewrites, deletes and
// rates documents and readers search: the updates made while it builds
// are indexed again before the swap, so the index ends up answering
// every query as one that took the same updates without a Refile.
func TestRefileUnderConcurrentUpdates(t *testing.T) {
	defer func(n, m int, p uint64) { fileChunk, termStep, planChunk = n, m, p }(fileChunk, termStep, planChunk)
	// so that updates land between a Refile's chunks, its plan's ranges
	// and its copies of the vocabulary
	fileChunk, termStep, planChunk = 64, 16, 256
	docs := genDocs(4000, 11)
	ix, ref := newIndexOf(docs[:2500]), newIndexOf(docs[:2500])
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // readers
		for {
			select {
			case <-stop:
				return
			default:
				mustSearch(t, ix, snapshotQueries[len(snapshotQueries)-1])
			}
		}
	})
	replayed := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Twenty Refiles, and more while none has met an update. On one
		// core the writer may not have run yet, or not between a few
		// Refiles' chunks.
		for i := 0; i < 20 || replayed == 0 && i < 400; i++ {
			if !ix.Refile(t.Context()).Filed {
				time.Sleep(time.Millisecond) // in order: let the writer run
				continue
			}
			if ix.Unfiled() > 0 {
				replayed++
			}
		}
	}()
	for i := 2500; ; i++ { // the writer, until the Refiles are over
		select {
		case <-done:
		default:
			for _, x := range []*Index{ix, ref} {
				switch i % 4 {
				case 0:
					x.Upsert(docs[2500+i%1500])
				case 1:
					d := docs[i%2500]
					d.Title += fmt.Sprintf(" take %d", i)
					d.Category = genCategories[i%len(genCategories)]
					x.Upsert(d)
				case 2:
					x.Delete(docs[(i*7)%4000].ID)
				case 3:
					x.SetRating(docs[(i*13)%4000].ID, int64(100+i%400), int64(i%5))
				}
			}
			continue
		}
		break
	}
	close(stop)
	wg.Wait()
	if replayed == 0 {
		t.Fatal("no Refile met an update made while it built: the test did not test the replay")
	}
	checkInvariants(t, ix)
	queries := append(slices.Clone(snapshotQueries), Query{Text: "take"}, Query{Sort: TopRated, Limit: 200}, Query{MinRating: 2, Sort: PriceAsc})
	for _, q := range queries {
		if got, want := mustSearch(t, ix, q), mustSearch(t, ref, q); !reflect.DeepEqual(got, want) {
			t.Errorf("query %+v: %d results (%v...), want %d (%v...)", q, got.Total, first(got), want.Total, first(want))
		}
	}
	if !ix.Refile(t.Context()).Filed && ix.Unfiled() > 0 {
		t.Errorf("%d documents are out of order and Refile found nothing to do", ix.Unfiled())
	}
	if ix.Refile(t.Context()).Filed {
		t.Error("a second Refile without updates in between filed again")
	}
}

// A Refile indexes again the documents changed while it filed in rounds
// under the read lock, until few are left for the swap under the write
// lock; with updates faster than the rounds, it stops after
// refreshRounds. Updates land between the filing's holds of the read
// lock, a number at each, as a test hook makes them.
func TestRefileLeavesFewToItsSwap(t *testing.T) {
	defer func(n int, p uint64) { fileChunk, planChunk, testHookUnlocked = n, p, nil }(fileChunk, planChunk)
	fileChunk, planChunk = 256, 500 // many holds, each followed by updates
	for _, c := range []struct {
		name      string
		each      int // updates each time the filing lets go of the read lock
		minRounds int
		maxRounds int
		atSwap    int // documents indexed again at the swap, at most
	}{
		{"few", 20, 2, refreshRounds - 1, swapFew},
		{"many", 100, refreshRounds, refreshRounds, math.MaxInt},
	} {
		t.Run(c.name, func(t *testing.T) {
			docs := genDocs(3000, 13)
			ix, ref := newIndexOf(docs), newIndexOf(docs)
			k := 0
			testHookUnlocked = func() {
				for range c.each {
					d := docs[(k*7919)%len(docs)]
					d.Title += fmt.Sprintf(" take %d", k)
					for _, x := range []*Index{ix, ref} {
						x.Upsert(d)
					}
					k++
				}
			}
			f := ix.Refile(t.Context())
			testHookUnlocked = nil
			if !f.Filed {
				t.Fatal("the index was not filed")
			}
			if f.Rounds < c.minRounds || f.Rounds > c.maxRounds || f.AtSwap > c.atSwap {
				t.Errorf("%+v: want %d to %d rounds and at most %d at the swap", f, c.minRounds, c.maxRounds, c.atSwap)
			}
			if c.atSwap == math.MaxInt && f.AtSwap <= swapFew {
				t.Errorf("%+v: updates faster than the rounds left only %d at the swap", f, f.AtSwap)
			}
			if f.Reindexed <= swapFew {
				t.Errorf("%+v: the updates did not reach the rounds", f)
			}
			checkInvariants(t, ix)
			for _, q := range append(slices.Clone(snapshotQueries), Query{Text: "take"}) {
				if got, want := mustSearch(t, ix, q), mustSearch(t, ref, q); !reflect.DeepEqual(got, want) {
					t.Errorf("query %+v: %d results (%v...), want %d (%v...)", q, got.Total, first(got), want.Total, first(want))
				}
			}
		})
	}
}

// Between two chunks of a filing, updates may free a slot still ahead
// or move a document from a slot already read to one still ahead. The
// filing passes the freed slot over and takes the moved document once;
// the swap then indexes it again from its current state.
func TestFilingBetweenChunks(t *testing.T) {
	docs := genDocs(2000, 9)
	ix, ref := newIndexOf(docs), newIndexOf(docs)
	ix.mu.Lock()
	ix.touched = make(map[string]struct{}) // as Refile begins
	ix.mu.Unlock()
	order := ix.plan(true)
	if order == nil {
		t.Fatal("documents in arrival order need no filing")
	}
	half := len(order) / 2
	ix.mu.RLock()
	read, freed, ahead := ix.slots.id(order[10]), ix.slots.id(order[half+10]), ix.slots.id(order[half+20])
	fresh := New()
	fresh.take(ix.readChunk(order[:half], fresh, nil))
	ix.mu.RUnlock()
	// Between the chunks: the document read is deleted and comes back
	// in the slot freed last, one still ahead; another slot ahead is
	// left free.
	moved := docs[slices.IndexFunc(docs, func(d Doc) bool { return d.ID == read })]
	moved.Title += " moved"
	for _, x := range []*Index{ix, ref} {
		x.Delete(read)
		x.Delete(freed)
		x.Delete(ahead)
		x.Upsert(moved)
	}
	ix.mu.Lock()
	if s, _ := ix.ids.get(read, &ix.slots); s != order[half+20] {
		t.Fatalf("the moved document is in slot %d, not in the slot still ahead (%d)", s, order[half+20])
	}
	ix.mu.Unlock()
	ix.mu.RLock()
	fresh.take(ix.readChunk(order[half:], fresh, nil))
	ix.mu.RUnlock()
	ix.mu.Lock()
	taken := ix.swapIn(fresh).Filed
	ix.mu.Unlock()
	if !taken {
		t.Fatal("the filing was not taken")
	}
	checkInvariants(t, ix)
	if ix.Len() != ref.Len() {
		t.Errorf("%d documents after the filing, want %d", ix.Len(), ref.Len())
	}
	for _, q := range append(slices.Clone(snapshotQueries), Query{Text: "moved"}) {
		if got, want := mustSearch(t, ix, q), mustSearch(t, ref, q); !reflect.DeepEqual(got, want) {
			t.Errorf("query %+v: %d results (%v...), want %d (%v...)", q, got.Total, first(got), want.Total, first(want))
		}
	}
}

// A Refile whose context has ended files nothing and leaves the index as
// it was, still taking updates, so that a node shutting down need not
// wait for it; a later Refile files it.
func TestRefileStopsWithItsContext(t *testing.T) {
	docs := genDocs(3000, 5)
	ix, ref := newIndexOf(docs), newIndexOf(docs)
	unfiled := ix.Unfiled()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if ix.Refile(ctx).Filed {
		t.Fatal("a Refile whose context had ended filed the index")
	}
	if ix.Unfiled() != unfiled || ix.touched != nil {
		t.Fatalf("after a stopped Refile: %d unfiled, want %d; updates still noted: %v", ix.Unfiled(), unfiled, ix.touched != nil)
	}
	for _, x := range []*Index{ix, ref} {
		x.Delete(docs[7].ID)
	}
	for _, q := range snapshotQueries {
		if got, want := mustSearch(t, ix, q), mustSearch(t, ref, q); !reflect.DeepEqual(got, want) {
			t.Errorf("query %+v after a stopped Refile: %d results, want %d", q, got.Total, want.Total)
		}
	}
	if !ix.Refile(t.Context()).Filed || ix.Unfiled() != 0 {
		t.Fatalf("a Refile after the stopped one did not file the index: %d unfiled", ix.Unfiled())
	}
}

func first(r Result) []string {
	var ids []string
	for _, h := range r.Items[:min(3, len(r.Items))] {
		ids = append(ids, h.ID)
	}
	return ids
}
