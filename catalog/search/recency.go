package search

import (
	"slices"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
)

// maxMicros bounds the updated column (about ±146,000 years), so that
// bucket bounds and negated sort keys never overflow.
const maxMicros = 1 << 62

// maxTimeBucket is the size past which a time bucket splits in two.
const maxTimeBucket = 4096

// timeIndex files documents into buckets of consecutive update times, so
// that Newest visits the latest bucket first and stops once a page is
// full. Buckets adapt to the data: one that grows past maxTimeBucket
// splits at its median time, so a catalog imported within a minute is as
// well bucketed as one updated over years. A bucket that empties is
// dropped and its range joins the bucket before it. Only a bucket of
// documents sharing one time stays larger; it tries again to split only
// once it has doubled, so that a block of documents sharing one time (a
// member that signs a whole catalog with one time: records carry the
// time their origin signed) costs each document a constant share of the
// tries, not a pass over the whole block.
type timeIndex struct {
	buckets []timeBucket // by ascending start; the first starts at -maxMicros
}

// timeBucket holds the documents updated from start until the next
// bucket's start.
type timeBucket struct {
	start int64
	docs  *roaring.Bitmap
	size  int
	retry int // when nonzero, the size at which to try splitting again
}

func newTimeIndex() timeIndex {
	return timeIndex{buckets: []timeBucket{{start: -maxMicros, docs: roaring.New()}}}
}

// find returns the bucket holding time m.
func (x *timeIndex) find(m int64) int {
	return sort.Search(len(x.buckets), func(i int) bool { return x.buckets[i].start > m }) - 1
}

// add files doc, updated at m; updated is the column, for splitting.
func (x *timeIndex) add(m int64, doc uint32, updated []int64) {
	i := x.find(m)
	b := &x.buckets[i]
	b.docs.Add(doc)
	b.size++
	if b.size > max(maxTimeBucket, b.retry) {
		x.split(i, updated)
	}
}

// split divides bucket i at its median time, if its documents have more
// than one time; if not, it waits for the bucket to double.
func (x *timeIndex) split(i int, updated []int64) {
	b := &x.buckets[i]
	times := make([]int64, 0, b.size)
	b.docs.Iterate(func(d uint32) bool {
		times = append(times, updated[d])
		return true
	})
	slices.Sort(times)
	mid := times[len(times)/2]
	if mid == times[0] { // the lower half is one time: split above it
		j, _ := slices.BinarySearch(times, mid+1)
		if j == len(times) {
			b.retry = 2 * b.size // one time throughout
			return
		}
		mid = times[j]
	}
	upper := roaring.New()
	b.docs.Iterate(func(d uint32) bool {
		if updated[d] >= mid {
			upper.Add(d)
		}
		return true
	})
	b.docs.AndNot(upper)
	n := int(upper.GetCardinality())
	b.size -= n
	b.retry = 0
	x.buckets = slices.Insert(x.buckets, i+1, timeBucket{start: mid, docs: upper, size: n})
}

// remove forgets doc, updated at m, dropping its bucket if it empties.
func (x *timeIndex) remove(m int64, doc uint32) {
	i := x.find(m)
	b := &x.buckets[i]
	b.docs.Remove(doc)
	if b.size--; b.size > 0 || len(x.buckets) == 1 {
		return
	}
	x.buckets = slices.Delete(x.buckets, i, i+1)
	x.buckets[0].start = -maxMicros
}

// end returns the last time of bucket i.
func (x *timeIndex) end(i int) int64 {
	if i+1 == len(x.buckets) {
		return maxMicros
	}
	return x.buckets[i+1].start - 1
}

// newest yields the buckets in ascending order of the Newest key,
// -updated: the latest first.
func (x *timeIndex) newest(yield func(bucket) bool) {
	for i := len(x.buckets) - 1; i >= 0; i-- {
		b := x.buckets[i]
		if b.size > 0 && !yield(bucket{lo: -x.end(i), hi: -b.start, docs: b.docs}) {
			return
		}
	}
}
