package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestScaleCheckpointsMustIncrease(t *testing.T) {
	got, err := parseCheckpoints("1000000, 2000000")
	if err != nil || !slices.Equal(got, []int{1000000, 2000000}) {
		t.Fatalf("parseCheckpoints = %v, %v", got, err)
	}
	for in, says := range map[string]string{
		"2000000,1000000": "does not follow",
		"100":             "at least 10000",
		"1M":              `"1M"`,
		" , ":             "no listing count",
	} {
		if _, err := parseCheckpoints(in); err == nil || !strings.Contains(err.Error(), says) || !strings.Contains(err.Error(), "--at") {
			t.Errorf("parseCheckpoints(%q) = %v, want an error naming --at and saying %q", in, err, says)
		}
	}
}

// A checkpoint past --whole-upto has no new member holding every
// category: its sharded member is printed beside the same member at the
// first checkpoint, and no rebuild figure is made up for it.
func TestScaleReportBesideTheFirstPastWholeUpTo(t *testing.T) {
	first := scaleFigures{listings: 1000000, build: 90 * time.Second, catchup: 100 * time.Second, catchupRecords: 1000000,
		shardHeld: 270000, shardCatchup: 70 * time.Second, shardRecords: 1000000, shardMB: 700, shardHeap: 200}
	later := scaleFigures{listings: 10000000, shardHeld: 2700000, shardCatchup: 700 * time.Second, shardRecords: 10000000, shardMB: 7000, shardHeap: 2000}
	figs := scaleReport([]scaleFigures{first, later})
	byName := map[string]figure{}
	for _, f := range figs {
		byName[f.Name] = f
	}
	c, ok := byName["at 10000000 listings: its catch-up (10000000 records streamed, every one verified)"]
	if !ok || c.Base != 70 || !strings.Contains(c.Baseline, "same at 1000000 listings") {
		t.Errorf("sharded catch-up at 10M = %+v, want it beside the same at 1M (70 s)", c)
	}
	c, ok = byName["at 1000000 listings: its catch-up (1000000 records streamed, every one verified)"]
	if !ok || c.Base != 100 || !strings.Contains(c.Baseline, "every category") {
		t.Errorf("sharded catch-up at 1M = %+v, want it beside the member holding every category (100 s)", c)
	}
	if _, ok := byName["at 10000000 listings: index rebuild from Badger"]; ok {
		t.Error("a rebuild figure at 10M, where none was measured")
	}
	if _, ok := byName["at 1000000 listings: index rebuild from Badger"]; !ok {
		t.Error("no rebuild figure at 1M, where it was measured")
	}
}
