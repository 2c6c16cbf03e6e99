package search

import (
	"math"

	"github.com/RoaringBitmap/roaring/v2"
)

// BM25F parameters. A document's pseudo-frequency for a term sums, over the
// fields, weight × tf / (1 - b + b × length/average length); the term then
// scores idf × f × (k1+1) / (f + k1), and a document scores the sum over
// the query's terms.
const k1 = 1.2

// fieldWeight and fieldB are per field: title > brand > category >
// description. Brand and category are short labels whose length says
// little, hence their lower b.
var (
	fieldWeight = [numFields]float64{3, 2, 1.5, 1}
	fieldB      = [numFields]float64{0.75, 0.5, 0.5, 0.75}
)

// normTableLen is how many field lengths a query precomputes the weighted
// normalization for; longer fields compute it per document.
const normTableLen = 256

// fieldNorms holds, per field, weight / (1 - b + b × length/average) for
// the current average lengths.
type fieldNorms struct {
	a, b  [numFields]float64
	table [numFields][normTableLen]float32
}

func (ix *Index) fieldNorms() *fieldNorms {
	n := new(fieldNorms)
	live := float64(len(ix.ids))
	for f := range numFields {
		n.a[f] = 1 - fieldB[f]
		if avg := float64(ix.lenSum[f]) / live; avg > 0 {
			n.b[f] = fieldB[f] / avg
		}
		for l := range normTableLen {
			n.table[f][l] = n.weigh(f, l)
		}
	}
	return n
}

func (n *fieldNorms) weigh(f, length int) float32 {
	return float32(fieldWeight[f] / (n.a[f] + n.b[f]*float64(length)))
}

// scratch is per-query working memory: scores by slot and facet counts by
// value. Only entries of the result are written, and they are zeroed again
// before the scratch returns to the pool.
type scratch struct {
	acc, score []float32
	counts     []int32
}

// getScratch returns a zeroed scratch with room for every brand and
// platform; putScratch returns it. The caller holds mu.
func (ix *Index) getScratch() *scratch {
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = new(scratch)
	}
	if n := max(len(ix.brands.sizes), len(ix.platforms.sizes)); len(sc.counts) < n {
		sc.counts = make([]int32, n)
	}
	return sc
}

func (ix *Index) putScratch(sc *scratch) { ix.scratch.Put(sc) }

// score computes the BM25F score of every document of result and offers
// it to top. Every document of result holds every term, so every score is
// positive. Each term adds its fields' weights into sc.acc, then folds them
// into sc.score; the last fold offers the final scores instead.
func (ix *Index) score(terms []string, result *roaring.Bitmap, sc *scratch, top *topK) {
	if n := len(ix.slots); len(sc.score) < n {
		sc.acc, sc.score = make([]float32, n), make([]float32, n)
	}
	norms := ix.fieldNorms()
	live := float64(len(ix.ids))
	card := result.GetCardinality()
	for i, text := range terms {
		t := &ix.terms[ix.vocab[text]]
		for _, pl := range t.lists {
			docs := pl.docs
			if card < uint64(t.df) { // else result is all of the term's documents
				docs = roaring.And(docs, result)
			}
			ix.accumulate(sc.acc, docs, int(pl.field), norms)
		}
		df := float64(t.df)
		idf := float32(math.Log(1 + (live-df+0.5)/(df+0.5)))
		if i < len(terms)-1 {
			each(result, func(docs []uint32) {
				for _, d := range docs {
					sc.score[d] += saturate(idf, sc.acc[d])
					sc.acc[d] = 0
				}
			})
			continue
		}
		each(result, func(docs []uint32) {
			for _, d := range docs {
				key := scoreKey(sc.score[d] + saturate(idf, sc.acc[d]))
				sc.acc[d], sc.score[d] = 0, 0
				if !top.full() || key <= top.heap[0].key {
					top.offer(d, key)
				}
			}
		})
	}
}

// saturate is one term's BM25 score for pseudo-frequency f.
func saturate(idf, f float32) float32 { return idf * f * (k1 + 1) / (f + k1) }

// accumulate adds field f's normalized weight to acc for each document.
func (ix *Index) accumulate(acc []float32, docs *roaring.Bitmap, f int, norms *fieldNorms) {
	table := &norms.table[f]
	each(docs, func(docs []uint32) {
		for _, d := range docs {
			if l := int(ix.lens[d][f]); l < normTableLen {
				acc[d] += table[l]
			} else {
				acc[d] += norms.weigh(f, l)
			}
		}
	})
}
