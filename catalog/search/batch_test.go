package search

import (
	"maps"
	"slices"
	"testing"
)

// TestUpsertAllMatchesUpsert indexes the same documents, some of them
// twice with different contents, one by one and with UpsertAll, and
// compares what queries find: the later version of a document must win
// in both.
func TestUpsertAllMatchesUpsert(t *testing.T) {
	docs := genDocs(600, 7)
	newer := genDocs(200, 8) // same ids as docs[0:200], other contents
	for i := range newer {
		newer[i].ID = docs[i*3].ID
	}
	all := append(append(slices.Clone(docs), newer...), Doc{}) // an empty id is ignored
	one, batch := New(), New()
	for _, d := range all {
		one.Upsert(d)
	}
	batch.UpsertAll(all[:300])
	batch.UpsertAll(all[300:])
	checkInvariants(t, batch)
	if one.Len() != batch.Len() || batch.Len() != 600 {
		t.Fatalf("Len: one by one %d, UpsertAll %d, want 600", one.Len(), batch.Len())
	}
	queries := []Query{{}, {Text: newer[0].Title}, {Text: docs[1].Title}, {Text: "steel"}, {InStock: true}, {Sort: PriceDesc},
		{Brand: []string{newer[5].Brand}}, {Category: newer[9].Category}}
	for _, q := range queries {
		q.Limit = 50
		a, b := mustSearch(t, one, q), mustSearch(t, batch, q)
		if !slices.Equal(ids(a.Items), ids(b.Items)) || a.Total != b.Total || !maps.Equal(a.Facets.Brand, b.Facets.Brand) {
			t.Errorf("query %+v: one by one %d %v, UpsertAll %d %v", q, a.Total, ids(a.Items), b.Total, ids(b.Items))
		}
	}
	if got := mustSearch(t, batch, Query{Text: docs[0].Title}).Items; slices.ContainsFunc(got, func(d Doc) bool {
		return d.ID == docs[0].ID && d.Title == docs[0].Title && d.Title != newer[0].Title
	}) {
		t.Errorf("the first version of %s is still indexed", docs[0].ID)
	}
}
