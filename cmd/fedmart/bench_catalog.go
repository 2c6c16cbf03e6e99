package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/sample"
	"github.com/fedmart/fedmart/node"
	"github.com/spf13/cobra"
)

// catalogSizes are the catalog scenario's sizes, settable from the command line.
type catalogSizes struct {
	changes, rate, catchup, imports, searchDocs int
	importClients                               int
	editMerchants                               int
	chinese                                     float64 // the fraction of search listings written in Chinese
	// reviews and campaigns, when either is set, make the search part
	// measure the storefront's search with that many reviews and
	// campaigns beside the same search without them.
	reviews, campaigns int
}

// tuneBench sets what every bench member shares; signing is their
// replication.message_signing.
func tuneBench(signing string) func(*node.Config) {
	return func(cfg *node.Config) {
		cfg.Federation.DialInterval = 100 * time.Millisecond
		cfg.Replication.MessageSigning = signing
		cfg.Payments.SandboxCard = true // the orders scenario pays with test cards
		// The orders scenario's storm comes from one storefront: it
		// measures what a home can take, not the default budget of 200
		// reserves a second that one storefront may send it.
		cfg.Orders.ReserveRate, cfg.Orders.ReserveBurst = 10000, 20000
	}
}

// catalogParts are the catalog scenario's parts, in the order they run.
var catalogParts = []string{"propagation", "catchup", "import", "edits", "search"}

func benchCatalog(cmd *cobra.Command, o benchOptions) (report, error) {
	ctx := cmd.Context()
	logf := func(format string, a ...any) { fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", a...) }
	only := map[string]bool{}
	for _, p := range strings.Split(o.only, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if !slices.Contains(catalogParts, p) {
				return report{}, fmt.Errorf("--only: unknown part %q; choose from %s", p, strings.Join(catalogParts, ", "))
			}
			only[p] = true
		}
	}
	if c := o.catalog.chinese; c < 0 || c > 1 || c != c {
		return report{}, fmt.Errorf("--chinese: %v is not a fraction from 0 to 1", c)
	}
	runs := map[string]func() ([]figure, error){
		"propagation": func() ([]figure, error) {
			logf("propagation: %d members, %d listing changes at one member, %d per second...", o.members, o.catalog.changes, o.catalog.rate)
			return benchPropagation(ctx, o.members, o.catalog.changes, o.catalog.rate, o.signing)
		},
		"catchup": func() ([]figure, error) {
			logf("catch-up: a member rejoins after %d changes...", o.catalog.catchup)
			return benchCatchUp(ctx, o.catalog.catchup, o.signing)
		},
		"import": func() ([]figure, error) {
			logf("import: %d listings through the batch API, %d request(s) at a time...", o.catalog.imports, o.catalog.importClients)
			return benchImport(ctx, o.catalog.imports, o.catalog.importClients, o.signing)
		},
		"edits": func() ([]figure, error) {
			logf("edits: one-listing feeds back to back for %s, one merchant alone, then %d at once...", editFor, o.catalog.editMerchants)
			return benchEdits(ctx, o.catalog.editMerchants, editFor, o.signing)
		},
		"search": func() ([]figure, error) {
			if o.catalog.reviews > 0 || o.catalog.campaigns > 0 {
				logf("search: loading %d listings, then the storefront's search at 8 clients without and with %d reviews and %d campaigns...",
					o.catalog.searchDocs, o.catalog.reviews, o.catalog.campaigns)
				return benchSearchSlots(ctx, o.catalog.searchDocs, o.catalog.reviews, o.catalog.campaigns, logf)
			}
			logf("search: loading %d listings, then 8 concurrent clients...", o.catalog.searchDocs)
			return benchSearch(ctx, o.catalog.searchDocs, o.catalog.chinese, o.memProfile, logf)
		},
	}
	var figs []figure
	for _, part := range catalogParts {
		if len(only) > 0 && !only[part] {
			continue
		}
		f, err := runs[part]()
		if err != nil {
			return report{}, fmt.Errorf("%s: %w", part, err)
		}
		figs = append(figs, f...)
	}
	return report{Figures: figs}, nil
}

// newBenchCluster creates (without running) n members in a temporary
// folder; remove deletes it after the cluster is closed. Each of opts
// may change the cluster's options (its charter) first.
func newBenchCluster(n int, signing string, opts ...func(*node.ClusterOptions)) (c *node.Cluster, remove func(), err error) {
	dir, err := os.MkdirTemp("", "fedmart-bench-")
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("member-%02d", i)
	}
	co := node.ClusterOptions{
		Dir: dir, Names: names, FederationID: "bench", FederationName: "Bench", Currency: "EUR", Period: time.Hour,
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Tune: tuneBench(signing),
	}
	for _, o := range opts {
		o(&co)
	}
	c, err = node.NewCluster(co)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return c, func() { os.RemoveAll(dir) }, nil
}

// benchCluster runs n members until they form a full mesh and GossipSub
// has settled; stop ends them and removes their folder.
func benchCluster(ctx context.Context, n int, signing string, opts ...func(*node.ClusterOptions)) (*node.Cluster, func(), error) {
	c, remove, err := newBenchCluster(n, signing, opts...)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	stop := func() {
		cancel()
		<-done
		c.Close()
		remove()
	}
	for deadline := time.Now().Add(time.Minute); !fullMesh(c); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("no full mesh after a minute")
		}
	}
	time.Sleep(2 * time.Second) // let GossipSub exchange subscriptions and graft its mesh
	return c, stop, nil
}

// arrivals records when each listing id's description was stored on each member.
type arrivals struct {
	mu   sync.Mutex // guards at
	at   map[string][]time.Time
	size int
}

func (a *arrivals) hook(c *node.Cluster) {
	a.at, a.size = map[string][]time.Time{}, len(c.Nodes)
	for i, n := range c.Nodes {
		n.Catalog().OnChange(func(ch catalog.Change) {
			if ch.Listing == nil || ch.Record.Kind != catalog.KindListing {
				return
			}
			now := time.Now()
			a.mu.Lock()
			ts := a.at[ch.ID]
			if ts == nil {
				ts = make([]time.Time, a.size)
				a.at[ch.ID] = ts
			}
			ts[i] = now
			a.mu.Unlock()
		})
	}
}

// everywhere returns when id reached the last member, and when the
// first member (its home, whose commit publishes it) stored it; false
// until every member has.
func (a *arrivals) everywhere(id string) (first, last time.Time, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range a.at[id] {
		if t.IsZero() {
			return time.Time{}, time.Time{}, false
		}
		if t.After(last) {
			last = t
		}
	}
	if len(a.at[id]) == 0 {
		return time.Time{}, time.Time{}, false
	}
	return a.at[id][0], last, true
}

func benchPropagation(ctx context.Context, members, changes, rate int, signing string) ([]figure, error) {
	c, stop, err := benchCluster(ctx, members, signing)
	if err != nil {
		return nil, err
	}
	defer stop()
	var arr arrivals
	arr.hook(c)
	home := c.Nodes[0].Catalog()
	m, _, err := home.CreateMerchant(ctx, "Bench Merchant")
	if err != nil {
		return nil, err
	}
	var raws [][]byte
	var rawMu sync.Mutex
	home.OnChange(func(ch catalog.Change) { rawMu.Lock(); raws = append(raws, ch.Raw); rawMu.Unlock() })
	listings := sample.New(42).Listings(changes, "EUR", "PROP")
	created := make(map[string]time.Time, changes)
	// What the members spend doing nothing (pings, GossipSub's
	// heartbeats, their timers), so that the CPU a change costs can be
	// told from it.
	idle0, idleStart := cpuTime(), time.Now()
	time.Sleep(5 * time.Second)
	idlePerSec := (cpuTime() - idle0).Seconds() / time.Since(idleStart).Seconds()
	cpu0, faults0, start := cpuTime(), pageFaults(), time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for _, in := range listings {
		<-tick.C
		t0 := time.Now()
		l, err := home.CreateListing(ctx, m.ID, in)
		if err != nil {
			return nil, err
		}
		created[l.ID] = t0
	}
	var lat, fromPub []time.Duration
	deadline := time.Now().Add(2 * time.Minute)
	for id, t0 := range created {
		for {
			if pub, t, ok := arr.everywhere(id); ok {
				lat, fromPub = append(lat, t.Sub(t0)), append(fromPub, t.Sub(pub))
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("listing %s not on every member after 2 minutes", id)
			}
			time.Sleep(time.Millisecond)
		}
	}
	cpu, faults, took := cpuTime()-cpu0, pageFaults()-faults0, time.Since(start)
	idle := time.Duration(idlePerSec * float64(took))
	// The same records at the rate they were signed: one per new listing
	// (two when a listing's description and stock do not fit one record).
	base, baseCPU, baseFaults, err := bareGossip(ctx, members, raws, rate*len(raws)/changes, signing)
	if err != nil {
		return nil, err
	}
	return []figure{
		{Name: fmt.Sprintf("propagation to all %d members at %d changes/s, p50", members, rate), Unit: "ms", Value: ms(percentile(lat, 50)),
			Baseline: "bare GossipSub delivery to all, same bytes", Base: ms(percentile(base, 50)), Goal: "within 2x of bare"},
		{Name: fmt.Sprintf("propagation to all %d members at %d changes/s, p99", members, rate), Unit: "ms", Value: ms(percentile(lat, 99)),
			Baseline: "bare GossipSub delivery to all, same bytes", Base: ms(percentile(base, 99)), Goal: "< 250 ms, within 2x of bare"},
		// The same from the home's notice of its commit, just after it
		// handed the record to GossipSub, as the baseline counts from its
		// publication: the figures above add the home's own write
		// (validation, signing, its commit and index).
		{Name: fmt.Sprintf("propagation to all %d members from publication, p50", members), Unit: "ms", Value: ms(percentile(fromPub, 50)),
			Baseline: "bare GossipSub delivery to all, same bytes", Base: ms(percentile(base, 50)), Goal: "within 2x of bare"},
		{Name: fmt.Sprintf("propagation to all %d members from publication, p99", members), Unit: "ms", Value: ms(percentile(fromPub, 99)),
			Baseline: "bare GossipSub delivery to all, same bytes", Base: ms(percentile(base, 99)), Goal: "within 2x of bare"},
		// CPU time is what a shared machine's other load inflates least:
		// on a busy machine the latencies above are mostly queueing.
		{Name: fmt.Sprintf("propagation to all %d members: CPU time per listing change (all members, one process)", members), Unit: "ms",
			Value: ms(cpu) / float64(changes), Baseline: "bare GossipSub, same records", Base: ms(baseCPU) / float64(changes)},
		{Name: fmt.Sprintf("propagation to all %d members: CPU time of the idle members over the same time, per listing change", members), Unit: "ms",
			Value: ms(idle) / float64(changes), Baseline: "the CPU time per listing change above", Base: ms(cpu) / float64(changes)},
		// Each member writes what it receives through Badger's mapped
		// logs and tables, and a page fault costs some 13 µs of CPU on
		// the machine BENCHMARKS.md was measured on ("Page faults").
		{Name: fmt.Sprintf("propagation to all %d members: page faults per listing change (all members, one process)", members), Unit: "faults",
			Value: float64(faults) / float64(changes), Baseline: "bare GossipSub, same records", Base: float64(baseFaults) / float64(changes)},
	}, nil
}

// runOne runs one node until stop is called; stop also closes it.
func runOne(ctx context.Context, n *node.Node) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	return func() { cancel(); <-done; n.Close() }
}

func benchCatchUp(ctx context.Context, changes int, signing string) ([]figure, error) {
	dir, err := os.MkdirTemp("", "fedmart-catchup-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	opts := node.ClusterOptions{Dir: dir, Names: []string{"home", "rejoiner"}, FederationID: "bench", FederationName: "Bench",
		Currency: "EUR", Period: time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Tune: func(cfg *node.Config) {
			cfg.Federation.DialInterval = 100 * time.Millisecond
			cfg.Federation.MaxBackoff = time.Second
			cfg.Replication.MessageSigning = signing
		}}
	c, err := node.NewCluster(opts)
	if err != nil {
		return nil, err
	}
	home, away := c.Nodes[0], c.Nodes[1]
	stopHome := runOne(ctx, home)
	defer stopHome()
	before := away.Catalog().Marks()
	awayCfg, err := node.LoadConfig(filepath.Join(dir, "rejoiner"))
	if err != nil {
		return nil, err
	}
	opts.Tune(&awayCfg)
	away.Close() // away while the changes happen
	m, _, err := home.Catalog().CreateMerchant(ctx, "Bulk")
	if err != nil {
		return nil, err
	}
	gen := sample.New(7)
	for done := 0; done < changes; done += 5000 { // each new listing is one record
		if _, err := home.Catalog().UpsertBatch(ctx, m.ID, gen.Listings(min(5000, changes-done), "EUR", fmt.Sprintf("CU%07d", done))); err != nil {
			return nil, err
		}
	}
	var raw int64
	var missing int
	if err := home.Catalog().Since(before, 1000, func(b [][]byte) error {
		for _, r := range b {
			raw += int64(len(r))
		}
		missing += len(b)
		return nil
	}); err != nil {
		return nil, err
	}
	// The home files its search index a few seconds after the load, as a
	// node does after any bulk load (node/index_file.go). Let it, so that
	// the figures are the catch-up's: a filing of the home's in the middle
	// took half a second of one core from it.
	home.WaitIndexFiled(ctx, 2*time.Minute)
	back, err := node.New(awayCfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	start, cpu0 := time.Now(), cpuTime()
	stopBack := runOne(ctx, back)
	defer stopBack()
	want := home.Catalog().Count()
	for back.Catalog().Count() < want {
		if time.Since(start) > 5*time.Minute {
			return nil, fmt.Errorf("rejoiner has %d of %d listings after 5 minutes", back.Catalog().Count(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
	took, cpu := time.Since(start), cpuTime()-cpu0
	for back.Replicator().Totals().Records < missing && time.Since(start) < 5*time.Minute {
		time.Sleep(5 * time.Millisecond) // the stream's end frame is still on its way
	}
	moved := back.Replicator().Totals().Bytes
	return []figure{
		{Name: fmt.Sprintf("catch-up after %d changes: time to converge", missing), Unit: "s", Value: took.Seconds(), Goal: "< 8 s"},
		{Name: "catch-up: CPU time until converged (both members, one process)", Unit: "s", Value: cpu.Seconds(),
			Baseline: "wall time to converge (CPU/wall: cores kept busy)", Base: took.Seconds()},
		{Name: "catch-up bytes moved", Unit: "MB", Value: float64(moved) / 1e6,
			Baseline: "raw size of the missing records", Base: float64(raw) / 1e6, Goal: "< 1.3x raw"},
	}, nil
}
