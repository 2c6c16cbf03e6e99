package search

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// Filing the documents by category.
//
// A new document takes the next free slot, so a live index holds its
// documents in the order they arrived: a feed of one merchant after
// another, replication interleaving every member's. Postings are bitmaps
// of slots, and most words are frequent in a few categories ("dress",
// "tent"). Filed by category path, a word's documents fill a few bitmap
// containers densely instead of every container sparsely, and
// intersecting, ranking and counting facets over them reads less: the
// bench's queries over a million listings took 9.4 ms in all against
// 24.1 ms in arrival order (see BENCHMARKS.md). This is index sorting,
// which Lucene applies as it writes a segment
// (IndexWriterConfig.setIndexSort).
//
// Filing indexes the documents again into a fresh index in the new
// order, from what the index holds (stored fields, forward lists,
// columns and ratings): no text is analysed again, and term ids stay.
// Compact files under the write lock. Refile builds the fresh index from
// a copy taken under the read lock, while searches and updates go on;
// the updates record the documents they change, and Refile indexes those
// again from their current state before it swaps the fresh index in.

// filing is a copy of the documents to file, in their new order, and
// what indexing them needs: the term texts by id and the ratings.
type filing struct {
	docs    []filedDoc
	texts   []string
	ratings map[string]rating
	// touched holds the ids of the documents updates changed since the
	// copy was taken; updates add to it under the write lock.
	touched map[string]struct{}
}

// filedDoc is one document as the copy holds it.
type filedDoc struct {
	d       Doc
	forward string
	lens    [numFields]uint16
}

// Unfiled returns how many documents took a slot since the index was last
// filed by category: those that are out of order.
func (ix *Index) Unfiled() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.unfiled
}

// Refile files the documents by category, as Compact does, while
// searches and updates go on: it holds the read lock while it copies the
// documents (which keeps updates out, not searches) and the write lock
// while it indexes again those that changed meanwhile and swaps the
// filed index in. It builds the filed index beside the current one, so
// it needs about as much memory again while it runs. It reports whether
// it filed anything: an index in order is left as it is, and so is one
// whose filing ctx ended before the swap (a node shutting down does not
// wait for a filing of a million listings, about 7 s).
func (ix *Index) Refile(ctx context.Context) bool {
	ix.filingMu.Lock()
	defer ix.filingMu.Unlock()
	ix.mu.Lock()
	ix.touched = make(map[string]struct{}) // from here on, updates say what they change
	ix.mu.Unlock()
	ix.mu.RLock()
	f := ix.copyFiled()
	ix.mu.RUnlock()
	var fresh *Index
	if f != nil {
		fresh = f.build(ctx)
	}
	if fresh == nil {
		ix.mu.Lock()
		ix.touched = nil
		ix.mu.Unlock()
		return false
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	touched := ix.touched
	ix.touched = nil
	for i := len(fresh.terms); i < len(ix.terms); i++ { // terms new since the copy
		fresh.terms = append(fresh.terms, term{text: ix.terms[i].text})
	}
	fresh.useRatings(ix.ratings.of)
	for id := range touched {
		if s, ok := fresh.ids[id]; ok {
			fresh.drop(id, s)
		}
		if s, ok := ix.ids[id]; ok {
			fresh.index(fresh.alloc(id), ix.doc(s), ix.entriesOf(s), ix.lens[s])
		}
	}
	ix.adopt(fresh)
	ix.unfiled = len(touched)
	return true
}

// touch records that an update changed document id, when a Refile is
// under way. The caller holds mu.
func (ix *Index) touch(id string) {
	if ix.touched != nil {
		ix.touched[id] = struct{}{}
	}
}

// copyFiled returns a copy of the live documents in the order of their
// category paths and, within a category, of their slots; nil when they
// are in that order already, with no free slot among them. The caller
// holds mu, shared or not.
func (ix *Index) copyFiled() *filing {
	order := make([]uint32, 0, len(ix.ids))
	ix.live.Iterate(func(s uint32) bool {
		order = append(order, s)
		return true
	})
	// Rank the leaf categories by path, once: comparing paths in the
	// sort would read two strings per comparison.
	rank := make([]uint32, len(ix.categories.nodes))
	var leaves []uint32
	for _, s := range order {
		if c := ix.categoryOf[s]; c != none && rank[c] == 0 {
			rank[c] = 1
			leaves = append(leaves, c)
		}
	}
	slices.SortFunc(leaves, func(a, b uint32) int { return strings.Compare(ix.categories.path(a), ix.categories.path(b)) })
	for i, c := range leaves {
		rank[c] = uint32(i + 1) // 0: no category, first
	}
	byCategory := func(a, b uint32) int {
		ra, rb := uint32(0), uint32(0)
		if c := ix.categoryOf[a]; c != none {
			ra = rank[c]
		}
		if c := ix.categoryOf[b]; c != none {
			rb = rank[c]
		}
		return cmp.Compare(ra, rb)
	}
	if len(order) == len(ix.slots) && slices.IsSortedFunc(order, byCategory) {
		return nil
	}
	slices.SortStableFunc(order, byCategory)
	f := &filing{docs: make([]filedDoc, len(order)), texts: make([]string, len(ix.terms)), ratings: maps.Clone(ix.ratings.of)}
	for i, s := range order {
		f.docs[i] = filedDoc{d: ix.doc(s), forward: ix.slots[s].forward, lens: ix.lens[s]}
	}
	for i := range ix.terms {
		f.texts[i] = ix.terms[i].text
	}
	return f
}

// build indexes the copy into a fresh index, in its order, or returns nil
// once ctx has ended. It touches nothing but the copy and the fresh index.
func (f *filing) build(ctx context.Context) *Index {
	fresh := New()
	fresh.terms = make([]term, len(f.texts))
	for i, t := range f.texts {
		fresh.terms[i].text = t
	}
	fresh.useRatings(f.ratings)
	var es []entry
	for i, fd := range f.docs {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil
		}
		es = es[:0]
		// The forward list was encoded by the index; it always decodes.
		_ = decodeForward(fd.forward, len(f.texts), func(e entry) { es = append(es, e) })
		fresh.index(fresh.alloc(fd.d.ID), fd.d, es, fd.lens)
	}
	return fresh
}

// useRatings makes of the ratings by document id, as SetRating keeps
// them. The caller holds mu or owns the index.
func (ix *Index) useRatings(of map[string]rating) {
	ix.ratings.of = of
	if of != nil && ix.ratings.atLeast[0] == nil {
		for k := range ix.ratings.atLeast {
			ix.ratings.atLeast[k] = roaring.New()
		}
	}
}

// entriesOf decodes slot s's forward list. The caller holds mu.
func (ix *Index) entriesOf(s uint32) []entry {
	var es []entry
	_ = decodeForward(ix.slots[s].forward, len(ix.terms), func(e entry) { es = append(es, e) })
	return es
}

// adopt takes fresh's documents, postings and facets for its own, with
// the vocabulary it has. The caller holds mu.
func (ix *Index) adopt(fresh *Index) {
	ix.ids, ix.slots, ix.free = fresh.ids, fresh.slots, fresh.free
	ix.price, ix.band, ix.updated, ix.lens = fresh.price, fresh.band, fresh.updated, fresh.lens
	ix.brandOf, ix.platformOf, ix.categoryOf = fresh.brandOf, fresh.platformOf, fresh.categoryOf
	ix.live, ix.inStock, ix.ratings = fresh.live, fresh.inStock, fresh.ratings
	ix.terms, ix.lenSum = fresh.terms, fresh.lenSum
	ix.brands, ix.platforms, ix.categories = fresh.brands, fresh.platforms, fresh.categories
	ix.prices, ix.times, ix.merchants, ix.currencies = fresh.prices, fresh.times, fresh.merchants, fresh.currencies
	ix.unions.clear() // they name the old slots
	ix.unfiled = 0
	ix.gen++ // so do cached results
}
