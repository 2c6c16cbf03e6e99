package order

import "sync"

// groupSync makes committed writes durable in groups: concurrent callers
// that have each committed a write share one flush to disk instead of
// queueing one fsync each. A caller joins the batch of the next flush that
// starts after its call (never one already running, which may have begun
// before its write), and returns once that flush has ended, with its
// error: every caller of a batch gets the same error.
//
// There is no goroutine of its own: the first caller to find no flush
// running leads the batch it joined (it runs the flush and wakes the
// batch); callers that arrive meanwhile wait and form the next batch, and
// one of them leads it when the running flush ends. A caller thus runs at
// most one flush, and under a storm of N concurrent commits the disk sees
// about two flushes per flush time instead of N.
type groupSync struct {
	flush func() error

	mu   sync.Mutex // guards busy and next; cond waits on it
	cond *sync.Cond
	busy bool       // a flush is running
	next *syncBatch // the callers the next flush covers; nil when none
	runs uint64     // flushes run, for tests
}

// syncBatch is the callers one flush covers.
type syncBatch struct {
	callers int
	ended   bool
	err     error
}

func newGroupSync(flush func() error) *groupSync {
	g := &groupSync{flush: flush}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// Sync returns once a flush that started after the call has ended, with
// that flush's error.
func (g *groupSync) Sync() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.next == nil {
		g.next = &syncBatch{}
	}
	b := g.next
	b.callers++
	for !b.ended {
		if g.busy {
			g.cond.Wait()
			continue
		}
		// Lead: the flush covers every caller of b, all of whose writes
		// were committed before they joined.
		g.busy, g.next = true, nil
		g.mu.Unlock()
		err := g.flush()
		g.mu.Lock()
		g.busy, g.runs = false, g.runs+1
		b.ended, b.err = true, err
		g.cond.Broadcast()
	}
	return b.err
}

// waiting is how many callers wait for the next flush (not the running
// one), for tests.
func (g *groupSync) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.next == nil {
		return 0
	}
	return g.next.callers
}
