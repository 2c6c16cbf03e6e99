package search

import (
	"container/list"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// A search for a term needs the documents holding it in any field: the
// union of its postings in the four fields. Every search of a word merged
// it anew, and for frequent words that was about a quarter of a computed
// search's CPU at a million listings (where "steel" is in 826,000
// documents; fedmart bench scale, BENCHMARKS.md). The index now
// keeps the unions of the frequent terms searched most recently. Unlike
// the result cache, which a change to any listing empties, an entry is
// kept exact as documents come and go (Index.index and unindex add and
// remove them), so a member taking a hundred changes a second keeps it.

const (
	// unionBudget bounds the bytes the unions hold, least recently
	// searched first out: the union of a word in most of a million
	// listings is about 128 KiB, so the budget holds over a hundred.
	unionBudget = 16 << 20
	// unionMin is the fewest documents a term must be in for its union
	// to be kept; smaller ones cost little to merge.
	unionMin = 4096
)

// unionCache holds the any-field documents of frequent terms, by term id.
// Its zero value is an empty cache.
type unionCache struct {
	mu      sync.Mutex
	used    uint64
	entries map[uint32]*list.Element // of *union
	lru     list.List                // most recently searched first
}

type union struct {
	term uint32
	docs *roaring.Bitmap
	size uint64 // bytes when it was kept; it drifts as documents come and go
}

// matches returns the documents holding term id, t, in any field. The
// result may be shared: callers must not modify it. The caller holds
// the index's lock, for reading at least.
// A term kept and since grown rare is merged again; its entry, no longer
// searched, ages out.
func (c *unionCache) matches(id uint32, t *term) *roaring.Bitmap {
	if t.df < unionMin || t.level0() < 2 {
		return t.matches() // rare, or one of the term's own bitmaps: no lock
	}
	c.mu.Lock()
	if e, ok := c.entries[id]; ok {
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*union).docs
	}
	c.mu.Unlock()
	docs := t.matches()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok { // another search kept it meanwhile
		return e.Value.(*union).docs
	}
	if c.entries == nil {
		c.entries = make(map[uint32]*list.Element)
	}
	u := &union{term: id, docs: docs, size: docs.GetSizeInBytes()}
	c.entries[id] = c.lru.PushFront(u)
	c.used += u.size
	for c.used > unionBudget && c.lru.Len() > 1 {
		old := c.lru.Remove(c.lru.Back()).(*union)
		delete(c.entries, old.term)
		c.used -= old.size
	}
	return docs
}

// add records that doc now holds term id. The caller holds the index's
// write lock, which keeps out every search and so every change to the
// entries: c.mu is not needed, and an upsert pays a map lookup per term.
func (c *unionCache) add(id, doc uint32) {
	if e, ok := c.entries[id]; ok {
		e.Value.(*union).docs.Add(doc)
	}
}

// remove records that doc no longer holds term id in any field. The
// caller holds the index's write lock (see add).
func (c *unionCache) remove(id, doc uint32) {
	if e, ok := c.entries[id]; ok {
		e.Value.(*union).docs.Remove(doc)
	}
}

// clear drops every union.
func (c *unionCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries, c.used = nil, 0
	c.lru.Init()
}

// level0 is how many fields the term is in.
func (t *term) level0() int {
	n := 0
	for _, p := range t.lists {
		if p.level == 0 {
			n++
		}
	}
	return n
}
