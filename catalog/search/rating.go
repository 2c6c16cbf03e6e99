package search

import (
	"github.com/RoaringBitmap/roaring/v2"
)

// Ratings are shoppers' stars, derived from review records the catalog
// keeps apart from listings: they reach the index through SetRating, not
// with the listing's Doc, and survive a listing's Upsert. They are not in
// a snapshot: the node sets them all again after it loads one.

// ratingIndex is the index's ratings. The index's mu guards it.
type ratingIndex struct {
	// of holds the rating of every document id set, live or not yet.
	of map[string]rating
	// key is, by slot, the rating sort key: average in hundredths of a
	// star in the high bits, count in the low; 0 unrated. It may be
	// shorter than the slots: a slot beyond it is unrated.
	key []int64
	// atLeast[k-1] holds the live slots rated k stars or more on average;
	// nil until a document is rated.
	atLeast [5]*roaring.Bitmap
}

// rating is one document's aggregate.
type rating struct{ averageX100, count int64 }

func (r rating) key() int64 {
	if r.count <= 0 {
		return 0
	}
	return r.averageX100<<32 | min(r.count, 1<<32-1)
}

// SetRating sets the rating of document id: its average in hundredths of
// a star (1..500) and the number of reviews (0 removes it). It holds for
// id from now on, whether or not id is indexed yet.
func (ix *Index) SetRating(id string, averageX100, count int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.gen++
	ix.touch(id)
	r := &ix.ratings
	if r.of == nil {
		r.of = make(map[string]rating)
		for k := range r.atLeast {
			r.atLeast[k] = roaring.New()
		}
	}
	if count <= 0 || averageX100 <= 0 {
		delete(r.of, id)
	} else {
		r.of[id] = rating{min(averageX100, 500), count}
	}
	if s, ok := ix.ids.get(id, &ix.slots); ok {
		ix.unrate(s)
		ix.rate(s, id)
	}
}

// rate sets slot s's rating from the rating of id. The caller holds mu.
func (ix *Index) rate(s uint32, id string) {
	r := &ix.ratings
	v, ok := r.of[id]
	if !ok {
		return
	}
	for int(s) >= len(r.key) {
		r.key = append(r.key, 0)
	}
	r.key[s] = v.key()
	for k := range r.atLeast {
		if v.averageX100 >= int64(k+1)*100 {
			r.atLeast[k].Add(s)
		}
	}
}

// unrate clears slot s's rating. The caller holds mu.
func (ix *Index) unrate(s uint32) {
	r := &ix.ratings
	if int(s) < len(r.key) {
		r.key[s] = 0
	}
	if r.of == nil {
		return
	}
	for _, bm := range r.atLeast {
		bm.Remove(s)
	}
}

// ratingOf returns slot s's average and count. The caller holds mu.
func (ix *Index) ratingOf(s uint32) (averageX100, count int64) {
	if int(s) >= len(ix.ratings.key) {
		return 0, 0
	}
	k := ix.ratings.key[s]
	return k >> 32, k & (1<<32 - 1)
}

// ratedAtLeast returns the live slots rated stars or more, nil when no
// document is rated. The caller holds mu.
func (ix *Index) ratedAtLeast(stars int) *roaring.Bitmap {
	return ix.ratings.atLeast[stars-1]
}

// offerRating offers docs keyed by descending rating: best average
// first, then most reviews. The caller holds mu.
func (ix *Index) offerRating(t *topK, docs *roaring.Bitmap) {
	key := ix.ratings.key
	each(docs, func(docs []uint32) {
		for _, d := range docs {
			var k int64
			if int(d) < len(key) {
				k = -key[d]
			}
			if !t.full() || k <= t.heap[0].key {
				t.offer(d, k)
			}
		}
	})
}

// ratingFacet counts the result rated at least 1 to 5 stars.
func (ix *Index) ratingFacet(sc scope) [5]int {
	var out [5]int
	for k := range out {
		if bm := ix.ratings.atLeast[k]; bm != nil {
			out[k] = int(sc.countIn(bm))
		}
	}
	return out
}
