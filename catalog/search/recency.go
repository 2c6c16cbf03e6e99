package search

import (
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// microsPerDay is the width of a time bucket.
const microsPerDay = 86_400_000_000

// maxMicros bounds the updated column (about ±146,000 years), so that day
// arithmetic and negated sort keys never overflow.
const maxMicros = 1 << 62

// timeIndex files documents by the UTC day of their update time, so that
// Newest visits the most recent days first and stops once a page is full.
type timeIndex struct {
	days []int64                   // days holding documents, ascending
	docs map[int64]*roaring.Bitmap // by day
}

func newTimeIndex() timeIndex {
	return timeIndex{docs: make(map[int64]*roaring.Bitmap)}
}

// dayOf returns the day of m microseconds, rounding down.
func dayOf(m int64) int64 {
	d := m / microsPerDay
	if m%microsPerDay < 0 {
		d--
	}
	return d
}

func (x *timeIndex) add(m int64, doc uint32) {
	day := dayOf(m)
	bm, ok := x.docs[day]
	if !ok {
		bm = roaring.New()
		x.docs[day] = bm
		i, _ := slices.BinarySearch(x.days, day)
		x.days = slices.Insert(x.days, i, day)
	}
	bm.Add(doc)
}

func (x *timeIndex) remove(m int64, doc uint32) {
	day := dayOf(m)
	bm := x.docs[day]
	bm.Remove(doc)
	if bm.IsEmpty() {
		delete(x.docs, day)
		i, _ := slices.BinarySearch(x.days, day)
		x.days = slices.Delete(x.days, i, i+1)
	}
}

// newest yields the day buckets in ascending order of the Newest key,
// -updated: the latest day first.
func (x *timeIndex) newest(yield func(bucket) bool) {
	for i := len(x.days) - 1; i >= 0; i-- {
		start := x.days[i] * microsPerDay
		if !yield(bucket{lo: -(start + microsPerDay - 1), hi: -start, docs: x.docs[x.days[i]]}) {
			return
		}
	}
}
