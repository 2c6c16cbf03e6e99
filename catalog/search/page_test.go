package search

import (
	"cmp"
	"slices"
	"testing"
)

// walk collects every item of q, page by page, and fails on a page that
// repeats an item.
func walk(t *testing.T, ix *Index, q Query) ([]Doc, int) {
	t.Helper()
	var all []Doc
	seen := make(map[string]bool)
	total := -1
	for pages := 0; ; pages++ {
		res := mustSearch(t, ix, q)
		if total >= 0 && res.Total != total {
			t.Fatalf("Total changed between pages: %d then %d", total, res.Total)
		}
		total = res.Total
		for _, d := range res.Items {
			if seen[d.ID] {
				t.Fatalf("page %d repeats %s", pages, d.ID)
			}
			seen[d.ID] = true
		}
		all = append(all, res.Items...)
		if res.NextCursor == "" {
			return all, total
		}
		if len(res.Items) != max(q.Limit, 1) && q.Limit != 0 {
			t.Fatalf("page %d has %d items and a next cursor", pages, len(res.Items))
		}
		q.Cursor = res.NextCursor
	}
}

// keyOrder is the expected order of the key sorts, recomputed from the
// documents themselves.
func keyOrder(s Sort) func(a, b Doc) int {
	return func(a, b Doc) int {
		var c int
		switch s {
		case PriceAsc:
			c = cmp.Compare(a.Price, b.Price)
		case PriceDesc:
			c = cmp.Compare(b.Price, a.Price)
		default:
			c = b.Updated.Compare(a.Updated)
		}
		return cmp.Or(c, cmp.Compare(a.ID, b.ID))
	}
}

func TestPaginationWalksEverySort(t *testing.T) {
	docs := genDocs(400, 1)
	ix := newIndexOf(docs)
	queries := []struct {
		name string
		q    Query
	}{
		{"browse", Query{}},
		{"text", Query{Text: "steel"}},
		{"two terms", Query{Text: "black set"}},
		{"filters", Query{Category: "Home", InStock: true, MinPrice: 1000}},
		{"brand", Query{Brand: []string{"Brand0", "Brand1"}}},
	}
	for _, qq := range queries {
		for _, s := range []Sort{Relevance, PriceAsc, PriceDesc, Newest} {
			q := qq.q
			q.Sort = s
			t.Run(qq.name+"/"+s.String(), func(t *testing.T) {
				q.Limit = MaxLimit
				want, total := walk(t, ix, q)
				if len(want) != total || total == 0 {
					t.Fatalf("walked %d items of Total %d", len(want), total)
				}
				if s != Relevance || q.Text == "" {
					if !slices.IsSortedFunc(want, keyOrder(cmp.Or(s, Newest))) {
						t.Errorf("items are out of %v order", s)
					}
				}
				for _, limit := range []int{1, 7, 33} {
					q.Limit = limit
					got, _ := walk(t, ix, q)
					if !slices.Equal(ids(got), ids(want)) {
						t.Fatalf("limit %d: pages differ from limit %d", limit, MaxLimit)
					}
				}
			})
		}
	}
}

func TestPaginationMatchesBruteForce(t *testing.T) {
	docs := genDocs(300, 2)
	ix := newIndexOf(docs)
	for _, s := range []Sort{PriceAsc, PriceDesc, Newest} {
		var want []Doc
		for _, d := range docs {
			if d.InStock && d.Price <= 20000 {
				want = append(want, d)
			}
		}
		slices.SortFunc(want, keyOrder(s))
		got, total := walk(t, ix, Query{InStock: true, MaxPrice: 20000, Sort: s, Limit: 9})
		if total != len(want) || !slices.Equal(ids(got), ids(want)) {
			t.Errorf("%v: got %d items (Total %d), want %d in brute-force order", s, len(got), total, len(want))
		}
	}
}
