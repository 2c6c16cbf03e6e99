package search

import (
	"slices"
	"testing"
)

func itemIDs(res Result) []string {
	ids := make([]string, len(res.Items))
	for i, d := range res.Items {
		ids[i] = d.ID
	}
	return ids
}

// TestResultCacheIsInvalidatedByChanges asks the same queries before and
// after every kind of change and checks each answer against an index
// without a cache; a caller modifying a result does not change the next
// one.
func TestResultCacheIsInvalidatedByChanges(t *testing.T) {
	docs := fieldCorpus(3000, 5)
	cached, plain := newIndexOf(docs), newIndexOf(docs)
	plain.SetResultCache(0)
	queries := []Query{
		{Text: "steel"}, {Text: "lamp oak", Limit: 5}, {Text: "pan", InStock: true},
		{Category: "Home"}, {Sort: PriceAsc, Limit: 3}, {Text: "mug", MinRating: 4},
	}
	check := func(when string) {
		t.Helper()
		for _, q := range queries {
			for range 2 { // the second is answered from the cache
				got, err := cached.Search(q)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := plain.Search(q)
				if !slices.Equal(itemIDs(got), itemIDs(want)) || got.Total != want.Total || got.NextCursor != want.NextCursor ||
					got.Facets.InStock != want.Facets.InStock || len(got.Facets.Brand) != len(want.Facets.Brand) {
					t.Fatalf("%s, %+v: cached %v (total %d), uncached %v (total %d)", when, q, itemIDs(got), got.Total, itemIDs(want), want.Total)
				}
				// What a caller does with its result is its own.
				if len(got.Items) > 0 {
					got.Items[0].ID = "changed"
				}
				clear(got.Facets.Brand)
			}
		}
	}
	check("at first")
	both := func(f func(ix *Index)) { f(cached); f(plain) }

	d := docs[10]
	d.Title, d.InStock, d.Price = "steel steel steel lamp oak mug pan", true, 1
	both(func(ix *Index) { ix.Upsert(d) })
	check("after an upsert")
	both(func(ix *Index) { ix.Delete(docs[20].ID) })
	check("after a delete")
	both(func(ix *Index) { ix.SetRating(d.ID, 480, 12) })
	check("after a rating")
	if got, _ := cached.Search(Query{Text: "mug", MinRating: 4}); !slices.Contains(itemIDs(got), d.ID) {
		t.Fatalf("the newly rated %s is not found by min_rating 4: %v", d.ID, itemIDs(got))
	}
}

// TestResultCacheKeepsTheMostRecent bounds the cache and checks it holds
// the queries asked last.
func TestResultCacheKeepsTheMostRecent(t *testing.T) {
	ix := newIndexOf(fieldCorpus(500, 2))
	ix.SetResultCache(2)
	for _, text := range []string{"steel", "lamp", "oak", "lamp"} {
		if _, err := ix.Search(Query{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	ix.cache.mu.Lock()
	defer ix.cache.mu.Unlock()
	if n := ix.cache.lru.Len(); n != 2 {
		t.Fatalf("%d entries kept, want 2", n)
	}
	var kept []string
	for e := ix.cache.lru.Front(); e != nil; e = e.Next() {
		kept = append(kept, e.Value.(*cachedResult).key)
	}
	lamp, _ := newPlan(Query{Text: "lamp"}, ix.text)
	oak, _ := newPlan(Query{Text: "oak"}, ix.text)
	if want := []string{lamp.cacheKey(""), oak.cacheKey("")}; !slices.Equal(kept, want) {
		t.Fatalf("kept %q, want %q", kept, want)
	}
}

// TestSearchAllocationsDoNotGrowWithHits checks that ranking and counting
// allocate per query, not per document: a query with a hundred times the
// hits allocates about as much.
func TestSearchAllocationsDoNotGrowWithHits(t *testing.T) {
	docs := fieldCorpus(20000, 4)
	for i := range 100 {
		docs[i*150].Title += " zircon" // one word a hundred documents hold
	}
	ix := newIndexOf(docs)
	ix.SetResultCache(0)
	allocs := func(q Query) (float64, int) {
		res, err := ix.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(20, func() { ix.Search(q) }), res.Total
	}
	for _, sort := range []Sort{Relevance, PriceAsc, Newest} {
		broad, broadHits := allocs(Query{Text: "steel", Sort: sort})
		narrow, narrowHits := allocs(Query{Text: "zircon", Sort: sort})
		if broadHits < 100*narrowHits || narrowHits == 0 {
			t.Fatalf("the corpus gives %d and %d hits; want a hundredfold difference", broadHits, narrowHits)
		}
		if broad > 2*narrow+100 {
			t.Errorf("%v: %d hits take %.0f allocations, %d hits %.0f", sort, broadHits, broad, narrowHits, narrow)
		}
	}
}
