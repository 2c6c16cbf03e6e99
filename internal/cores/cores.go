// Package cores spreads independent pieces of CPU-bound work (Ed25519
// checks and signatures, text analysis) over the machine's cores.
package cores

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls fn(0..n-1) and returns when every call has. The calls run on
// up to GOMAXPROCS goroutines, one for every grain items at most, taking
// the next index as each finishes; fewer than two grains run on the
// caller's goroutine, where starting others would cost more than it saves.
func Each(n, grain int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+grain-1)/max(grain, 1))
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}
