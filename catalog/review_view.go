package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// ReviewView is a live review as pages and the API show it: the review,
// its merchant's reply when there is one, and what only this node knows
// of it.
type ReviewView struct {
	Review
	// Reply is the merchant's reply, nil when none.
	Reply *ReviewReply `json:"reply,omitempty"`
	// Helpful counts this storefront's shoppers who found it helpful.
	Helpful int64 `json:"helpful"`
	// Hidden is set when this node's operator hid it here.
	Hidden bool `json:"hidden"`
}

// Review returns one live review of any member with its reply.
func (c *Catalog) Review(ctx context.Context, id string) (ReviewView, error) {
	if err := ctx.Err(); err != nil {
		return ReviewView{}, err
	}
	if _, err := ParseReviewID(id); err != nil {
		return ReviewView{}, err
	}
	var out ReviewView
	err := c.db.View(func(txn *badger.Txn) error {
		rv, err := c.storedReview(txn, id)
		if err != nil {
			return err
		}
		if rv == nil {
			return fmt.Errorf("%w: review %s", ErrNotFound, id)
		}
		out, err = c.viewOf(txn, rv)
		return err
	})
	return out, err
}

// viewOf adds rv's reply and local state.
func (c *Catalog) viewOf(txn *badger.Txn, rv *Review) (ReviewView, error) {
	v := ReviewView{Review: *rv}
	h, err := getHead(txn, replyKey(rv.ID))
	if err != nil {
		return v, err
	}
	if h.seq != 0 {
		rec, err := loadRecord(txn, platformOf(rv.ListingID), h.seq)
		if err != nil {
			return v, err
		}
		v.Reply = rec.Reply
	}
	if v.Helpful, err = loadCounter(txn, prefixHelpful+rv.ID); err != nil {
		return v, err
	}
	v.Hidden, err = exists(txn, hiddenKey(rv.ID))
	return v, err
}

// The orders of a listing's reviews.
const (
	ReviewsNewest  = "newest"
	ReviewsHelpful = "helpful"
)

// ReviewQuery asks for a page of a listing's reviews.
type ReviewQuery struct {
	// Sort is ReviewsNewest (default) or ReviewsHelpful.
	Sort string
	// Stars keeps only reviews of this many stars (0: all).
	Stars int
	// SKU keeps only reviews of one variant ("": all).
	SKU string
	// Cursor is the NextCursor of the previous page ("": the first).
	Cursor string
	// Limit is the page size (default 10, at most 100).
	Limit int
	// WithHidden includes the reviews this node's operator hid.
	WithHidden bool
}

// ReviewPage is one page of a listing's reviews.
type ReviewPage struct {
	Reviews []ReviewView `json:"reviews"`
	// Total counts the reviews the query matches.
	Total int `json:"total"`
	// NextCursor asks for the next page; "" on the last.
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListingReviews returns a page of a listing's live reviews.
func (c *Catalog) ListingReviews(ctx context.Context, listing string, q ReviewQuery) (ReviewPage, error) {
	if err := ctx.Err(); err != nil {
		return ReviewPage{}, err
	}
	if err := checkReviewQuery(&q); err != nil {
		return ReviewPage{}, err
	}
	offset, _ := strconv.Atoi(q.Cursor)
	var page ReviewPage
	err := c.db.View(func(txn *badger.Txn) error {
		all, err := c.listingEntries(txn, listing, q)
		if err != nil {
			return err
		}
		page.Total = len(all)
		end := min(offset+q.Limit, len(all))
		for _, e := range all[min(offset, end):end] {
			rv, err := c.storedReview(txn, e.id)
			if err != nil || rv == nil {
				return err
			}
			v, err := c.viewOf(txn, rv)
			if err != nil {
				return err
			}
			page.Reviews = append(page.Reviews, v)
		}
		if end < len(all) {
			page.NextCursor = strconv.Itoa(end)
		}
		return nil
	})
	return page, err
}

func checkReviewQuery(q *ReviewQuery) error {
	v := &validator{}
	switch q.Sort {
	case "":
		q.Sort = ReviewsNewest
	case ReviewsNewest, ReviewsHelpful:
	default:
		v.add("sort", "must be %q or %q, not %q", ReviewsNewest, ReviewsHelpful, clip(q.Sort))
	}
	if q.Stars < 0 || q.Stars > 5 {
		v.add("stars", "must be 1 to 5 (0: all), not %d", q.Stars)
	}
	if q.Limit == 0 {
		q.Limit = 10
	}
	if q.Limit < 1 || q.Limit > 100 {
		v.add("limit", "must be 1 to 100, not %d", q.Limit)
	}
	if n, err := strconv.Atoi(q.Cursor); q.Cursor != "" && (err != nil || n < 0) {
		v.add("cursor", "is not a cursor this server gave")
	}
	return v.result()
}

// listedEntry is a review entry with what orders it.
type listedEntry struct {
	id      string
	entry   reviewEntry
	helpful int64
}

// listingEntries returns the entries of a listing's reviews the query
// keeps, in its order (ties: newest, then id).
func (c *Catalog) listingEntries(txn *badger.Txn, listing string, q ReviewQuery) ([]listedEntry, error) {
	prefix := reviewEntryKey(listing, "")
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
	defer it.Close()
	var all []listedEntry
	for it.Rewind(); it.Valid(); it.Next() {
		id := string(it.Item().Key()[len(prefix):])
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		e, err := decodeEntry(raw)
		if err != nil {
			return nil, err
		}
		if q.Stars != 0 && e.rating != q.Stars || q.SKU != "" && e.sku != q.SKU {
			continue
		}
		if !q.WithHidden {
			if hidden, err := exists(txn, hiddenKey(id)); err != nil || hidden {
				if err != nil {
					return nil, err
				}
				continue
			}
		}
		le := listedEntry{id: id, entry: e}
		if q.Sort == ReviewsHelpful {
			if le.helpful, err = loadCounter(txn, prefixHelpful+id); err != nil {
				return nil, err
			}
		}
		all = append(all, le)
	}
	slices.SortFunc(all, func(a, b listedEntry) int {
		if a.helpful != b.helpful {
			return int(b.helpful - a.helpful)
		}
		if !a.entry.created.Equal(b.entry.created) {
			return b.entry.created.Compare(a.entry.created)
		}
		return strings.Compare(a.id, b.id)
	})
	return all, nil
}

// MerchantReviews returns the live reviews of a merchant's listings, of
// any member, newest first, at most limit (1 to 500).
func (c *Catalog) MerchantReviews(ctx context.Context, platform, merchant string, limit int) ([]ReviewView, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit = max(1, min(limit, 500))
	var out []ReviewView
	err := c.db.View(func(txn *badger.Txn) error {
		prefix := []byte(prefixReviewEntry + FormatMerchantID(platform, merchant) + ".")
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		var all []listedEntry
		for it.Rewind(); it.Valid(); it.Next() {
			_, id, _ := strings.Cut(string(it.Item().Key()[len(prefix):]), "/")
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				it.Close()
				return err
			}
			e, err := decodeEntry(raw)
			if err != nil {
				it.Close()
				return err
			}
			all = append(all, listedEntry{id: id, entry: e})
		}
		it.Close()
		slices.SortFunc(all, func(a, b listedEntry) int { return b.entry.created.Compare(a.entry.created) })
		for _, e := range all[:min(limit, len(all))] {
			rv, err := c.storedReview(txn, e.id)
			if err != nil || rv == nil {
				return err
			}
			v, err := c.viewOf(txn, rv)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}
