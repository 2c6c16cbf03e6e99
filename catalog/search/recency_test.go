package search

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestTimeBucketsSplitAndMerge indexes clustered update times: a burst
// within one minute, a block sharing one instant, and a spread over
// years; then deletes most of it. Buckets must stay consistent and Newest
// must page through in exact order.
func TestTimeBucketsSplitAndMerge(t *testing.T) {
	ix := New()
	var docs []Doc
	add := func(n int, at func(i int) time.Time) {
		for i := range n {
			d := Doc{ID: fmt.Sprintf("t%06d", len(docs)), Title: "clock", Updated: at(i)}
			docs = append(docs, d)
			ix.Upsert(d)
		}
	}
	add(3*maxTimeBucket, func(i int) time.Time { return t0.Add(time.Duration(i%997) * time.Millisecond) })
	add(2*maxTimeBucket, func(int) time.Time { return t0.Add(time.Hour) })
	add(maxTimeBucket, func(i int) time.Time { return t0.AddDate(-i%7, 0, -i%300) })
	if n := len(ix.times.buckets); n < 5 {
		t.Fatalf("%d time buckets for %d documents: no splits", n, len(docs))
	}
	checkInvariants(t, ix)
	checkNewest(t, ix, docs)
	var kept []Doc
	for i, d := range docs {
		if i%5 == 0 {
			kept = append(kept, d)
		} else {
			ix.Delete(d.ID)
		}
	}
	checkInvariants(t, ix)
	checkNewest(t, ix, kept)
}

// checkNewest walks Newest over the whole index and compares with docs
// sorted by (Updated desc, ID asc).
func checkNewest(t *testing.T, ix *Index, docs []Doc) {
	t.Helper()
	want := slices.Clone(docs)
	slices.SortFunc(want, keyOrder(Newest))
	got, total := walk(t, ix, Query{Text: "clock", Sort: Newest, Limit: MaxLimit})
	if total != len(want) || !slices.Equal(ids(got), ids(want)) {
		t.Fatalf("Newest: %d items of Total %d, want %d in order", len(got), total, len(want))
	}
}

// TestOneTimeBlockIsNotSplitOverAndOver adds a block of documents that
// share one update time, as a member signing a whole catalog with one
// time would, then documents of later
// times. A bucket that cannot split must not try again on every add:
// each try reads and sorts the whole bucket, so a block of n documents
// would cost n^2/2 reads (here about 600 MB of sort buffers, and minutes
// for a block of a hundred thousand).
func TestOneTimeBlockIsNotSplitOverAndOver(t *testing.T) {
	const n = 3 * maxTimeBucket
	x := newTimeIndex()
	updated := make([]int64, 2*n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for d := range n {
		updated[d] = 1_000_000
		x.add(updated[d], uint32(d), updated)
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Fatalf("adding %d documents of one time allocated %d MiB: the bucket tried to split on every add", n, grew>>20)
	}
	if len(x.buckets) != 1 || x.buckets[0].size != n {
		t.Fatalf("%d buckets after one time throughout, want 1 of %d", len(x.buckets), n)
	}
	for d := n; d < 2*n; d++ {
		updated[d] = 2_000_000 + int64(d)
		x.add(updated[d], uint32(d), updated)
	}
	if len(x.buckets) < 3 {
		t.Fatalf("%d buckets after %d documents of later times: the block's bucket never split again", len(x.buckets), n)
	}
	total := 0
	for i, b := range x.buckets {
		total += b.size
		if b.size != int(b.docs.GetCardinality()) {
			t.Fatalf("bucket %d: size %d, holds %d", i, b.size, b.docs.GetCardinality())
		}
		b.docs.Iterate(func(d uint32) bool {
			if x.find(updated[d]) != i {
				t.Fatalf("document %d (time %d) in bucket %d, find says %d", d, updated[d], i, x.find(updated[d]))
			}
			return true
		})
	}
	if total != 2*n {
		t.Fatalf("buckets hold %d documents, want %d", total, 2*n)
	}
}
