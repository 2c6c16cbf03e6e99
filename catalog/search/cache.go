package search

import (
	"container/list"
	"maps"
	"slices"
	"strconv"
	"sync"
)

// DefaultCacheEntries is how many results an index keeps for queries
// asked again; see SetResultCache.
const DefaultCacheEntries = 256

// resultCache keeps the results of the most recently asked queries, each
// under the index generation it was computed at: any Upsert, Delete or
// rating change moves the generation on, and a result of an older
// generation is never returned. The generation is read under the index's
// read lock, so a result cannot be stored under a generation it was not
// computed at.
type resultCache struct {
	mu      sync.Mutex
	max     int
	gen     uint64                   // generation of every entry
	entries map[string]*list.Element // of *cachedResult
	lru     list.List                // most recently used first
}

type cachedResult struct {
	key string
	res Result
}

// get returns a copy of the result stored for key at generation gen.
func (c *resultCache) get(key string, gen uint64) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.entries == nil {
		return Result{}, false
	}
	e, ok := c.entries[key]
	if !ok {
		return Result{}, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cachedResult).res.clone(), true
}

// put stores res for key at generation gen, dropping every entry of an
// older generation and the least recently used beyond max. The caller
// must not modify res afterwards.
func (c *resultCache) put(key string, gen uint64, res Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max <= 0 || gen < c.gen {
		return
	}
	if gen > c.gen || c.entries == nil {
		c.gen, c.entries = gen, make(map[string]*list.Element)
		c.lru.Init()
	}
	if _, ok := c.entries[key]; ok {
		return // a concurrent search of the same query stored it
	}
	c.entries[key] = c.lru.PushFront(&cachedResult{key, res})
	for c.lru.Len() > c.max {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.entries, last.Value.(*cachedResult).key)
	}
}

// resize sets the most entries kept; 0 turns the cache off.
func (c *resultCache) resize(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max, c.entries = max(n, 0), nil
	c.lru.Init()
}

// clone copies what a caller may modify: the items and facet maps.
func (r Result) clone() Result {
	r.Items = slices.Clone(r.Items)
	r.Facets.Category = maps.Clone(r.Facets.Category)
	r.Facets.Brand = maps.Clone(r.Facets.Brand)
	r.Facets.Platform = maps.Clone(r.Facets.Platform)
	r.Facets.Price = slices.Clone(r.Facets.Price)
	return r
}

// SetResultCache sets how many query results the index keeps for queries
// asked again while it is unchanged (DefaultCacheEntries by default); 0
// turns the cache off.
func (ix *Index) SetResultCache(entries int) { ix.cache.resize(entries) }

// cacheKey identifies what a query returns: its plan, page size and
// cursor.
func (p *plan) cacheKey(cursorText string) string {
	b := p.canonical()
	b = strconv.AppendInt(b, int64(p.limit), 10)
	b = append(b, ' ')
	b = append(b, cursorText...)
	return string(b)
}
