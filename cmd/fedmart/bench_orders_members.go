package main

import (
	"bytes"
	"fmt"
	"runtime/pprof"
	"time"

	"github.com/fedmart/fedmart/node"
	"github.com/google/pprof/profile"
)

// The storm's three members share the bench's process and its two cores,
// so its CPU per sub-order is the whole federation's: the storefront's
// work and the homes'. Members of an alliance run on machines of their
// own. memberCPU splits the storm's CPU by the profiler label each
// member's goroutines carry (node.MemberLabel), so that the bench can say
// what one member's two cores would accept.

// memberCPU runs run under a CPU profile of its own and returns the CPU
// time of the profile's samples by member, "" for those of no member (the
// collector's workers, the runtime). When a profile is already being
// taken (--cpuprofile), it runs run alone and returns nil.
func memberCPU(run func() error) (map[string]time.Duration, error) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, run()
	}
	err := run()
	pprof.StopCPUProfile()
	if err != nil {
		return nil, err
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		return nil, fmt.Errorf("reading the storm's CPU profile: %w", err)
	}
	at := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			at = i
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("the storm's CPU profile has no cpu/nanoseconds samples")
	}
	out := map[string]time.Duration{}
	for _, s := range p.Sample {
		m := ""
		if v := s.Label[node.MemberLabel]; len(v) > 0 {
			m = v[0]
		}
		out[m] += time.Duration(s.Value[at])
	}
	return out, nil
}

// memberFigures says what a sub-order cost the storefront and its home,
// out of cpuPer (the process's CPU per sub-order, in ms): each member's
// share of the profile's samples, with the samples of no member (the
// collector, the runtime) shared among them as their own are. Every
// sub-order has one home, so the homes' CPU over the sub-orders is what
// one home spends on a sub-order of its own. Nothing is reported without
// a profile (see memberCPU).
func memberFigures(by map[string]time.Duration, cpuPer float64, store string, homes []string, logf func(string, ...any)) []figure {
	var total, members time.Duration
	for m, d := range by {
		total += d
		if m != "" {
			members += d
		}
	}
	if members == 0 {
		if by == nil {
			logf("(a CPU profile is being taken: the storm's CPU is not split by member)")
		}
		return nil
	}
	share := func(names ...string) float64 {
		var d time.Duration
		for _, n := range names {
			d += by[n]
		}
		return cpuPer * float64(d) / float64(members)
	}
	front, home := share(store), share(homes...)
	if front == 0 || home == 0 {
		logf("(the storm's CPU profile has no samples of the storefront or of the homes: not split by member)")
		return nil
	}
	const whole = "the whole federation's CPU per sub-order, one process, its outboxes' delivery included"
	return []figure{
		{Name: "CPU time per sub-order at the storefront, its shoppers' calls included, 32 shoppers", Unit: "ms", Value: front, Baseline: whole, Base: cpuPer},
		{Name: "CPU time per sub-order at its home, 32 shoppers", Unit: "ms", Value: home, Baseline: whole, Base: cpuPer},
		{Name: "share of the storm's CPU profile in no member's goroutines (the collector, the runtime), shared out above", Unit: "%",
			Value: 100 * float64(total-members) / float64(total)},
		{Name: "sub-orders per second a storefront with two cores of its own would accept", Unit: "/s", Value: 2000 / front,
			Baseline: "two cores for the whole federation", Base: 2000 / cpuPer, Goal: ">= 1,000 /s"},
		{Name: "sub-orders per second a home with two cores of its own would accept", Unit: "/s", Value: 2000 / home,
			Baseline: "two cores for the whole federation", Base: 2000 / cpuPer, Goal: ">= 1,000 /s"},
	}
}
