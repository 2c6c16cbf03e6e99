package search

import (
	"github.com/RoaringBitmap/roaring/v2"
)

// Counting a facet over a set of documents can go two ways: intersect the
// set with each value's bitmap, or visit each document and read its value
// from a column. Intersecting costs about one step per member of a sparse
// value bitmap and a popcount over the words of a dense one, whatever the
// size of the set; visiting costs one step per document of the set. A
// scope estimates both and takes the cheaper, so a broad query never visits
// every hit and a narrow one never touches every value.
const (
	// denseSteps is the cost, in steps, of intersecting one 65536-slot
	// chunk of a dense bitmap (1024 words, popcounted).
	denseSteps = 256
	// valueSteps is the fixed cost of one bitmap intersection.
	valueSteps = 64
)

// scope is a set of documents a facet is counted over.
type scope struct {
	docs   *roaring.Bitmap
	card   uint64
	all    bool // docs is every live document: counts are value sizes
	chunks uint64
}

// intersectCost estimates the steps of intersecting the scope with value
// bitmaps of the given sizes.
func (sc scope) intersectCost(sizes []uint32) uint64 {
	var steps uint64
	dense := denseSteps * sc.chunks
	for _, n := range sizes {
		if n > 0 {
			steps += min(uint64(n), dense) + valueSteps
		}
	}
	return steps
}

// countIn returns how many documents of the scope bm holds.
func (sc scope) countIn(bm *roaring.Bitmap) uint64 {
	if sc.all {
		return bm.GetCardinality()
	}
	return sc.docs.AndCardinality(bm)
}
