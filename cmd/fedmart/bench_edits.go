package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog/sample"
	"github.com/fedmart/fedmart/node"
)

// editFor is how long each round of benchEdits lasts.
const editFor = 5 * time.Second

// benchEdits has merchants of one member change the price of a listing
// of theirs in one-listing feeds, back to back for d: one merchant alone
// first (the baseline), then merchants at once. A feed is acknowledged
// only once it is on disk, so what it measures is how merchants' small
// edits share the node's flushes.
func benchEdits(ctx context.Context, merchants int, d time.Duration, signing string) ([]figure, error) {
	if merchants < 2 {
		return nil, fmt.Errorf("--edit-merchants must be at least 2, not %d", merchants)
	}
	c, stop, err := benchCluster(ctx, 1, signing)
	if err != nil {
		return nil, err
	}
	defer stop()
	nd := c.Nodes[0]
	ids := make([]string, merchants)
	for i := range ids {
		m, _, err := nd.Catalog().CreateMerchant(ctx, fmt.Sprintf("Editor %d", i))
		if err != nil {
			return nil, err
		}
		ids[i] = m.ID
	}
	alone, err := editAtOnce(ctx, nd, ids[:1], d)
	if err != nil {
		return nil, err
	}
	many, err := editAtOnce(ctx, nd, ids, d)
	if err != nil {
		return nil, err
	}
	at := fmt.Sprintf("%d merchants at once", merchants)
	return []figure{
		{Name: "one-listing feeds acknowledged per second, " + at, Unit: "/s", Value: many.rate(d),
			Baseline: "one merchant alone, back to back, same run", Base: alone.rate(d)},
		{Name: "one-listing feed, " + at + ", p50", Unit: "ms", Value: ms(percentile(many.took, 50)),
			Baseline: "one merchant alone, p50", Base: ms(percentile(alone.took, 50))},
		{Name: "one-listing feed, " + at + ", p99", Unit: "ms", Value: ms(percentile(many.took, 99)),
			Baseline: "one merchant alone, p99", Base: ms(percentile(alone.took, 99))},
		{Name: "flushes of the database to disk per feed, " + at, Unit: "flushes", Value: many.flushesPerFeed(),
			Baseline: "one merchant alone", Base: alone.flushesPerFeed()},
		{Name: "CPU time per feed, whole process, " + at, Unit: "µs", Value: many.cpuPerFeed(),
			Baseline: "one merchant alone", Base: alone.cpuPerFeed()},
		{Name: "catalog writer lock held per feed, " + at, Unit: "µs", Value: many.heldPerFeed(),
			Baseline: "the wall time per feed at that rate", Base: 1e6 / many.rate(d)},
		{Name: "feeds written per turn of the writer lock, " + at, Unit: "feeds", Value: many.feedsPerTurn(),
			Baseline: "one merchant alone", Base: alone.feedsPerTurn()},
	}, nil
}

// editRun is what editAtOnce measured: every feed's time, and the flushes
// of the node's database, the process's CPU time and the time the
// catalog's writer lock was held meanwhile.
type editRun struct {
	took    []time.Duration
	flushes uint64
	cpu     time.Duration // the process's, user and system
	held    time.Duration // the catalog's writer lock
	turns   uint64        // turns of the writer lock that wrote the feeds
}

func (r editRun) rate(d time.Duration) float64 { return float64(len(r.took)) / d.Seconds() }

func (r editRun) cpuPerFeed() float64 { return r.perFeed(float64(r.cpu.Microseconds())) }

func (r editRun) heldPerFeed() float64 { return r.perFeed(float64(r.held.Microseconds())) }

func (r editRun) flushesPerFeed() float64 { return r.perFeed(float64(r.flushes)) }

func (r editRun) feedsPerTurn() float64 {
	if r.turns == 0 {
		return 0
	}
	return float64(len(r.took)) / float64(r.turns)
}

// perFeed is v over the feeds.
func (r editRun) perFeed(v float64) float64 {
	if len(r.took) == 0 {
		return 0
	}
	return v / float64(len(r.took))
}

// editAtOnce has each merchant of ids send one-listing feeds back to back,
// a price change each, until d has passed.
func editAtOnce(ctx context.Context, nd *node.Node, ids []string, d time.Duration) (editRun, error) {
	cat := nd.Catalog()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	flushed, _ := nd.Orders().Flushes() // the node's flushes, which feeds share with orders
	cpu, held := cpuTime(), cat.WriterHeld()
	_, turns := cat.SmallFeeds()
	var (
		mu   sync.Mutex // guards run.took
		run  editRun
		errs = make(chan error, len(ids))
		wg   sync.WaitGroup
	)
	for i, id := range ids {
		in := sample.New(uint64(100+i)).Listings(1, "EUR", fmt.Sprintf("EDIT%d", i))
		wg.Go(func() {
			for n := 0; ; n++ {
				in[0].Variants[0].Price.Amount = 1000 + int64(n%500)
				start := time.Now()
				r, err := cat.UpsertBatch(ctx, id, in)
				if ctx.Err() != nil {
					return
				}
				if err == nil && len(r.Rejected) > 0 {
					err = fmt.Errorf("rejected: %v", r.Rejected)
				}
				if err != nil {
					errs <- fmt.Errorf("merchant %d, feed %d: %w", i, n, err)
					return
				}
				took := time.Since(start)
				mu.Lock()
				run.took = append(run.took, took)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return editRun{}, err
	}
	now, _ := nd.Orders().Flushes()
	_, turnsNow := cat.SmallFeeds()
	run.flushes, run.cpu, run.held, run.turns = now-flushed, cpuTime()-cpu, cat.WriterHeld()-held, turnsNow-turns
	return run, nil
}
