package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// What only this node knows of reviews, never replicated: which ones its
// operator hid on its own storefront, the reports its shoppers made, and
// their helpful votes.
//
//	c/wh/<review id>               hidden here
//	c/wp/<review id>/<time>/<n>    a report (JSON)
//	c/wu/<review id>               helpful votes (counter)
//	c/wv/<review id>/<voter>       a voter's helpful vote
const (
	prefixHidden  = "c/wh/"
	prefixReport  = "c/wp/"
	prefixHelpful = "c/wu/"
	prefixVote    = "c/wv/"
)

func hiddenKey(id string) []byte { return []byte(prefixHidden + id) }

// exists reports whether key is stored.
func exists(txn *badger.Txn, key []byte) (bool, error) {
	_, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// The reasons a review may be reported for.
var ReportReasons = []string{"spam", "offensive", "off_topic", "personal_data", "fake", "other"}

// Report is a shopper's report of a review, kept by the storefront it was
// made on.
type Report struct {
	Review string    `json:"review"`
	Reason string    `json:"reason"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
	// From is the member on whose storefront the report was made, when
	// that member forwarded it here (the review is this storefront's);
	// "" for a report made here.
	From string `json:"from,omitempty"`
}

// ReportReview keeps a shopper's report of a live review.
func (c *Catalog) ReportReview(ctx context.Context, id, reason, note string) (Report, error) {
	v := &validator{}
	if !slices.Contains(ReportReasons, reason) {
		v.add("reason", "must be one of %q, not %q", ReportReasons, clip(reason))
	}
	v.text("note", note, false, 1000, true)
	if err := v.result(); err != nil {
		return Report{}, err
	}
	rv, err := c.Review(ctx, id)
	if err != nil {
		return Report{}, err
	}
	r := Report{Review: id, Reason: reason, Note: note, At: c.now().UTC()}
	raw, _ := json.Marshal(r)
	key := fmt.Sprintf("%s%s/%020d/%s", prefixReport, id, r.At.UnixNano(), newLocalID())
	return r, c.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte(key), raw); err != nil {
			return err
		}
		if rv.Storefront != c.self && c.reportForward != nil { // only the signing storefront can take it down
			return c.reportForward(txn, rv.Storefront, r)
		}
		return nil
	})
}

// ReportedReview is a review with the reports this node holds of it.
type ReportedReview struct {
	ReviewView
	Reports []Report `json:"reports"`
}

// ReportedReviews returns the live reviews reported on this node, most
// recently reported first.
func (c *Catalog) ReportedReviews(ctx context.Context) ([]ReportedReview, error) {
	byID := map[string][]Report{}
	var order []string
	err := c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixReport), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var r Report
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &r) }); err != nil {
				return err
			}
			if byID[r.Review] == nil {
				order = append(order, r.Review)
			}
			byID[r.Review] = append(byID[r.Review], r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []ReportedReview
	for _, id := range order {
		v, err := c.Review(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ReportedReview{ReviewView: v, Reports: byID[id]})
	}
	slices.SortStableFunc(out, func(a, b ReportedReview) int {
		return b.Reports[len(b.Reports)-1].At.Compare(a.Reports[len(a.Reports)-1].At)
	})
	return out, nil
}

// HideReview hides (or shows again) a review on this node's storefront
// only; other members are not told.
func (c *Catalog) HideReview(ctx context.Context, id string, hide bool) error {
	if _, err := c.Review(ctx, id); err != nil {
		return err
	}
	return c.db.Update(func(txn *badger.Txn) error {
		if hide {
			return txn.Set(hiddenKey(id), nil)
		}
		return txn.Delete(hiddenKey(id))
	})
}

// HiddenReviews returns the reviews hidden on this node.
func (c *Catalog) HiddenReviews(ctx context.Context) ([]ReviewView, error) {
	var ids []string
	err := c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixHidden)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ids = append(ids, string(it.Item().Key()[len(prefixHidden):]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []ReviewView
	for _, id := range ids {
		v, err := c.Review(ctx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// VoteHelpful counts voter (an opaque id of this node's shopper) as
// finding a review helpful, once per voter.
func (c *Catalog) VoteHelpful(ctx context.Context, id, voter string) error {
	if voter == "" || len(voter) > 200 {
		return &ValidationError{Errors: []FieldError{{Field: "voter", Message: "is required, at most 200 bytes"}}}
	}
	if _, err := c.Review(ctx, id); err != nil {
		return err
	}
	key := []byte(prefixVote + id + "/" + voter)
	return c.db.Update(func(txn *badger.Txn) error {
		if ok, err := exists(txn, key); err != nil || ok {
			return err
		}
		if err := txn.Set(key, nil); err != nil {
			return err
		}
		return addCounter(txn, prefixHelpful+id, 1)
	})
}
