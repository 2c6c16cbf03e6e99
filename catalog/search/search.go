package search

import (
	"cmp"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Result is one page of a search.
type Result struct {
	// Items is the page, in the query's order.
	Items []Doc
	// Total is the number of documents matching the query.
	Total int
	// NextCursor continues after Items; empty on the last page.
	NextCursor string
	// Facets counts what the other filter values would give.
	Facets Facets
}

// The filters of a query, each one a facet.
const (
	filterCategory = iota
	filterBrand
	filterPlatform
	filterPrice
	filterStock
	filterRating
	numFilters
)

// selection is the bitmaps a query selects. Bitmaps in it may be the
// index's own: nothing here is modified.
type selection struct {
	base   *roaring.Bitmap             // live documents matching the text
	sets   [numFilters]*roaring.Bitmap // base within each filter; nil if unset
	result *roaring.Bitmap             // base within every filter
}

// Search runs q. It returns ErrInvalidQuery, naming the parameter, for a
// query that can never succeed.
func (ix *Index) Search(q Query) (Result, error) {
	p, err := newPlan(q, ix.text)
	if err != nil {
		return Result{}, err
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	key := p.cacheKey(q.Cursor)
	if res, ok := ix.cache.get(key, ix.gen); ok {
		return res, nil
	}
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	sel := ix.selectDocs(&p)
	res := Result{
		Total:  int(sel.result.GetCardinality()),
		Facets: ix.facets(&p, &sel, sc.counts),
	}
	var hits []hit
	if res.Total > 0 {
		hits = ix.rank(&p, sel.result, sc)
	}
	res.Items = make([]Doc, 0, min(len(hits), p.limit))
	for _, h := range hits[:min(len(hits), p.limit)] {
		res.Items = append(res.Items, ix.result(h.doc))
	}
	if len(hits) > p.limit {
		last := hits[p.limit-1]
		res.NextCursor = cursor{p.sort, p.fingerprint, last.key, ix.slots.id(last.doc)}.encode()
	}
	ix.cache.put(key, ix.gen, res.clone())
	return res, nil
}

// selectDocs evaluates the text and every filter of p.
func (ix *Index) selectDocs(p *plan) selection {
	var sel selection
	sel.base = ix.matchText(p.terms)
	and := func(bm *roaring.Bitmap) *roaring.Bitmap {
		if sel.base == ix.live {
			return bm // index bitmaps hold live documents only
		}
		return roaring.And(sel.base, bm)
	}
	if p.category != "" {
		sel.sets[filterCategory] = roaring.New()
		if id, ok := ix.categories.ids[p.category]; ok {
			sel.sets[filterCategory] = and(ix.categories.nodes[id].docs)
		}
	}
	if len(p.brands) > 0 {
		sel.sets[filterBrand] = and(ix.brands.union(p.brands))
	}
	if len(p.platforms) > 0 {
		sel.sets[filterPlatform] = and(ix.platforms.union(p.platforms))
	}
	if p.minPrice > 0 || p.maxPrice > 0 {
		sel.sets[filterPrice] = ix.prices.filter(sel.base, sel.base == ix.live, p.minPrice, p.maxPrice, ix.price)
	}
	if p.inStock {
		sel.sets[filterStock] = and(ix.inStock)
	}
	if p.minRating > 0 {
		if bm := ix.ratedAtLeast(p.minRating); bm != nil {
			sel.sets[filterRating] = and(bm)
		} else {
			sel.sets[filterRating] = roaring.New()
		}
	}
	sel.result = sel.except(-1)
	return sel
}

// matchText returns the live documents holding every term. The result
// may be one of the index's own bitmaps: callers must not modify it.
func (ix *Index) matchText(terms []string) *roaring.Bitmap {
	if len(terms) == 0 {
		return ix.live
	}
	ids := make([]uint32, 0, len(terms))
	for _, text := range terms {
		id, ok := ix.vocab[text]
		if !ok || ix.terms[id].df == 0 {
			return roaring.New()
		}
		ids = append(ids, id)
	}
	// Rarest first: every intersection is then at most that small.
	slices.SortFunc(ids, func(a, b uint32) int { return cmp.Compare(ix.terms[a].df, ix.terms[b].df) })
	r := ix.unions.matches(ids[0], &ix.terms[ids[0]])
	for _, id := range ids[1:] {
		r = roaring.And(r, ix.unions.matches(id, &ix.terms[id]))
	}
	return r
}

// except intersects the base with every set filter but skip (-1 for none).
func (s *selection) except(skip int) *roaring.Bitmap {
	var on []*roaring.Bitmap
	for i, bm := range s.sets {
		if bm != nil && i != skip {
			on = append(on, bm)
		}
	}
	if len(on) == 0 {
		return s.base
	}
	slices.SortFunc(on, func(a, b *roaring.Bitmap) int {
		return cmp.Compare(a.GetCardinality(), b.GetCardinality())
	})
	r := on[0]
	for _, bm := range on[1:] {
		r = roaring.And(r, bm)
	}
	return r
}

// facets counts each facet over the documents selected by every filter but
// its own; a facet whose filter is unset counts the result itself. counts
// is zeroed scratch with room for every category, brand and platform at
// once; it is left zeroed.
func (ix *Index) facets(p *plan, sel *selection, counts []int32) Facets {
	over := func(filter int) scope {
		bm := sel.result
		if sel.sets[filter] != nil {
			bm = sel.except(filter)
		}
		return scope{docs: bm, card: bm.GetCardinality(), all: bm == ix.live, slots: uint64(ix.slots.len())}
	}
	category, brand, platform := over(filterCategory), over(filterBrand), over(filterPlatform)
	// The facets cheaper to count by reading each document's value share
	// the passes over their documents (see tallyColumns). Each takes its
	// part of counts; nil says it is counted by bitmaps.
	var tallies []columnTally
	tally := func(byColumn bool, sc scope, column []uint32, values int) []int32 {
		if !byColumn {
			return nil
		}
		part := counts[:values:values]
		counts = counts[values:]
		tallies = append(tallies, columnTally{docs: sc.docs, column: column, counts: part})
		return part
	}
	byCategory := tally(ix.categories.byColumn(category, p.category), category, ix.categoryOf, len(ix.categories.nodes))
	byBrand := tally(ix.brands.byColumn(brand), brand, ix.brandOf, len(ix.brands.sizes))
	byPlatform := tally(ix.platforms.byColumn(platform), platform, ix.platformOf, len(ix.platforms.sizes))
	tallyColumns(tallies)
	return Facets{
		Category: ix.categories.count(category, p.category, byCategory),
		Brand:    ix.brands.count(brand, byBrand, p.brands),
		Platform: ix.platforms.count(platform, byPlatform, p.platforms),
		Price:    ix.prices.bands(over(filterPrice), ix.band),
		InStock:  int(over(filterStock).countIn(ix.inStock)),
		Rating:   ix.ratingFacet(over(filterRating)),
	}
}
