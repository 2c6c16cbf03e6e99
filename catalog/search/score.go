package search

import (
	"math"
	"slices"

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

// fieldNorms computes the norms for the index's current average lengths
// into n.
func (ix *Index) fieldNorms(n *fieldNorms) {
	live := float64(ix.ids.len())
	for f := range numFields {
		n.a[f] = 1 - fieldB[f]
		if avg := float64(ix.lenSum[f]) / live; avg > 0 {
			n.b[f] = fieldB[f] / avg
		}
		for l := range normTableLen {
			n.table[f][l] = n.weigh(f, l)
		}
	}
}

func (n *fieldNorms) weigh(f, length int) float32 {
	return float32(fieldWeight[f] / (n.a[f] + n.b[f]*float64(length)))
}

// scratch is per-query working memory, reused through the index's pool:
// the result's documents, accumulators and scores for scoring, and facet
// counts by value. acc, best, score, tier and counts are all zero between
// uses.
type scratch struct {
	docs   []uint32
	lens   [][numFields]uint16 // by position, when scoring by position
	acc    []float32           // the current term's BM25F pseudo-frequency
	best   []float32           // the weight of the current term's best field
	score  []float32           // BM25F of the terms folded so far
	tier   []float32           // idf × best field weight of the terms folded so far
	counts []int32
	norms  fieldNorms // for the index's current lengths, set by getScratch
}

// getScratch returns a scratch with counts for every category, brand and
// platform at once;
// putScratch returns it. The caller holds mu.
func (ix *Index) getScratch() *scratch {
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = new(scratch)
	}
	if n := len(ix.categories.nodes) + len(ix.brands.sizes) + len(ix.platforms.sizes); len(sc.counts) < n {
		sc.counts = make([]int32, n)
	}
	ix.fieldNorms(&sc.norms)
	return sc
}

func (ix *Index) putScratch(sc *scratch) { ix.scratch.Put(sc) }

// scoring is one relevance ranking. It accumulates by slot when the result
// is dense, so that the accumulators stream; and by position in the
// result when it is sparse, so that they stay as small as the result
// instead of missing the cache on every document.
type scoring struct {
	ix     *Index
	sc     *scratch
	norms  *fieldNorms
	bySlot bool
}

// score computes the BM25F score of every document of result and offers
// it to top. Every document of result holds every term, so every score is
// positive. Each term adds its fields' weights into the accumulators, then
// folds them into the scores; the last fold offers the final scores.
func (ix *Index) score(terms []string, result *roaring.Bitmap, sc *scratch, top *topK) {
	n := int(result.GetCardinality())
	ix.scoreBy(n*lineBytes/4 >= ix.slots.len(), terms, result, sc, top) // accumulators are 4 bytes
}

// scoreBy is score, by slot or by position.
func (ix *Index) scoreBy(bySlot bool, terms []string, result *roaring.Bitmap, sc *scratch, top *topK) {
	n := int(result.GetCardinality())
	s := scoring{ix: ix, sc: sc, norms: &sc.norms, bySlot: bySlot}
	s.load(result, n)
	live := float64(ix.ids.len())
	for i, text := range terms {
		t := &ix.terms[ix.vocab[text]]
		for _, pl := range t.lists {
			docs := pl.docs
			if n < int(t.df) { // else result is all of the term's documents
				docs = roaring.And(docs, result)
			}
			s.accumulate(docs, int(pl.field), pl.level == 0)
		}
		s.fold(idfOf(t, live), i == len(terms)-1, top)
	}
}

// load sizes the scratch for n documents and lists result's documents.
func (s *scoring) load(result *roaring.Bitmap, n int) {
	sc := s.sc
	if cap(sc.docs) < n {
		sc.docs = make([]uint32, n)
	}
	sc.docs = sc.docs[:n]
	result.ToExistingArray(&sc.docs)
	need := n
	if s.bySlot {
		need = s.ix.slots.len()
	}
	if len(sc.acc) < need {
		sc.acc, sc.best, sc.score, sc.tier = make([]float32, need), make([]float32, need), make([]float32, need), make([]float32, need)
	}
	if !s.bySlot {
		if cap(sc.lens) < n {
			sc.lens = make([][numFields]uint16, n)
		}
		sc.lens = sc.lens[:n]
		for i, d := range sc.docs {
			sc.lens[i] = s.ix.lens[d]
		}
	}
}

// fold adds each document's saturated term score to its score, and the
// weight of the term's best field to its tier, and clears its
// accumulators; the last fold offers the documents to top, keyed by
// relevanceKey, and clears them.
func (s *scoring) fold(idf float32, last bool, top *topK) {
	sc := s.sc
	for j, d := range sc.docs {
		k := j
		if s.bySlot {
			k = int(d)
		}
		total := sc.score[k] + saturate(idf, sc.acc[k])
		tier := foldTier(sc.tier[k], idf, sc.best[k])
		sc.acc[k], sc.best[k] = 0, 0
		if !last {
			sc.score[k], sc.tier[k] = total, tier
			continue
		}
		sc.score[k], sc.tier[k] = 0, 0
		// The key in stock is the best d can have: only a document that
		// may enter the page is looked up.
		if key := relevanceKey(tier, total, true); !top.full() || key <= top.heap[0].key {
			top.offer(d, relevanceKey(tier, total, s.ix.slots.rows[d].inStock))
		}
	}
}

// idfOf is the inverse document frequency of t among live documents.
func idfOf(t *term, live float64) float32 {
	df := float64(t.df)
	return float32(math.Log(1 + (live-df+0.5)/(df+0.5)))
}

// foldTier adds to tier one term's idf × the weight of its best field.
// Scoring and pruning (prune.go) both call it, so that they compute the
// same float32 for the same fields.
func foldTier(tier, idf, best float32) float32 { return tier + idf*best }

// relevanceKey orders documents by tier, then those in stock first, then
// by BM25F score, as one ascending key: the bits of non-negative float32s
// order like their values, tier's above the stock bit above score's. The
// tier sums, over the query's terms, idf × the weight of the best field
// the term is in: documents that match the same terms in the same fields
// are equally relevant, and what their BM25F scores add (term frequency,
// field lengths) only orders them after stock, so that a shopper sees
// first what can be bought.
func relevanceKey(tier, score float32, inStock bool) int64 {
	k := int64(math.Float32bits(tier))<<32 | int64(math.Float32bits(score))
	if inStock {
		k |= 1 << 31
	}
	return -k
}

// saturate is one term's BM25 score for pseudo-frequency f.
func saturate(idf, f float32) float32 { return idf * f * (k1 + 1) / (f + k1) }

// accumulate adds field f's normalized weight to the accumulator of each
// of docs, which are all in the result; first marks the term's list of
// every document holding it in f (level 0), whose weight counts towards
// the term's best field.
func (s *scoring) accumulate(docs *roaring.Bitmap, f int, first bool) {
	table, norms, sc := &s.norms.table[f], s.norms, s.sc
	w := float32(fieldWeight[f])
	if s.bySlot {
		lens := s.ix.lens
		each(docs, func(batch []uint32) {
			for _, d := range batch {
				if l := int(lens[d][f]); l < normTableLen {
					sc.acc[d] += table[l]
				} else {
					sc.acc[d] += norms.weigh(f, l)
				}
				if first && w > sc.best[d] {
					sc.best[d] = w
				}
			}
		})
		return
	}
	pos := 0
	each(docs, func(batch []uint32) {
		for _, d := range batch {
			pos = seek(sc.docs, pos, d)
			if l := int(sc.lens[pos][f]); l < normTableLen {
				sc.acc[pos] += table[l]
			} else {
				sc.acc[pos] += norms.weigh(f, l)
			}
			if first && w > sc.best[pos] {
				sc.best[pos] = w
			}
			pos++
		}
	})
}

// seek returns the position of d in the sorted docs, searching from i on:
// a few linear steps for the dense case, then galloping and binary search,
// so that following a sparse list through a large result costs a
// logarithm of the gap per document.
func seek(docs []uint32, i int, d uint32) int {
	for end := min(i+linearSeek, len(docs)); i < end; i++ {
		if docs[i] >= d {
			return i
		}
	}
	lo, step := i-1, 1 // docs[lo] < d
	hi := lo + step
	for hi < len(docs) && docs[hi] < d {
		lo, step = hi, step*2
		hi = lo + step
	}
	hi = min(hi+1, len(docs))
	j, _ := slices.BinarySearch(docs[lo+1:hi], d)
	return lo + 1 + j
}

// linearSeek is how many positions seek tries one by one.
const linearSeek = 16
