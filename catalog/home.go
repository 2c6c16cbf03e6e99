package catalog

import (
	"context"
	"errors"
	"fmt"
	"maps"

	badger "github.com/dgraph-io/badger/v4"
)

// The write methods below act for a merchant of this node, whose listings
// it signs as their home platform. A merchant reaches only its own
// listings: an id of another merchant or another platform is ErrNotFound,
// as is a taken-down listing, so that no listing's owner is revealed by a
// different error.

// CreateListing validates in and creates a listing for merchantID: one
// listing record (version 1) that carries the stock (stock version 1),
// or a listing record and a stock record when the two do not fit one or
// the charter's protocol level is below 2 (SetCarryStock).
// A SKU another of the merchant's listings uses is a field error.
func (c *Catalog) CreateListing(ctx context.Context, merchantID string, in ListingInput) (Listing, error) {
	if err := ctx.Err(); err != nil {
		return Listing{}, err
	}
	m, err := c.Merchant(ctx, merchantID)
	if err != nil {
		return Listing{}, err
	}
	p, errs := c.prepare(merchantID, m.Name, in)
	if errs != nil {
		return Listing{}, &ValidationError{Errors: errs}
	}
	var d *draft
	err = c.write(func(txn *badger.Txn) ([]*draft, error) {
		if err := requireMerchant(txn, merchantID); err != nil {
			return nil, err
		}
		id := FormatID(c.self, merchantID, newLocalID())
		if err := checkSKUs(txn, merchantID, id, p.desc); err != nil {
			return nil, err
		}
		if err := c.checkShippingProfile(txn, merchantID, p.desc); err != nil {
			return nil, err
		}
		d = c.newDraft(id, merchantID, p, true)
		return []*draft{d}, nil
	})
	if err != nil {
		return Listing{}, err
	}
	return *d.view(), nil
}

// ReplaceListing replaces the description and stock of one of merchantID's
// listings with in. Only what differs is signed: a new listing version
// when the description changed, a new stock version when the stock did;
// an identical input writes nothing.
func (c *Catalog) ReplaceListing(ctx context.Context, merchantID, id string, in ListingInput) (Listing, error) {
	if err := ctx.Err(); err != nil {
		return Listing{}, err
	}
	m, err := c.Merchant(ctx, merchantID)
	if err != nil {
		return Listing{}, err
	}
	p, errs := c.prepare(merchantID, m.Name, in)
	if errs != nil {
		return Listing{}, &ValidationError{Errors: errs}
	}
	var d *draft
	err = c.write(func(txn *badger.Txn) ([]*draft, error) {
		lh, sh, err := c.ownedHeads(txn, merchantID, id)
		if err != nil {
			return nil, err
		}
		if err := checkSKUs(txn, merchantID, id, p.desc); err != nil {
			return nil, err
		}
		if err := c.checkShippingProfile(txn, merchantID, p.desc); err != nil {
			return nil, err
		}
		d, err = c.loadUpdate(txn, merchantID, id, lh, sh, p)
		return []*draft{d}, err
	})
	if err != nil {
		return Listing{}, err
	}
	return *d.view(), nil
}

// TakeDown signs a tombstone for one of merchantID's listings. Every node
// that applies it drops the listing and its stock; the tombstone stays, so
// that an older record of the listing can never bring it back.
func (c *Catalog) TakeDown(ctx context.Context, merchantID, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.write(func(txn *badger.Txn) ([]*draft, error) {
		d, err := c.loadOwned(txn, merchantID, id)
		if err != nil {
			return nil, err
		}
		d.tomb, d.desc = true, nil
		return []*draft{d}, nil
	})
}

// SetStock sets the units available of one SKU of one of merchantID's
// listings, signing a new stock record unless the units are unchanged.
func (c *Catalog) SetStock(ctx context.Context, merchantID, id, sku string, stock int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if stock < 0 || stock > c.cfg.MaxStock {
		return &ValidationError{Errors: []FieldError{{Field: "stock", Message: fmt.Sprintf("must be between 0 and %d, not %d", c.cfg.MaxStock, stock)}}}
	}
	return c.write(func(txn *badger.Txn) ([]*draft, error) {
		d, err := c.loadOwned(txn, merchantID, id)
		if err != nil {
			return nil, err
		}
		if _, ok := d.stock[sku]; !ok {
			return nil, fmt.Errorf("%w: listing %s has no variant with SKU %q", ErrNotFound, id, clip(sku))
		}
		next := maps.Clone(d.stock)
		next[sku] = stock
		if sum := stockDigest(next); sum != d.prevS.sum {
			d.stock, d.stockSum, d.signStock = next, sum, true
		}
		return []*draft{d}, nil
	})
}

// loadOwned loads one of merchant's live listings as a draft that changes
// nothing yet: its heads, description, stock (every SKU, 0 where the
// stock record has none) and indexed SKUs.
func (c *Catalog) loadOwned(txn *badger.Txn, merchant, id string) (*draft, error) {
	d := &draft{id: id, merchant: merchant}
	var err error
	if d.prevL, d.prevS, err = c.ownedHeads(txn, merchant, id); err != nil {
		return nil, err
	}
	rec, err := loadRecord(txn, c.self, d.prevL.seq)
	if err != nil {
		return nil, err
	}
	d.desc, d.descSum, d.oldSKUs = rec.Listing, d.prevL.sum, rec.Listing.skus()
	d.stock, d.stockSum = make(map[string]int64, len(d.oldSKUs)), d.prevS.sum
	if d.prevS.seq != 0 {
		srec, err := loadRecord(txn, c.self, d.prevS.seq)
		if err != nil {
			return nil, err
		}
		d.stock = srec.Stock
	}
	if pending, ok, err := getPending(txn, id); err != nil {
		return nil, err
	} else if ok {
		d.stock, d.pending, d.recordSum = pending, true, d.prevS.sum
		d.prevS.sum = stockDigest(pending)
		d.stockSum = d.prevS.sum
	}
	for _, s := range d.oldSKUs {
		d.stock[s] += 0 // every SKU present, so that SetStock knows it
	}
	return d, nil
}

// ownedHeads reads the listing and stock heads of one of merchant's live
// listings.
func (c *Catalog) ownedHeads(txn *badger.Txn, merchant, id string) (lh, sh head, err error) {
	platform, m, _, err := ParseID(id)
	if err != nil || platform != c.self || m != merchant {
		return head{}, head{}, fmt.Errorf("%w: merchant %s has no listing %q", ErrNotFound, merchant, clip(id))
	}
	if lh, err = getHead(txn, listingKey(id)); err != nil {
		return head{}, head{}, err
	}
	if lh.seq == 0 || lh.tomb {
		return head{}, head{}, fmt.Errorf("%w: merchant %s has no listing %s", ErrNotFound, merchant, id)
	}
	sh, err = getHead(txn, stockKey(id))
	return lh, sh, err
}

// skuConflicts lists the SKUs of desc, from its variant from on, that
// another of merchant's listings (not id) uses.
func skuConflicts(txn *badger.Txn, merchant, id string, desc *Listing, from int) ([]FieldError, error) {
	var errs []FieldError
	for i, v := range desc.Variants {
		if i < from {
			continue
		}
		item, err := txn.Get(skuKey(merchant, v.SKU))
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		owner, err := item.ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		if string(owner) != id {
			errs = append(errs, FieldError{Field: fmt.Sprintf("variants[%d].sku", i), Message: fmt.Sprintf("%q is already used by listing %s", v.SKU, owner)})
		}
	}
	return errs, nil
}

// checkSKUs fails with a *ValidationError when skuConflicts finds any.
func checkSKUs(txn *badger.Txn, merchant, id string, desc *Listing) error {
	errs, err := skuConflicts(txn, merchant, id, desc, 0)
	if err != nil || errs == nil {
		return err
	}
	return &ValidationError{Errors: errs}
}
