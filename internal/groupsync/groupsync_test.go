package groupsync

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestGroupSyncCoversEveryWrite has many writers each "commit" a write
// (a number drawn in order) and then Sync; every Sync must return only
// after a flush that started after that write.
func TestGroupSyncCoversEveryWrite(t *testing.T) {
	var written, covered atomic.Int64
	var mu sync.Mutex
	g := New(func() error {
		upTo := written.Load() // the flush covers what was written before it began
		mu.Lock()
		defer mu.Unlock()
		time.Sleep(time.Millisecond) // a disk's flush takes a while
		if upTo > covered.Load() {
			covered.Store(upTo)
		}
		return nil
	}, 0)
	const writers, rounds = 32, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				mine := written.Add(1)
				if err := g.Sync(); err != nil {
					errs <- err
					return
				}
				if c := covered.Load(); c < mine {
					errs <- fmt.Errorf("write %d acknowledged after a flush that covered only %d", mine, c)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if g.runs == 0 || g.runs > writers*rounds {
		t.Fatalf("%d flushes for %d writes", g.runs, writers*rounds)
	}
}

// TestGroupSyncBatches holds a first flush open while nine more callers
// arrive: they share one second flush, not nine.
func TestGroupSyncBatches(t *testing.T) {
	gate := make(chan struct{})
	var flushes atomic.Int64
	g := New(func() error {
		if flushes.Add(1) == 1 {
			<-gate
		}
		return nil
	}, 0)
	var wg sync.WaitGroup
	call := func() {
		defer wg.Done()
		if err := g.Sync(); err != nil {
			t.Error(err)
		}
	}
	wg.Add(1)
	go call()
	testwait.For(t, 10*time.Second, func() error {
		if flushes.Load() != 1 {
			return errors.New("the first flush has not started")
		}
		return nil
	})
	const late = 9
	for i := 0; i < late; i++ {
		wg.Add(1)
		go call()
	}
	testwait.For(t, 10*time.Second, func() error {
		if n := g.Waiting(); n != late {
			return fmt.Errorf("%d callers wait for the next flush, want %d", n, late)
		}
		return nil
	})
	close(gate)
	wg.Wait()
	if n := flushes.Load(); n != 2 {
		t.Fatalf("%d flushes for one running and %d waiting callers, want 2", n, late)
	}
}

// TestGroupSyncErrorReachesEveryWaiter fails the flush that a batch of
// callers waits on: each of them gets the error, and a later caller gets
// a fresh flush.
func TestGroupSyncErrorReachesEveryWaiter(t *testing.T) {
	gate := make(chan struct{})
	boom := errors.New("disk on fire")
	var flushes atomic.Int64
	g := New(func() error {
		switch flushes.Add(1) {
		case 1:
			<-gate
			return nil
		case 2:
			return boom
		}
		return nil
	}, 0)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := g.Sync(); err != nil {
			t.Errorf("first flush: %v", err)
		}
	}()
	testwait.For(t, 10*time.Second, func() error {
		if flushes.Load() != 1 {
			return errors.New("the first flush has not started")
		}
		return nil
	})
	const late = 5
	got := make(chan error, late)
	for i := 0; i < late; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got <- g.Sync()
		}()
	}
	testwait.For(t, 10*time.Second, func() error {
		if n := g.Waiting(); n != late {
			return fmt.Errorf("%d callers wait, want %d", n, late)
		}
		return nil
	})
	close(gate)
	wg.Wait()
	close(got)
	for err := range got {
		if !errors.Is(err, boom) {
			t.Errorf("a waiter of the failed flush got %v", err)
		}
	}
	if err := g.Sync(); err != nil {
		t.Fatalf("a flush after the failed one: %v", err)
	}
}

// TestGroupSyncWaitsForBegunCommits has two callers begin a commit each;
// the first to end leads, and waits for the other instead of flushing
// alone: one flush covers both. The delay is an hour, so only the other's
// end can let the leader go.
func TestGroupSyncWaitsForBegunCommits(t *testing.T) {
	var flushes atomic.Int64
	g := New(func() error { flushes.Add(1); return nil }, time.Hour)
	g.Begin()
	g.Begin()
	first := make(chan error, 1)
	go func() { first <- g.End(true) }()
	testwait.For(t, 10*time.Second, func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		if !g.waiting {
			return errors.New("the leader does not wait for the begun commit")
		}
		return nil
	})
	if err := g.End(true); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := flushes.Load(); n != 1 {
		t.Fatalf("%d flushes for two begun commits, want 1", n)
	}
}

// TestGroupSyncLoneCommitFlushesAtOnce begins and ends a single commit
// with an hour's delay: nobody is under way, so nothing is waited for.
func TestGroupSyncLoneCommitFlushesAtOnce(t *testing.T) {
	g := New(func() error { return nil }, time.Hour)
	done := make(chan error, 1)
	go func() {
		g.Begin()
		done <- g.End(true)
	}()
	returns(t, done, "a lone commit waited for company")
}

// TestGroupSyncDelayBoundsTheWait leaves a begun commit that never ends
// (a caller stuck behind a lock): the leader flushes after the delay
// anyway, and a commit that fails ends without a flush.
func TestGroupSyncDelayBoundsTheWait(t *testing.T) {
	var flushes atomic.Int64
	g := New(func() error { flushes.Add(1); return nil }, 5*time.Millisecond)
	g.Begin()
	g.Begin()
	done := make(chan error, 1)
	go func() { done <- g.End(true) }()
	returns(t, done, "the leader waited past its delay for a commit that never ended")
	if err := g.End(false); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	b := g.begun
	g.mu.Unlock()
	if n := flushes.Load(); n != 1 || b != 0 {
		t.Fatalf("%d flushes and %d commits begun after one synced and one failed, want 1 and 0", n, b)
	}
}

// returns fails t with hung unless done delivers, without an error,
// within ten seconds: a guard against hanging for the hour a test's
// delay is, not a timing.
func returns(t *testing.T, done <-chan error, hung string) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal(hung)
	}
}

// TestGroupSyncMarkIsDurableAfterALaterFlush takes a mark while a flush
// runs: that flush may have begun before the write the mark stands for,
// so only the next one makes it durable, and only if it succeeds. Once a
// flush has failed, no mark is durable again.
func TestGroupSyncMarkIsDurableAfterALaterFlush(t *testing.T) {
	gate := make(chan struct{})
	boom := errors.New("disk on fire")
	var flushes atomic.Int64
	g := New(func() error {
		switch flushes.Add(1) {
		case 1:
			<-gate
		case 3:
			return boom
		}
		return nil
	}, 0)
	if g.Durable(g.Mark()) {
		t.Fatal("a mark is durable before any flush")
	}
	done := make(chan error)
	go func() { done <- g.Sync() }()
	testwait.For(t, 10*time.Second, func() error {
		if flushes.Load() != 1 {
			return errors.New("the first flush has not started")
		}
		return nil
	})
	mark := g.Mark() // taken while the first flush runs
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if g.Durable(mark) {
		t.Fatal("a mark taken during a flush is durable once that flush ends")
	}
	if err := g.Sync(); err != nil {
		t.Fatal(err)
	}
	if !g.Durable(mark) {
		t.Fatal("a mark is not durable after a later flush succeeded")
	}
	later := g.Mark()
	if g.Durable(later) {
		t.Fatal("a mark taken after every flush is durable")
	}
	if err := g.Sync(); !errors.Is(err, boom) {
		t.Fatalf("the third flush: %v, want %v", err, boom)
	}
	if g.Durable(later) {
		t.Fatal("a mark is durable after a flush that failed")
	}
	if err := g.Sync(); err != nil {
		t.Fatal(err)
	}
	if g.Durable(later) || g.Durable(mark) {
		t.Fatal("a mark is durable after a flush has failed, though a later one succeeded")
	}
}
