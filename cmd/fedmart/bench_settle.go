package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"time"

	"github.com/fedmart/fedmart/settlement"
	"github.com/spf13/cobra"
)

const (
	settleEntries = 1_000_000
	settleDiffer  = 100
	nettingPeers  = 100
)

// benchSettle reconciles two sets of a million entries, of which 100
// differ, over loopback TCP, beside the naive exchange of every entry id in
// the same run; and nets the pairwise obligations of 100 members.
func benchSettle(cmd *cobra.Command, _ benchOptions) (report, error) {
	ctx := cmd.Context()
	fmt.Fprintf(cmd.ErrOrStderr(), "building two sets of %d entries, %d differing...\n", settleEntries, settleDiffer)
	a, b := differingSets(settleEntries, settleDiffer)
	fmt.Fprintln(cmd.ErrOrStderr(), "range-fingerprint reconciliation...")
	rt, rstats, diff, err := exchange(ctx, a, b, settlement.Reconcile)
	if err != nil {
		return report{}, err
	}
	if n := len(diff.Have) + len(diff.Need) + len(diff.Differ); n != settleDiffer {
		return report{}, fmt.Errorf("reconciliation found %d differences, want %d", n, settleDiffer)
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "naive exchange of every entry...")
	nt, nstats, _, err := exchange(ctx, a, b, settlement.NaiveExchange)
	if err != nil {
		return report{}, err
	}
	nd, err := nettingTime(nettingPeers, 50)
	if err != nil {
		return report{}, err
	}
	rb := float64(rstats.BytesSent+rstats.BytesReceived) / 1024
	nb := float64(nstats.BytesSent+nstats.BytesReceived) / 1024
	return report{Figures: []figure{
		{Name: fmt.Sprintf("reconcile %d entries, %d differing", settleEntries, settleDiffer), Unit: "ms", Value: ms(rt),
			Baseline: "naive exchange of every entry", Base: ms(nt), Goal: "< 3000 ms"},
		{Name: "bytes exchanged", Unit: "KiB", Value: rb, Baseline: "naive exchange of every entry", Base: nb, Goal: "< 1% of naive"},
		{Name: fmt.Sprintf("round trips (%d)", rstats.Rounds), Unit: "rounds", Value: float64(rstats.Rounds)},
		{Name: fmt.Sprintf("netting of %d members, all pairs owing", nettingPeers), Unit: "ms", Value: ms(nd), Goal: "< 10 ms"},
	}}, nil
}

// differingSets returns a set of n random entries and a copy in which
// differ of them are missing or changed.
func differingSets(n, differ int) (settlement.ItemSet, settlement.ItemSet) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := make([]settlement.Item, n)
	for i := range a {
		for j := 0; j < 32; j += 8 {
			v := rng.Uint64()
			for k := 0; k < 8; k++ {
				a[i].ID[j+k] = byte(v >> (8 * k))
			}
		}
		a[i].Hash[0] = byte(i)
	}
	sa, _ := settlement.NewItemSet(a)
	b := slices.Clone(sa)
	for k := 0; k < differ/2; k++ { // changed content
		b[rng.IntN(len(b))].Hash[1]++
	}
	for k := 0; k < differ-differ/2; k++ { // missing on one side
		i := rng.IntN(len(b))
		b = slices.Delete(b, i, i+1)
	}
	return sa, b
}

type exchangeFn func(context.Context, io.ReadWriter, bool, settlement.ItemSet) (settlement.Diff, settlement.Stats, error)

// exchange runs fn between a (initiator) and b over a loopback TCP
// connection and returns the time, the initiator's traffic and its diff.
func exchange(ctx context.Context, a, b settlement.ItemSet, fn exchangeFn) (time.Duration, settlement.Stats, settlement.Diff, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, settlement.Stats{}, settlement.Diff{}, err
	}
	defer l.Close()
	done := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		_, _, err = fn(ctx, c, false, b)
		done <- err
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		return 0, settlement.Stats{}, settlement.Diff{}, err
	}
	defer c.Close()
	start := time.Now()
	diff, stats, err := fn(ctx, c, true, a)
	d := time.Since(start)
	if rerr := <-done; err == nil {
		err = rerr
	}
	return d, stats, diff, err
}

// nettingTime is the median time to net obligations between every pair
// of n members.
func nettingTime(n, runs int) (time.Duration, error) {
	rng := rand.New(rand.NewPCG(3, 4))
	members := make([]string, n)
	for i := range members {
		members[i] = fmt.Sprintf("member-%03d", i)
	}
	var obligations []settlement.Obligation
	for i := range members {
		for j := range members {
			if i != j {
				obligations = append(obligations, settlement.Obligation{From: members[i], To: members[j],
					Amount: settlement.Money{Amount: rng.Int64N(1_000_000), Currency: "EUR"}})
			}
		}
	}
	var d []time.Duration
	for r := 0; r < runs; r++ {
		start := time.Now()
		if _, _, err := settlement.Net(members, obligations); err != nil {
			return 0, err
		}
		d = append(d, time.Since(start))
	}
	return median(d), nil
}
