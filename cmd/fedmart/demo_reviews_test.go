package main

import (
	"math/rand/v2"
	"testing"
)

// The simulated shoppers' stars follow demoRatings: mostly 4 and 5, some
// 1 to 3.
func TestDemoStarsFollowTheDistribution(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	var got [5]int
	for range n {
		got[demoStars(rng)-1]++
	}
	for i, want := range demoRatings {
		if share := got[i] * 100 / n; share < want-2 || share > want+2 {
			t.Errorf("%d stars: %d %% of draws, want about %d %%", i+1, share, want)
		}
	}
	if high := got[3] + got[4]; high*100/n < 70 {
		t.Errorf("4 and 5 stars are %d of %d draws", high, n)
	}
}
