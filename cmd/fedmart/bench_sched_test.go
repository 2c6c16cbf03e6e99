package main

import (
	"math"
	"runtime/metrics"
	"testing"
	"time"
)

// A window's figures are taken from the counts that grew in it, not from
// those before it.
func TestSchedWindow(t *testing.T) {
	buckets := []float64{math.Inf(-1), 0.001, 0.002, 0.010, math.Inf(1)}
	a := schedSample{waits: &metrics.Float64Histogram{Counts: []uint64{0, 0, 0, 5000}, Buckets: buckets}, gcs: 7}
	b := schedSample{waits: &metrics.Float64Histogram{Counts: []uint64{0, 990, 9, 5001}, Buckets: buckets}, gcs: 9}
	p99, gcs := b.since(a)
	if p99 != 2*time.Millisecond || gcs != 2 { // 990 of 1,000 waits of 1-2 ms
		t.Errorf("p99 %v, %d collections: want 2ms and 2", p99, gcs)
	}
	b.waits.Counts[1] = 980 // 980 of 990: the 99th is in the next bucket
	if p99, _ := b.since(a); p99 != 10*time.Millisecond {
		t.Errorf("p99 %v, want 10ms", p99)
	}
	b.waits.Counts[3] = 5100 // in the last bucket, which has no upper bound: its lower one
	if p99, _ := b.since(a); p99 != 10*time.Millisecond {
		t.Errorf("p99 %v, want 10ms", p99)
	}
}
