package catalog

import (
	"context"
	"slices"
	"sync"
	"testing"
)

// TestBulkCommitPublishesItsLastRecord imports a feed in chunks larger
// and smaller than bulkSignal records and checks which changes are
// quiet: all but the last of each large commit, none of a small one.
// The batch handlers see each commit whole, before the single handlers.
func TestBulkCommitPublishesItsLastRecord(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.BatchChunk = 80 // 80 records a chunk (one per new listing): above bulkSignal
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)
	var mu sync.Mutex
	var commits [][]Change
	n.OnChanges(func(chs []Change) {
		mu.Lock()
		defer mu.Unlock()
		commits = append(commits, slices.Clone(chs))
	})
	before := len(n.raws())

	// 100 listings: chunks of 80 and 20, a record each.
	res, err := n.UpsertBatch(ctx, m, feed(100, 1))
	if err != nil || res.Created != 100 {
		t.Fatalf("%+v %v", res, err)
	}
	if len(commits) != 2 {
		t.Fatalf("%d commits seen by OnChanges, want 2", len(commits))
	}
	for i, want := range []int{80, 20} {
		chs := commits[i]
		if len(chs) != want {
			t.Fatalf("commit %d has %d changes, want %d", i, len(chs), want)
		}
		for j, ch := range chs {
			quiet := want > bulkSignal && j < want-1
			if ch.Quiet != quiet {
				t.Fatalf("commit %d change %d (seq %d): quiet %v, want %v", i, j, ch.Record.Seq, ch.Quiet, quiet)
			}
		}
	}
	// The single handlers saw the same changes in the same order.
	single := n.raws()[before:]
	var batched [][]byte
	for _, chs := range commits {
		for _, ch := range chs {
			batched = append(batched, ch.Raw)
		}
	}
	if !slices.EqualFunc(single, batched, func(a, b []byte) bool { return string(a) == string(b) }) {
		t.Fatalf("OnChange saw %d records, OnChanges %d, or in another order", len(single), len(batched))
	}

	// An edit of one listing is small: published whole.
	commits = nil
	in := feed(1, 1)
	in[0].Title = "Item 0, renamed"
	if _, err := n.UpsertBatch(ctx, m, in); err != nil {
		t.Fatal(err)
	}
	if len(commits) != 1 || len(commits[0]) != 1 || commits[0][0].Quiet {
		t.Fatalf("a one-listing edit: %+v", commits)
	}
}
