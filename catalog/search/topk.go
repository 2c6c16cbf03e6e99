package search

import (
	"cmp"
	"iter"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// hit is one ranked document. Results come in ascending (key, id) order:
// the key is the price, the negated price or update time, or the
// relevance key (see relevanceKey).
type hit struct {
	doc uint32
	key int64
}

// topK keeps the k first documents, in (key, id) order, of those offered
// after the cursor. It is a max-heap: the root is the last kept document,
// and an offer that does not beat it costs one comparison.
type topK struct {
	k     int
	heap  []hit
	after *cursor
	slots *slotTable // the index's slots, for tie-breaking by id
}

func (ix *Index) newTopK(k int, after *cursor) *topK {
	return &topK{k: k, heap: make([]hit, 0, k), after: after, slots: &ix.slots}
}

// less orders a before b.
func (t *topK) less(a, b hit) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	return t.slots.id(a.doc) < t.slots.id(b.doc)
}

// full reports whether k documents are kept.
func (t *topK) full() bool { return len(t.heap) == t.k }

// offer considers one document.
func (t *topK) offer(doc uint32, key int64) {
	if c := t.after; c != nil && (key < c.key || key == c.key && t.slots.id(doc) <= c.id) {
		return
	}
	h := hit{doc, key}
	if !t.full() {
		t.heap = append(t.heap, h)
		t.up(len(t.heap) - 1)
		return
	}
	if !t.less(h, t.heap[0]) {
		return
	}
	t.heap[0] = h
	t.down(0)
}

// offerColumn offers every document of docs keyed by sign × column, sign
// being 1 or -1. A
// descending order (sign -1) visits the documents from the last slot
// down: slots are mostly allocated in arrival order, so for Newest the
// best come first and most of the rest fail the one comparison with the
// heap's root instead of churning it.
func (t *topK) offerColumn(docs *roaring.Bitmap, column []int64, sign int64) {
	if sign < 0 {
		for d := range roaring.Backward(docs) {
			if key := -column[d]; !t.full() || key <= t.heap[0].key {
				t.offer(d, key)
			}
		}
		return
	}
	each(docs, func(docs []uint32) {
		for _, d := range docs {
			if key := column[d]; !t.full() || key <= t.heap[0].key {
				t.offer(d, key)
			}
		}
	})
}

// bucket is an inclusive range of sort keys and the documents keyed in it.
type bucket struct {
	lo, hi int64
	docs   *roaring.Bitmap
}

// walk offers the documents of result bucket by bucket, in ascending key
// order, and stops at the first bucket whose keys all come after the last
// kept document. Buckets wholly before the cursor are skipped.
func (t *topK) walk(result *roaring.Bitmap, buckets iter.Seq[bucket], column []int64, sign int64) {
	for b := range buckets {
		if t.full() && b.lo > t.heap[0].key {
			return
		}
		if t.after != nil && b.hi < t.after.key {
			continue
		}
		t.offerColumn(roaring.And(b.docs, result), column, sign)
	}
}

func (t *topK) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !t.less(t.heap[parent], t.heap[i]) {
			return
		}
		t.heap[parent], t.heap[i] = t.heap[i], t.heap[parent]
		i = parent
	}
}

func (t *topK) down(i int) {
	for {
		last, l, r := i, 2*i+1, 2*i+2
		if l < len(t.heap) && t.less(t.heap[last], t.heap[l]) {
			last = l
		}
		if r < len(t.heap) && t.less(t.heap[last], t.heap[r]) {
			last = r
		}
		if last == i {
			return
		}
		t.heap[i], t.heap[last] = t.heap[last], t.heap[i]
		i = last
	}
}

// sorted returns the kept documents in order.
func (t *topK) sorted() []hit {
	slices.SortFunc(t.heap, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.key, b.key), strings.Compare(t.slots.id(a.doc), t.slots.id(b.doc)))
	})
	return t.heap
}
