package catalog

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// StockState sorts a listing by the units of its variants, as a merchant
// looks at its shelves.
type StockState string

// Stock states. A listing is in exactly one of StockIn, StockLow and
// StockOut.
const (
	// StockAny selects every listing.
	StockAny StockState = ""
	// StockIn: every variant has more units than the low mark.
	StockIn StockState = "in"
	// StockLow: some units are left, and some variant has at most the low
	// mark (perhaps none).
	StockLow StockState = "low"
	// StockOut: no variant has a unit left.
	StockOut StockState = "out"
)

// DefaultLowStock is the low mark a ListingQuery uses unless it names
// one: a variant with this many units or fewer is running low.
const DefaultLowStock = 5

// ParseStockState reads a stock state's name ("", "in", "low", "out").
func ParseStockState(s string) (StockState, error) {
	switch st := StockState(s); st {
	case StockAny, StockIn, StockLow, StockOut:
		return st, nil
	}
	return "", fmt.Errorf("%w: stock state %q: use in, low or out", ErrInvalid, clip(s))
}

// StockStateOf is the stock state of l's variants, with low as the low
// mark (0 for DefaultLowStock).
func StockStateOf(l Listing, low int64) StockState {
	if low == 0 {
		low = DefaultLowStock
	}
	units := make([]int64, len(l.Variants))
	for i, v := range l.Variants {
		units[i] = v.Stock
	}
	return stockState(units, low)
}

// stockState is the state of variants holding units.
func stockState(units []int64, low int64) StockState {
	var total int64
	short := false
	for _, n := range units {
		total += max(n, 0)
		short = short || n <= low
	}
	switch {
	case total == 0:
		return StockOut
	case short:
		return StockLow
	}
	return StockIn
}

// ListingQuery selects some of one merchant's live listings. Every filter
// that is set must hold.
type ListingQuery struct {
	// Text holds words that must each occur, ignoring case, in the title
	// or in a SKU of the listing.
	Text string
	// SKU must occur, ignoring case, in one of the listing's SKUs.
	SKU string
	// Stock is the stock state the listing must be in; StockAny for all.
	Stock StockState
	// LowStock is the low mark of StockLow and StockIn, in units; 0 means
	// DefaultLowStock.
	LowStock int64
	// Offset skips this many matches (numbered pages).
	Offset int
	// After starts after this listing id ("" from the first); the
	// Next of the previous page (cursor pages). It is used with Offset 0.
	After string
	// Limit caps the listings returned: 1 to 500; 0 means 50.
	Limit int
}

// maxQueryText caps the text and SKU filters, in bytes.
const maxQueryText = 256

// ListingMatches is one page of a ListingQuery's matches, in id order.
type ListingMatches struct {
	// Listings are the page's listings, with their stock.
	Listings []Listing
	// Total counts every listing that matches, on every page.
	Total int
	// Next is the After of the following page; "" after the last.
	Next string
}

// compiledQuery is a ListingQuery folded for matching summaries.
type compiledQuery struct {
	words [][]byte
	sku   []byte // nil when not filtered by SKU
	stock StockState
	low   int64
}

// compile checks q and folds its text.
func (q ListingQuery) compile() (*compiledQuery, error) {
	var errs []FieldError
	if len(q.Text) > maxQueryText {
		errs = append(errs, FieldError{Field: "q", Message: fmt.Sprintf("must be at most %d bytes", maxQueryText)})
	}
	if len(q.SKU) > maxQueryText {
		errs = append(errs, FieldError{Field: "sku", Message: fmt.Sprintf("must be at most %d bytes", maxQueryText)})
	}
	if _, err := ParseStockState(string(q.Stock)); err != nil {
		errs = append(errs, FieldError{Field: "stock", Message: "must be in, low or out"})
	}
	if q.LowStock < 0 {
		errs = append(errs, FieldError{Field: "low_stock", Message: "must be 0 or more"})
	}
	if q.Offset < 0 {
		errs = append(errs, FieldError{Field: "offset", Message: "must be 0 or more"})
	}
	if q.Limit < 0 || q.Limit > maxPage {
		errs = append(errs, FieldError{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", maxPage)})
	}
	if errs != nil {
		return nil, &ValidationError{Errors: errs}
	}
	cq := &compiledQuery{stock: q.Stock, low: q.LowStock}
	if cq.low == 0 {
		cq.low = DefaultLowStock
	}
	for _, w := range strings.Fields(strings.ToLower(q.Text)) {
		cq.words = append(cq.words, []byte(w))
	}
	if s := strings.TrimSpace(strings.ToLower(q.SKU)); s != "" {
		cq.sku = []byte(s)
	}
	return cq, nil
}

// QueryListings returns the page of merchantID's live listings that q
// selects, in id order, with the count of all that match.
//
// It reads the merchant's summaries (see summary.go), one small key per
// listing in id order, and loads the full listing only for those on the
// page: the cost grows with the merchant's listings, at a fraction of a
// microsecond each, never with the federation's catalog, and decodes no
// signed record beyond the page. A query without filters counts keys
// without reading their values.
func (c *Catalog) QueryListings(ctx context.Context, merchantID string, q ListingQuery) (ListingMatches, error) {
	if err := ctx.Err(); err != nil {
		return ListingMatches{}, err
	}
	cq, err := q.compile()
	if err != nil {
		return ListingMatches{}, err
	}
	prefix := summaryKey(FormatID(c.self, merchantID, ""))
	if q.After != "" && !bytes.HasPrefix(summaryKey(q.After), prefix) {
		return ListingMatches{}, fmt.Errorf("%w: after %q is not one of this merchant's listings", ErrInvalid, clip(q.After))
	}
	limit := q.Limit
	if limit == 0 {
		limit = defaultPage
	}
	filtered := cq.words != nil || cq.sku != nil || cq.stock != StockAny
	var out ListingMatches
	err = c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
		defer it.Close()
		var s summary
		skip := q.Offset
		for it.Seek(prefix); it.Valid(); it.Next() {
			item := it.Item()
			if filtered {
				ok := false
				if err := item.Value(func(v []byte) error {
					err := decodeSummary(v, &s)
					ok = err == nil && s.matches(cq)
					return err
				}); err != nil {
					return fmt.Errorf("%w (%s)", err, item.Key())
				}
				if !ok {
					continue
				}
			}
			out.Total++
			id := string(item.Key()[len(prefixSummary):])
			if q.After != "" && id <= q.After {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if len(out.Listings) == limit {
				if out.Next == "" {
					out.Next = out.Listings[limit-1].ID
				}
				continue
			}
			l, err := loadView(txn, id, c.views)
			if err != nil {
				return err
			}
			if l == nil {
				return fmt.Errorf("catalog: listing %s has a summary but is not live", id)
			}
			out.Listings = append(out.Listings, *l)
		}
		return nil
	})
	if err != nil {
		return ListingMatches{}, err
	}
	return out, nil
}
