package search

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkBuildChinese indexes the benchmark catalog English-only and
// with a fifth of it in Chinese, in the same run, and reports the heap
// each holds per document (with and without the stored strings, which
// are longer in Chinese: three bytes a character) and the ratio of the
// two: the goal is within 1.25x.
func BenchmarkBuildChinese(b *testing.B) {
	var heaps [2]float64
	for i, fraction := range []float64{0, 0.2} {
		docs := genZhDocs(benchDocs, 42, fraction)
		var strs int
		for _, d := range docs {
			strs += len(d.ID) + len(d.Title) + len(snippet(d.Description)) + len(d.Image)
		}
		name := fmt.Sprintf("chinese-%.0f%%", fraction*100)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				heap := buildHeap(docs)
				heaps[i] = heap
				b.ReportMetric(heap/float64(len(docs)), "B/doc")
				b.ReportMetric((heap-float64(strs))/float64(len(docs)), "B/doc-no-strings")
			}
		})
	}
	if heaps[0] > 0 {
		b.Logf("index heap at %d documents: English-only %.1f MiB, a fifth Chinese %.1f MiB, ratio %.2fx",
			benchDocs, heaps[0]/(1<<20), heaps[1]/(1<<20), heaps[1]/heaps[0])
	}
}

// buildHeap indexes docs into a new index, compacts it and returns the
// heap it holds.
func buildHeap(docs []Doc) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix := New()
	for _, d := range docs {
		// Fresh strings, as from decoding a record, so the heap counts them.
		d.ID, d.Title, d.Image = strings.Clone(d.ID), strings.Clone(d.Title), strings.Clone(d.Image)
		ix.Upsert(d)
	}
	ix.Compact()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ix)
	return float64(after.HeapAlloc) - float64(before.HeapAlloc)
}

// BenchmarkSearchChinese measures Chinese and mixed queries on a
// benchmark catalog of which a fifth is Chinese.
func BenchmarkSearchChinese(b *testing.B) {
	ix := newIndexOf(genZhDocs(benchDocs, 42, 0.2))
	ix.Compact()
	for _, text := range []string{"手机壳", "不锈钢 炒锅", "锅", "iPhone 手机", "家用", "steel"} {
		b.Run(text, func(b *testing.B) {
			var res Result
			for b.Loop() {
				res = mustSearchB(b, ix, Query{Text: text})
			}
			b.ReportMetric(float64(res.Total), "hits")
		})
	}
}
