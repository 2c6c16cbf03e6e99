package catalog

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/cores"
	"github.com/fedmart/fedmart/internal/groupsync"
)

// BatchResult says what UpsertBatch did with each listing of a feed.
type BatchResult struct {
	// Created counts listings that were new.
	Created int `json:"created"`
	// Updated counts listings whose description or stock changed.
	Updated int `json:"updated"`
	// Unchanged counts listings identical to what is stored.
	Unchanged int `json:"unchanged"`
	// Rejected lists the refused listings, by index in the feed.
	Rejected []Rejection `json:"rejected"`
}

// Rejection is one refused listing of a feed and why.
type Rejection struct {
	// Index is the listing's position in the feed, from 0.
	Index int `json:"index"`
	// Errors name the fields at fault.
	Errors []FieldError `json:"errors"`
}

// outcome is what became of one listing of a feed.
type outcome int

const (
	pending outcome = iota // not written yet (or its chunk failed)
	rejected
	created
	updated
	unchanged
)

// batchItem is one listing of a feed on its way through UpsertBatch.
type batchItem struct {
	index   int
	p       *prepared // nil when rejected before the store is read
	errs    []FieldError
	outcome outcome
}

func (it *batchItem) reject(errs ...FieldError) {
	it.outcome, it.errs = rejected, errs
}

// UpsertBatch creates or updates many listings of merchantID, keyed by SKU:
// the first variant's SKU names the listing a feed entry updates, and an
// entry whose SKU is unknown creates one. An entry identical in content
// and stock to its stored listing writes nothing, so the same feed twice
// changes nothing. Entries are validated and signed in parallel and
// written a chunk per transaction; a small feed shares its transaction
// with other merchants' small feeds sent at the same time
// (batch_small.go). Each listing is all-or-nothing. What was written is
// synced to disk before UpsertBatch returns. Invalid
// entries are reported in Rejected, as are entries that reuse another
// listing's SKU or a listing an earlier entry already changes. On an error
// (storage, or ctx ending between chunks) the result counts the chunks
// written before it.
func (c *Catalog) UpsertBatch(ctx context.Context, merchantID string, in []ListingInput) (BatchResult, error) {
	m, err := c.Merchant(ctx, merchantID)
	if err != nil {
		return BatchResult{}, err
	}
	items := make([]*batchItem, len(in))
	cores.Each(len(in), 8, func(i int) {
		p, errs := c.prepare(merchantID, m.Name, in[i])
		items[i] = &batchItem{index: i, p: p}
		if errs != nil {
			items[i].reject(errs...)
		}
	})
	rejectRepeats(items)
	touched := make(map[string]int) // listing id -> index of the entry that changed it
	// Each chunk's changes reach the handlers (the search index) while
	// the next chunk is decided, signed and committed; UpsertBatch
	// returns once all have. The feed is synced after the last: an msync
	// beside a writer on the other core costs more (its pages' mappings
	// are flushed from both cores).
	var delivered []<-chan struct{}
	awaitDelivered := func() {
		for _, done := range delivered {
			<-done
		}
		delivered = nil
	}
	defer awaitDelivered()
	chunks := c.chunks(items)
	small := len(chunks) == 1 && len(chunks[0]) <= smallFeedItems
	for _, chunk := range chunks {
		if err := ctx.Err(); err != nil {
			return tally(items), err
		}
		write := c.upsertChunk
		if small {
			write = c.upsertSmall
		}
		if err := write(merchantID, chunk, touched, &delivered); err != nil {
			return tally(items), err
		}
	}
	r := tally(items)
	awaitDelivered()
	if err := c.syncBatch(r); err != nil {
		return r, fmt.Errorf("catalog: syncing the feed's listings: %w", err)
	}
	return r, nil
}

// rejectRepeats refuses an entry that repeats a SKU of an earlier valid
// entry: one SKU cannot be in two listings.
func rejectRepeats(items []*batchItem) {
	owner := make(map[string]int)
	for _, it := range items {
		if it.p == nil {
			continue
		}
		var errs []FieldError
		for j, v := range it.p.desc.Variants {
			if k, ok := owner[v.SKU]; ok {
				errs = append(errs, FieldError{Field: fmt.Sprintf("variants[%d].sku", j), Message: fmt.Sprintf("%q is also in entry %d of this feed", v.SKU, k)})
			}
		}
		if errs != nil {
			it.p = nil
			it.reject(errs...)
			continue
		}
		for _, v := range it.p.desc.Variants {
			owner[v.SKU] = it.index
		}
	}
}

// chunks groups the valid entries so that each group fits one Badger
// transaction with room to spare: at most Config.BatchChunk entries and
// half of Badger's batch size and count.
func (c *Catalog) chunks(items []*batchItem) [][]*batchItem {
	maxBytes, maxCount := c.db.MaxBatchSize()/2, c.db.MaxBatchCount()/2
	var out [][]*batchItem
	var cur []*batchItem
	var bytes, count int64
	for _, it := range items {
		if it.p == nil {
			continue
		}
		b, n := it.cost()
		if len(cur) > 0 && (len(cur) >= c.cfg.BatchChunk || bytes+b > maxBytes || count+n > maxCount) {
			out, cur, bytes, count = append(out, cur), nil, 0, 0
		}
		cur, bytes, count = append(cur, it), bytes+b, count+n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// cost is what a valid entry is reckoned to add to a Badger transaction:
// bytes, and entries.
func (it *batchItem) cost() (bytes, entries int64) {
	return int64(it.p.bytes + 200*len(it.p.desc.Variants) + 400), int64(8 + 2*len(it.p.desc.Variants))
}

// upsertChunk writes one chunk in one transaction, and adds the delivery
// of its changes to delivered. Should the chunk not fit after all, it is
// split in two and retried.
func (c *Catalog) upsertChunk(merchant string, chunk []*batchItem, touched map[string]int, delivered *[]<-chan struct{}) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.upsertChunkHeld(merchant, chunk, touched, delivered)
}

// upsertChunkHeld is upsertChunk for a caller that holds wmu.
func (c *Catalog) upsertChunkHeld(merchant string, chunk []*batchItem, touched map[string]int, delivered *[]<-chan struct{}) error {
	var seen map[string]int
	t, changes, err := c.writeHeld(func(txn *badger.Txn, s *sealer) ([]*draft, error) {
		seen = make(map[string]int)
		if len(chunk) >= streamFrom {
			s.stream()
		}
		return c.decideChunk(txn, s, merchant, chunk, touched, seen)
	}, true)
	if err == nil {
		maps.Copy(touched, seen)
		if t != 0 {
			*delivered = append(*delivered, c.deliverLater(t, changes))
		}
		return nil
	}
	resetOutcomes(chunk)
	if errors.Is(err, badger.ErrTxnTooBig) && len(chunk) > 1 {
		half := len(chunk) / 2
		if err := c.upsertChunkHeld(merchant, chunk[:half], touched, delivered); err != nil {
			return err
		}
		return c.upsertChunkHeld(merchant, chunk[half:], touched, delivered)
	}
	return err
}

// decideChunk decides every entry of chunk (see decide) in txn, which it
// only reads, hands each draft to s as it is decided, and returns the
// drafts to write.
func (c *Catalog) decideChunk(txn *badger.Txn, s *sealer, merchant string, chunk []*batchItem, touched, seen map[string]int) ([]*draft, error) {
	drafts := make([]*draft, 0, len(chunk))
	for _, it := range chunk {
		d, err := c.decide(txn, merchant, it, touched, seen)
		if err != nil {
			return nil, err
		}
		if d != nil {
			s.add(d)
			drafts = append(drafts, d)
		}
	}
	return drafts, nil
}

// resetOutcomes forgets what a failed transaction decided for chunk.
func resetOutcomes(chunk []*batchItem) {
	for _, it := range chunk {
		it.outcome, it.errs = pending, nil
	}
}

// decide resolves one entry to a new listing or a stored one and returns
// the draft that brings it up to date, or nil when there is nothing to
// write. It records the entry's outcome, and the listing in seen.
func (c *Catalog) decide(txn *badger.Txn, merchant string, it *batchItem, touched, seen map[string]int) (*draft, error) {
	id, err := lookupSKU(txn, merchant, it.p.desc.Variants[0].SKU)
	if err != nil {
		return nil, err
	}
	minted := id == ""
	if minted {
		id = FormatID(c.self, merchant, newLocalID())
	}
	j, ok := touched[id]
	if !ok {
		j, ok = seen[id]
	}
	if ok {
		it.reject(FieldError{Field: "variants[0].sku", Message: fmt.Sprintf("names listing %s, which entry %d of this feed already changes", id, j)})
		return nil, nil
	}
	// The first SKU was just looked up: free, or id's own.
	if errs, err := skuConflicts(txn, merchant, id, it.p.desc, 1); err != nil || errs != nil {
		it.reject(errs...)
		return nil, err
	}
	var ve *ValidationError
	if err := c.checkShippingProfile(txn, merchant, it.p.desc); errors.As(err, &ve) {
		it.reject(ve.Errors...)
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	seen[id] = it.index
	return c.upsertDraft(txn, merchant, id, it, minted)
}

// upsertDraft compares an entry with listing id and drafts the
// difference: a new listing when its id was minted for it.
func (c *Catalog) upsertDraft(txn *badger.Txn, merchant, id string, it *batchItem, minted bool) (*draft, error) {
	if minted {
		it.outcome = created
		return c.newDraft(id, merchant, it.p, true), nil
	}
	lh, err := getHead(txn, listingKey(id))
	if err != nil {
		return nil, err
	}
	if lh.seq == 0 { // the SKU index names it, and nothing else does
		it.outcome = created
		return c.newDraft(id, merchant, it.p, false), nil
	}
	sh, err := getHead(txn, stockKey(id))
	if err != nil {
		return nil, err
	}
	if lh.sum == it.p.descSum && sh.seq != 0 && sh.sum == it.p.stockSum {
		it.outcome = unchanged
		return nil, nil
	}
	d, err := c.loadUpdate(txn, merchant, id, lh, sh, it.p)
	if err != nil {
		return nil, err
	}
	it.outcome = updated
	return d, nil
}

// loadUpdate drafts the update of merchant's live listing id, whose
// heads lh and sh are read, to p: what loadOwned followed by update
// drafts, but decoding of the stored records only what p cannot stand
// for, the description's category and SKUs (to move the listing's shard
// and SKU index) and its time. Where p's digest matches the stored one,
// p is the stored description or stock, apart from the identity, version
// and time, which the heads and the outline give; where it does not, p
// replaces it. Only the stock map differs: it lacks loadOwned's 0 for an
// old SKU the stock does not name, which reads as 0 everywhere and is
// never signed (a signed stock is p's). Decoding the stored records was
// 45% of the writer lock's work with merchants editing at once
// (BENCHMARKS.md).
func (c *Catalog) loadUpdate(txn *badger.Txn, merchant, id string, lh, sh head, p *prepared) (*draft, error) {
	if lh.tomb {
		return nil, fmt.Errorf("%w: merchant %s has no listing %s", ErrNotFound, merchant, id)
	}
	o, err := loadOutline(txn, c.self, lh.seq)
	if err != nil {
		return nil, err
	}
	d := &draft{id: id, merchant: merchant, prevL: lh, prevS: sh, oldSKUs: o.skus}
	d.stock, d.stockSum = p.stock, sh.sum
	if pending, ok, err := getPending(txn, id); err != nil {
		return nil, err
	} else if ok {
		d.stock, d.pending, d.recordSum = pending, true, sh.sum
		d.prevS.sum = stockDigest(pending)
		d.stockSum = d.prevS.sum
	}
	if lh.sum == p.descSum {
		d.desc, d.descSum = p.desc, lh.sum
		d.desc.ID, d.desc.Platform, d.desc.Merchant = id, c.self, merchant
		d.desc.Version, d.desc.UpdatedAt = lh.version, o.updated
	} else {
		d.desc = &Listing{Category: o.category} // replaced by update, which compares the shards
	}
	d.update(c.self, p)
	return d, nil
}

// lookupSKU returns the id of merchant's listing with sku, or "".
func lookupSKU(txn *badger.Txn, merchant, sku string) (string, error) {
	item, err := txn.Get(skuKey(merchant, sku))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	v, err := item.ValueCopy(nil)
	return string(v), err
}

// tally counts the outcomes, rejections in feed order.
func tally(items []*batchItem) BatchResult {
	var r BatchResult
	for _, it := range items {
		switch it.outcome {
		case created:
			r.Created++
		case updated:
			r.Updated++
		case unchanged:
			r.Unchanged++
		case rejected:
			r.Rejected = append(r.Rejected, Rejection{Index: it.index, Errors: it.errs})
		}
	}
	return r
}

// syncBatch makes an UpsertBatch that wrote something durable before
// it is acknowledged: one flush per feed at most, not one per listing or
// chunk, shared with the feeds that sync at the same time.
// It counts the feed and its wait in Synced.
func (c *Catalog) syncBatch(r BatchResult) error {
	if r.Created+r.Updated == 0 {
		return nil
	}
	start := time.Now()
	err := c.durable.Sync()
	c.syncs.feeds.Add(1)
	c.syncs.took.Add(int64(time.Since(start)))
	return err
}

// SyncWith has feeds made durable in g's flushes of the catalog's
// database, which they share with the node's other writers (orders).
// Feeds share flushes with each other in any case: merchants sending
// feeds at once wait for one flush between them, not one each in turn.
// Call it before the catalog takes writes.
func (c *Catalog) SyncWith(g *groupsync.Group) { c.durable = g }

// feedSyncs counts the feeds synced and their waits for the disk.
type feedSyncs struct {
	feeds atomic.Uint64
	took  atomic.Int64 // nanoseconds
}

// Synced returns how many feeds have written something since Open, and
// how long they waited, together, for it to reach the disk before they
// were acknowledged (Badger's Sync: an msync of the memtable's log and
// of the value log). A one-listing feed spends most of its time there
// (BENCHMARKS.md, "A feed's sync beside a log of its own").
func (c *Catalog) Synced() (feeds uint64, took time.Duration) {
	return c.syncs.feeds.Load(), time.Duration(c.syncs.took.Load())
}
