package order

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// stamps is the clock of the statuses this node states as a home node.
// Settlement places each entry by the time its status states, so two
// members can agree on a period only once neither can still produce or
// deliver a status stamped in it. The floor makes the first half hold:
// once a watermark is declared, no status is ever stamped before it, even
// when the clock steps back. The outbox makes the second half visible:
// every status a storefront's order holds waits there until acknowledged.
type stamps struct {
	// mu is read-held by a status commit from its stamp to its commit, and
	// write-held while the floor is raised, so that a watermark never
	// passes a status that is stamped but not yet in the outbox.
	mu    sync.RWMutex
	floor atomic.Int64 // Unix ns; statuses are stamped no earlier
}

// hold keeps watermarks back until the returned func is called.
func (t *stamps) hold() func() {
	t.mu.RLock()
	return t.mu.RUnlock
}

// at is the stamp of a status made at now: never before the floor.
func (t *stamps) at(now time.Time) time.Time {
	if f := t.floor.Load(); now.UnixNano() < f {
		return time.Unix(0, f).UTC()
	}
	return now.UTC()
}

// loadFloor reads the floor a previous run declared.
func (s *Service) loadFloor() error {
	return s.db.View(func(txn *badger.Txn) error {
		raw, err := getRaw(txn, keyFloor)
		if err != nil || raw == nil {
			return err
		}
		f, err := strconv.ParseInt(string(raw), 10, 64)
		if err == nil {
			s.stamps.floor.Store(f)
		}
		return err
	})
}

// Watermark is how far member peer's view of this node's statuses is
// complete: every status this node stamped before the returned time, for
// a part sold on peer's storefront, has been acknowledged by peer, and no
// status will be stamped before it again. The floor is raised to now, and
// synced, before the outbox is read.
func (s *Service) Watermark(ctx context.Context, peer string) (time.Time, error) {
	now, err := s.raiseFloor()
	if err != nil {
		return time.Time{}, err
	}
	oldest, err := s.out.oldestStatus(ctx, peer)
	if err != nil {
		return time.Time{}, err
	}
	if !oldest.IsZero() && oldest.Before(now) {
		return oldest, nil
	}
	return now, nil
}

func (s *Service) raiseFloor() (time.Time, error) {
	s.stamps.mu.Lock()
	defer s.stamps.mu.Unlock()
	now := s.stamps.at(s.now())
	err := s.update(func(txn *badger.Txn) error {
		return txn.Set([]byte(keyFloor), []byte(strconv.FormatInt(now.UnixNano(), 10)))
	})
	if err != nil {
		return time.Time{}, err
	}
	s.stamps.floor.Store(now.UnixNano())
	return now, nil
}
