package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog/sample"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node"
)

// searchQueries is the query mix: text, facets, filters, sorts and browsing.
var searchQueries = []string{
	"q=skillet", "q=wireless+headphones", "q=oak+bookshelf", "q=dress&sort=price_asc", "q=lamp&brand=Nordlys",
	"category=Home", "category=Apparel+%3E+Men&sort=newest", "q=jacket&in_stock=true", "q=steel&min_price=2000&max_price=9000",
	"", "q=yoga+mat&sort=price_desc", "category=Electronics&brand=Sonique,Pulse+Audio", "q=novel", "q=tent&in_stock=true&sort=price_asc",
}

// narrowSearches are searches of a few hundred hits in a million listings,
// and bandClicks the same with a band of the price facet chosen, as a
// shopper narrows them on the storefront.
var (
	narrowSearches = []string{"q=oak+bookshelf", "q=leather+backpack", "q=glass+teapot", "q=steel+wok"}
	bandClicks     = []string{"q=oak+bookshelf&min_price=10000&max_price=24999", "q=leather+backpack&min_price=5000&max_price=9999",
		"q=glass+teapot&min_price=2500&max_price=4999", "q=steel+wok&min_price=5000&max_price=9999"}
)

func benchSearch(ctx context.Context, docs int, chinese float64, memProfile string, logf func(string, ...any)) ([]figure, error) {
	if chinese > 0 {
		return benchSearchChinese(ctx, docs, chinese, memProfile, logf)
	}
	st, err := measureSearch(ctx, docs, 0, nil, memProfile, logf)
	if err != nil {
		return nil, err
	}
	full := "every hit scored, no result cache (same run)"
	return []figure{
		{Name: fmt.Sprintf("search over %d listings, 8 clients, p50", st.listings), Unit: "ms", Value: ms(percentile(st.lat, 50)),
			Baseline: "GET /healthz, 8 clients", Base: ms(percentile(st.health, 50))},
		{Name: fmt.Sprintf("search over %d listings, 8 clients, p99", st.listings), Unit: "ms", Value: ms(percentile(st.lat, 99)),
			Baseline: "GET /healthz, 8 clients", Base: ms(percentile(st.health, 99)), Goal: "< 20 ms"},
		{Name: "same, p50", Unit: "ms", Value: ms(percentile(st.lat, 50)), Baseline: full, Base: ms(percentile(st.full, 50))},
		{Name: "same, p99", Unit: "ms", Value: ms(percentile(st.lat, 99)), Baseline: full, Base: ms(percentile(st.full, 99)), Goal: "< 20 ms"},
		{Name: "tier classes, no result cache, p50", Unit: "ms", Value: ms(percentile(st.pruned, 50)), Baseline: full, Base: ms(percentile(st.full, 50))},
		{Name: "tier classes, no result cache, p99", Unit: "ms", Value: ms(percentile(st.pruned, 99)), Baseline: full, Base: ms(percentile(st.full, 99)), Goal: "< 20 ms"},
		{Name: "a price band chosen on a narrow search, no result cache, p50", Unit: "ms", Value: ms(percentile(st.band, 50)),
			Baseline: "the same searches without the band", Base: ms(percentile(st.narrow, 50))},
		{Name: "a price band chosen on a narrow search, no result cache, p99", Unit: "ms", Value: ms(percentile(st.band, 99)),
			Baseline: "the same searches without the band", Base: ms(percentile(st.narrow, 99))},
		{Name: "resident private memory (RssAnon) of the process holding them", Unit: "MiB", Value: st.anon, Goal: "< 2048 MiB"},
		{Name: "resident file-backed memory (RssFile: Badger's mapped tables, reclaimable)", Unit: "MiB", Value: st.file},
		{Name: "Go heap in use after GC", Unit: "MiB", Value: st.heap},
	}, nil
}

// searchStats is what one search measurement found.
type searchStats struct {
	listings          int
	lat, health, more []time.Duration // the query mix, GET /healthz, the extra queries
	pruned, full      []time.Duration // the query mix without the result cache, with and without tier classes
	band, narrow      []time.Duration // bandClicks and narrowSearches, without the result cache
	anon, file, heap  float64         // MiB: RssAnon, RssFile, Go heap in use after GC
	anon0, heap0      float64         // MiB: RssAnon and Go heap before the member started
}

// measureSearch loads docs listings into a fresh member, a fraction
// chinese of them written in Chinese, and runs the query mix, then the
// extra queries (if any) on their own, at 8 clients; then it reads the
// process's memory while the member still holds them.
func measureSearch(ctx context.Context, docs int, chinese float64, extra []string, memProfile string, logf func(string, ...any)) (searchStats, error) {
	var st searchStats
	var mem runtime.MemStats
	debug.FreeOSMemory()
	runtime.ReadMemStats(&mem)
	st.heap0 = float64(mem.HeapInuse) / (1 << 20)
	anon0, err := procStatusMiB(os.Getpid(), "RssAnon:")
	if err != nil {
		return st, err
	}
	st.anon0 = anon0
	c, stop, err := benchCluster(ctx, 1, "strict")
	if err != nil {
		return st, err
	}
	defer stop()
	nd := c.Nodes[0]
	if _, err := loadSearchListings(ctx, nd, docs, chinese, logf); err != nil {
		return st, err
	}
	base := nd.APIURL()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	const clients, perClient = 8, 250
	queries := append(slices.Clone(searchQueries), extra...)
	// The mix runs as the index answers by default, without its result
	// cache, and without either; the narrow searches with and without a
	// price band run without the cache. All run in alternating rounds,
	// so that they meet the same load on a shared machine.
	ix := nd.Search()
	defer func() { ix.SetPruning(true); ix.SetResultCache(search.DefaultCacheEntries) }()
	const rounds = 5
	for r := 0; r < rounds; r++ {
		for _, m := range []struct {
			queries []string
			prune   bool
			cache   int
			into    *[]time.Duration
		}{
			{queries, true, search.DefaultCacheEntries, &st.lat}, {queries, true, 0, &st.pruned}, {queries, false, 0, &st.full},
			{bandClicks, true, 0, &st.band}, {narrowSearches, true, 0, &st.narrow},
		} {
			ix.SetPruning(m.prune)
			ix.SetResultCache(m.cache)
			lat, err := loadHTTP(ctx, client, clients, perClient/rounds, func(i int) string {
				return base + "/v1/catalog/search?" + m.queries[(r*perClient+i)%len(m.queries)]
			})
			if err != nil {
				return st, err
			}
			*m.into = append(*m.into, lat...)
		}
	}
	ix.SetPruning(true)
	ix.SetResultCache(search.DefaultCacheEntries)
	if len(extra) > 0 {
		if st.more, err = loadHTTP(ctx, client, clients, perClient, func(i int) string { return base + "/v1/catalog/search?" + extra[i%len(extra)] }); err != nil {
			return st, err
		}
	}
	if st.health, err = loadHTTP(ctx, client, clients, perClient, func(int) string { return base + "/healthz" }); err != nil {
		return st, err
	}
	st.listings = nd.Search().Len()
	st.heap = heapAfterGC()
	if st.anon, err = procStatusMiB(os.Getpid(), "RssAnon:"); err != nil {
		return st, err
	}
	if st.file, err = procStatusMiB(os.Getpid(), "RssFile:"); err != nil {
		return st, err
	}
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return st, err
		}
	}
	return st, nil
}

// loadHTTP runs clients goroutines issuing perClient GETs each and returns every latency.
func loadHTTP(ctx context.Context, client *http.Client, clients, perClient int, url func(i int) string) ([]time.Duration, error) {
	var mu sync.Mutex // guards lat and firstErr
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perClient; i++ {
				t0 := time.Now()
				err := get(ctx, client, url(w*perClient+i))
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return lat, firstErr
}

func get(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	return nil
}

// loadSearchListings loads docs listings of ten merchants into nd, a
// fraction chinese of them written in Chinese, waits for Badger's
// compaction to settle, and returns the merchants' ids.
func loadSearchListings(ctx context.Context, nd *node.Node, docs int, chinese float64, logf func(string, ...any)) ([]string, error) {
	start := time.Now()
	const merchants, chunk = 10, 5000
	per := docs / merchants
	var ids []string
	for m := 0; m < merchants; m++ {
		mer, _, err := nd.Catalog().CreateMerchant(ctx, fmt.Sprintf("Search Merchant %d", m))
		if err != nil {
			return nil, err
		}
		ids = append(ids, mer.ID)
		gen := sample.New(uint64(1000 + m))
		zh := newZhGenerator(uint64(2000 + m))
		for done := 0; done < per; done += chunk {
			n := min(chunk, per-done)
			nzh := int(float64(n)*chinese + 0.5)
			batch := append(gen.Listings(n-nzh, "EUR", fmt.Sprintf("S%d-%07d", m, done)), zh.Listings(nzh, "EUR", fmt.Sprintf("Z%d-%07d", m, done))...)
			if _, err := nd.Catalog().UpsertBatch(ctx, mer.ID, batch); err != nil {
				return nil, err
			}
		}
		logf("  %d/%d listings loaded (%s)", (m+1)*per, docs, time.Since(start).Round(time.Second))
	}
	logf("  waiting for Badger to finish compacting the import...")
	logf("  compaction settled after %s", nd.WaitCompacted(ctx, 5*time.Minute).Round(time.Second))
	// The node files its index by category once the load has ended: wait
	// for it, so that the searches measure the index it serves from then
	// on, not the filing's work beside them.
	logf("  index filed by category after %s more", nd.WaitIndexFiled(ctx, 5*time.Minute).Round(time.Second))
	return ids, nil
}
