package search

import (
	"fmt"
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
