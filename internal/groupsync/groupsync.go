// Package groupsync makes committed writes to a database durable in
// groups (group commit).
package groupsync

import (
	"sync"
	"time"
)

// Group makes committed writes durable in groups: concurrent callers
// that have each committed a write share one flush to disk instead of
// queueing one fsync each. A caller joins the batch of the next flush that
// starts after its call (never one already running, which may have begun
// before its write), and returns once that flush has ended, with its
// error: every caller of a batch gets the same error.
//
// A node has one Group for its database, shared by every writer that
// acknowledges only what is on disk: order commits and merchants' feeds
// join the same flushes (a flush writes back everything committed before
// it began, whoever committed it).
//
// There is no goroutine of its own: the first caller to find no flush
// running leads the batch it joined (it runs the flush and wakes the
// batch); callers that arrive meanwhile wait and form the next batch, and
// one of them leads it when the running flush ends. A caller thus runs at
// most one flush.
//
// A flush costs CPU as well as time: Badger's Sync msyncs two mapped
// logs, and each page it cleans faults again on the next write. In a
// checkout storm on two cores most batches held a single caller (the
// commits arrive spread out, not during a flush), so the cores spent as
// much on flushing as on the orders. A caller that will sync a commit
// therefore says so before it starts it (Begin, then End): a leader
// that finds such commits under way waits for them to join, at most
// delay, and flushes them all at once. This is PostgreSQL's commit_delay,
// counting the commits that will sync instead of commit_siblings' open
// transactions; a lone commit has nobody to wait for and is flushed at
// once.
type Group struct {
	flush func() error
	delay time.Duration // the longest a leader waits for begun commits

	mu      sync.Mutex // guards every field below; cond and joined wait on it
	cond    *sync.Cond // a batch ended
	joined  *sync.Cond // a begun commit ended, or a leader's wait did
	busy    bool       // a flush is running, or its leader waits for company
	next    *batch     // the callers the next flush covers; nil when none
	begun   int        // commits begun and not yet ended
	waiting bool       // a leader waits on joined
	runs    uint64     // flushes run
	covered uint64     // callers the flushes run covered
	started uint64     // flushes begun; the number of the newest
	flushed uint64     // the number of the newest flush that succeeded
	failed  bool       // a flush has failed
}

// batch is the callers one flush covers.
type batch struct {
	callers int
	ended   bool
	err     error
}

// New returns a Group whose flushes call flush, and whose leaders wait
// at most delay for begun commits (see Begin).
func New(flush func() error, delay time.Duration) *Group {
	g := &Group{flush: flush, delay: delay}
	g.cond = sync.NewCond(&g.mu)
	g.joined = sync.NewCond(&g.mu)
	return g
}

// Begin announces a commit that its caller means to sync: until the
// caller calls End, a leader about to flush waits for it (at most
// delay). Every Begin needs exactly one End.
func (g *Group) Begin() {
	g.mu.Lock()
	g.begun++
	g.mu.Unlock()
}

// End takes back a Begin. With sync, the caller's commit has been made
// and it joins the next flush at once (without letting go of the lock in
// between, so that a waiting leader cannot flush without it) and returns
// as Sync does; without, there is nothing to sync (the commit failed, or
// what it answers is durable already).
func (g *Group) End(sync bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.begun--
	if g.waiting && g.begun == 0 {
		g.joined.Signal()
	}
	if !sync {
		return nil
	}
	return g.syncLocked()
}

// Sync returns once a flush that started after the call has ended, with
// that flush's error.
func (g *Group) Sync() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.syncLocked()
}

func (g *Group) syncLocked() error {
	if g.next == nil {
		g.next = &batch{}
	}
	b := g.next
	b.callers++
	for !b.ended {
		if g.busy {
			g.cond.Wait()
			continue
		}
		// Lead: the flush covers every caller of b, all of whose writes
		// were committed before they joined. b stays the next batch
		// while the leader waits for company, and busy keeps the callers
		// who join it meanwhile from leading it.
		g.busy = true
		g.awaitBegun()
		g.next = nil
		g.covered += uint64(b.callers)
		g.started++
		n := g.started
		g.mu.Unlock()
		err := g.flush()
		g.mu.Lock()
		g.busy, g.runs = false, g.runs+1
		if err == nil {
			g.flushed = n
		} else {
			g.failed = true
		}
		b.ended, b.err = true, err
		g.cond.Broadcast()
	}
	return b.err
}

// awaitBegun waits, with g.mu held, until no begun commit is under way
// or delay has passed.
func (g *Group) awaitBegun() {
	if g.begun == 0 || g.delay <= 0 {
		return
	}
	over := false
	t := time.AfterFunc(g.delay, func() {
		g.mu.Lock()
		over = true
		g.joined.Signal()
		g.mu.Unlock()
	})
	g.waiting = true
	for g.begun > 0 && !over {
		g.joined.Wait()
	}
	g.waiting = false
	t.Stop()
}

// Mark returns a mark of the flushes begun so far, for Durable: a write
// committed before the call is durable once a flush begun after it has
// succeeded.
func (g *Group) Mark() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.started
}

// Durable reports whether a flush begun after mark was taken (see Mark)
// has succeeded: whether what was committed before it is on disk, with
// no flush of its own. Once a flush has failed it never does: after a
// failed fsync the kernel may have dropped the dirty pages it did not
// write, and a later fsync that succeeds does not bring them back, so a
// caller flushes for itself and gets that flush's error.
func (g *Group) Durable(mark uint64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.failed && g.flushed > mark
}

// Counts returns the flushes run so far and the callers they covered.
func (g *Group) Counts() (flushes, callers uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.runs, g.covered
}

// Waiting is how many callers wait for the next flush (not the running
// one).
func (g *Group) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.next == nil {
		return 0
	}
	return g.next.callers
}
