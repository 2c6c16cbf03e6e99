package search

import (
	"slices"
	"testing"
	"time"
)

// Ratings set apart from the documents order TopRated and filter by
// MinRating, survive a document's Upsert, count in the facet, and apply
// to a document indexed after its rating was set.
func TestRatingSortAndFilter(t *testing.T) {
	ix := New()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i, id := range []string{"a", "b", "c", "d"} {
		ix.Upsert(Doc{ID: id, Title: "cast iron pan " + id, Price: 1000, Currency: "EUR", Updated: at.Add(time.Duration(i) * time.Hour)})
	}
	ix.SetRating("a", 350, 2)
	ix.SetRating("b", 480, 10)
	ix.SetRating("c", 480, 3)
	ix.SetRating("e", 500, 1) // not indexed yet
	ix.Upsert(Doc{ID: "b", Title: "cast iron pan b, new title", Price: 900, Currency: "EUR", Updated: at.Add(5 * time.Hour)})

	ids := func(q Query) []string {
		t.Helper()
		res, err := ix.Search(q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range res.Items {
			out = append(out, d.ID)
		}
		return out
	}
	if got := ids(Query{Text: "pan", Sort: TopRated}); !equal(got, []string{"b", "c", "a", "d"}) {
		t.Fatalf("by rating: %v", got)
	}
	if got := ids(Query{Text: "pan", MinRating: 4}); !equal(got, []string{"b", "c"}) && !equal(got, []string{"c", "b"}) {
		t.Fatalf("4 stars and up: %v", got)
	}
	res, _ := ix.Search(Query{Text: "pan", MinRating: 4})
	if res.Facets.Rating != [5]int{3, 3, 3, 2, 0} {
		t.Fatalf("rating facet: %v", res.Facets.Rating)
	}
	if res.Items[0].Rating != 480 || res.Items[0].Reviews == 0 {
		t.Fatalf("result carries no rating: %+v", res.Items[0])
	}
	ix.Upsert(Doc{ID: "e", Title: "enamel pan", Price: 500, Currency: "EUR", Updated: at})
	ix.SetRating("a", 0, 0)
	if got := ids(Query{Text: "pan", Sort: TopRated, Limit: 2}); !equal(got, []string{"e", "b"}) {
		t.Fatalf("by rating after changes: %v", got)
	}
	if got := ids(Query{Text: "pan", MinRating: 3}); len(got) != 3 {
		t.Fatalf("3 stars and up after a's reviews went: %v", got)
	}
	if _, err := ix.Search(Query{MinRating: 6}); err == nil {
		t.Fatal("min_rating 6 accepted")
	}
	// Paging by rating with a cursor continues where the page ended.
	first, _ := ix.Search(Query{Text: "pan", Sort: TopRated, Limit: 2})
	next, err := ix.Search(Query{Text: "pan", Sort: TopRated, Limit: 2, Cursor: first.NextCursor})
	if err != nil || len(next.Items) != 2 || next.Items[0].ID != "c" {
		t.Fatalf("second page: %+v %v", next.Items, err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkSearchRatings measures queries by rating beside the same
// queries without, on the benchmark catalog with every other document
// rated.
func BenchmarkSearchRatings(b *testing.B) {
	ix := benchIndex()
	ix.mu.RLock()
	ids := make([]string, 0, ix.ids.len())
	for id := range ix.ids.all(&ix.slots) {
		ids = append(ids, id)
	}
	ix.mu.RUnlock()
	slices.Sort(ids)
	for i, id := range ids {
		if i%2 == 0 {
			ix.SetRating(id, int64(100+i%401), int64(1+i%50))
		}
	}
	b.ResetTimer()
	for _, bq := range []struct {
		name string
		q    Query
	}{
		{"text-broad", Query{Text: "steel"}},
		{"text-broad-min-rating-4", Query{Text: "steel", MinRating: 4}},
		{"text-broad-by-rating", Query{Text: "steel", Sort: TopRated}},
		{"browse-newest", Query{}},
		{"browse-by-rating", Query{Sort: TopRated}},
	} {
		b.Run(bq.name, func(b *testing.B) {
			b.ReportAllocs()
			var res Result
			for b.Loop() {
				res = mustSearchB(b, ix, bq.q)
			}
			b.ReportMetric(float64(res.Total), "hits")
		})
	}
}
