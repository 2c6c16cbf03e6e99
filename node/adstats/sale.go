package adstats

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Sale is one step of a sponsored sale on a slot of this storefront: the
// charge (Sales 1) or a reversal (Sales 0), and this member's share of
// the fee it moved (negative for a reversal), in minor units.
type Sale struct {
	// At is when the home stated the step.
	At    time.Time `json:"at"`
	Sales int64     `json:"sales"`
	Share int64     `json:"share"`
}

// RecordSale keeps step (the charge, or a reversal's refund) of part's
// sale for campaign in txn; a step kept before is kept once.
func RecordSale(txn *badger.Txn, campaign, part, step string, s Sale) error {
	if campaign == "" || part == "" || step == "" || strings.Contains(campaign, "/") || strings.Contains(part, "/") {
		return fmt.Errorf("adstats: sale of part %q, campaign %q, step %q: must be non-empty ids without /", part, campaign, step)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return txn.Set([]byte(prefixSale+campaign+"/"+part+"/"+step), b)
}

// Campaign is what one campaign's slots on this storefront did over
// some days.
type Campaign struct {
	Campaign string `json:"campaign"`
	Counts
	// Sales counts the attributed sales charged, Revenue is this
	// member's share of their fees less what refunds took back.
	Sales   int64 `json:"sales"`
	Revenue int64 `json:"revenue"`
}

// Since returns every campaign's figures from the UTC day of from to
// today, counts not yet flushed included, by campaign id.
func (c *Counter) Since(ctx context.Context, from time.Time) ([]Campaign, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	first := day(from)
	out := map[string]*Campaign{}
	get := func(id string) *Campaign {
		if out[id] == nil {
			out[id] = &Campaign{Campaign: id}
		}
		return out[id]
	}
	c.flushing.RLock()
	defer c.flushing.RUnlock()
	err := c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixDay)})
		defer it.Close()
		for it.Seek([]byte(prefixDay + first)); it.Valid(); it.Next() {
			key := it.Item().KeyCopy(nil)
			_, id, ok := strings.Cut(strings.TrimPrefix(string(key), prefixDay), "/")
			if !ok {
				continue
			}
			n, err := readCounts(txn, key)
			if err != nil {
				return err
			}
			cp := get(id)
			cp.Impressions += n.Impressions
			cp.Clicks += n.Clicks
		}
		return c.sales(txn, from, get)
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	for k, n := range c.pending {
		if k.day >= first {
			cp := get(k.campaign)
			cp.Impressions += n.Impressions
			cp.Clicks += n.Clicks
		}
	}
	c.mu.Unlock()
	list := make([]Campaign, 0, len(out))
	for _, id := range slices.Sorted(maps.Keys(out)) {
		list = append(list, *out[id])
	}
	return list, nil
}

// sales adds the sale steps stated from the day of from.
func (c *Counter) sales(txn *badger.Txn, from time.Time, get func(string) *Campaign) error {
	first := day(from)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixSale), PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		id, _, _ := strings.Cut(strings.TrimPrefix(string(it.Item().Key()), prefixSale), "/")
		var s Sale
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &s) }); err != nil {
			return fmt.Errorf("adstats: sale %s: %w", it.Item().Key(), err)
		}
		if day(s.At) < first {
			continue
		}
		cp := get(id)
		cp.Sales += s.Sales
		cp.Revenue += s.Share
	}
	return nil
}
