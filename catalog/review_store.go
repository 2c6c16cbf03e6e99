package catalog

import (
	"context"
	"fmt"
	"slices"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Badger keys of reviews: the head of a review record by the review's id
// (c/w/<review id>), the head of its reply (c/y/<review id>); the entries
// under listings are in review_rating.go, what only this node knows of a
// review (hidden, reports, helpful votes) in review_local.go.
const (
	prefixReview = "c/w/"
	prefixReply  = "c/y/"
)

func reviewKey(id string) []byte { return []byte(prefixReview + id) }

func replyKey(id string) []byte { return []byte(prefixReply + id) }

// DefaultReviewWindow is the edit window until the node sets the
// charter's (SetReviewWindow).
const DefaultReviewWindow = 30 * 24 * time.Hour

// UseProofs sets what checks reviews' proofs of purchase; without it,
// every review is refused. Call it once, before the catalog is written to.
func (c *Catalog) UseProofs(p ProofChecker) { c.proofs = p }

// SetReviewWindow sets the charter's review edit window; the node calls
// it at start and when the charter changes.
func (c *Catalog) SetReviewWindow(d time.Duration) { c.editWindow.Store(int64(d)) }

func (c *Catalog) reviewWindow() time.Duration {
	if d := c.editWindow.Load(); d > 0 {
		return time.Duration(d)
	}
	return DefaultReviewWindow
}

// PutReview signs a shopper's review of a line this node sold, with
// proof, the home's signed status that stated the part delivered to this
// node. A second review of the same line is an edit of the first,
// refused (ErrConflict) once the edit window has passed since the first;
// a taken-down review stays down (ErrNotFound).
func (c *Catalog) PutReview(ctx context.Context, in ReviewInput, proof []byte) (Review, error) {
	if err := ctx.Err(); err != nil {
		return Review{}, err
	}
	if err := validateReview(in); err != nil {
		return Review{}, err
	}
	id := ReviewID(c.self, in.Part, in.ListingID, in.SKU)
	rv := &Review{ID: id, Storefront: c.self, ListingID: in.ListingID, SKU: in.SKU, Variant: in.Variant, Part: in.Part,
		Rating: in.Rating, Title: in.Title, Text: in.Text, Photos: slices.Clone(in.Photos), Reviewer: in.Reviewer,
		Proof: proof, ProofDigest: ProofDigest(proof)}
	if err := c.checkProof(rv); err != nil {
		return Review{}, err
	}
	rec, err := c.signSubject(KindReview, id, reviewContent(rv), false, func(txn *badger.Txn, r *Record) error {
		rv.Created, rv.Version, rv.UpdatedAt = r.Time, r.Version, r.Time
		old, err := c.storedReview(txn, id)
		if err != nil {
			return err
		}
		if old != nil {
			if r.Time.Sub(old.Created) > c.reviewWindow() {
				return fmt.Errorf("%w: review %s: the edit window of %s has passed", ErrConflict, id, c.reviewWindow())
			}
			rv.Created = old.Created
		}
		r.Review = rv
		if c.signedRating, err = putReviewEntry(txn, old, rv); err != nil || old != nil {
			return err
		}
		return c.emitReview(txn, rv)
	})
	if err != nil {
		return Review{}, err
	}
	return *rec.Review, nil
}

// TakeDownReview signs a tombstone for one of this node's reviews: every
// member drops it, and its line cannot be reviewed again.
func (c *Catalog) TakeDownReview(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s, err := ParseReviewID(id); err != nil || s != c.self {
		return fmt.Errorf("%w: review %s", ErrNotFound, clip(id))
	}
	_, err := c.signSubject(KindReview, id, digest{}, true, func(txn *badger.Txn, r *Record) error {
		old, err := c.storedReview(txn, id)
		if err != nil {
			return err
		}
		if old == nil {
			return fmt.Errorf("%w: review %s", ErrNotFound, id)
		}
		c.signedRating, err = putReviewEntry(txn, old, nil)
		return err
	})
	return err
}

// PutReply signs the merchant's reply to a review of one of its listings
// on this node; a review has one reply (ErrConflict for a second).
func (c *Catalog) PutReply(ctx context.Context, merchantID, reviewID, text string) (ReviewReply, error) {
	if err := ctx.Err(); err != nil {
		return ReviewReply{}, err
	}
	if err := validateReply(text); err != nil {
		return ReviewReply{}, err
	}
	view, err := c.Review(ctx, reviewID)
	if err != nil {
		return ReviewReply{}, err
	}
	if p, m, _, _ := ParseID(view.ListingID); p != c.self || m != merchantID {
		return ReviewReply{}, fmt.Errorf("%w: review %s", ErrNotFound, clip(reviewID))
	}
	if view.Reply != nil {
		return ReviewReply{}, fmt.Errorf("%w: review %s has a reply already", ErrConflict, reviewID)
	}
	rec, err := c.signSubject(KindReviewReply, reviewID, digest{1}, false, func(_ *badger.Txn, r *Record) error {
		if r.Version != 1 {
			return fmt.Errorf("%w: review %s has a reply already", ErrConflict, reviewID)
		}
		r.Reply = &ReviewReply{Review: reviewID, ListingID: view.ListingID, Text: text, UpdatedAt: r.Time}
		return nil
	})
	if err != nil {
		return ReviewReply{}, err
	}
	return *rec.Reply, nil
}

// storedReview returns the live review id, nil when none is stored or it
// was taken down.
func (c *Catalog) storedReview(txn *badger.Txn, id string) (*Review, error) {
	h, err := getHead(txn, reviewKey(id))
	if err != nil || h.seq == 0 || h.tomb {
		return nil, err
	}
	rec, err := loadRecord(txn, platformOf(id), h.seq)
	if err != nil {
		return nil, err
	}
	return rec.Review, nil
}

// putReviewEntry moves the entry of a review under its listing from old
// to now (either nil: none) and returns what that changes in the ratings.
func putReviewEntry(txn *badger.Txn, old, now *Review) (ratingDelta, error) {
	var d ratingDelta
	if old != nil {
		d.listing, d.sku, d.old = old.ListingID, old.SKU, old.Rating
		if err := txn.Delete(reviewEntryKey(old.ListingID, old.ID)); err != nil {
			return d, err
		}
	}
	if now != nil {
		d.listing, d.sku, d.new = now.ListingID, now.SKU, now.Rating
		e := reviewEntry{rating: now.Rating, created: now.Created, sku: now.SKU}
		if err := txn.Set(reviewEntryKey(now.ListingID, now.ID), e.encode()); err != nil {
			return d, err
		}
	}
	return d, nil
}

// placeReview stores a review or reply record from another node (or one
// of ours, learnt back) unless a newer version is stored.
func (c *Catalog) placeReview(txn *badger.Txn, rec *Record, raw []byte) (*Change, error) {
	prev, err := getHead(txn, subjectKey(rec.Kind, rec.Subject))
	if err != nil {
		return nil, err
	}
	if err := order(string(rec.Kind), rec.Subject, rec.Version, prev); err != nil {
		return nil, err
	}
	if prev.tomb {
		return nil, fmt.Errorf("%w: %s was taken down at version %d", ErrConflict, rec.Subject, prev.version)
	}
	old, err := c.storedReview(txn, rec.Subject)
	if err != nil {
		return nil, err
	}
	var sum digest
	switch {
	case rec.Kind == KindReviewReply:
		if old != nil && old.ListingID != rec.Reply.ListingID {
			return nil, fmt.Errorf("%w: reply to %s names listing %s, the review is of %s", ErrInvalid, rec.Subject, rec.Reply.ListingID, old.ListingID)
		}
		old, sum = nil, digest{1}
	case rec.Review != nil:
		if old != nil && !old.Created.Equal(rec.Review.Created) {
			return nil, fmt.Errorf("%w: review %s version %d changes when it was created", ErrInvalid, rec.Subject, rec.Version)
		}
		sum = reviewContent(rec.Review)
	}
	if prev.seq == 0 {
		if err := c.quotaOK(txn, rec.Origin, "", rec.Subject); err != nil {
			return nil, err
		}
		if err := c.countListing(txn, rec.Origin, ""); err != nil {
			return nil, err
		}
	}
	if err := putProfile(txn, rec, raw, prev, sum); err != nil {
		return nil, err
	}
	ch := &Change{ID: rec.Subject, Record: rec, Raw: raw}
	if rec.Kind == KindReview {
		if ch.rating, err = putReviewEntry(txn, old, rec.Review); err != nil {
			return nil, err
		}
	}
	if rv := rec.Review; rv != nil && prev.seq == 0 && rec.Origin != c.self && platformOf(rv.ListingID) == c.self {
		if err := c.emitReview(txn, rv); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

// ReviewEvent is what the back office is told of a new review: on the
// storefront that signed it, and on the home node of the listing.
type ReviewEvent struct {
	ID         string    `json:"id"`
	Storefront string    `json:"storefront"`
	ListingID  string    `json:"listing_id"`
	SKU        string    `json:"sku"`
	Rating     int       `json:"rating"`
	Title      string    `json:"title"`
	Text       string    `json:"text,omitempty"`
	Reviewer   string    `json:"reviewer"`
	Created    time.Time `json:"created"`
}

// UseReviewEvents sets fn to be called, in the transaction that stores
// it, with every review this node signs or that is of one of its
// merchants' listings, the first time it is stored. Call it once, before
// the catalog is written to.
func (c *Catalog) UseReviewEvents(fn func(txn *badger.Txn, e ReviewEvent) error) { c.reviewEvent = fn }

func (c *Catalog) emitReview(txn *badger.Txn, rv *Review) error {
	if c.reviewEvent == nil {
		return nil
	}
	return c.reviewEvent(txn, ReviewEvent{ID: rv.ID, Storefront: rv.Storefront, ListingID: rv.ListingID, SKU: rv.SKU,
		Rating: rv.Rating, Title: rv.Title, Text: rv.Text, Reviewer: rv.Reviewer, Created: rv.Created})
}
