package search

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// TestPriceFilterWays checks both ways a price range is filtered, reading
// each document's price and intersecting bucket by bucket, and the choice
// between them, against a scan of every document, over bases from every
// live document to a sparse few and ranges that cut buckets or cover them.
func TestPriceFilterWays(t *testing.T) {
	const docs = 300_000 // five roaring chunks
	r := rand.New(rand.NewPCG(7, 7))
	x := newPriceIndex()
	price := make([]int64, docs)
	live := roaring.New()
	for d := range price {
		price[d] = int64(r.IntN(40_000))
		x.add(price[d], uint32(d))
		live.Add(uint32(d))
	}
	bases := map[string]*roaring.Bitmap{"every document": live}
	for name, share := range map[string]int{"half": 2, "one in a hundred": 100, "one in ten thousand": 10_000} {
		bm := roaring.New()
		for d := range docs {
			if r.IntN(share) == 0 {
				bm.Add(uint32(d))
			}
		}
		bases[name] = bm
	}
	ranges := [][2]int64{{2000, 9000}, {2000, 2499}, {0, 999}, {12_345, 0}, {1, 1}, {39_000, 50_000}, {50_000, 0}}
	for name, base := range bases {
		all := base == live
		for _, rg := range ranges {
			lo, hi := rg[0], rg[1]
			var want []uint32
			base.Iterate(func(d uint32) bool {
				if price[d] >= lo && (hi == 0 || price[d] <= hi) {
					want = append(want, d)
				}
				return true
			})
			bound := hi
			if bound == 0 {
				bound = 1 << 62
			}
			for way, got := range map[string]*roaring.Bitmap{
				"chosen":    x.filter(base, all, lo, hi, price),
				"by price":  pricedIn(base, lo, bound, price),
				"by bucket": x.byBuckets(base, all, lo, bound, price),
			} {
				if g := got.ToArray(); !slices.Equal(g, want) {
					t.Errorf("%s, [%d, %d], %s: %d documents, want %d", name, lo, hi, way, len(g), len(want))
				}
			}
		}
	}
}
