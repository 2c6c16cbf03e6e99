package cores

import (
	"sync/atomic"
	"testing"
)

// Every index is called exactly once, whatever the count and grain.
func TestEachCallsEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, grain int }{{0, 8}, {1, 8}, {7, 8}, {16, 8}, {1000, 16}, {5, 1}, {3, 0}} {
		calls := make([]atomic.Int32, tc.n)
		Each(tc.n, tc.grain, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Fatalf("n=%d grain=%d: index %d called %d times", tc.n, tc.grain, i, c)
			}
		}
	}
}
