package catalog

import (
	"context"
	"fmt"
	"maps"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// StockChange is one change of the units available of one SKU of a listing
// of this node: a negative Delta takes units (a hold or a sale), a positive
// one returns them (a release or a cancellation).
type StockChange struct {
	ListingID string
	SKU       string
	Delta     int64
}

// Shortage is one line of a ChangeStock that cannot take the units asked:
// the listing is gone, the SKU is not one of its variants, or fewer units
// are available than wanted.
type Shortage struct {
	ListingID string `json:"listing_id"`
	SKU       string `json:"sku"`
	Wanted    int64  `json:"wanted"`
	Available int64  `json:"available"`
}

// ShortError is returned by ChangeStock when takes exceed what is
// available. It wraps ErrOutOfStock.
type ShortError struct {
	Lines []Shortage
}

func (e *ShortError) Error() string {
	parts := make([]string, len(e.Lines))
	for i, s := range e.Lines {
		parts[i] = fmt.Sprintf("%s %s: %d wanted, %d available", s.ListingID, s.SKU, s.Wanted, s.Available)
	}
	return "catalog: out of stock: " + strings.Join(parts, "; ")
}

func (e *ShortError) Unwrap() error { return ErrOutOfStock }

// ChangeStock applies changes to this node's stock, all or nothing, and
// runs also in the same transaction, so that what the caller writes there
// (an order's hold and its outbox, say) commits atomically with the stock
// it took. listings maps every listing the changes name to how it reads
// after them (absent when it is gone). An error from also discards
// everything.
//
// Takes beyond what is available fail with a *ShortError naming every
// short line. Returns to a listing that is gone or a SKU it no longer has
// are dropped, and a return never lifts stock above Config.MaxStock. Each
// changed listing signs one new stock record, announced like any other:
// at once, or while PublishStock runs, with the listing's next coalesced
// record (stock_publish.go).
//
// The catalog's stock is the units available to sell: a merchant's
// SetStock replaces it, and holds and sales take from it. A suspended
// merchant's listings have none to take (see SuspendMerchant); returns
// to them are kept.
func (c *Catalog) ChangeStock(ctx context.Context, changes []StockChange, also func(txn *badger.Txn, listings map[string]*Listing) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	txn := c.db.NewTransaction(true)
	defer txn.Discard()
	drafts, views, err := c.stockDrafts(txn, changes)
	if err != nil {
		return err
	}
	if also != nil {
		if err := also(txn, views); err != nil {
			return err
		}
	}
	if c.coalesce.Load() {
		return c.commitHeld(txn, drafts)
	}
	changed, _, err := c.commit(txn, c.newSealer(txn), drafts)
	if err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("catalog: committing stock: %w", err)
	}
	c.notify(changed)
	return nil
}

// commitHeld commits a stock change whose records PublishStock signs
// later: the new units are the listings' pending stock, committed with
// whatever the caller wrote in txn.
func (c *Catalog) commitHeld(txn *badger.Txn, drafts []*draft) error {
	for _, d := range drafts {
		if d.signStock { // a node that may not sign may not sell either
			if err := c.checkSigning(); err != nil {
				return err
			}
			break
		}
	}
	ids, err := c.holdStock(txn, drafts)
	if err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("catalog: committing stock: %w", err)
	}
	c.stockQ.add(ids...)
	return nil
}

// stockDrafts loads every listing changes name, applies the changes to
// drafts, and returns the drafts and the resulting views.
func (c *Catalog) stockDrafts(txn *badger.Txn, changes []StockChange) ([]*draft, map[string]*Listing, error) {
	byID := make(map[string]*draft)
	var order []*draft
	var short []Shortage
	suspended := suspendedMerchants{txn: txn}
	for _, ch := range changes {
		d, ok := byID[ch.ListingID]
		if !ok {
			var err error
			if d, err = c.loadStock(txn, ch.ListingID); err != nil {
				return nil, nil, err
			}
			byID[ch.ListingID] = d
			if d != nil {
				order = append(order, d)
			}
		}
		if ch.Delta < 0 && d != nil {
			// A suspended merchant's listings sell nothing (see
			// SuspendMerchant): a take finds none available.
			off, err := suspended.of(d.merchant)
			if err != nil {
				return nil, nil, err
			}
			if off {
				short = append(short, Shortage{ListingID: ch.ListingID, SKU: ch.SKU, Wanted: -ch.Delta})
				continue
			}
		}
		if s, ok := c.applyChange(d, ch); !ok {
			short = append(short, s)
		}
	}
	if short != nil {
		return nil, nil, &ShortError{Lines: short}
	}
	views := make(map[string]*Listing, len(order))
	for _, d := range order {
		if sum := stockDigest(d.stock); sum != d.prevS.sum {
			d.stockSum, d.signStock = sum, true
		}
		views[d.id] = d.view()
	}
	return order, views, nil
}

// applyChange applies ch to d (nil when the listing is gone). A take that
// cannot be met returns its shortage and false.
func (c *Catalog) applyChange(d *draft, ch StockChange) (Shortage, bool) {
	short := Shortage{ListingID: ch.ListingID, SKU: ch.SKU, Wanted: -ch.Delta}
	have, listed := int64(0), false
	if d != nil {
		have, listed = d.stock[ch.SKU]
	}
	switch {
	case ch.Delta >= 0 && listed:
		d.stock[ch.SKU] = min(have+ch.Delta, c.cfg.MaxStock)
	case ch.Delta >= 0: // a return to what is gone: nothing to return to
	case !listed || have+ch.Delta < 0:
		short.Available = have
		return short, false
	default:
		d.stock[ch.SKU] = have + ch.Delta
	}
	return short, true
}

// loadStock loads one of this node's live listings as a draft whose stock
// may be changed, or nil when it is gone or not this node's.
func (c *Catalog) loadStock(txn *badger.Txn, id string) (*draft, error) {
	platform, merchant, _, err := ParseID(id)
	if err != nil || platform != c.self {
		return nil, nil
	}
	d, err := c.loadOwned(txn, merchant, id)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	d.stock = maps.Clone(d.stock)
	return d, nil
}
