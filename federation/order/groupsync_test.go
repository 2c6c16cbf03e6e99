package order

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
	g := newGroupSync(func() error {
		upTo := written.Load() // the flush covers what was written before it began
		mu.Lock()
		defer mu.Unlock()
		time.Sleep(time.Millisecond) // a disk's flush takes a while
		if upTo > covered.Load() {
			covered.Store(upTo)
		}
		return nil
	})
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
	g := newGroupSync(func() error {
		if flushes.Add(1) == 1 {
			<-gate
		}
		return nil
	})
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
		if n := g.waiting(); n != late {
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
	g := newGroupSync(func() error {
		switch flushes.Add(1) {
		case 1:
			<-gate
			return nil
		case 2:
			return boom
		}
		return nil
	})
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
		if n := g.waiting(); n != late {
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
