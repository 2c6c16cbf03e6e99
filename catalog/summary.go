package catalog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// The merchants' own listings index. For every live listing of this
// node's merchants the catalog keeps, under c/g/<listing id>, a summary:
// the title and SKUs folded to lower case and each variant's units. It is
// what QueryListings reads to filter a merchant's listings by text, SKU
// and stock state, so that a query never decodes a signed record except
// for the page it returns. A summary is written in the same transaction
// as every change to the listing (a merchant's write, a stock change by
// an order, a record of ours learnt back after a restore) and deleted
// with its takedown. A catalog kept before the index existed builds it
// once at Open (c/gb marks that it was built).
//
// The summary's encoding, all lengths as unsigned varints:
//
//	1 (the version) | len(title) title | count of variants |
//	for each variant: len(sku) sku, units (signed varint)

const summaryVersion = 1

// maxSummaryVariants bounds the variants a stored summary may claim, so
// that a corrupt one cannot make the decoder loop for long.
const maxSummaryVariants = 100_000

func summaryKey(id string) []byte { return []byte(prefixSummary + id) }

// encodeSummary is the summary of l with the units in stock.
func encodeSummary(l *Listing, stock map[string]int64) []byte {
	title := strings.ToLower(l.Title)
	b := make([]byte, 0, 8+len(title)+len(l.Variants)*24)
	b = append(b, summaryVersion)
	b = binary.AppendUvarint(b, uint64(len(title)))
	b = append(b, title...)
	b = binary.AppendUvarint(b, uint64(len(l.Variants)))
	for _, v := range l.Variants {
		sku := strings.ToLower(v.SKU)
		b = binary.AppendUvarint(b, uint64(len(sku)))
		b = append(b, sku...)
		b = binary.AppendVarint(b, stock[v.SKU])
	}
	return b
}

// summary is a decoded summary; its byte slices point into the stored
// value, so that reading one allocates nothing.
type summary struct {
	title []byte   // folded
	skus  [][]byte // folded, in variant order
	stock []int64  // units of each variant
}

// errSummary is what decodeSummary says of bytes it cannot read.
var errSummary = errors.New("catalog: stored listing summary is corrupt")

// decodeSummary reads b into s, reusing s's slices.
func decodeSummary(b []byte, s *summary) error {
	if len(b) == 0 || b[0] != summaryVersion {
		return errSummary
	}
	b = b[1:]
	var ok bool
	if s.title, b, ok = readBytes(b); !ok {
		return errSummary
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > maxSummaryVariants {
		return errSummary
	}
	b = b[k:]
	s.skus, s.stock = s.skus[:0], s.stock[:0]
	for range n {
		var sku []byte
		if sku, b, ok = readBytes(b); !ok {
			return errSummary
		}
		units, k := binary.Varint(b)
		if k <= 0 {
			return errSummary
		}
		b = b[k:]
		s.skus, s.stock = append(s.skus, sku), append(s.stock, units)
	}
	if len(b) != 0 {
		return errSummary
	}
	return nil
}

// readBytes reads a length-prefixed byte string from the front of b.
func readBytes(b []byte) (field, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, false
	}
	return b[k : k+int(n)], b[k+int(n):], true
}

// state is the listing's stock state with low as the low mark.
func (s *summary) state(low int64) StockState { return stockState(s.stock, low) }

// matches reports whether s passes the query's folded words, SKU text and
// stock state.
func (s *summary) matches(q *compiledQuery) bool {
	for _, w := range q.words {
		if !bytes.Contains(s.title, w) && !s.skuContains(w) {
			return false
		}
	}
	if q.sku != nil && !s.skuContains(q.sku) {
		return false
	}
	return q.stock == StockAny || s.state(q.low) == q.stock
}

// skuContains reports whether one of the SKUs holds w.
func (s *summary) skuContains(w []byte) bool {
	for _, sku := range s.skus {
		if bytes.Contains(sku, w) {
			return true
		}
	}
	return false
}

// putSummary stores the summary of listing id.
func putSummary(txn *badger.Txn, id string, l *Listing, stock map[string]int64) error {
	return txn.Set(summaryKey(id), encodeSummary(l, stock))
}

// dropSummary deletes the summary of a listing taken down.
func dropSummary(txn *badger.Txn, id string) error { return txn.Delete(summaryKey(id)) }

// buildSummaries writes the summary of every live listing of this node
// once, in a catalog kept before they existed. It runs at Open, before
// anything writes; a build cut short runs again at the next Open.
func buildSummaries(db *badger.DB, self string) error {
	done := false
	err := db.View(func(txn *badger.Txn) error {
		_, err := txn.Get([]byte(keySummariesBuilt))
		done = err == nil
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		return err
	})
	if err != nil || done {
		return err
	}
	wb := db.NewWriteBatch()
	defer wb.Cancel()
	cursor := ""
	for {
		page, next, err := pageOf(db, listingKey(self+"."), cursor, maxPage)
		if err != nil {
			return err
		}
		for i := range page {
			l := &page[i]
			stock := make(map[string]int64, len(l.Variants))
			for _, v := range l.Variants {
				stock[v.SKU] = v.Stock
			}
			if err := wb.Set(summaryKey(l.ID), encodeSummary(l, stock)); err != nil {
				return err
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if err := wb.Set([]byte(keySummariesBuilt), []byte{1}); err != nil {
		return err
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("catalog: building the listing summaries: %w", err)
	}
	return nil
}
