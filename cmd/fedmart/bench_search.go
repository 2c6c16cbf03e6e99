package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog/sample"
)

// searchQueries is the query mix: text, facets, filters, sorts and browsing.
var searchQueries = []string{
	"q=skillet", "q=wireless+headphones", "q=oak+bookshelf", "q=dress&sort=price_asc", "q=lamp&brand=Nordlys",
	"category=Home", "category=Apparel+%3E+Men&sort=newest", "q=jacket&in_stock=true", "q=steel&min_price=2000&max_price=9000",
	"", "q=yoga+mat&sort=price_desc", "category=Electronics&brand=Sonique,Pulse+Audio", "q=novel", "q=tent&in_stock=true&sort=price_asc",
}

func benchSearch(ctx context.Context, docs int, memProfile string, logf func(string, ...any)) ([]figure, error) {
	c, stop, err := benchCluster(ctx, 1, "strict")
	if err != nil {
		return nil, err
	}
	defer stop()
	nd := c.Nodes[0]
	start := time.Now()
	const merchants, chunk = 10, 5000
	per := docs / merchants
	for m := 0; m < merchants; m++ {
		mer, _, err := nd.Catalog().CreateMerchant(ctx, fmt.Sprintf("Search Merchant %d", m))
		if err != nil {
			return nil, err
		}
		gen := sample.New(uint64(1000 + m))
		for done := 0; done < per; done += chunk {
			if _, err := nd.Catalog().UpsertBatch(ctx, mer.ID, gen.Listings(min(chunk, per-done), "EUR", fmt.Sprintf("S%d-%07d", m, done))); err != nil {
				return nil, err
			}
		}
		logf("  %d/%d listings loaded (%s)", (m+1)*per, docs, time.Since(start).Round(time.Second))
	}
	logf("  waiting for Badger to finish compacting the import...")
	logf("  compaction settled after %s", nd.WaitCompacted(ctx, 5*time.Minute).Round(time.Second))
	base := nd.APIURL()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	const clients, perClient = 8, 250
	lat, err := loadHTTP(ctx, client, clients, perClient, func(i int) string { return base + "/v1/catalog/search?" + searchQueries[i%len(searchQueries)] })
	if err != nil {
		return nil, err
	}
	health, err := loadHTTP(ctx, client, clients, perClient, func(int) string { return base + "/healthz" })
	if err != nil {
		return nil, err
	}
	runtime.GC()
	anon, err := procStatusMiB(os.Getpid(), "RssAnon:")
	if err != nil {
		return nil, err
	}
	file, err := procStatusMiB(os.Getpid(), "RssFile:")
	if err != nil {
		return nil, err
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return nil, err
		}
	}
	return []figure{
		{Name: fmt.Sprintf("search over %d listings, 8 clients, p50", nd.Search().Len()), Unit: "ms", Value: ms(percentile(lat, 50)),
			Baseline: "GET /healthz, 8 clients", Base: ms(percentile(health, 50))},
		{Name: fmt.Sprintf("search over %d listings, 8 clients, p99", nd.Search().Len()), Unit: "ms", Value: ms(percentile(lat, 99)),
			Baseline: "GET /healthz, 8 clients", Base: ms(percentile(health, 99)), Goal: "< 20 ms"},
		{Name: "resident private memory (RssAnon) of the process holding them", Unit: "MiB", Value: anon, Goal: "< 2048 MiB"},
		{Name: "resident file-backed memory (RssFile: Badger's mapped tables, reclaimable)", Unit: "MiB", Value: file},
		{Name: "Go heap in use after GC", Unit: "MiB", Value: float64(mem.HeapInuse) / (1 << 20)},
	}, nil
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
