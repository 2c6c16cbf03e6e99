package search

import (
	"math"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
)

// PriceBand is one fixed price range of the price facet. Min and Max are in
// minor units and inclusive, with the meaning of Query.MinPrice and
// Query.MaxPrice (Max 0 is unbounded), so a band converts to a query as is.
type PriceBand struct {
	// Label names the band in major units, such as "25-50".
	Label string
	// Min is the lowest price in the band.
	Min int64
	// Max is the highest price in the band; 0 for the open top band.
	Max int64
	// Count is the number of results in the band.
	Count int
}

// priceBands are the bands of the price facet. Labels assume two-decimal
// currencies; prices of all currencies are banded alike.
var priceBands = []PriceBand{
	{Label: "<10", Min: 0, Max: 999},
	{Label: "10-25", Min: 1000, Max: 2499},
	{Label: "25-50", Min: 2500, Max: 4999},
	{Label: "50-100", Min: 5000, Max: 9999},
	{Label: "100-250", Min: 10000, Max: 24999},
	{Label: "250+", Min: 25000, Max: 0},
}

// PriceBands returns the fixed price bands, with zero counts.
func PriceBands() []PriceBand { return append([]PriceBand(nil), priceBands...) }

// bandOf returns the index of the band holding price p.
func bandOf(p int64) int {
	i := 0
	for i < len(priceBands)-1 && p > priceBands[i].Max {
		i++
	}
	return i
}

// priceBounds[i] is the lowest price of bucket i, which ends where bucket
// i+1 starts. The buckets grow geometrically (1, 1.2, 1.5, 2, 2.5, 3, 4, 5,
// 6, 7.5 per decade) so each holds a modest share of any realistic price
// distribution, and every band edge is a bucket edge.
var priceBounds = makePriceBounds()

func makePriceBounds() []int64 {
	b := []int64{0, 50}
	steps := []int64{10, 12, 15, 20, 25, 30, 40, 50, 60, 75}
	for unit := int64(10); unit <= 1e14; unit *= 10 {
		for _, s := range steps {
			b = append(b, s*unit)
		}
	}
	return b
}

// bucketOf returns the bucket holding price p (p >= 0).
func bucketOf(p int64) int {
	return sort.Search(len(priceBounds), func(i int) bool { return priceBounds[i] > p }) - 1
}

// bucketMax returns the highest price of bucket i.
func bucketMax(i int) int64 {
	if i+1 == len(priceBounds) {
		return math.MaxInt64
	}
	return priceBounds[i+1] - 1
}

// priceIndex files documents into price buckets. A range filter is the
// union of the buckets it covers, plus the documents of the (at most two)
// buckets it cuts whose exact price is in range.
type priceIndex struct {
	buckets []*roaring.Bitmap // by bucket; nil until used
	sizes   []uint32          // by bucket
}

func newPriceIndex() priceIndex {
	return priceIndex{
		buckets: make([]*roaring.Bitmap, len(priceBounds)),
		sizes:   make([]uint32, len(priceBounds)),
	}
}

func (x *priceIndex) add(p int64, doc uint32) {
	i := bucketOf(p)
	if x.buckets[i] == nil {
		x.buckets[i] = roaring.New()
	}
	x.buckets[i].Add(doc)
	x.sizes[i]++
}

func (x *priceIndex) remove(p int64, doc uint32) {
	i := bucketOf(p)
	x.buckets[i].Remove(doc)
	x.sizes[i]--
}

// filter returns the documents of base priced in [lo, hi]; hi 0 is
// unbounded. all says base is every live document; price is the price
// column, one entry per slot.
//
// It unites the buckets the range covers, plus the documents of the (at
// most two) buckets it cuts whose exact price is in range, and intersects
// that with base. The union holds every document in the range, whatever
// the base: at ten million listings a wide range holds millions. So a
// base small enough to read each of its documents' price for less, by the
// scope's estimates, is filtered that way instead.
func (x *priceIndex) filter(base *roaring.Bitmap, all bool, lo, hi int64, price []int64) *roaring.Bitmap {
	if hi == 0 {
		hi = math.MaxInt64
	}
	if !all {
		sc := scope{docs: base, card: base.GetCardinality(), slots: uint64(len(price))}
		if sc.visitCost(8) < x.bucketsCost(sc, lo, hi) { // prices are 8 bytes
			return pricedIn(base, lo, hi, price)
		}
	}
	return x.byBuckets(base, all, lo, hi, price)
}

// unionSteps is the cost of a member of an array chunk in a union of
// buckets: roaring ORs the arrays into a bitmap, then counts it and
// converts it back where it is sparse. Both ways timed for ten searches
// of 28,000 to 270,000 hits at 3,000,000 listings, six ranges each (a
// scratch program, two runs): with 3 the choice was the faster way in 43
// of the 60 cases and lost 1.8 ms over all of them; with 1, in 31,
// losing 6.4 ms; the estimate before, which charged a bucket's chunk at
// most denseSteps whatever its container and left out the
// intersections, in 23 and 24, losing 21.7 and 20.1 ms.
const unionSteps = 3

// bucketsCost estimates the steps of byBuckets for the scope sc: uniting
// the buckets [lo, hi] covers, unionSteps per member where a bucket's
// chunk is an array and denseSteps where it is a bitmap; intersecting
// the union with sc; and intersecting each bucket the range cuts with sc,
// then reading the prices of what is left.
func (x *priceIndex) bucketsCost(sc scope, lo, hi int64) uint64 {
	chunks := sc.slots>>16 + 1
	var steps, united uint64
	for i, size := range x.sizes {
		if size == 0 || priceBounds[i] > hi || bucketMax(i) < lo {
			continue
		}
		n := uint64(size)
		if priceBounds[i] < lo || bucketMax(i) > hi { // the range cuts it
			steps += sc.intersectCost([]uint32{size}) + sc.card*n/sc.slots*(1+missSteps)
			continue
		}
		united += n
		spread := min(chunks, n) // chunks the bucket reaches
		if n/spread > arrayMax {
			steps += valueSteps + spread*denseSteps
		} else {
			steps += valueSteps + n*unionSteps
		}
	}
	return steps + sc.intersectCost([]uint32{uint32(min(united, math.MaxUint32))})
}

// byBuckets returns the documents of base priced in [lo, hi], uniting the
// buckets the range reaches, the ones it cuts read document by document,
// then intersecting with base.
func (x *priceIndex) byBuckets(base *roaring.Bitmap, all bool, lo, hi int64, price []int64) *roaring.Bitmap {
	var parts []*roaring.Bitmap
	for i, bm := range x.buckets {
		if bm == nil || priceBounds[i] > hi || bucketMax(i) < lo {
			continue
		}
		if priceBounds[i] < lo || bucketMax(i) > hi { // the range cuts it
			if !all {
				bm = roaring.And(bm, base)
			}
			bm = pricedIn(bm, lo, hi, price)
		}
		parts = append(parts, bm)
	}
	r := roaring.FastOr(parts...)
	if !all {
		r.And(base)
	}
	return r
}

// pricedIn returns the documents of docs priced in [lo, hi] (0 <= lo <=
// hi), reading each one's price. A document is kept by one unsigned
// comparison and written whether kept or not, so that the loop does not
// branch on prices: a band holds about half of a broad search's hits, a
// branch the processor mispredicts half the time (2.5 against 1.8 ms for
// 268,000 hits at 3,000,000 listings).
func pricedIn(docs *roaring.Bitmap, lo, hi int64, price []int64) *roaring.Bitmap {
	r := roaring.New()
	width := uint64(hi - lo)
	each(docs, func(docs []uint32) {
		n := 0 // filtered in place: each refills the batch
		for _, d := range docs {
			docs[n] = d
			if uint64(price[d]-lo) <= width { // below lo wraps around
				n++
			}
		}
		r.AddMany(docs[:n]) // ascending, as each visits
	})
	return r
}

// bands counts the scope by price band; band is the band column.
func (x *priceIndex) bands(sc scope, band []uint8) []PriceBand {
	if !sc.all && sc.visitCost(1) < sc.intersectCost(x.sizes) {
		return bandsByColumn(sc.docs, band)
	}
	out := PriceBands()
	for i, b := range x.buckets {
		if x.sizes[i] > 0 {
			out[bandOf(priceBounds[i])].Count += int(sc.countIn(b))
		}
	}
	return out
}

// bandsByColumn counts docs by price band, reading each one's band.
func bandsByColumn(docs *roaring.Bitmap, band []uint8) []PriceBand {
	var counts [8]int
	each(docs, func(docs []uint32) {
		for _, d := range docs {
			counts[band[d]&7]++
		}
	})
	out := PriceBands()
	for i := range out {
		out[i].Count = counts[i]
	}
	return out
}

// used returns the number of non-empty buckets.
func (x *priceIndex) used() int {
	n := 0
	for _, size := range x.sizes {
		if size > 0 {
			n++
		}
	}
	return n
}

// ascending yields the non-empty buckets in ascending price order.
func (x *priceIndex) ascending(yield func(bucket) bool) {
	for i, bm := range x.buckets {
		if x.sizes[i] > 0 && !yield(bucket{lo: priceBounds[i], hi: bucketMax(i), docs: bm}) {
			return
		}
	}
}

// descending yields the non-empty buckets in ascending order of the
// PriceDesc key, -price.
func (x *priceIndex) descending(yield func(bucket) bool) {
	for i := len(x.buckets) - 1; i >= 0; i-- {
		if x.sizes[i] > 0 && !yield(bucket{lo: -bucketMax(i), hi: -priceBounds[i], docs: x.buckets[i]}) {
			return
		}
	}
}
