package webhook

import (
	"bytes"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// save replaces a pending delivery, queued under the key queued, with its
// new state r, and counts it if it finished.
func (d *Dispatcher) save(r *record, queued []byte) error {
	err := d.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(queued); err != nil {
			return err
		}
		return r.put(txn)
	})
	if err != nil || r.Status == StatusPending {
		return err
	}
	d.met.deliveries.WithLabelValues(r.Status).Inc()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.finished++
	return d.trimLocked()
}

// failOrphans fails the pending deliveries of hooks that are no longer
// configured: nothing would ever send them, and the operator sees them in
// the log instead of a queue that never drains.
func (d *Dispatcher) failOrphans() error {
	keys, err := d.orphans()
	if err != nil || len(keys) == 0 {
		return err
	}
	for _, key := range keys {
		if err := d.failOrphan(key); err != nil {
			return err
		}
	}
	d.log.Warn("pending webhook deliveries failed: their hook is no longer configured", "count", len(keys))
	return nil
}

// failOrphan fails the delivery queued under key for want of a hook; a key
// without a pending record is dropped.
func (d *Dispatcher) failOrphan(key []byte) error {
	var r *record
	err := d.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err != nil {
			return err
		}
		logID, err := item.ValueCopy(nil)
		if err == nil {
			r, err = loadRecord(txn, logID)
		}
		return err
	})
	if err != nil {
		return err
	}
	if r == nil || r.Status != StatusPending {
		return d.db.Update(func(txn *badger.Txn) error { return txn.Delete(key) })
	}
	r.Status, r.FinishedAt, r.NextAttemptAt = StatusFailed, d.now(), time.Time{}
	r.LastError = "webhook no longer configured"
	return d.save(r, key)
}

// orphans lists the queue keys of hooks not configured.
func (d *Dispatcher) orphans() ([][]byte, error) {
	known := make(map[string]bool, len(d.lanes))
	for _, l := range d.lanes {
		known[l.key] = true
	}
	var keys [][]byte
	err := d.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixPending)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			hook, _, _ := bytes.Cut(it.Item().Key()[len(prefixPending):], []byte("/"))
			if !known[string(hook)] {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
		}
		return nil
	})
	return keys, err
}
