package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/sample"
	"github.com/fedmart/fedmart/node"
	"golang.org/x/sync/errgroup"
)

// benchImport imports n listings over HTTP in batches of 1,000 into a
// member of its own, clients batches at a time (each client sends its
// next batch once the last one is answered), beside a raw Badger
// WriteBatch of the same JSON; then sends the same listings again with
// every price changed, as a merchant's next full feed does, beside the
// import.
// On a shared machine the wall-clock rate depends on what else runs, so
// it also reports the process's CPU time per listing (server and
// client), the rate two whole cores would reach at that cost, and the
// ceiling Ed25519 sets: each new listing is one signed record (its
// description carrying its stock), so no import beats cores x
// signatures per second.
func benchImport(ctx context.Context, n, clients int, signing string) ([]figure, error) {
	if clients < 1 {
		return nil, fmt.Errorf("--import-clients must be at least 1, not %d", clients)
	}
	c, stop, err := benchCluster(ctx, 1, signing)
	if err != nil {
		return nil, err
	}
	defer stop()
	nd := c.Nodes[0]
	_, token, err := nd.Catalog().CreateMerchant(ctx, "Importer")
	if err != nil {
		return nil, err
	}
	listings := sample.New(11).Listings(n, "EUR", "IMP")
	values := make([][]byte, 0, n)
	for _, l := range listings {
		v, _ := json.Marshal(l)
		values = append(values, v)
	}
	sign, _ := ed25519CPU(4000, 600) // before the import, while the member is idle
	imp, err := sendFeeds(ctx, nd, token, feedBodies(listings), clients, "created")
	if err != nil {
		return nil, err
	}
	elapsed, cpu, held := imp.elapsed, imp.cpu, imp.held
	// The merchant's next feed: every listing again, every price changed.
	for i := range listings {
		listings[i].Variants[0].Price.Amount++
	}
	up, err := sendFeeds(ctx, nd, token, feedBodies(listings), clients, "updated")
	if err != nil {
		return nil, err
	}
	upElapsed, upHeld := up.elapsed, up.held
	rate := float64(n) / elapsed.Seconds()
	perListing := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(n) }
	base, err := badgerWriteRate(values)
	if err != nil {
		return nil, err
	}
	cpuPer := float64(cpu.Microseconds()) / float64(n)
	signPer := float64(sign.Nanoseconds()) / 1e3
	cores := runtime.GOMAXPROCS(0)
	return []figure{
		{Name: fmt.Sprintf("import of %d listings over HTTP, batches of 1000%s (message signing %s)", n, atATime(clients), signing), Unit: "listings/s", Value: rate,
			Baseline: "raw Badger WriteBatch of the same JSON", Base: base, Goal: ">= 15000 listings/s"},
		{Name: "import CPU time per listing, whole process", Unit: "µs", Value: cpuPer,
			Baseline: "one Ed25519 signature (a new listing's record), same run", Base: signPer},
		{Name: "import page faults per listing, whole process", Unit: "faults", Value: float64(imp.faults) / float64(n)},
		{Name: "listings/s two whole cores would import at that CPU cost", Unit: "listings/s", Value: 2e6 / cpuPer,
			Baseline: "Ed25519 ceiling: 2 cores x signatures/s", Base: 2e6 / signPer, Goal: ">= 15000 listings/s"},
		{Name: fmt.Sprintf("Ed25519 signatures per second, one core (GOMAXPROCS %d)", cores), Unit: "/s", Value: 1e9 / float64(sign.Nanoseconds())},
		{Name: "catalog writer lock held per listing imported", Unit: "µs", Value: perListing(held),
			Baseline: "the import's wall time per listing", Base: perListing(elapsed)},
		{Name: fmt.Sprintf("the same %d listings sent again, every price changed%s", n, atATime(clients)), Unit: "listings/s", Value: float64(n) / upElapsed.Seconds(),
			Baseline: "their import, same run", Base: rate},
		{Name: "catalog writer lock held per listing updated", Unit: "µs", Value: perListing(upHeld),
			Baseline: "per listing imported, same run", Base: perListing(held)},
	}, nil
}

// feedBodies are the batch API's request bodies for listings, 1,000 a
// batch.
func feedBodies(listings []catalog.ListingInput) [][]byte {
	bodies := make([][]byte, 0, len(listings)/1000+1)
	for i := 0; i < len(listings); i += 1000 {
		b, _ := json.Marshal(listings[i:min(i+1000, len(listings))])
		bodies = append(bodies, b)
	}
	return bodies
}

// feedRun is what sending feeds took: the wall time, the process's CPU
// time, the catalog writer lock's time and the process's page faults.
type feedRun struct {
	elapsed, cpu, held time.Duration
	faults             int64
}

// sendFeeds posts bodies to nd's batch API as merchant token, clients at
// a time, and returns what that took. Every listing must come out as
// want says (created or updated), or the figures would measure less.
func sendFeeds(ctx context.Context, nd *node.Node, token string, bodies [][]byte, clients int, want string) (feedRun, error) {
	start, cpuStart, heldStart, faultsStart := time.Now(), cpuTime(), nd.Catalog().WriterHeld(), pageFaults()
	next := make(chan []byte)
	g, gctx := errgroup.WithContext(ctx)
	for range clients {
		g.Go(func() error {
			for b := range next {
				out, err := apiCall(gctx, http.MethodPost, nd.APIURL()+"/v1/listings/batch", token, bytes.NewReader(b))
				if err != nil {
					return err
				}
				var r catalog.BatchResult
				if err := json.Unmarshal(out, &r); err != nil {
					return fmt.Errorf("the batch API answered %.200q: %w", out, err)
				}
				done, other := r.Created, r.Updated
				if want == "updated" {
					done, other = other, done
				}
				if done == 0 || other+r.Unchanged+len(r.Rejected) != 0 {
					return fmt.Errorf("a feed was to be %s, and came out %+v", want, r)
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(next)
		for _, b := range bodies {
			select {
			case next <- b:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return feedRun{}, err
	}
	return feedRun{elapsed: time.Since(start), cpu: cpuTime() - cpuStart, held: nd.Catalog().WriterHeld() - heldStart, faults: pageFaults() - faultsStart}, nil
}

// ed25519CPU is the CPU time one Ed25519 signature of a size-byte message
// takes, and one verification of it, over n of each: CPU time, like the
// import's and the orders', so that other processes on the machine do not
// inflate it.
func ed25519CPU(n, size int) (sign, verify time.Duration) {
	pub, key, _ := ed25519.GenerateKey(nil)
	msg := bytes.Repeat([]byte("x"), size)
	sigs := make([][]byte, n)
	start := cpuTime()
	for i := range n {
		msg[0] = byte(i)
		sigs[i] = ed25519.Sign(key, msg)
	}
	sign = (cpuTime() - start) / time.Duration(n)
	start = cpuTime()
	for i := range n {
		msg[0] = byte(i)
		if !ed25519.Verify(pub, msg, sigs[i]) {
			panic("bench: an Ed25519 signature did not verify")
		}
	}
	return sign, (cpuTime() - start) / time.Duration(n)
}

// atATime names how many batches an import sent at once, when more than
// one: a run of one keeps the figure's name of the runs before the
// option, so that --compare matches them.
func atATime(clients int) string {
	if clients == 1 {
		return ""
	}
	return fmt.Sprintf(", %d at a time", clients)
}
