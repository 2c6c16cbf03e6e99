package search

import (
	"context"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Compact releases the memory the index holds beyond its contents: the
// spare capacity growth leaves in its slices and bitmaps. Bitmaps also
// switch to run-length containers where those are smaller. Call it after
// a bulk load; Load calls it. It holds the write lock for a time
// proportional to the index size, and allocates a copy of every bitmap and
// column while it runs.
//
// First it files the documents in slots ordered by category (see
// file.go), unless they are in that order already.
func (ix *Index) Compact() {
	ix.filingMu.Lock() // a Refile under way ends first
	defer ix.filingMu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.unions.clear() // searches keep them again, compact
	if order := ix.plan(false); order != nil {
		ix.adopt(ix.build(context.Background(), order, false))
	}
	ix.unfiled = 0
	ix.slots = ix.slots.clone()
	ix.price = slices.Clone(ix.price)
	ix.band = slices.Clone(ix.band)
	ix.updated = slices.Clone(ix.updated)
	ix.brandOf = slices.Clone(ix.brandOf)
	ix.platformOf = slices.Clone(ix.platformOf)
	ix.categoryOf = slices.Clone(ix.categoryOf)
	ix.lens = slices.Clone(ix.lens)
	ix.terms = slices.Clone(ix.terms)
	ix.eachBitmap(func(bm *roaring.Bitmap) {
		bm.RunOptimize()
		*bm = *bm.Clone() // clones are sized to their contents
	})
}

// eachBitmap calls fn with every bitmap of the index. The caller holds mu.
func (ix *Index) eachBitmap(fn func(*roaring.Bitmap)) {
	fn(ix.live)
	fn(ix.inStock)
	for i := range ix.terms {
		for _, p := range ix.terms[i].lists {
			fn(p.docs)
		}
	}
	for _, bm := range ix.brands.docs {
		fn(bm)
	}
	for _, bm := range ix.platforms.docs {
		fn(bm)
	}
	for i := range ix.categories.nodes {
		fn(ix.categories.nodes[i].docs)
	}
	for _, bm := range ix.prices.buckets {
		if bm != nil {
			fn(bm)
		}
	}
	for _, b := range ix.times.buckets {
		fn(b.docs)
	}
}
