package search

import (
	"iter"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// walkFactor chooses how a key sort visits the result: directly when it
// has fewer than walkFactor documents per bucket of the sort key, else
// bucket by bucket in key order, which usually stops after the first few.
const walkFactor = 32

// batchSize is how many documents a bitmap iteration decodes at a time.
const batchSize = 256

// batches are the buffers each decodes into, reused.
var batches = sync.Pool{New: func() any { return new([batchSize]uint32) }}

// each calls fn with the documents of bm, in ascending batches.
func each(bm *roaring.Bitmap, fn func(docs []uint32)) {
	it := bm.ManyIterator()
	b := batches.Get().(*[batchSize]uint32)
	defer batches.Put(b)
	buf := b[:]
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		fn(buf[:n])
	}
}

// rank returns the first limit+1 documents of result after the plan's
// cursor, in order. The extra one tells whether another page follows.
func (ix *Index) rank(p *plan, result *roaring.Bitmap, sc *scratch) []hit {
	top := ix.newTopK(p.limit+1, p.after)
	switch p.sort {
	case Relevance:
		ix.scorePruned(p.terms, result, sc, top)
	case PriceAsc:
		sortBy(top, result, ix.prices.ascending, ix.prices.used(), ix.price, 1)
	case PriceDesc:
		sortBy(top, result, ix.prices.descending, ix.prices.used(), ix.price, -1)
	case Newest:
		sortBy(top, result, ix.times.newest, len(ix.times.buckets), ix.updated, -1)
	case TopRated:
		ix.offerRating(top, result)
	}
	return top.sorted()
}

// sortBy offers result keyed by sign × column, walking the n buckets of the
// key when the result is large.
func sortBy(top *topK, result *roaring.Bitmap, buckets iter.Seq[bucket], n int, column []int64, sign int64) {
	if result.GetCardinality() < walkFactor*uint64(n) {
		top.offerColumn(result, column, sign)
		return
	}
	top.walk(result, buckets, column, sign)
}
