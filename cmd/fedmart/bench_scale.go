package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/indexer"
	"github.com/fedmart/fedmart/catalog/sample"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node"
	"github.com/spf13/cobra"
)

// scaleSizes are the scale scenario's checkpoints, settable from the
// command line.
type scaleSizes struct {
	at      string // comma list of listing counts at which to measure
	catchup bool   // measure a new member's catch-up at each checkpoint
	shards  string // comma list: also a new member holding only these categories
	// wholeUpTo, when not 0, is the largest count at which to measure
	// what holds the whole catalog twice: the index rebuilt beside the
	// node's own, and the new member holding every category.
	wholeUpTo int
}

// whole says whether to measure, at n listings, what holds the whole
// catalog a second time.
func (s scaleSizes) whole(n int) bool { return s.wholeUpTo == 0 || n <= s.wholeUpTo }

// parseCheckpoints reads --at: increasing listing counts.
func parseCheckpoints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 10000 {
			return nil, fmt.Errorf("--at: %q is not a listing count of at least 10000", f)
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("--at: %d does not follow %d; counts must increase", n, out[len(out)-1])
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--at: no listing count")
	}
	return out, nil
}

// scaleFigures is what one checkpoint measured.
type scaleFigures struct {
	listings         int
	anon, file, heap float64 // MiB, after a GC, once the node has filed its index
	// RssAnon and the heap after a GC right after the load, when a filing
	// may be under way.
	anonLoaded, heapLoaded float64
	anonFreed              float64 // MiB: RssAnon once freed pages are returned to the system
	indexHeap              float64 // MiB: heap a second, freshly built index takes
	build                  time.Duration
	p50, p99               time.Duration // the query mix, result cache on
	p50Cold, p99Cold       time.Duration // the same, result cache off
	// The listings not yet filed by category when those were measured;
	// how long the node then took to file them; and the same figures once
	// it had.
	unfiled                                        int
	fileWait                                       time.Duration
	edit                                           spread        // a merchant's one-listing feeds during that wait
	editSync                                       spread        // the same feeds' syncs (Badger's DB.Sync)
	logSync                                        spread        // a preallocated log's overwrite and fdatasync after each
	waitP99                                        time.Duration // goroutines of the process waiting for a core during that wait, p99
	gcs                                            uint64        // collections completed during that wait
	p50Filed, p99Filed, p50FiledCold, p99FiledCold time.Duration
	health50, health99                             time.Duration // GET /healthz
	catchup                                        time.Duration // a new member, from start to holding every listing
	catchupRecords                                 int
	newcomerMB                                     float64 // the new member's Badger folder once caught up
	newcomerHeap                                   float64 // MiB: the heap it adds to the process, caught up
	// The same for a new member holding only --shards: the listings it
	// holds, its catch-up, records streamed, folder and heap.
	shardHeld             int
	shardCatchup          time.Duration
	shardRecords          int
	shardMB, shardHeap    float64
	catchupMB, dbMB, load float64 // bytes streamed, Badger's folder, load seconds since the previous checkpoint
}

// benchScale loads listings into one member up to each checkpoint of
// --at and measures there what grows with the catalog: the memory the
// process holds, the time to rebuild the search index from Badger,
// search latency, and the time a new member takes to catch up with all
// of it. Each checkpoint after the first is reported beside the first,
// measured in the same run, so the ratio is the growth.
func benchScale(cmd *cobra.Command, o benchOptions) (report, error) {
	ctx := cmd.Context()
	logf := func(format string, a ...any) { fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", a...) }
	at, err := parseCheckpoints(o.scale.at)
	if err != nil {
		return report{}, err
	}
	dir, err := os.MkdirTemp("", "fedmart-scale-")
	if err != nil {
		return report{}, err
	}
	defer os.RemoveAll(dir)
	tune := func(cfg *node.Config) {
		tuneBench(o.signing)(cfg)
		cfg.Federation.MaxBackoff = time.Second
		// The ceiling any node may configure (catalog.max_listings), and
		// room for its ten merchants' million each, as the operator of a
		// member this size would set: the default, 5M, stops a run
		// toward ten million halfway.
		cfg.Catalog.MaxListings, cfg.Catalog.MaxMerchantListings = 20_000_000, 2_000_000
	}
	c, err := node.NewCluster(node.ClusterOptions{Dir: dir, Names: []string{"home", "newcomer"}, FederationID: "bench",
		FederationName: "Bench", Currency: "EUR", Period: time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Tune: tune})
	if err != nil {
		return report{}, err
	}
	home, newcomer := c.Nodes[0], c.Nodes[1]
	newDir := filepath.Join(dir, "newcomer")
	newCfg, err := node.LoadConfig(newDir)
	if err != nil {
		return report{}, err
	}
	tune(&newCfg)
	// The newcomer joins empty at every checkpoint: keep its folder as
	// the charter left it.
	newcomer.Close()
	pristine := filepath.Join(dir, "newcomer-pristine")
	if err := exec.CommandContext(ctx, "cp", "-a", newDir, pristine).Run(); err != nil {
		return report{}, fmt.Errorf("copying the newcomer's folder: %w", err)
	}
	stopHome := runOne(ctx, home)
	defer stopHome()

	const merchants, chunk = 10, 5000
	var mers []string
	gens := make([]*sample.Generator, merchants)
	for m := range merchants {
		mer, _, err := home.Catalog().CreateMerchant(ctx, fmt.Sprintf("Scale Merchant %d", m))
		if err != nil {
			return report{}, err
		}
		mers = append(mers, mer.ID)
		gens[m] = sample.New(uint64(3000 + m))
	}
	var got []scaleFigures
	loaded := 0
	for _, target := range at {
		start := time.Now()
		for loaded < target {
			m := (loaded / chunk) % merchants
			n := min(chunk, target-loaded)
			if _, err := home.Catalog().UpsertBatch(ctx, mers[m], gens[m].Listings(n, "EUR", fmt.Sprintf("L%08d", loaded))); err != nil {
				return report{}, err
			}
			loaded += n
			if loaded%100000 == 0 {
				logf("  %d/%d listings loaded (%s)", loaded, target, time.Since(start).Round(time.Second))
			}
		}
		f := scaleFigures{listings: loaded, load: time.Since(start).Seconds()}
		logf("  %d listings; waiting for Badger to finish compacting...", f.listings)
		logf("  compaction settled after %s", home.WaitCompacted(ctx, 10*time.Minute).Round(time.Second))
		if err := measureCheckpoint(ctx, home, &f, o.memProfile, filepath.Join(dir, "home", "db"), o.scale.whole(loaded)); err != nil {
			return report{}, err
		}
		logf("  at %d: RssAnon %.0f MiB (%.0f MiB once freed pages are returned), RssFile %.0f MiB, heap %.0f MiB, Badger's folder %.0f MB, search p50/p99 %.1f/%.1f ms (no cache %.1f/%.1f ms) with %d listings not yet filed; filed after %s more (a one-listing feed took %.1f ms at most meanwhile, %.1f ms p99, %.1f ms median, of which its sync %.1f/%.1f/%.1f ms against %.2f/%.2f/%.2f ms for a preallocated log; goroutines waited %.1f ms for a core at p99, %d collections completed): %.1f/%.1f ms (no cache %.1f/%.1f ms)",
			f.listings, f.anon, f.anonFreed, f.file, f.heap, f.dbMB, ms(f.p50), ms(f.p99), ms(f.p50Cold), ms(f.p99Cold),
			f.unfiled, f.fileWait.Round(time.Millisecond), ms(f.edit.max), ms(f.edit.p99), ms(f.edit.median), ms(f.editSync.max), ms(f.editSync.p99), ms(f.editSync.median), ms(f.logSync.max), ms(f.logSync.p99), ms(f.logSync.median), ms(f.waitP99), f.gcs, ms(f.p50Filed), ms(f.p99Filed), ms(f.p50FiledCold), ms(f.p99FiledCold))
		if f.build > 0 {
			logf("  at %d: a second index built from Badger in %s takes %.0f MiB", f.listings, f.build.Round(time.Millisecond), f.indexHeap)
		}
		if o.scale.catchup && o.scale.whole(f.listings) {
			nf, err := measureNewcomer(ctx, home, newCfg, newDir, pristine)
			if err != nil {
				return report{}, err
			}
			f.catchup, f.catchupRecords, f.catchupMB, f.newcomerMB, f.newcomerHeap = nf.took, nf.records, nf.streamedMB, nf.folderMB, nf.heapMB
			logf("  at %d: a new member caught up %d records (%.0f MB) in %s; its folder %.0f MB, its heap %.0f MiB", f.listings, f.catchupRecords, f.catchupMB, f.catchup.Round(time.Millisecond), f.newcomerMB, f.newcomerHeap)
		}
		if shards := splitList(o.scale.shards); len(shards) > 0 {
			cfg := newCfg
			cfg.Catalog.Shards = shards
			nf, err := measureNewcomer(ctx, home, cfg, newDir, pristine)
			if err != nil {
				return report{}, err
			}
			f.shardCatchup, f.shardRecords, f.shardMB, f.shardHeld, f.shardHeap = nf.took, nf.records, nf.folderMB, nf.held, nf.heapMB
			logf("  at %d: a new member holding %s caught up %d listings (%d records streamed) in %s; its folder %.0f MB, its heap %.0f MiB", f.listings, o.scale.shards, f.shardHeld, f.shardRecords, f.shardCatchup.Round(time.Millisecond), f.shardMB, f.shardHeap)
		}
		got = append(got, f)
	}
	return report{Figures: scaleReport(got)}, nil
}

// measureCheckpoint fills in f's memory and search figures and, with
// rebuild, the index build's.
func measureCheckpoint(ctx context.Context, home *node.Node, f *scaleFigures, memProfile, dbDir string, rebuild bool) error {
	// Right after the load, as the figures before the filing were
	// measured: the runtime does not yet return freed pages, which would
	// slow the next searches down.
	f.heapLoaded = heapAfterGC()
	var err error
	if f.anonLoaded, err = procStatusMiB(os.Getpid(), "RssAnon:"); err != nil {
		return err
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	base := home.APIURL()
	const clients, perClient = 8, 250
	f.unfiled = home.Search().Unfiled()
	warm, cold, err := searchMix(ctx, client, home)
	if err != nil {
		return err
	}
	health, err := loadHTTP(ctx, client, clients, perClient, func(int) string { return base + "/healthz" })
	if err != nil {
		return err
	}
	f.p50, f.p99 = percentile(warm, 50), percentile(warm, 99)
	f.p50Cold, f.p99Cold = percentile(cold, 50), percentile(cold, 99)
	f.health50, f.health99 = percentile(health, 50), percentile(health, 99)

	// A node files its index by category in the background once a bulk
	// load ends (search.Index.Refile); the listings that arrived since
	// its last filing were still in arrival order above. Wait for it,
	// while a merchant edits a listing every 20 ms (the filing must not
	// hold the edits up); then the same mix.
	beside, err := newSyncLog(filepath.Join(filepath.Dir(dbDir), "bench-sync.log"), 16<<20, 4096)
	if err != nil {
		return err
	}
	defer beside.Close()
	stopEdits := editEvery(ctx, home, beside, 20*time.Millisecond)
	sched := readSched()
	f.fileWait = home.WaitIndexFiled(ctx, 5*time.Minute)
	f.waitP99, f.gcs = readSched().since(sched)
	e, err := stopEdits()
	if err != nil {
		return fmt.Errorf("editing a listing during the filing: %w", err)
	}
	f.edit, f.editSync, f.logSync = spreadOf(e.took), spreadOf(e.synced), spreadOf(e.logged)
	if warm, cold, err = searchMix(ctx, client, home); err != nil {
		return err
	}
	f.p50Filed, f.p99Filed = percentile(warm, 50), percentile(warm, 99)
	f.p50FiledCold, f.p99FiledCold = percentile(cold, 50), percentile(cold, 99)
	// The memory a node holding the listings keeps, once no filing runs.
	if err := measureMemory(f, memProfile, dbDir); err != nil {
		return err
	}

	if !rebuild {
		return nil
	}
	// The rebuild a node does when its snapshot is missing or stale
	// (node/catalog.go openIndex): every live listing read from Badger.
	before := heapAfterGC()
	start := time.Now()
	built := search.New()
	if err := home.Catalog().All(func(l catalog.Listing) error { built.Upsert(indexer.Doc(&l)); return nil }); err != nil {
		return fmt.Errorf("rebuilding the index: %w", err)
	}
	built.Compact()
	f.build = time.Since(start)
	if n := home.Search().Len(); built.Len() != n { // the listings loaded and the one edited
		return fmt.Errorf("rebuilt index holds %d listings, not %d", built.Len(), n)
	}
	f.indexHeap = heapAfterGC() - before
	runtime.KeepAlive(built)
	return nil
}

// measureMemory fills in f's memory figures: the process's resident
// memory and heap, and Badger's folder.
func measureMemory(f *scaleFigures, memProfile, dbDir string) error {
	f.heap = heapAfterGC()
	var err error
	if f.anon, err = procStatusMiB(os.Getpid(), "RssAnon:"); err != nil {
		return err
	}
	if f.file, err = procStatusMiB(os.Getpid(), "RssFile:"); err != nil {
		return err
	}
	// What a node with storage.memory_limit_mb near its heap keeps: the
	// runtime returns freed pages instead of holding them for reuse.
	debug.FreeOSMemory()
	if f.anonFreed, err = procStatusMiB(os.Getpid(), "RssAnon:"); err != nil {
		return err
	}
	if memProfile != "" {
		if err := writeHeapProfile(fmt.Sprintf("%s.%d", memProfile, f.listings)); err != nil {
			return err
		}
	}
	f.dbMB = dirMB(dbDir)
	return nil
}

// spread is a set of times' median, 99th percentile and longest.
type spread struct{ median, p99, max time.Duration }

func spreadOf(d []time.Duration) spread {
	return spread{median: percentile(d, 50), p99: percentile(d, 99), max: slices.Max(d)}
}

// edits are the times of editEvery's feeds: each feed's, the part of it
// spent in the catalog's sync (Badger's DB.Sync), and that of an
// overwrite and fdatasync of a preallocated log right after each feed:
// what the feed's sync would cost in a log of the node's own at the same
// moment, on the same disk.
type edits struct{ took, synced, logged []time.Duration }

// editEvery has a merchant of home's change the price of one listing of
// theirs, in a one-listing feed, every interval until stop is called,
// and writes a block to log after each; stop returns the times, once
// there is one feed at least.
func editEvery(ctx context.Context, home *node.Node, log *syncLog, interval time.Duration) (stop func() (edits, error)) {
	ctx, cancel := context.WithCancel(ctx)
	first, done := make(chan struct{}), make(chan error, 1)
	var e edits
	go func() {
		done <- func() error {
			cat := home.Catalog()
			m, _, err := cat.CreateMerchant(ctx, "Scale Editor")
			if err != nil {
				return fmt.Errorf("creating the editing merchant: %w", err)
			}
			in := sample.New(99).Listings(1, "EUR", "EDIT")
			t := time.NewTicker(interval)
			defer t.Stop()
			for i := 0; ; i++ {
				in[0].Variants[0].Price.Amount = 1000 + int64(i%500)
				_, before := cat.Synced() // the only writer meanwhile
				start := time.Now()
				r, err := cat.UpsertBatch(ctx, m.ID, in)
				if ctx.Err() != nil {
					return nil
				}
				if err != nil || len(r.Rejected) > 0 {
					return fmt.Errorf("feed %d: %v %v", i, err, r.Rejected)
				}
				took := time.Since(start)
				_, after := cat.Synced()
				logged, err := log.write()
				if err != nil {
					return fmt.Errorf("the preallocated log: %w", err)
				}
				e.took, e.synced, e.logged = append(e.took, took), append(e.synced, after-before), append(e.logged, logged)
				if len(e.took) == 1 {
					close(first)
				}
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
				}
			}
		}()
	}()
	return func() (edits, error) {
		select {
		case <-first:
		case err := <-done: // before the first edit
			cancel()
			return edits{}, cmp.Or(err, errors.New("the edits stopped before the first"))
		}
		cancel()
		err := <-done // the goroutine has let go of e
		return e, err
	}
}

// searchMix runs the bench's query mix over HTTP at 8 clients against
// home, with its result cache on (warm) and off (cold), in alternating
// rounds so that both meet the same load on a shared machine.
func searchMix(ctx context.Context, client *http.Client, home *node.Node) (warm, cold []time.Duration, err error) {
	const clients, perClient, rounds = 8, 250, 5
	mix := func(i int) string { return home.APIURL() + "/v1/catalog/search?" + searchQueries[i%len(searchQueries)] }
	ix := home.Search()
	defer ix.SetResultCache(search.DefaultCacheEntries)
	for r := range rounds {
		for _, m := range []struct {
			cache int
			into  *[]time.Duration
		}{{search.DefaultCacheEntries, &warm}, {0, &cold}} {
			ix.SetResultCache(m.cache)
			lat, err := loadHTTP(ctx, client, clients, perClient/rounds, func(i int) string { return mix(r*perClient + i) })
			if err != nil {
				return nil, nil, err
			}
			*m.into = append(*m.into, lat...)
		}
	}
	return warm, cold, nil
}

// newcomerFigures is what measureNewcomer measured of one new member.
type newcomerFigures struct {
	took       time.Duration // from its start to holding what it holds
	records    int           // records streamed to it
	streamedMB float64
	folderMB   float64 // its Badger folder, caught up
	heapMB     float64 // the heap it adds to the process, caught up
	held       int     // listings it holds
}

// measureNewcomer starts a member that holds none of the listings and
// times it until it holds all those of the categories its configuration
// holds, then stops it and empties its folder again. The heap it adds
// is the process's heap after a GC once it has caught up, less the same
// before it started: home is idle meanwhile.
func measureNewcomer(ctx context.Context, home *node.Node, cfg node.Config, dir, pristine string) (newcomerFigures, error) {
	if err := os.RemoveAll(dir); err != nil {
		return newcomerFigures{}, err
	}
	if err := exec.CommandContext(ctx, "cp", "-a", pristine, dir).Run(); err != nil {
		return newcomerFigures{}, fmt.Errorf("restoring the newcomer's folder: %w", err)
	}
	heapBefore := heapAfterGC()
	nd, err := node.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return newcomerFigures{}, err
	}
	// The listings it will hold: all the home's, or those of its
	// categories, as the home's index counts them (exactly: a category
	// matches by whole segments, as a shard does). Walking the catalog
	// instead took 16 minutes at ten million.
	want := home.Catalog().Count()
	if len(cfg.Catalog.Shards) > 0 {
		want = 0
		for _, shard := range cfg.Catalog.Shards {
			r, err := home.Search().Search(search.Query{Category: shard, Limit: 1})
			if err != nil {
				nd.Close()
				return newcomerFigures{}, fmt.Errorf("counting the home's listings in %s: %w", shard, err)
			}
			want += r.Total
		}
	}
	limit := time.Duration(home.Catalog().Count()/1000)*time.Second + 5*time.Minute // generous: a slow machine must not fail the run
	start := time.Now()
	stop := runOne(ctx, nd)
	defer stop()
	// Caught up: holding every listing it holds, and the catch-up that
	// brought them over (a member holding some shards holds its last one
	// before the stream's last records, which it verifies and skips).
	for nd.Catalog().Count() < want || nd.Replicator().Totals().Records == 0 {
		if time.Since(start) > limit {
			return newcomerFigures{}, fmt.Errorf("the new member holds %d of %d listings after %s", nd.Catalog().Count(), want, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
	f := newcomerFigures{took: time.Since(start), held: nd.Catalog().Count()}
	if f.held != want {
		return newcomerFigures{}, fmt.Errorf("the new member holds %d listings; the home holds %d in its categories", f.held, want)
	}
	t := nd.Replicator().Totals()
	f.records, f.streamedMB, f.folderMB = t.Records, float64(t.Bytes)/1e6, dirMB(filepath.Join(dir, "db"))
	f.heapMB = heapAfterGC() - heapBefore
	return f, nil
}

// splitList reads a comma-separated flag, trimmed, without empty items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// dirMB is the size of the files under dir, in MB; 0 if it cannot be read.
func dirMB(dir string) float64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return float64(n) / 1e6
}

// scaleReport turns the checkpoints into figures: each checkpoint after
// the first beside the first, so the ratio reads as growth.
func scaleReport(got []scaleFigures) []figure {
	var out []figure
	first := got[0]
	for i, f := range got {
		at := fmt.Sprintf("at %d listings: ", f.listings)
		vs := func(name, unit string, v, firstV float64, goal string) figure {
			fig := figure{Name: at + name, Unit: unit, Value: v, Goal: goal}
			if i > 0 {
				fig.Baseline, fig.Base = fmt.Sprintf("same at %d listings, same run", first.listings), firstV
			}
			return fig
		}
		out = append(out,
			vs("private resident memory (RssAnon) after GC, right after the load", "MiB", f.anonLoaded, first.anonLoaded, ""),
			vs("Go heap in use after GC, right after the load", "MiB", f.heapLoaded, first.heapLoaded, ""),
			vs("private resident memory (RssAnon) after GC", "MiB", f.anon, first.anon, "< 1536 MiB at 1M"),
			vs("RssAnon once freed pages are returned (as under storage.memory_limit_mb)", "MiB", f.anonFreed, first.anonFreed, "< 1536 MiB at 1M"),
			vs("file-backed resident memory (RssFile, reclaimable)", "MiB", f.file, first.file, ""),
			vs("Go heap in use after GC", "MiB", f.heap, first.heap, ""),
			vs("Badger's folder on disk", "MB", f.dbMB, first.dbMB, ""),
			figure{Name: at + "search, 8 clients, p50", Unit: "ms", Value: ms(f.p50), Baseline: "GET /healthz, 8 clients", Base: ms(f.health50)},
			figure{Name: at + "search, 8 clients, p99", Unit: "ms", Value: ms(f.p99), Baseline: "GET /healthz, 8 clients", Base: ms(f.health99), Goal: "< 20 ms"},
			vs("search, no result cache, p50", "ms", ms(f.p50Cold), ms(first.p50Cold), ""),
			vs("search, no result cache, p99", "ms", ms(f.p99Cold), ms(first.p99Cold), ""),
			vs("listings not yet filed by category when the search figures above were measured", "listings", float64(f.unfiled), float64(first.unfiled), ""),
			vs("wait for the node to file its index by category in the background", "s", f.fileWait.Seconds(), first.fileWait.Seconds(), ""),
			figure{Name: at + "a merchant's one-listing feed every 20 ms during that wait, longest", Unit: "ms", Value: ms(f.edit.max), Baseline: "the median of the same feeds", Base: ms(f.edit.median)},
			figure{Name: at + "the same feeds, p99", Unit: "ms", Value: ms(f.edit.p99), Baseline: "the median of the same feeds", Base: ms(f.edit.median)},
			figure{Name: at + "the same feeds' sync (Badger's DB.Sync), median", Unit: "ms", Value: ms(f.editSync.median), Baseline: "a preallocated log's 4 KiB overwrite and fdatasync after each feed, median", Base: ms(f.logSync.median)},
			figure{Name: at + "the same feeds' sync, p99", Unit: "ms", Value: ms(f.editSync.p99), Baseline: "the preallocated log's, p99", Base: ms(f.logSync.p99)},
			figure{Name: at + "the same feeds' sync, longest", Unit: "ms", Value: ms(f.editSync.max), Baseline: "the preallocated log's, longest", Base: ms(f.logSync.max)},
			figure{Name: at + "during that wait: goroutines waiting for a core, p99", Unit: "ms", Value: ms(f.waitP99)},
			figure{Name: at + "during that wait: collections completed", Unit: "collections", Value: float64(f.gcs)},
			figure{Name: at + "index filed: search, 8 clients, p50", Unit: "ms", Value: ms(f.p50Filed), Baseline: "the same before the wait, same run", Base: ms(f.p50)},
			figure{Name: at + "index filed: search, 8 clients, p99", Unit: "ms", Value: ms(f.p99Filed), Baseline: "the same before the wait, same run", Base: ms(f.p99), Goal: "< 20 ms"},
			figure{Name: at + "index filed: search, no result cache, p50", Unit: "ms", Value: ms(f.p50FiledCold), Baseline: "the same before the wait, same run", Base: ms(f.p50Cold)},
			figure{Name: at + "index filed: search, no result cache, p99", Unit: "ms", Value: ms(f.p99FiledCold), Baseline: "the same before the wait, same run", Base: ms(f.p99Cold), Goal: "< 20 ms"},
			vs("load since the previous checkpoint (UpsertBatch of 5,000)", "s", f.load, first.load, ""),
		)
		if f.build > 0 {
			out = append(out,
				vs("heap of the search index (a second one, built beside)", "MiB", f.indexHeap, first.indexHeap, ""),
				vs("index rebuild from Badger", "s", f.build.Seconds(), first.build.Seconds(), ""))
		}
		if f.catchupRecords > 0 {
			out = append(out,
				vs(fmt.Sprintf("catch-up of a new member (%d records)", f.catchupRecords), "s", f.catchup.Seconds(), first.catchup.Seconds(), ""),
				vs("catch-up bytes streamed", "MB", f.catchupMB, first.catchupMB, ""),
				vs("the new member's Badger folder, caught up", "MB", f.newcomerMB, first.newcomerMB, ""),
				vs("the heap the new member adds, caught up", "MiB", f.newcomerHeap, first.newcomerHeap, ""))
		}
		if f.shardHeld > 0 {
			out = append(out, shardFigures(at, f, first, i)...)
		}
	}
	return slices.Clip(out)
}

// shardFigures are the figures of checkpoint f's new member holding some
// categories: beside the one holding every category at f when that was
// measured, else beside the same member at the first checkpoint, first.
func shardFigures(at string, f, first scaleFigures, i int) []figure {
	held := figure{Name: at + "listings a new member holding some categories (catalog.shards) holds", Unit: "listings", Value: float64(f.shardHeld),
		Baseline: "listings held by a new member holding every category, same run", Base: float64(f.listings)}
	var base string
	var catchup, folder, heap float64
	switch {
	case f.catchupRecords > 0:
		base, catchup, folder, heap = "a new member holding every category, same run", f.catchup.Seconds(), f.newcomerMB, f.newcomerHeap
	case i > 0:
		base, catchup, folder, heap = fmt.Sprintf("same at %d listings, same run", first.listings), first.shardCatchup.Seconds(), first.shardMB, first.shardHeap
	}
	return []figure{held,
		{Name: at + fmt.Sprintf("its catch-up (%d records streamed, every one verified)", f.shardRecords), Unit: "s", Value: f.shardCatchup.Seconds(), Baseline: base, Base: catchup},
		{Name: at + "its Badger folder, caught up", Unit: "MB", Value: f.shardMB, Baseline: base, Base: folder},
		{Name: at + "the heap it adds, caught up", Unit: "MiB", Value: f.shardHeap, Baseline: base, Base: heap},
	}
}
