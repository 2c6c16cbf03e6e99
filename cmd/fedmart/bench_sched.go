package main

import (
	"math"
	"runtime/metrics"
	"time"
)

// schedSample is what the Go runtime has counted, at one moment, of the
// time runnable goroutines waited for a core and of the CPU time the
// collector took (runtime/metrics). Two samples give a window's figures:
// whether a slow request waited on a lock, or on the scheduler with both
// cores busy.
type schedSample struct {
	waits     *metrics.Float64Histogram
	gc, total float64 // CPU seconds: the collector's, and everything's
}

func readSched() schedSample {
	s := []metrics.Sample{
		{Name: "/sched/latencies:seconds"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
	}
	metrics.Read(s)
	return schedSample{waits: s[0].Value.Float64Histogram(), gc: s[1].Value.Float64(), total: s[2].Value.Float64()}
}

// since returns, for the window from a to b, the 99th percentile of the
// waits to run (the upper bound of its bucket) and the collector's share
// of the CPU time.
func (b schedSample) since(a schedSample) (waitP99 time.Duration, gcShare float64) {
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
	if cpu := b.total - a.total; cpu > 0 {
		gcShare = (b.gc - a.gc) / cpu
	}
	return waitP99, gcShare
}
