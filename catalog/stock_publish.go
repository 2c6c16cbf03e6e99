package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Coalesced stock publication.
//
// Holds, sales and returns change a listing's stock far more often than
// anyone needs a new signed record of it: during a checkout storm one
// listing may sell a thousand units a second. While PublishStock runs,
// ChangeStock therefore does not sign: it writes the units that are now
// available to the listing's pending stock (c/x/<listing id>), in the
// same transaction as the hold or sale that changed them, and marks the
// listing dirty. Every Config.StockPublishEvery, PublishStock signs one
// stock record per dirty listing carrying its latest units, publishes it
// like any other record, and deletes the pending stock the record now
// carries.
//
// Authority is unchanged: the home's stored units (the pending stock
// when there is one, else its newest stock record) are what ChangeStock
// takes from, in one transaction with the order state; every view this
// node reads overlays the pending stock. Other members' copies were only
// ever advice. A crash between a hold and its publication loses nothing:
// the pending stock is committed (and synced) with the hold, and
// PublishStock publishes every pending stock it finds when it starts, so
// catch-up converges to the latest units as before.
//
// prefixPending keys the pending stock of this node's listings.
const prefixPending = "c/x/"

func pendingKey(id string) []byte { return []byte(prefixPending + id) }

// pendingStock is the batch of dirty listings PublishStock signs in one
// transaction, at most.
const pendingBatch = 256

// stockQueue is the set of this node's listings whose pending stock
// waits to be published.
type stockQueue struct {
	mu    sync.Mutex // guards dirty
	dirty map[string]struct{}
}

func (q *stockQueue) add(ids ...string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.dirty == nil {
		q.dirty = make(map[string]struct{})
	}
	for _, id := range ids {
		q.dirty[id] = struct{}{}
	}
}

func (q *stockQueue) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, 0, len(q.dirty))
	for id := range q.dirty {
		out = append(out, id)
	}
	clear(q.dirty)
	return out
}

// getPending loads a listing's pending stock; ok is false when there is
// none.
func getPending(txn *badger.Txn, id string) (stock map[string]int64, ok bool, err error) {
	item, err := txn.Get(pendingKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &stock) })
	if err != nil {
		return nil, false, fmt.Errorf("catalog: pending stock of %s: %w", id, err)
	}
	return stock, true, nil
}

// PublishStock signs and publishes the pending stock of this node's
// listings every Config.StockPublishEvery until ctx ends, beginning with
// what a previous run left pending. While it runs, ChangeStock defers
// its records to it; with StockPublishEvery 0 it only waits for ctx.
func (c *Catalog) PublishStock(ctx context.Context) error {
	every := c.cfg.StockPublishEvery
	if every <= 0 {
		<-ctx.Done()
		return nil
	}
	c.coalesce.Store(true) // before the scan: what changes meanwhile is queued too
	defer c.coalesce.Store(false)
	left, err := c.pendingIDs()
	if err != nil {
		return fmt.Errorf("catalog: loading pending stock: %w", err)
	}
	c.stockQ.add(left...)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		ids := c.stockQ.take()
		for len(ids) > 0 && ctx.Err() == nil {
			n := min(len(ids), pendingBatch)
			if err := c.publishPending(ids[:n]); err != nil {
				c.stockQ.add(ids...) // kept on disk; tried again next time
				c.log.Warn("catalog: publishing stock", "listings", len(ids), "err", err)
				break
			}
			ids = ids[n:]
		}
	}
}

// pendingIDs lists the listings with pending stock.
func (c *Catalog) pendingIDs() ([]string, error) {
	var ids []string
	err := c.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = []byte(prefixPending)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ids = append(ids, string(it.Item().Key()[len(prefixPending):]))
		}
		return nil
	})
	return ids, err
}

// publishPending signs a stock record for each of ids whose pending
// stock differs from its newest record, and drops the pending stock of
// the others (gone, or back to what the record says).
func (c *Catalog) publishPending(ids []string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.checkSigning(); err != nil {
		return err
	}
	txn := c.db.NewTransaction(true)
	defer txn.Discard()
	var drafts []*draft
	for _, id := range ids {
		d, err := c.loadStock(txn, id)
		if err != nil {
			return err
		}
		if d == nil || !d.pending {
			if err := txn.Delete(pendingKey(id)); err != nil {
				return err
			}
			continue
		}
		if sum := stockDigest(d.stock); sum != d.recordSum {
			d.stockSum, d.signStock = sum, true
			drafts = append(drafts, d)
		} else if err := txn.Delete(pendingKey(id)); err != nil {
			return err
		}
	}
	changes, _, err := c.commit(txn, c.newSealer(txn), drafts)
	if err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("catalog: committing published stock: %w", err)
	}
	c.notify(changes)
	return nil
}

// holdStock is ChangeStock's write while PublishStock runs: the drafts'
// new units become their listings' pending stock (and their summaries'
// units), unsigned, in txn. It returns the listings to publish.
func (c *Catalog) holdStock(txn *badger.Txn, drafts []*draft) ([]string, error) {
	var ids []string
	for _, d := range drafts {
		if !d.signStock { // the stored units did not change
			continue
		}
		b, err := json.Marshal(d.stock)
		if err != nil {
			return nil, err
		}
		if err := txn.Set(pendingKey(d.id), b); err != nil {
			return nil, err
		}
		if err := putSummary(txn, d.id, d.desc, d.stock); err != nil {
			return nil, err
		}
		ids = append(ids, d.id)
	}
	return ids, nil
}
