package catalog

import (
	"sync"
	"sync/atomic"
	"time"
)

// Change tells a handler that a record was stored: created by one of this
// node's merchants, or applied from another node.
type Change struct {
	// ID is the listing's global id.
	ID string
	// Record is the record's body.
	Record *Record
	// Raw is the record's signed bytes, to publish as they are.
	Raw []byte
	// Listing is the listing as it now reads, stock filled in; nil when it
	// was taken down, or when only its stock is known so far.
	Listing *Listing
	// Quiet marks a record of a bulk commit other than its last (see
	// bulkSignal): a publisher skips it, and peers fetch it by catch-up,
	// which the commit's last record, published, sets off by the gap it
	// reveals.
	Quiet bool
	// Away marks a listing this node held that moved to a category it
	// does not hold (shard.go): like a takedown to every reader here, but
	// Raw is nil (the record is not stored) and the listing may come back.
	Away bool

	// rating is what a review record changes in the ratings.
	rating ratingDelta
}

// OnChange registers fn to be called after every commit that stores a
// record, once per record, in seq order per origin. Handlers see the
// commits one at a time, in the order they were made, but not
// necessarily under the catalog's write lock: the next write may be under
// way meanwhile, and the write that made a change returns only once its
// handlers have run. fn must not modify the change and must not call the
// catalog's write methods (a write waiting for its turn would wait for
// fn). Reads are allowed, and may already see later commits.
func (c *Catalog) OnChange(fn func(Change)) {
	c.hmu.Lock()
	defer c.hmu.Unlock()
	c.handlers = append(c.handlers, fn)
}

// OnChanges registers fn to be called after every commit that stores
// records, once per commit with all its changes in seq order per origin,
// before the OnChange handlers see them one by one. A bulk import or a
// catch-up commits hundreds of records at once, which a handler can
// then treat together (the search index analyses them on every core).
// The rules of OnChange hold, and fn must not keep the slice.
func (c *Catalog) OnChanges(fn func([]Change)) {
	c.hmu.Lock()
	defer c.hmu.Unlock()
	c.batchHandlers = append(c.batchHandlers, fn)
}

// notify calls the handlers for changes that have been committed, in
// their turn. Callers that hold wmu take the turn and deliver at once.
func (c *Catalog) notify(changes []Change) {
	c.deliver(c.turns.take(changes), changes)
}

// deliver calls the handlers for changes once every commit that took a
// turn before t has been delivered, then passes the turn on. Writers take
// a turn under wmu, in commit order, and may deliver after letting go of
// it: the handlers (the search index above all) then run beside the next
// write's decisions, signatures and commit.
func (c *Catalog) deliver(t uint64, changes []Change) {
	if t == 0 {
		return
	}
	c.turns.await(t)
	defer c.turns.pass(t)
	c.hmu.RLock()
	defer c.hmu.RUnlock()
	for _, fn := range c.batchHandlers {
		fn(changes)
	}
	for _, ch := range changes {
		for _, fn := range c.handlers {
			fn(ch)
		}
	}
}

// deliverLater delivers in the background; the channel closes once the
// handlers have run.
func (c *Catalog) deliverLater(t uint64, changes []Change) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.deliver(t, changes)
	}()
	return done
}

// turns orders the delivery of commits to the handlers: a commit takes
// the next turn while its writer holds wmu, and is delivered once every
// earlier turn has been. A writer that holds wmu while it waits for its
// turn cannot deadlock, since delivering never takes wmu.
type turns struct {
	mu        sync.Mutex
	cond      *sync.Cond
	taken     uint64 // the last turn taken
	delivered uint64 // the last turn delivered
}

// take returns the next turn for changes, or 0 when there is nothing to
// deliver (0 needs no delivery).
func (q *turns) take(changes []Change) uint64 {
	if len(changes) == 0 {
		return 0
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.taken++
	return q.taken
}

// await waits until every turn before t has been delivered.
func (q *turns) await(t uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.cond == nil {
		q.cond = sync.NewCond(&q.mu)
	}
	for q.delivered != t-1 {
		q.cond.Wait()
	}
}

// pass marks t delivered and wakes the writer of the next turn.
func (q *turns) pass(t uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.delivered = t
	if q.cond != nil {
		q.cond.Broadcast()
	}
}

// RatedListing is the listing whose rating the change changed, "" when
// it changed none.
func (ch Change) RatedListing() string {
	if ch.rating.old == ch.rating.new {
		return ""
	}
	return ch.rating.listing
}

// writerLock is the catalog's writer lock (Catalog.wmu), which also
// counts how long it has been held: every local write, stock change and
// stored record waits for it, so its share of the time says how much a
// feed or a catch-up holds up the rest.
type writerLock struct {
	mu    sync.Mutex
	since time.Time    // when the holder took it
	held  atomic.Int64 // nanoseconds held, by holders that let it go
}

func (w *writerLock) Lock() {
	w.mu.Lock()
	w.since = time.Now()
}

func (w *writerLock) Unlock() {
	w.held.Add(int64(time.Since(w.since)))
	w.mu.Unlock()
}

// WriterHeld returns how long the catalog's writer lock has been held
// since Open, by writes that have let it go.
func (c *Catalog) WriterHeld() time.Duration { return time.Duration(c.wmu.held.Load()) }
