package catalog

import (
	"bytes"
	"context"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// Listing returns any live listing, this node's or replicated, with its
// current stock in the variants. A taken-down or unknown listing is
// ErrNotFound; a malformed id is ErrInvalid.
func (c *Catalog) Listing(ctx context.Context, id string) (Listing, error) {
	if err := ctx.Err(); err != nil {
		return Listing{}, err
	}
	if _, _, _, err := ParseID(id); err != nil {
		return Listing{}, err
	}
	var l *Listing
	err := c.db.View(func(txn *badger.Txn) error {
		var err error
		l, err = loadView(txn, id, c.views)
		return err
	})
	if err != nil {
		return Listing{}, err
	}
	if l == nil {
		return Listing{}, fmt.Errorf("%w: listing %s", ErrNotFound, id)
	}
	return *l, nil
}

// loadView reads a listing with its stock, or nil when it is not live;
// its description comes through views (nil: parsed and not kept).
func loadView(txn *badger.Txn, id string, views *viewCache) (*Listing, error) {
	h, err := getHead(txn, listingKey(id))
	if err != nil || h.seq == 0 || h.tomb {
		return nil, err
	}
	origin := platformOf(id)
	desc, err := views.description(txn, origin, h.seq)
	if err != nil {
		return nil, err
	}
	stock, err := storedStock(txn, origin, id, views)
	if err != nil {
		return nil, err
	}
	return desc.withStock(stock), nil
}

// maxPage caps a page of MerchantListings; defaultPage is used for limit <= 0.
const (
	maxPage     = 500
	defaultPage = 50
)

// MerchantListings returns a page of a merchant's live listings on this
// node, ordered by id, starting after cursor ("" for the first page), and
// the cursor of the next page ("" after the last).
func (c *Catalog) MerchantListings(ctx context.Context, merchantID, cursor string, limit int) ([]Listing, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	prefix := listingKey(FormatID(c.self, merchantID, ""))
	if cursor != "" && !bytes.HasPrefix(listingKey(cursor), prefix) {
		return nil, "", fmt.Errorf("%w: cursor %q is not one of this merchant's listings", ErrInvalid, clip(cursor))
	}
	if limit <= 0 {
		limit = defaultPage
	}
	return c.page(prefix, cursor, min(limit, maxPage))
}

// ListingsOf pages through the live listings of a merchant of any
// member (this node's or replicated), by id, as MerchantListings does for
// this node's: a merchant's page on any storefront lists them.
func (c *Catalog) ListingsOf(ctx context.Context, platform, merchant, cursor string, limit int) ([]Listing, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if _, _, err := ParseMerchantID(FormatMerchantID(platform, merchant)); err != nil {
		return nil, "", err
	}
	prefix := listingKey(FormatID(platform, merchant, ""))
	if cursor != "" && !bytes.HasPrefix(listingKey(cursor), prefix) {
		return nil, "", fmt.Errorf("%w: cursor %q is not one of this merchant's listings", ErrInvalid, clip(cursor))
	}
	if limit <= 0 {
		limit = defaultPage
	}
	return c.page(prefix, cursor, min(limit, maxPage))
}

// All calls fn with every live listing, this node's and replicated, in id
// order, reading a page at a time so that nothing is held open while fn
// runs. An error from fn stops the walk and is returned. The search index
// is rebuilt with it.
func (c *Catalog) All(fn func(Listing) error) error {
	cursor := ""
	for {
		page, next, err := c.page([]byte(prefixListing), cursor, maxPage)
		if err != nil {
			return err
		}
		for _, l := range page {
			if err := fn(l); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// page reads up to limit live listings whose head keys start with prefix
// and come after the listing cursor, and the cursor of the next page.
func (c *Catalog) page(prefix []byte, cursor string, limit int) ([]Listing, string, error) {
	return pageOf(c.db, prefix, cursor, limit)
}

// pageOf is page over db.
func pageOf(db *badger.DB, prefix []byte, cursor string, limit int) ([]Listing, string, error) {
	var out []Listing
	next := ""
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		it.Seek(prefix)
		if cursor != "" {
			it.Seek(append(listingKey(cursor), 0))
		}
		for ; it.Valid(); it.Next() {
			l, err := loadView(txn, string(it.Item().Key()[len(prefixListing):]), nil)
			if err != nil {
				return err
			}
			if l == nil {
				continue
			}
			if len(out) == limit {
				next = out[limit-1].ID
				return nil
			}
			out = append(out, *l)
		}
		return nil
	})
	return out, next, err
}
