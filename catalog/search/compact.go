package search

import (
	"cmp"
	"slices"
	"strings"

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
// cluster), unless they are in that order already.
func (ix *Index) Compact() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.unions.clear() // searches keep them again, compact
	ix.cluster()
	ix.slots = slices.Clone(ix.slots)
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

// cluster renumbers the documents so that each category's sit in
// consecutive slots, in the order of their category paths and, within a
// category, in their slot order so far; free slots go. Postings are
// bitmaps of slots, and most words are frequent in a few categories
// ("dress", "tent"): filed by category, a word's documents fill a few
// bitmap containers densely instead of every container sparsely, and
// intersecting, ranking and counting facets over them reads less. Filed
// as they arrived (a feed of one merchant after another, replication
// interleaving every member's), the bench's queries over a million
// listings took 2.3 times as long (see BENCHMARKS.md). This is index
// sorting, which Lucene applies as it writes a segment
// (IndexWriterConfig.setIndexSort).
//
// The documents are indexed again into a fresh index in the new order,
// from what the index holds (stored fields, forward lists, columns and
// ratings): no text is analysed again, and the term ids stay. The caller
// holds mu.
func (ix *Index) cluster() {
	order := make([]uint32, 0, len(ix.ids))
	ix.live.Iterate(func(s uint32) bool {
		order = append(order, s)
		return true
	})
	// Rank the leaf categories by path, once: comparing paths in the
	// sort would read a string per comparison.
	rank := make([]uint32, len(ix.categories.nodes)+1)
	leaves := make([]uint32, 0, len(ix.categories.nodes))
	seen := make([]bool, len(ix.categories.nodes))
	for _, s := range order {
		if c := ix.categoryOf[s]; c != none && !seen[c] {
			seen[c] = true
			leaves = append(leaves, c)
		}
	}
	slices.SortFunc(leaves, func(a, b uint32) int { return strings.Compare(ix.categories.path(a), ix.categories.path(b)) })
	for i, c := range leaves {
		rank[c] = uint32(i + 1) // 0: no category, first
	}
	rankOf := func(s uint32) uint32 {
		if c := ix.categoryOf[s]; c != none {
			return rank[c]
		}
		return 0
	}
	byCategory := func(a, b uint32) int { return cmp.Compare(rankOf(a), rankOf(b)) }
	dense := len(order) == len(ix.slots) // no free slot among them
	if dense && slices.IsSortedFunc(order, byCategory) {
		return
	}
	slices.SortStableFunc(order, byCategory)

	fresh := New()
	fresh.vocab = ix.vocab
	fresh.terms = make([]term, len(ix.terms))
	for i := range ix.terms {
		fresh.terms[i].text = ix.terms[i].text
	}
	if ix.ratings.of != nil {
		fresh.ratings.of = ix.ratings.of
		for k := range fresh.ratings.atLeast {
			fresh.ratings.atLeast[k] = roaring.New()
		}
	}
	var es []entry
	for _, s := range order {
		es = es[:0]
		_ = decodeForward(ix.slots[s].forward, len(ix.terms), func(e entry) { es = append(es, e) })
		d := ix.doc(s)
		fresh.index(fresh.alloc(d.ID), d, es, ix.lens[s])
	}
	ix.ids, ix.slots, ix.free = fresh.ids, fresh.slots, nil
	ix.price, ix.band, ix.updated, ix.lens = fresh.price, fresh.band, fresh.updated, fresh.lens
	ix.brandOf, ix.platformOf, ix.categoryOf = fresh.brandOf, fresh.platformOf, fresh.categoryOf
	ix.live, ix.inStock, ix.ratings = fresh.live, fresh.inStock, fresh.ratings
	ix.terms, ix.lenSum = fresh.terms, fresh.lenSum
	ix.brands, ix.platforms, ix.categories = fresh.brands, fresh.platforms, fresh.categories
	ix.prices, ix.times, ix.merchants, ix.currencies = fresh.prices, fresh.times, fresh.merchants, fresh.currencies
	ix.gen++ // cached results name slots of the old order
}
