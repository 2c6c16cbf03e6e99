package catalog

import (
	"errors"
	"sync"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
)

// Merchants editing at once: small feeds share the writer's transaction.
//
// A one-listing feed holds the writer lock for a few hundred
// microseconds, most of it the same for one listing as for sixty: the
// origin's mark read and written, the counters, Badger's commit (a round
// trip to its writer goroutine). With eight merchants sending such feeds
// at once the lock was busy four fifths of the time, which bounded the
// node's rate (BENCHMARKS.md, "A feed's sync beside a log of its own").
//
// So a small feed (one chunk of at most smallFeedItems listings) joins a
// queue before it waits for the lock, and whichever small feed takes the
// lock first writes every feed queued by then, one per merchant, up to
// smallBatchItems listings and the size of a chunk (see chunks), in one
// transaction (flat combining). Only one queued feed at a time, the
// leader, waits for the lock; the others wait to be written, or to be
// handed the lead when the leader is done, so that a feed another wrote
// returns without a turn of the lock of its own. Each feed is still
// decided on its own and counts its own outcomes. Feeds of one merchant
// never share a transaction: the second must read what the first wrote
// (a new SKU, a listing it already changed). Should the shared
// transaction fail, each of its feeds is written again alone, so that
// one feed's error (a quota reached, a record too large) stays its own.

const (
	// smallFeedItems is the most listings a feed may have to share a
	// transaction with others.
	smallFeedItems = 16
	// smallBatchItems is the most listings one shared transaction writes.
	smallBatchItems = 64
)

// smallFeed is one small feed waiting for the writer lock.
type smallFeed struct {
	merchant string
	chunk    []*batchItem
	lead     chan struct{} // the feed is handed the lead
	done     chan struct{} // closed once the feed is written
	// Set under wmu by the feed that wrote it, before done is closed.
	written   bool
	err       error
	delivered []<-chan struct{} // its changes reaching the handlers
}

// smallFeeds is the queue of small feeds, and what became of them.
type smallFeeds struct {
	mu      sync.Mutex
	waiting []*smallFeed
	leading bool          // a queued feed leads: it waits for wmu, or holds it
	feeds   atomic.Uint64 // small feeds written
	writes  atomic.Uint64 // turns of the writer lock that wrote them
	// afterWrite, when set (tests), runs after a leader's turn, still
	// under wmu.
	afterWrite func()
}

// upsertSmall is upsertChunk for chunk, the whole of a small feed of
// merchant (touched is empty): it shares the transaction with the small
// feeds of other merchants queued at the same time.
func (c *Catalog) upsertSmall(merchant string, chunk []*batchItem, _ map[string]int, delivered *[]<-chan struct{}) error {
	f := &smallFeed{merchant: merchant, chunk: chunk, lead: make(chan struct{}, 1), done: make(chan struct{})}
	if c.small.join(f) {
		c.leadSmall(f)
	} else {
		select {
		case <-f.done: // a leader wrote it
		case <-f.lead:
			c.leadSmall(f)
		}
	}
	*delivered = append(*delivered, f.delivered...)
	return f.err
}

// join queues f and reports whether it leads: no other feed did.
func (q *smallFeeds) join(f *smallFeed) (lead bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.waiting = append(q.waiting, f)
	lead, q.leading = !q.leading, true
	return lead
}

// leadSmall takes the writer lock for f, the leader, which is still
// queued, writes it with the feeds queued beside it, and hands the lead
// to the first feed still queued. Should writing panic, the feeds taken
// and not written learn so (errSmallWriter) before the panic goes on.
func (c *Catalog) leadSmall(f *smallFeed) {
	defer c.small.handOff()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	batch := c.small.take(f, c.db.MaxBatchSize()/2, c.db.MaxBatchCount()/2)
	defer func() {
		for _, g := range batch {
			if !g.written {
				resetOutcomes(g.chunk) // what the failed turn decided for it
				g.err = errSmallWriter
				g.markWritten()
			}
		}
	}()
	c.writeSmall(batch)
	if c.small.afterWrite != nil {
		c.small.afterWrite()
	}
}

// errSmallWriter is what a small feed returns when the feed that took
// it to write panicked before it was written. Sending it again is safe:
// a listing already as the feed has it is left unchanged.
var errSmallWriter = errors.New("catalog: the feed writing this one with others failed before this one was written; send it again")

// handOff passes the lead to the first feed still queued, or lets it go.
func (q *smallFeeds) handOff() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) == 0 {
		q.leading = false
		return
	}
	q.waiting[0].lead <- struct{}{}
}

// markWritten records, under wmu, that f's outcome is set.
func (f *smallFeed) markWritten() {
	f.written = true
	close(f.done)
}

// take removes from the queue f, then every other queued feed of a
// merchant not yet taken, in the order they queued, while they fit in
// one transaction (maxBytes and maxEntries, as a chunk). Called by the
// leader under wmu: a feed leaves the queue only to be written.
func (q *smallFeeds) take(f *smallFeed, maxBytes, maxEntries int64) []*smallFeed {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := []*smallFeed{f}
	merchants := map[string]bool{f.merchant: true}
	items := len(f.chunk)
	bytes, entries := f.cost()
	rest := q.waiting[:0]
	for _, g := range q.waiting {
		if g == f {
			continue
		}
		b, n := g.cost()
		if merchants[g.merchant] || items+len(g.chunk) > smallBatchItems || bytes+b > maxBytes || entries+n > maxEntries {
			rest = append(rest, g)
			continue
		}
		batch = append(batch, g)
		merchants[g.merchant] = true
		items, bytes, entries = items+len(g.chunk), bytes+b, entries+n
	}
	clear(q.waiting[len(rest):])
	q.waiting = rest
	return batch
}

// cost is what f's listings are reckoned to add to a transaction.
func (f *smallFeed) cost() (bytes, entries int64) {
	for _, it := range f.chunk {
		b, n := it.cost()
		bytes, entries = bytes+b, entries+n
	}
	return bytes, entries
}

// writeSmall writes batch, in one transaction when it can, under wmu,
// and marks each feed written as it is.
func (c *Catalog) writeSmall(batch []*smallFeed) {
	if len(batch) > 1 {
		t, changes, err := c.writeHeld(func(txn *badger.Txn, s *sealer) ([]*draft, error) {
			var drafts []*draft
			for _, f := range batch {
				ds, err := c.decideChunk(txn, s, f.merchant, f.chunk, nil, make(map[string]int))
				if err != nil {
					return nil, err
				}
				drafts = append(drafts, ds...)
			}
			return drafts, nil
		}, false) // each feed's changes announced, as each alone would have been
		if err == nil {
			var done []<-chan struct{}
			if t != 0 {
				done = append(done, c.deliverLater(t, changes))
			}
			for _, f := range batch {
				f.delivered = done
				f.markWritten()
			}
			c.small.feeds.Add(uint64(len(batch)))
			c.small.writes.Add(1)
			return
		}
		for _, f := range batch {
			resetOutcomes(f.chunk)
		}
	}
	for _, f := range batch {
		f.err = c.upsertChunkHeld(f.merchant, f.chunk, make(map[string]int), &f.delivered)
		f.markWritten()
		c.small.feeds.Add(1)
		c.small.writes.Add(1)
	}
}

// SmallFeeds returns how many small feeds (one chunk of at most sixteen
// listings) the catalog has written since Open, and in how many turns of
// its writer lock: merchants editing at once share one transaction.
func (c *Catalog) SmallFeeds() (feeds, writes uint64) {
	return c.small.feeds.Load(), c.small.writes.Load()
}
