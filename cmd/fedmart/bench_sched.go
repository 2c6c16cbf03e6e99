package main

import (
	"math"
	"runtime/metrics"
	"time"
)

// schedSample is what the Go runtime has counted, at one moment, of the
// time runnable goroutines waited for a core and of the collections it
// completed (runtime/metrics). Two samples give a window's figures:
// whether a slow request waited on a lock, on the scheduler with both
// cores busy, or beside the collector. (The runtime's /cpu/classes
// figures would give the collector's share of the CPU, but they move only
// when a collection ends, so they do not fit a window.)
type schedSample struct {
	waits *metrics.Float64Histogram
	gcs   uint64
}

func readSched() schedSample {
	s := []metrics.Sample{
		{Name: "/sched/latencies:seconds"},
		{Name: "/gc/cycles/total:gc-cycles"},
	}
	metrics.Read(s)
	return schedSample{waits: s[0].Value.Float64Histogram(), gcs: s[1].Value.Uint64()}
}

// since returns, for the window from a to b, the 99th percentile of the
// waits to run (the upper bound of its bucket) and the collections
// completed.
func (b schedSample) since(a schedSample) (waitP99 time.Duration, gcs uint64) {
	counts := make([]uint64, len(b.waits.Counts))
	var n uint64
	for i, c := range b.waits.Counts {
		counts[i] = c - a.waits.Counts[i]
		n += counts[i]
	}
	if n > 0 {
		var seen uint64
		for i, c := range counts {
			if seen += c; seen*100 >= n*99 {
				upper := b.waits.Buckets[i+1]
				if math.IsInf(upper, 1) {
					upper = b.waits.Buckets[i]
				}
				waitP99 = time.Duration(upper * float64(time.Second))
				break
			}
		}
	}
	return waitP99, b.gcs - a.gcs
}
