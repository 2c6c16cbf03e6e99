package webhook

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// lane is the sender of one hook. It owns the hook's queue (pending keys
// under "w/p/<hook>/", ordered by next attempt) and makes one attempt at a
// time, earliest due first, so a slow or dead receiver holds up only its
// own deliveries, and those no longer than Options.Timeout per attempt.
type lane struct {
	d    *Dispatcher
	hook Config
	key  string
	wake chan struct{} // capacity 1: a pending wake-up
}

// notify wakes the lane without blocking.
func (l *lane) notify() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// run sends due deliveries, then sleeps until the next is due, Notify, or
// Options.Poll, until ctx ends.
func (l *lane) run(ctx context.Context) error {
	for {
		wait, err := l.drain(ctx)
		if err != nil || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-l.wake:
			t.Stop()
		}
	}
}

// drain attempts every due delivery and returns how long to sleep.
func (l *lane) drain(ctx context.Context) (time.Duration, error) {
	for ctx.Err() == nil {
		r, wait, err := l.next()
		if err != nil || r == nil {
			return wait, err
		}
		if err := l.attempt(ctx, r); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// next returns the earliest delivery of the queue if it is due; otherwise
// nil and how long until it is (at most Options.Poll). It drops queue keys
// whose record is gone or finished, which only a bug or damage leaves.
func (l *lane) next() (*record, time.Duration, error) {
	for {
		r, stale, wait, err := l.peek()
		if err != nil || stale == nil {
			return r, wait, err
		}
		l.d.log.Warn("webhook queue key without a pending delivery dropped", "key", string(stale))
		if err := l.d.db.Update(func(txn *badger.Txn) error { return txn.Delete(stale) }); err != nil {
			return nil, 0, err
		}
	}
}

// peek reads the head of the queue: its record when due, or the wait
// until it is due, or its key when it is stale.
func (l *lane) peek() (r *record, stale []byte, wait time.Duration, err error) {
	wait = l.d.opts.Poll
	prefix := []byte(prefixPending + l.key + "/")
	err = l.d.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		if it.Rewind(); !it.Valid() {
			return nil
		}
		key := it.Item().KeyCopy(nil)
		due, err := pendingTime(key[len(prefix):])
		if err != nil {
			stale = key
			return nil
		}
		if until := due.Sub(l.d.now()); until > 0 {
			wait = min(wait, until)
			return nil
		}
		logID, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		if r, err = loadRecord(txn, logID); err == nil && (r == nil || r.Status != StatusPending) {
			r, stale = nil, key
		}
		return err
	})
	return r, stale, wait, err
}

// pendingTime parses the next-attempt time at the start of rest, a queue
// key after its hook prefix ("<16 hex>/<id>").
func pendingTime(rest []byte) (time.Time, error) {
	if len(rest) < 17 || rest[16] != '/' {
		return time.Time{}, errors.New("malformed queue key")
	}
	ns, err := strconv.ParseUint(string(rest[:16]), 16, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, int64(ns)), nil
}

// attempt POSTs r once and stores the outcome. An attempt cut short by the
// end of ctx is not counted: r stays due and is sent again after a restart.
func (l *lane) attempt(ctx context.Context, r *record) error {
	start := l.d.now()
	res := l.post(ctx, r, start)
	if ctx.Err() != nil {
		return nil
	}
	return l.d.settle(r, start, res)
}
