package main

import (
	"math"
	"testing"
	"time"
)

func TestMemberFiguresShareTheStormsCPU(t *testing.T) {
	by := map[string]time.Duration{"front": 3 * time.Second, "home-1": 2 * time.Second, "home-2": time.Second, "": time.Second}
	got := map[string]float64{}
	for _, f := range memberFigures(by, 4, "front", []string{"home-1", "home-2"}, t.Logf) {
		got[f.Name] = f.Value
	}
	for name, want := range map[string]float64{
		"CPU time per sub-order at the storefront, its shoppers' calls included, 32 shoppers":                       2, // 4 ms x 3/6
		"CPU time per sub-order at its home, 32 shoppers":                                                           2, // 4 ms x (2+1)/6
		"sub-orders per second a storefront with two cores of its own would accept":                                 1000,
		"share of the storm's CPU profile in no member's goroutines (the collector, the runtime), shared out above": 100.0 / 7,
	} {
		if v, ok := got[name]; !ok || math.Abs(v-want) > 1e-9 {
			t.Errorf("%s: %v, want %v", name, v, want)
		}
	}
	if fs := memberFigures(nil, 4, "front", nil, t.Logf); fs != nil {
		t.Errorf("figures without a profile: %v", fs)
	}
}
