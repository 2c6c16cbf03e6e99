package webhook

import (
	"context"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Page sizes of Deliveries.
const (
	defaultPage = 50
	maxPage     = 1000
)

// trimBatch caps the deliveries one trimming transaction deletes.
const trimBatch = 1000

// Deliveries returns the delivery log newest first (by creation), at most
// limit entries (50 when limit is not positive, 1000 at most), starting
// after cursor ("" for the newest). The returned cursor fetches the next
// page; it is "" after the last one.
func (d *Dispatcher) Deliveries(ctx context.Context, cursor string, limit int) ([]Delivery, string, error) {
	if cursor != "" && !validLogID(cursor) {
		return nil, "", fmt.Errorf("%w: delivery cursor %q", ErrInvalid, cursor)
	}
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	var out []Delivery
	next := ""
	err := d.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixLog), Reverse: true, PrefetchValues: true, PrefetchSize: min(limit, 100)})
		defer it.Close()
		for it.Seek(logSeekKey(cursor)); it.Valid() && ctx.Err() == nil; it.Next() {
			id := string(it.Item().Key()[len(prefixLog):])
			if id == cursor {
				continue
			}
			if len(out) == limit {
				next = out[len(out)-1].logID()
				break
			}
			r, err := decodeRecord(it.Item())
			if err != nil {
				return err
			}
			out = append(out, r.Delivery)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// logSeekKey is where a newest-first scan after cursor starts.
func logSeekKey(cursor string) []byte {
	if cursor == "" {
		return []byte(prefixLog + "\xff")
	}
	return []byte(prefixLog + cursor)
}

// countFinished counts the finished deliveries in the log.
func (d *Dispatcher) countFinished() (int, error) {
	n := 0
	err := d.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixFinished)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// trimLocked deletes the oldest finished deliveries beyond
// Options.KeepFinished. d.mu must be held.
func (d *Dispatcher) trimLocked() error {
	for d.finished > d.opts.KeepFinished {
		n, err := d.trimOldest(min(d.finished-d.opts.KeepFinished, trimBatch))
		if err != nil {
			return err
		}
		if n == 0 { // the index is empty: the count was off
			d.finished = 0
		}
		d.finished -= n
	}
	return nil
}

// trimOldest deletes up to n of the oldest finished deliveries and returns
// how many it deleted.
func (d *Dispatcher) trimOldest(n int) (int, error) {
	deleted := 0
	err := d.db.Update(func(txn *badger.Txn) error {
		deleted = 0
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixFinished)})
		defer it.Close()
		for it.Rewind(); it.Valid() && deleted < n; it.Next() {
			logID, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := txn.Delete(it.Item().KeyCopy(nil)); err != nil {
				return err
			}
			if err := txn.Delete(append([]byte(prefixLog), logID...)); err != nil {
				return err
			}
			deleted++
		}
		return nil
	})
	return deleted, err
}
