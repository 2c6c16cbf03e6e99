package search

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// Index is the in-memory search index. Its methods are safe for concurrent
// use: searches share a read lock, Upsert and Delete take the write lock for
// work proportional to one document.
type Index struct {
	text    *analyzer // safe for concurrent use on its own
	scratch sync.Pool // of *scratch, per-query working memory
	cache   resultCache
	unions  unionCache // the any-field documents of frequent terms (union.go)

	// mu guards every field below. Search and Save hold it shared; Upsert,
	// Delete and Compact hold it exclusively.
	mu sync.RWMutex

	ids   docIDs    // document id to slot
	slots slotTable // a free slot has an empty id
	free  []uint32  // free slots, reused last-freed first

	// Columns by slot, apart from slots so that sorting and facet counting
	// read them sequentially.
	price      []int64
	band       []uint8 // price band, see priceBands
	updated    []int64 // Unix microseconds
	brandOf    []uint32
	platformOf []uint32
	categoryOf []uint32            // leaf node
	lens       [][numFields]uint16 // indexed terms per field, for BM25

	live    *roaring.Bitmap // occupied slots
	inStock *roaring.Bitmap

	// ratings are the documents' shoppers' ratings (rating.go).
	ratings ratingIndex

	vocab  map[string]uint32 // term text to term id
	terms  []term            // by term id
	lenSum [numFields]int64  // total field lengths of live documents, for BM25

	brands     facetDict
	platforms  facetDict
	categories categoryTree
	prices     priceIndex
	times      timeIndex
	merchants  dict
	currencies dict

	// noPruning makes relevance score every document of the result, as
	// before tier classes (prune.go); for measuring them. See SetPruning.
	noPruning bool
	// gen counts the changes to what searches find; see resultCache.
	gen uint64
	// unfiled counts the documents that took a slot since the index was
	// last filed by category (file.go).
	unfiled int
	// touched holds the ids of the documents updates change while a
	// Refile is under way; nil otherwise.
	touched map[string]struct{}

	// filingMu keeps one filing (Compact, Refile) at a time. It is taken
	// before mu, never while mu is held.
	filingMu sync.Mutex
}

// New returns an empty index.
func New() *Index {
	return &Index{
		text:       newAnalyzer(),
		ids:        newDocIDs(),
		slots:      newSlotTable(),
		live:       roaring.New(),
		inStock:    roaring.New(),
		vocab:      make(map[string]uint32),
		brands:     newFacetDict(),
		platforms:  newFacetDict(),
		categories: newCategoryTree(),
		prices:     newPriceIndex(),
		times:      newTimeIndex(),
		merchants:  newDict(),
		currencies: newDict(),
		cache:      resultCache{max: DefaultCacheEntries},
	}
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.ids.len()
}

// Upsert adds d, or replaces the document with the same ID: the old
// version's terms and values no longer match. A Doc without ID is ignored.
// Text analysis runs before the lock is taken; the locked part costs one
// bitmap update per term and value of the old and new versions.
func (ix *Index) Upsert(d Doc) {
	if d.ID == "" {
		return
	}
	d = normalize(d)
	tf, lens := ix.analyzeDoc(d)
	d.Description = snippet(d.Description) // after analysis: it matches whole
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.gen++
	ix.touch(d.ID)
	s, ok := ix.ids.get(d.ID, &ix.slots)
	if ok {
		ix.unindex(s)
	} else {
		s = ix.alloc(d.ID)
	}
	ix.index(s, d, ix.entries(tf), lens)
}

// Delete removes the document with the given id, if present.
func (ix *Index) Delete(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s, ok := ix.ids.get(id, &ix.slots)
	if !ok {
		return
	}
	ix.gen++
	ix.touch(id)
	ix.drop(id, s)
}

// drop removes document id, in slot s, and frees the slot. The caller
// holds mu.
func (ix *Index) drop(id string, s uint32) {
	ix.unindex(s)
	ix.ids.delete(id, &ix.slots)
	ix.slots.clear(s)
	ix.free = append(ix.free, s)
}

// analyzeDoc returns the frequency code of each term of d and the number of
// indexed terms in each field.
func (ix *Index) analyzeDoc(d Doc) (map[string]tfCode, [numFields]uint16) {
	texts := [numFields]string{d.Title, d.Brand, d.Category, d.Description}
	tf := make(map[string]tfCode)
	var lens [numFields]uint16
	for f, text := range texts {
		ix.text.analyze(text, func(t string) {
			tf[t] = tf[t].with(f)
			if lens[f] < math.MaxUint16 {
				lens[f]++
			}
		})
	}
	return tf, lens
}

// entries turns a document's term frequencies into its forward list,
// adding new terms to the vocabulary. The caller holds mu.
func (ix *Index) entries(tf map[string]tfCode) []entry {
	es := make([]entry, 0, len(tf))
	for text, code := range tf {
		id, ok := ix.vocab[text]
		if !ok {
			text = strings.Clone(text) // a CJK term is a substring of the document's text
			id = uint32(len(ix.terms))
			ix.vocab[text] = id
			ix.terms = append(ix.terms, term{text: text})
		}
		es = append(es, entry{id, code})
	}
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.term, b.term) })
	return es
}

// alloc returns a slot for a new document id, reusing a free one first.
// The caller holds mu.
func (ix *Index) alloc(id string) uint32 {
	var s uint32
	if n := len(ix.free); n > 0 {
		s, ix.free = ix.free[n-1], ix.free[:n-1]
	} else {
		s = ix.grow()
	}
	ix.ids.set(id, s, &ix.slots)
	ix.unfiled++
	return s
}

// grow adds an empty slot and returns it. The caller holds mu.
func (ix *Index) grow() uint32 {
	s := ix.slots.grow()
	ix.price = append(ix.price, 0)
	ix.band = append(ix.band, 0)
	ix.updated = append(ix.updated, 0)
	ix.brandOf = append(ix.brandOf, none)
	ix.platformOf = append(ix.platformOf, none)
	ix.categoryOf = append(ix.categoryOf, none)
	ix.lens = append(ix.lens, [numFields]uint16{})
	return s
}

// index stores d in slot s and adds it to every posting, facet and column.
// d is normalized and es is its sorted forward list. The caller holds mu.
func (ix *Index) index(s uint32, d Doc, es []entry, lens [numFields]uint16) {
	ix.store(s, d, encodeForward(es), lens)
	for _, e := range es {
		ix.terms[e.term].add(s, e.code)
		ix.unions.add(e.term, s)
	}
}

// store puts d in slot s, its columns, its facets and the length sums:
// everything but its term postings. The caller holds mu.
func (ix *Index) store(s uint32, d Doc, forward string, lens [numFields]uint16) {
	price := max(d.Price, 0)
	ix.slots.set(s, d, forward)
	sl := &ix.slots.rows[s]
	sl.merchant = ix.merchants.intern(d.Merchant)
	sl.currency = ix.currencies.intern(d.Currency)
	sl.inStock = d.InStock
	ix.price[s], ix.updated[s], ix.lens[s] = price, toMicros(d.Updated), lens
	ix.band[s] = uint8(bandOf(price))
	ix.brandOf[s] = ix.brands.add(d.Brand, s)
	ix.platformOf[s] = ix.platforms.add(d.Platform, s)
	ix.categoryOf[s] = ix.categories.add(d.Category, s)
	ix.prices.add(price, s)
	ix.times.add(ix.updated[s], s, ix.updated)
	ix.live.Add(s)
	if d.InStock {
		ix.inStock.Add(s)
	}
	ix.rate(s, d.ID)
	for f, n := range lens {
		ix.lenSum[f] += int64(n)
	}
}

// unindex removes slot s from every posting, facet and length sum, leaving
// the slot itself for the caller to overwrite or free. The caller holds mu.
func (ix *Index) unindex(s uint32) {
	// The forward list was encoded by this index; it always decodes.
	_ = decodeForward(ix.slots.forward(s), len(ix.terms), func(e entry) {
		ix.terms[e.term].remove(s, e.code)
		ix.unions.remove(e.term, s)
	})
	for f, n := range ix.lens[s] {
		ix.lenSum[f] -= int64(n)
	}
	ix.brands.remove(ix.brandOf[s], s)
	ix.platforms.remove(ix.platformOf[s], s)
	ix.categories.remove(ix.categoryOf[s], s)
	ix.prices.remove(ix.price[s], s)
	ix.times.remove(ix.updated[s], s)
	ix.live.Remove(s)
	ix.inStock.Remove(s)
	ix.unrate(s)
	ix.brandOf[s], ix.platformOf[s], ix.categoryOf[s] = none, none, none
}

// doc rebuilds the Doc of slot s, with its description cut to a snippet.
// Its strings are the index's own (see slotTable); result copies them.
// The caller holds mu.
func (ix *Index) doc(s uint32) Doc {
	sl := &ix.slots.rows[s]
	avg, n := ix.ratingOf(s)
	return Doc{
		ID:          ix.slots.id(s),
		Title:       ix.slots.title(s),
		Description: ix.slots.snippet(s),
		Brand:       ix.brands.name(ix.brandOf[s]),
		Category:    ix.categories.path(ix.categoryOf[s]),
		Platform:    ix.platforms.name(ix.platformOf[s]),
		Merchant:    ix.merchants.name(sl.merchant),
		Price:       ix.price[s],
		Currency:    ix.currencies.name(sl.currency),
		InStock:     sl.inStock,
		Image:       ix.slots.image(s),
		Updated:     fromMicros(ix.updated[s]),
		Rating:      avg,
		Reviews:     n,
	}
}

// result returns the Doc of slot s as a search returns it, with copies of
// the slot's strings: a result outlives the lock (see slotTable.shown).
// The caller holds mu.
func (ix *Index) result(s uint32) Doc {
	d := ix.doc(s)
	d.ID, d.Title, d.Description, d.Image = ix.slots.shown(s)
	return d
}
