package search

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// Query limits.
const (
	// DefaultLimit is the page size when Query.Limit is 0.
	DefaultLimit = 20
	// MaxLimit is the largest page; larger limits are lowered to it.
	MaxLimit = 100
	// MaxTextBytes is the longest accepted Query.Text.
	MaxTextBytes = 1024
	// MaxTerms is the most distinct terms a Query.Text may have.
	MaxTerms = 32
	// MaxFilterValues is the most values Query.Brand or Query.Platform may
	// list.
	MaxFilterValues = 64
)

// Sort is a result order. Every order breaks ties by ascending ID.
type Sort int

// Result orders.
const (
	// Relevance orders by the fields the terms match in (title first),
	// then in stock before out of stock, then by descending BM25 score;
	// without query terms it is Newest.
	Relevance Sort = iota
	// PriceAsc orders by ascending price.
	PriceAsc
	// PriceDesc orders by descending price.
	PriceDesc
	// Newest orders by descending Updated.
	Newest
	// TopRated orders by descending average rating, then by the most
	// reviews; unrated documents last.
	TopRated
)

var sortNames = [...]string{"relevance", "price_asc", "price_desc", "newest", "rating"}

// String returns the name ParseSort accepts.
func (s Sort) String() string {
	if s < 0 || int(s) >= len(sortNames) {
		return fmt.Sprintf("Sort(%d)", int(s))
	}
	return sortNames[s]
}

// ParseSort returns the Sort named name ("relevance", "price_asc",
// "price_desc" or "newest"); "" is Relevance.
func ParseSort(name string) (Sort, error) {
	if name == "" {
		return Relevance, nil
	}
	if i := slices.Index(sortNames[:], name); i >= 0 {
		return Sort(i), nil
	}
	return 0, invalid("sort", "unknown order %q", name)
}

// Query is one search request. The zero Query browses everything, newest
// first.
type Query struct {
	// Text must match in full: every term (after stopwords and stemming) in
	// the title, brand, category or description.
	Text string
	// Category keeps documents filed under this path or below it, matched
	// by whole segments: "Home" matches "Home > Kitchen" but not "Homeware".
	Category string
	// Brand keeps documents of any of these brands (exact values).
	Brand []string
	// Platform keeps documents of any of these home platforms.
	Platform []string
	// MinPrice keeps documents priced at least this much; 0 is unbounded.
	MinPrice int64
	// MaxPrice keeps documents priced at most this much; 0 is unbounded.
	MaxPrice int64
	// InStock keeps only documents in stock.
	InStock bool
	// MinRating keeps documents rated this many stars or more on
	// average (1 to 5); 0 keeps all.
	MinRating int
	// Sort orders the results.
	Sort Sort
	// Limit is the page size: 0 is DefaultLimit, above MaxLimit is MaxLimit.
	Limit int
	// Cursor continues from a previous Result.NextCursor of the same query.
	Cursor string
}

// plan is a validated, normalized Query.
type plan struct {
	terms              []string
	category           string
	brands, platforms  []string
	minPrice, maxPrice int64
	inStock            bool
	minRating          int
	sort               Sort // Relevance only when there are terms
	limit              int
	after              *cursor // nil on the first page
	fingerprint        uint64
}

// newPlan validates and normalizes q, analyzing its text with a.
func newPlan(q Query, a *analyzer) (plan, error) {
	p := plan{
		category: normalizeCategory(q.Category),
		minPrice: q.MinPrice, maxPrice: q.MaxPrice,
		inStock: q.InStock, minRating: q.MinRating, sort: q.Sort, limit: q.Limit,
	}
	var err error
	if p.terms, err = parseText(a, q.Text); err != nil {
		return plan{}, err
	}
	if p.brands, err = filterValues("brand", q.Brand); err != nil {
		return plan{}, err
	}
	if p.platforms, err = filterValues("platform", q.Platform); err != nil {
		return plan{}, err
	}
	if err = p.check(); err != nil {
		return plan{}, err
	}
	if p.sort == Relevance && len(p.terms) == 0 {
		p.sort = Newest
	}
	p.fingerprint = p.hash()
	if q.Cursor != "" {
		c, err := decodeCursor(q.Cursor)
		if err != nil {
			return plan{}, err
		}
		if c.fingerprint != p.fingerprint || c.sort != p.sort {
			return plan{}, invalid("cursor", "belongs to a different query")
		}
		p.after = &c
	}
	return p, nil
}

// check validates the numeric parameters and applies the limit defaults.
func (p *plan) check() error {
	switch {
	case p.sort < Relevance || p.sort > TopRated:
		return invalid("sort", "unknown order %d", int(p.sort))
	case p.minPrice < 0:
		return invalid("min_price", "negative")
	case p.maxPrice < 0:
		return invalid("max_price", "negative")
	case p.maxPrice != 0 && p.minPrice > p.maxPrice:
		return invalid("min_price", "greater than max_price")
	case p.minRating < 0 || p.minRating > 5:
		return invalid("min_rating", "must be 1 to 5 stars (0: any)")
	case p.limit < 0:
		return invalid("limit", "negative")
	case p.limit == 0:
		p.limit = DefaultLimit
	case p.limit > MaxLimit:
		p.limit = MaxLimit
	}
	return nil
}

// parseText analyzes query text into its distinct terms, sorted.
func parseText(a *analyzer, text string) ([]string, error) {
	if len(text) > MaxTextBytes {
		return nil, invalid("text", "longer than %d bytes", MaxTextBytes)
	}
	terms := a.queryTerms(text)
	if len(terms) > MaxTerms {
		return nil, invalid("text", "more than %d terms", MaxTerms)
	}
	slices.Sort(terms) // word order changes neither matches nor scores
	return terms, nil
}

// filterValues trims, deduplicates and sorts the values of an OR filter.
func filterValues(param string, values []string) ([]string, error) {
	if len(values) > MaxFilterValues {
		return nil, invalid(param, "more than %d values", MaxFilterValues)
	}
	var out []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// hash fingerprints what selects and orders the results, so that a cursor
// is only accepted by the query that issued it.
func (p *plan) hash() uint64 {
	h := fnv.New64a()
	h.Write(p.canonical())
	return h.Sum64()
}

// canonical encodes what selects and orders the results.
func (p *plan) canonical() []byte {
	var buf []byte
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	list := func(ss []string) {
		buf = binary.AppendUvarint(buf, uint64(len(ss)))
		for _, s := range ss {
			str(s)
		}
	}
	list(p.terms)
	str(p.category)
	list(p.brands)
	list(p.platforms)
	buf = binary.AppendVarint(buf, p.minPrice)
	buf = binary.AppendVarint(buf, p.maxPrice)
	buf = binary.AppendUvarint(buf, uint64(p.sort))
	if p.inStock {
		buf = append(buf, 1)
	}
	if p.minRating > 0 {
		buf = append(buf, 2, byte(p.minRating))
	}
	return buf
}
