package search

import (
	"github.com/RoaringBitmap/roaring/v2"
)

// Counting a facet over a set of documents can go two ways: intersect the
// set with each value's bitmap, or visit each document and read its value
// from a column. A scope estimates both, in steps of about a nanosecond,
// and takes the cheaper, so a broad query never visits every hit and a
// narrow one never merges every value's bitmap.
//
// Intersecting works chunk by chunk (65536 slots), on the containers
// roaring chose for each side: above arrayMax members a chunk is a bitmap.
// Two bitmaps cost a popcount over their words; a bitmap and an array, a
// probe per array member; two arrays, a merge, or a binary search per
// member of the smaller when their sizes differ widely. Visiting costs a
// step per document plus a cache miss per cache line of the column it
// touches: one per document while documents are more than a line apart,
// one per line when they are closer.
const (
	// arrayMax is roaring's largest array container.
	arrayMax = 4096
	// denseSteps is the cost of intersecting two bitmap containers (1024
	// words, popcounted).
	denseSteps = 256
	// valueSteps is the fixed cost of one bitmap intersection.
	valueSteps = 64
	// gallopRatio is where roaring switches from merging two sorted
	// arrays to searching the larger for each member of the smaller, and
	// searchSteps what one such search costs.
	gallopRatio = 64
	searchSteps = 8
	// missSteps is the cost of reading a cache line of a column, and
	// lineBytes the size of a line. A scope visits its documents in
	// ascending order, so the processor fetches the lines ahead of the
	// reads and a line costs far less than a miss to memory. Measured
	// over the bench's query mix at 1,000,000 listings loaded one
	// merchant after another, one query at a time: 4 to 8 gave 1.26-1.40
	// ms a query on average, 24 (a miss each) 1.68-1.72 ms, the broad
	// text queries with a filter gaining most (4.3 to 3.0 ms); with the
	// merchants' listings interleaved, no difference showed. 8 leans
	// towards intersecting.
	missSteps = 8
	lineBytes = 64
)

// scope is a set of documents a facet is counted over.
type scope struct {
	docs  *roaring.Bitmap
	card  uint64
	all   bool   // docs is every live document: counts are value sizes
	slots uint64 // slots in the index
}

// visitCost estimates the steps of reading a column of width-byte entries
// for each document.
func (sc scope) visitCost(width uint64) uint64 {
	return sc.card + missSteps*min(sc.card, sc.slots*width/lineBytes)
}

// intersectCost estimates the steps of intersecting the scope with value
// bitmaps of the given sizes, taking members as spread evenly over the
// chunks.
func (sc scope) intersectCost(sizes []uint32) uint64 {
	chunks := sc.slots>>16 + 1
	x := sc.card / chunks
	var steps uint64
	for _, n := range sizes {
		if n == 0 {
			continue
		}
		spread := min(chunks, uint64(n)) // chunks the value reaches
		steps += valueSteps + spread*chunkCost(x, uint64(n)/spread)
	}
	return steps
}

// chunkCost estimates intersecting two containers of x and y members.
func chunkCost(x, y uint64) uint64 {
	small, large := min(x, y), max(x, y)
	switch {
	case small > arrayMax:
		return denseSteps
	case large > arrayMax:
		return small
	case large > gallopRatio*small:
		return small * searchSteps
	}
	return small + large
}

// countIn returns how many documents of the scope bm holds.
func (sc scope) countIn(bm *roaring.Bitmap) uint64 {
	if sc.all {
		return bm.GetCardinality()
	}
	return sc.docs.AndCardinality(bm)
}
