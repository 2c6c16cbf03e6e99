package search

import (
	"cmp"
	"math"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Relevance ranks by tier first (see relevanceKey), and a document's tier
// depends only on the best field each query term is in: with four fields
// and n terms, the result falls into at most 4^n classes of equal tier,
// each split again into its documents in stock, which come first, and
// the others. The postings already tell which documents a term holds in
// which field (level 0), so these subclasses are bitmap operations, and
// they can be visited best first: once the page is full and its last
// document comes before anything a subclass could hold, that subclass
// and every later one are skipped without scoring a document. A broad
// query (one frequent word) then scores the documents holding it in their
// title and in stock, instead of every document that mentions it. The
// ranking is exactly that of scoring every document, which
// TestPrunedRankingMatchesFullScoring checks against it.

// maxClasses is the most tier classes a query is split into; a query of
// more terms in more fields scores its whole result.
const maxClasses = 64

// pruneMin is the smallest result worth splitting into classes.
const pruneMin = 1024

// subclass is the documents of one tier class in stock, or not.
type subclass struct {
	class   int
	inStock bool
	tier    float32
	first   int64 // the lowest (best) key a document of it can have
	last    int64 // the highest
}

// SetPruning turns the skipping of tier classes on (the default) or off,
// so that a benchmark can measure both rankings in the same run. The
// results are the same either way.
func (ix *Index) SetPruning(on bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.noPruning = !on
}

// scorePruned offers to top the documents of result, with their BM25F
// scores, that may enter it; see the comment at the top of this file.
func (ix *Index) scorePruned(terms []string, result *roaring.Bitmap, sc *scratch, top *topK) {
	n := result.GetCardinality()
	ts := make([]*term, len(terms))
	for i, text := range terms {
		ts[i] = &ix.terms[ix.vocab[text]]
	}
	if n < pruneMin || ix.noPruning {
		ix.score(terms, result, sc, top)
		return
	}
	// best[i] splits the result by term i's best field, one field at a
	// time as classes need them.
	best := make([]bestField, len(ts))
	classes := 1
	for i, t := range ts {
		best[i] = newBestField(t, result)
		classes *= best[i].candidates()
	}
	if classes > maxClasses {
		// Too many for the fields the terms are in: count the fields
		// the result actually holds them in.
		classes = 1
		for i := range best {
			classes *= best[i].found()
		}
		if classes > maxClasses {
			ix.score(terms, result, sc, top)
			return
		}
	}
	live := float64(ix.ids.len())
	idf := make([]float32, len(ts))
	for i, t := range ts {
		idf[i] = idfOf(t, live)
	}
	// Every combination of one group per term is a class; fields[c] is
	// class c's best field per term.
	fields := [][]int{nil}
	for i := range ts {
		var next [][]int
		for _, c := range fields {
			for f := range numFields {
				if best[i].may(f) {
					next = append(next, append(slices.Clip(c), f))
				}
			}
		}
		fields = next
	}
	subs := make([]subclass, 0, 2*len(fields))
	for c, fs := range fields {
		var tier float32
		for i, f := range fs {
			tier = foldTier(tier, idf[i], float32(fieldWeight[f]))
		}
		for _, in := range []bool{true, false} {
			subs = append(subs, subclass{class: c, inStock: in, tier: tier,
				first: relevanceKey(tier, math.MaxFloat32, in), last: relevanceKey(tier, 0, in)})
		}
	}
	slices.SortFunc(subs, func(a, b subclass) int { return cmp.Compare(a.first, b.first) })
	docs := make([]*roaring.Bitmap, len(fields)) // by class, once needed
	for _, s := range subs {
		if top.full() && top.heap[0].key < s.first {
			return // nothing here or after can enter the page
		}
		if top.after != nil && s.last < top.after.key {
			continue // all of it comes before the cursor
		}
		if docs[s.class] == nil {
			docs[s.class] = best[0].group(fields[s.class][0])
			for i, f := range fields[s.class][1:] {
				if docs[s.class].IsEmpty() {
					break
				}
				docs[s.class] = roaring.And(docs[s.class], best[i+1].group(f))
			}
		}
		part := docs[s.class]
		if part.IsEmpty() {
			continue
		}
		if s.inStock {
			part = roaring.And(part, ix.inStock)
		} else {
			part = roaring.AndNot(part, ix.inStock)
		}
		if !part.IsEmpty() {
			ix.score(terms, part, sc, top)
		}
	}
}

// bestField splits a result by the best field a term is in: group f holds
// the documents that have the term in field f and in no better one
// (fields are ordered by weight, best first). A group is computed only
// when a class asks for it, with the groups before it: a broad query's
// page usually fills from the title's group, and the intersections with
// the other fields are then never made, nor the rest of the result left
// for them.
type bestField struct {
	lists  [numFields]*roaring.Bitmap // the term's postings at level 0, by field
	rest   *roaring.Bitmap            // the result not in groups [0, next), once owed is taken out
	owed   *roaring.Bitmap            // the last group's postings, still in rest until a later group needs it
	next   int
	groups [numFields]*roaring.Bitmap
}

func newBestField(t *term, result *roaring.Bitmap) bestField {
	b := bestField{rest: result}
	for _, pl := range t.lists {
		if pl.level == 0 {
			b.lists[pl.field] = pl.docs
		}
	}
	return b
}

// candidates is how many fields may hold a group: those the term is in.
func (b *bestField) candidates() int {
	n := 0
	for f := range numFields {
		if b.may(f) {
			n++
		}
	}
	return n
}

// may reports whether group f may hold documents: the term is in field
// f, and the group is not known to be empty.
func (b *bestField) may(f int) bool {
	return b.lists[f] != nil && (f >= b.next || !b.groups[f].IsEmpty())
}

// found computes every group and returns how many hold documents.
func (b *bestField) found() int {
	b.group(numFields - 1)
	return b.candidates()
}

// group returns group f, computing it and the groups before it if needed.
func (b *bestField) group(f int) *roaring.Bitmap {
	for ; b.next <= f; b.next++ {
		if b.owed != nil {
			b.rest, b.owed = roaring.AndNot(b.rest, b.owed), nil
		}
		in := b.lists[b.next]
		if in == nil || b.rest.IsEmpty() {
			b.groups[b.next] = roaring.New()
			continue
		}
		b.groups[b.next] = roaring.And(b.rest, in)
		b.owed = in
	}
	return b.groups[f]
}
