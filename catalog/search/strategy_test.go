package search

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// randomSubsets returns subsets of the live documents of every density,
// for checking that two ways of computing the same answer agree.
func randomSubsets(ix *Index, seed uint64) []*roaring.Bitmap {
	r := rand.New(rand.NewPCG(seed, 1))
	var out []*roaring.Bitmap
	for _, keep := range []float64{0, 0.001, 0.01, 0.2, 0.7, 1} {
		bm := roaring.New()
		ix.live.Iterate(func(d uint32) bool {
			if r.Float64() < keep {
				bm.Add(d)
			}
			return true
		})
		out = append(out, bm)
	}
	return out
}

func TestFacetCountStrategiesAgree(t *testing.T) {
	ix := newIndexOf(genDocs(3000, 9))
	for _, d := range genDocs(3000, 9)[:300] {
		ix.Delete(d.ID)
	}
	nc, nb, np := len(ix.categories.nodes), len(ix.brands.sizes), len(ix.platforms.sizes)
	counts := make([]int32, nc+nb+np)
	for i, docs := range randomSubsets(ix, 1) {
		sc := scope{docs: docs, card: docs.GetCardinality(), slots: uint64(ix.slots.len())}
		// Which documents category, brand and platform count: the same
		// for a broad search, tallied in one pass; others for a facet
		// whose filter the search sets. Every mix of passes is met, and
		// each column's counts are checked against the values' bitmaps.
		for _, over := range [][3]*roaring.Bitmap{{docs, docs, docs}, {docs, docs, ix.live}, {ix.live, docs, docs}} {
			for _, sel := range []string{"", "Home", "Home > Kitchen", "Fashion > Men > Shoes"} {
				cats, brands, platforms := counts[:nc], counts[nc:nc+nb], counts[nc+nb:]
				tallyColumns([]columnTally{
					{docs: over[0], column: ix.categoryOf, counts: cats},
					{docs: over[1], column: ix.brandOf, counts: brands},
					{docs: over[2], column: ix.platformOf, counts: platforms},
				})
				catScope := scope{docs: over[0], card: over[0].GetCardinality(), slots: uint64(ix.slots.len())}
				if got, want := ix.categories.count(catScope, sel, cats), ix.categories.count(catScope, sel, nil); !maps.Equal(got, want) {
					t.Errorf("subset %d, selected %q: category counts differ:\n%v\n%v", i, sel, got, want)
				}
				for k, f := range []struct {
					dict   *facetDict
					counts []int32
				}{{&ix.brands, brands}, {&ix.platforms, platforms}} {
					byColumn := valueHeap{name: f.dict.name}
					byColumn.offerAll(f.counts)
					byBitmap := valueHeap{name: f.dict.name}
					f.dict.countBitmaps(over[k+1], &byBitmap)
					if !maps.Equal(byColumn.counts(), byBitmap.counts()) {
						t.Errorf("subset %d: counts differ:\n%v\n%v", i, byColumn.counts(), byBitmap.counts())
					}
				}
				if slices.ContainsFunc(counts, func(n int32) bool { return n != 0 }) {
					t.Fatalf("subset %d, selected %q: the tallies left their scratch dirty", i, sel)
				}
			}
		}
		byBucket := PriceBands()
		for i, b := range ix.prices.buckets {
			if b != nil {
				byBucket[bandOf(priceBounds[i])].Count += int(sc.countIn(b))
			}
		}
		if got := bandsByColumn(docs, ix.band); !slices.Equal(got, byBucket) {
			t.Errorf("subset %d: price bands differ:\n%v\n%v", i, got, byBucket)
		}
	}
	all := scope{docs: ix.live, card: ix.live.GetCardinality(), all: true, slots: uint64(ix.slots.len())}
	some := scope{docs: ix.live, card: ix.live.GetCardinality(), slots: uint64(ix.slots.len())}
	if a, b := ix.brands.count(all, nil, nil), ix.brands.count(some, nil, nil); !maps.Equal(a, b) {
		t.Errorf("counting everything by sizes differs:\n%v\n%v", a, b)
	}
}

func TestSortStrategiesAgree(t *testing.T) {
	ix := newIndexOf(genDocs(3000, 10))
	sorts := []struct {
		sort    Sort
		buckets func(func(bucket) bool)
		column  []int64
		sign    int64
	}{
		{PriceAsc, ix.prices.ascending, ix.price, 1},
		{PriceDesc, ix.prices.descending, ix.price, -1},
		{Newest, ix.times.newest, ix.updated, -1},
	}
	for i, docs := range randomSubsets(ix, 2) {
		for _, s := range sorts {
			var after *cursor
			for page := 0; page < 5; page++ {
				scan, walk := ix.newTopK(17, after), ix.newTopK(17, after)
				scan.offerColumn(docs, s.column, s.sign)
				walk.walk(docs, s.buckets, s.column, s.sign)
				a, b := scan.sorted(), walk.sorted()
				if !slices.Equal(a, b) {
					t.Fatalf("subset %d, %v, page %d: scan %v, walk %v", i, s.sort, page, a, b)
				}
				if len(a) == 0 {
					break
				}
				last := a[len(a)-1]
				after = &cursor{key: last.key, id: ix.slots.id(last.doc)}
			}
		}
	}
}

func TestSeek(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{1, 2, 17, 100, 5000} {
		docs := make([]uint32, n)
		next := uint32(0)
		for i := range docs {
			next += 1 + uint32(r.IntN(40))
			docs[i] = next
		}
		for _, stride := range []int{1, 3, 50, 1000} {
			pos := 0
			for want := 0; want < n; want += 1 + r.IntN(stride) {
				if pos = seek(docs, pos, docs[want]); pos != want {
					t.Fatalf("n %d: seek(%d) = %d, want %d", n, docs[want], pos, want)
				}
			}
		}
	}
}

func TestScoringModesAgree(t *testing.T) {
	ix := newIndexOf(genDocs(2000, 12))
	sc := ix.getScratch()
	for _, text := range []string{"steel", "black set", "kitchen pan", "colander"} {
		terms := termsOf(t, ix, text)
		result := ix.matchText(terms)
		if result.IsEmpty() {
			t.Fatalf("%q matches nothing", text)
		}
		var got [2][]hit
		for i, bySlot := range []bool{true, false} {
			top := ix.newTopK(int(result.GetCardinality()), nil)
			ix.scoreBy(bySlot, terms, result, sc, top)
			got[i] = top.sorted()
		}
		if !slices.Equal(got[0], got[1]) {
			t.Errorf("%q: scoring by slot and by position differ", text)
		}
		if slices.ContainsFunc(sc.acc, func(f float32) bool { return f != 0 }) ||
			slices.ContainsFunc(sc.score, func(f float32) bool { return f != 0 }) {
			t.Fatalf("%q: scoring left its scratch dirty", text)
		}
	}
}
