package search

import (
	"math"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// MaxFacetValues caps the values a Brand, Platform or Category facet
// returns: the ones with the most results (ties by name), plus every value
// the query selected, even at zero.
const MaxFacetValues = 100

// none is the id of an absent value (empty brand, no category).
const none = math.MaxUint32

// Facets counts the results each filter value would give. Counts are
// disjunctive: facet F is counted with every filter of the query applied
// except F's own, so selecting a brand does not hide the other brands.
type Facets struct {
	// Category counts the top-level categories and, when the query selects
	// a category, the categories one level under it, keyed by full path.
	Category map[string]int
	// Brand counts results by brand.
	Brand map[string]int
	// Platform counts results by home platform.
	Platform map[string]int
	// Price counts results in each of the fixed PriceBands, in order.
	Price []PriceBand
	// InStock counts the results that are in stock.
	InStock int
	// Rating counts the results rated at least 1, 2, 3, 4 and 5 stars.
	Rating [5]int
}

// dict interns strings as dense ids; the empty string is none.
type dict struct {
	ids   map[string]uint32
	names []string
}

func newDict() dict { return dict{ids: make(map[string]uint32)} }

// intern returns the id of s, adding it if new.
func (d *dict) intern(s string) uint32 {
	if s == "" {
		return none
	}
	if id, ok := d.ids[s]; ok {
		return id
	}
	s = strings.Clone(s) // not to pin the caller's buffer
	id := uint32(len(d.names))
	d.ids[s] = id
	d.names = append(d.names, s)
	return id
}

// name returns the string of id.
func (d *dict) name(id uint32) string {
	if id == none {
		return ""
	}
	return d.names[id]
}

// facetDict is a dict whose values each hold the bitmap of their documents
// and its size. A value whose documents are all gone keeps its id and an
// empty bitmap until the next Save/Load.
type facetDict struct {
	dict
	docs  []*roaring.Bitmap
	sizes []uint32
}

func newFacetDict() facetDict { return facetDict{dict: newDict()} }

// add interns s and records doc under it.
func (f *facetDict) add(s string, doc uint32) uint32 {
	id := f.intern(s)
	if id == none {
		return id
	}
	if int(id) == len(f.docs) {
		f.docs = append(f.docs, roaring.New())
		f.sizes = append(f.sizes, 0)
	}
	f.docs[id].Add(doc)
	f.sizes[id]++
	return id
}

// remove forgets doc under value id.
func (f *facetDict) remove(id, doc uint32) {
	if id != none {
		f.docs[id].Remove(doc)
		f.sizes[id]--
	}
}

// union returns the documents holding any of the values. The result may be
// one of the dict's own bitmaps: callers must not modify it.
func (f *facetDict) union(values []string) *roaring.Bitmap {
	var bms []*roaring.Bitmap
	for _, v := range values {
		if id, ok := f.ids[v]; ok {
			bms = append(bms, f.docs[id])
		}
	}
	switch len(bms) {
	case 0:
		return roaring.New()
	case 1:
		return bms[0]
	}
	return roaring.FastOr(bms...)
}

// byColumn reports whether counting sc is cheaper by reading each
// document's value from a column than by intersecting sc with every
// value's bitmap.
func (f *facetDict) byColumn(sc scope) bool {
	return !sc.all && sc.visitCost(4) < sc.intersectCost(f.sizes)
}

// count counts the documents of sc by value. tallied holds the counts a
// column tally made, when byColumn chose one, and is left zeroed; nil
// counts otherwise. The selected values are always reported.
func (f *facetDict) count(sc scope, tallied []int32, selected []string) map[string]int {
	h := valueHeap{name: f.name}
	switch {
	case tallied != nil:
		h.offerAll(tallied)
	case sc.all:
		for id, n := range f.sizes {
			if n > 0 {
				h.offer(valueCount{uint32(id), int(n)})
			}
		}
	default:
		f.countBitmaps(sc.docs, &h)
	}
	out := h.counts()
	for _, s := range selected {
		if _, ok := out[s]; ok {
			continue
		}
		out[s] = 0
		if id, ok := f.ids[s]; ok {
			out[s] = int(sc.countIn(f.docs[id]))
		}
	}
	return out
}

// countBitmaps counts docs by value into h, intersecting it with each
// value's bitmap.
func (f *facetDict) countBitmaps(docs *roaring.Bitmap, h *valueHeap) {
	for id, bm := range f.docs {
		if f.sizes[id] == 0 {
			continue
		}
		if n := docs.AndCardinality(bm); n > 0 {
			h.offer(valueCount{uint32(id), int(n)})
		}
	}
}

// columnTally counts documents by their value in a column, into counts
// (zeroed, one per value id).
type columnTally struct {
	docs   *roaring.Bitmap
	column []uint32
	counts []int32
}

// tallyColumns runs the tallies. Those that count the same documents
// share one pass: a broad search reads its hits' category and brand (and
// platform), and in one loop the reads of a document's values wait for
// memory together, where a loop each waits once per loop (1.2 against 1.9
// ms for the three of 268,000 hits among 3,000,000 listings).
func tallyColumns(ts []columnTally) {
	done := make([]bool, len(ts))
	for i := range ts {
		if done[i] {
			continue
		}
		var group []columnTally
		for j := i; j < len(ts) && len(group) < 3; j++ {
			if !done[j] && ts[j].docs == ts[i].docs {
				group, done[j] = append(group, ts[j]), true
			}
		}
		tallyPass(ts[i].docs, group)
	}
}

// tallyPass counts docs for one to three tallies in one loop, written out
// for each number: a loop over the tallies inside the loop over the
// documents was slower than a pass each.
func tallyPass(docs *roaring.Bitmap, group []columnTally) {
	a := group[0]
	switch len(group) {
	case 1:
		each(docs, func(docs []uint32) {
			for _, d := range docs {
				if v := a.column[d]; v != none {
					a.counts[v]++
				}
			}
		})
	case 2:
		b := group[1]
		each(docs, func(docs []uint32) {
			for _, d := range docs {
				if v := a.column[d]; v != none {
					a.counts[v]++
				}
				if v := b.column[d]; v != none {
					b.counts[v]++
				}
			}
		})
	default:
		b, c := group[1], group[2]
		each(docs, func(docs []uint32) {
			for _, d := range docs {
				if v := a.column[d]; v != none {
					a.counts[v]++
				}
				if v := b.column[d]; v != none {
					b.counts[v]++
				}
				if v := c.column[d]; v != none {
					c.counts[v]++
				}
			}
		})
	}
}

// valueCount is the count of one facet value.
type valueCount struct {
	id uint32
	n  int
}

// valueHeap keeps the MaxFacetValues largest counts, ties by name; its
// root is the worst kept. A facet with many values costs little more than
// one pass over them.
type valueHeap struct {
	vs   []valueCount
	name func(uint32) string
}

// counts returns the kept counts by name.
func (h *valueHeap) counts() map[string]int {
	out := make(map[string]int, len(h.vs))
	for _, v := range h.vs {
		out[h.name(v.id)] = v.n
	}
	return out
}

// worse orders by count, then reverse name: a is worse than b.
func (h *valueHeap) worse(a, b valueCount) bool {
	if a.n != b.n {
		return a.n < b.n
	}
	return h.name(a.id) > h.name(b.id)
}

// offerAll offers every value counted in counts, by id, zeroing counts.
func (h *valueHeap) offerAll(counts []int32) {
	for id, n := range counts {
		if n > 0 {
			h.offer(valueCount{uint32(id), int(n)})
			counts[id] = 0
		}
	}
}

func (h *valueHeap) offer(v valueCount) {
	if len(h.vs) < MaxFacetValues {
		h.vs = append(h.vs, v)
		for i := len(h.vs) - 1; i > 0 && h.worse(h.vs[i], h.vs[(i-1)/2]); i = (i - 1) / 2 {
			h.vs[i], h.vs[(i-1)/2] = h.vs[(i-1)/2], h.vs[i]
		}
		return
	}
	if v.n < h.vs[0].n || !h.worse(h.vs[0], v) {
		return
	}
	h.vs[0] = v
	for i := 0; ; {
		w, l, r := i, 2*i+1, 2*i+2
		if l < len(h.vs) && h.worse(h.vs[l], h.vs[w]) {
			w = l
		}
		if r < len(h.vs) && h.worse(h.vs[r], h.vs[w]) {
			w = r
		}
		if w == i {
			return
		}
		h.vs[i], h.vs[w] = h.vs[w], h.vs[i]
		i = w
	}
}
