package search

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchDocs is the size of the benchmark catalog; SEARCH_BENCH_DOCS
// overrides it.
var benchDocs = envInt("SEARCH_BENCH_DOCS", 200_000)

// benchIndex is built once per test binary, for all benchmarks.
var benchIndex = sync.OnceValue(func() *Index {
	docs := genDocs(benchDocs, 42)
	for i := range docs {
		// Model numbers make the vocabulary grow with the catalog, as it does.
		docs[i].Title += fmt.Sprintf(" m%x", i*7919%(benchDocs/4+1))
	}
	ix := newIndexOf(docs)
	ix.Compact()
	ix.SetResultCache(0) // the benchmarks measure answering; BenchmarkSearchCached the cache
	return ix
})

var benchQueries = []struct {
	name string
	q    Query
}{
	{"browse-newest", Query{}},
	{"browse-price", Query{Sort: PriceAsc}},
	{"browse-filtered", Query{Category: "Home", Brand: []string{"Brand1", "Brand2"}, InStock: true}},
	{"browse-price-range", Query{MinPrice: 1234, MaxPrice: 5678, Sort: PriceDesc}},
	{"text-broad", Query{Text: "steel"}},
	{"text-two-terms", Query{Text: "black kitchen"}},
	{"text-three-terms-filtered", Query{Text: "steel set pan", Category: "Home > Kitchen", InStock: true}},
	{"text-rare", Query{Text: "colander whisk"}},
	{"text-model-number", Query{Text: "m1a2b"}},
	{"text-price-sort", Query{Text: "leather", Sort: PriceAsc, Limit: MaxLimit}},
}

// BenchmarkSearch measures one query at a time on the benchmark catalog.
func BenchmarkSearch(b *testing.B) {
	ix := benchIndex()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			var res Result
			for b.Loop() {
				res = mustSearchB(b, ix, bq.q)
			}
			b.ReportMetric(float64(res.Total), "hits")
		})
	}
	b.Run("page-10-of-browse", func(b *testing.B) {
		q := Query{}
		for range 9 {
			q.Cursor = mustSearchB(b, ix, q).NextCursor
		}
		for b.Loop() {
			mustSearchB(b, ix, q)
		}
	})
}

// BenchmarkRelevance runs the text queries of the mix with relevance
// ranking by tier classes (pruned) and by scoring every document (full),
// in the same run.
func BenchmarkRelevance(b *testing.B) {
	ix := benchIndex()
	for _, bq := range benchQueries {
		if bq.q.Text == "" || bq.q.Sort != Relevance {
			continue
		}
		for _, mode := range []string{"full", "pruned"} {
			b.Run(bq.name+"/"+mode, func(b *testing.B) {
				ix.SetPruning(mode == "pruned")
				defer ix.SetPruning(true)
				for b.Loop() {
					mustSearchB(b, ix, bq.q)
				}
			})
		}
	}
}

// BenchmarkSearchCached asks each query of the mix again on an index
// whose result cache holds it: the cost of a repeated query.
func BenchmarkSearchCached(b *testing.B) {
	ix := benchIndex()
	ix.SetResultCache(DefaultCacheEntries)
	defer ix.SetResultCache(0)
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			mustSearchB(b, ix, bq.q)
			for b.Loop() {
				mustSearchB(b, ix, bq.q)
			}
		})
	}
}

// BenchmarkSearchParallel runs the query mix from 8 goroutines, as 8
// concurrent clients would.
func BenchmarkSearchParallel(b *testing.B) {
	ix := benchIndex()
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
	var next int
	var mu sync.Mutex
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		i := next
		next++
		mu.Unlock()
		for pb.Next() {
			mustSearchB(b, ix, benchQueries[i%len(benchQueries)].q)
			i++
		}
	})
}

// BenchmarkUpsert measures replacing one document in the benchmark
// catalog.
func BenchmarkUpsert(b *testing.B) {
	ix := benchIndex()
	docs := genDocs(1000, 7)
	i := 0
	for b.Loop() {
		d := docs[i%len(docs)]
		d.ID = fmt.Sprintf("doc-%05d", i%benchDocs)
		ix.Upsert(d)
		i++
	}
}

// BenchmarkBuildOneTime indexes 50,000 documents into a fresh index, with
// update times that all differ and with one time for all (a member
// signing its catalog with one time), in the same run. The two cost the
// same per document once a time bucket that cannot split stops trying on
// every add.
func BenchmarkBuildOneTime(b *testing.B) {
	docs := genDocs(50_000, 11)
	for _, mode := range []string{"distinct", "one-time"} {
		b.Run(mode, func(b *testing.B) {
			for i := range docs {
				docs[i].Updated = t0.Add(time.Duration(i) * time.Second)
				if mode == "one-time" {
					docs[i].Updated = t0
				}
			}
			for b.Loop() {
				ix := New()
				for _, d := range docs {
					ix.Upsert(d)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs)), "ns/doc")
		})
	}
}

// BenchmarkBuild indexes the benchmark catalog from scratch, compacts it,
// and reports the heap it holds per document, with and without the stored
// strings.
func BenchmarkBuild(b *testing.B) {
	docs := genDocs(benchDocs, 42)
	var strs int
	for _, d := range docs {
		strs += len(d.ID) + len(d.Title) + len(snippet(d.Description)) + len(d.Image)
	}
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		ix := New()
		for _, d := range docs {
			// Fresh strings, as from decoding a record, so the heap counts them.
			d.ID, d.Title, d.Image = strings.Clone(d.ID), strings.Clone(d.Title), strings.Clone(d.Image)
			ix.Upsert(d)
		}
		ix.Compact()
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		b.ReportMetric(heap/float64(benchDocs), "B/doc")
		b.ReportMetric((heap-float64(strs))/float64(benchDocs), "B/doc-no-strings")
		b.ReportMetric(float64(took.Microseconds())/float64(benchDocs), "µs/upsert")
		runtime.KeepAlive(ix)
	}
}

func mustSearchB(b *testing.B, ix *Index, q Query) Result {
	res, err := ix.Search(q)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkCorrect measures a correction over the benchmark catalog's
// vocabulary, model numbers included: what a search that finds nothing
// costs on top.
func BenchmarkCorrect(b *testing.B) {
	ix := benchIndex()
	var out []string
	for b.Loop() {
		out = ix.Correct("colandr wisk", 3)
	}
	b.ReportMetric(float64(len(out)), "corrections")
}
