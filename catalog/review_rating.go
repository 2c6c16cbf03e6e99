package catalog

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Ratings are derived data: every live review has an entry under its
// listing (c/wl/<listing id>/<review id>: rating, SKU, creation time),
// written in the transaction that stores the review, and the aggregates
// per listing, per variant and per merchant are summed from those entries
// into memory when the catalog opens, then kept in step with every review
// stored after.

// prefixReviewEntry keys a live review's entry under its listing.
const prefixReviewEntry = "c/wl/"

func reviewEntryKey(listing, review string) []byte {
	return []byte(prefixReviewEntry + listing + "/" + review)
}

// Rating is an aggregate of reviews: how many, their average and how
// many gave each number of stars.
type Rating struct {
	// Count is the number of live reviews.
	Count int64 `json:"count"`
	// AverageX100 is the average rating in hundredths of a star (425 is
	// 4.25 stars), rounded half up; 0 when there is none.
	AverageX100 int64 `json:"average_x100"`
	// Histogram counts the reviews of 1 to 5 stars, in that order.
	Histogram [5]int64 `json:"histogram"`
}

// Average formats the average with two decimals ("4.25").
func (r Rating) Average() string {
	return fmt.Sprintf("%d.%02d", r.AverageX100/100, r.AverageX100%100)
}

func (r *Rating) add(stars int, n int64) {
	if stars < 1 || stars > 5 {
		return
	}
	r.Histogram[stars-1] += n
	r.Count += n
	var sum int64
	for i, h := range r.Histogram {
		sum += int64(i+1) * h
	}
	r.AverageX100 = 0
	if r.Count > 0 {
		r.AverageX100 = (sum*100*2 + r.Count) / (2 * r.Count)
	}
}

// ratingDelta is what storing one review record changes: its line's
// rating goes from old to new stars (0: no live review).
type ratingDelta struct {
	listing, sku string
	old, new     int
}

// ratingTable holds the aggregates. mu guards the maps.
type ratingTable struct {
	mu       sync.RWMutex
	listing  map[string]*Rating
	variant  map[string]*Rating // key: listing id + "\x00" + SKU
	merchant map[string]*Rating // key: <platform>.<merchant>
}

func newRatingTable() *ratingTable {
	return &ratingTable{listing: map[string]*Rating{}, variant: map[string]*Rating{}, merchant: map[string]*Rating{}}
}

// loadRatings sums the stored review entries.
func loadRatings(db *badger.DB) (*ratingTable, error) {
	t := newRatingTable()
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixReviewEntry), PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			listing, _, _ := strings.Cut(string(it.Item().Key()[len(prefixReviewEntry):]), "/")
			err := it.Item().Value(func(v []byte) error {
				e, err := decodeEntry(v)
				if err != nil {
					return err
				}
				t.bump(listing, e.sku, e.rating, 1)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return t, err
}

func (t *ratingTable) apply(d ratingDelta) {
	if d.listing == "" || d.old == d.new {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bump(d.listing, d.sku, d.old, -1)
	t.bump(d.listing, d.sku, d.new, 1)
}

// bump adds n reviews of stars to the line's aggregates. Caller holds mu
// (or owns t).
func (t *ratingTable) bump(listing, sku string, stars int, n int64) {
	if stars == 0 {
		return
	}
	merchant := listing
	if i := strings.LastIndexByte(listing, '.'); i > 0 {
		merchant = listing[:i]
	}
	for _, k := range []struct {
		m   map[string]*Rating
		key string
	}{{t.listing, listing}, {t.variant, listing + "\x00" + sku}, {t.merchant, merchant}} {
		r := k.m[k.key]
		if r == nil {
			r = new(Rating)
			k.m[k.key] = r
		}
		r.add(stars, n)
		if r.Count <= 0 {
			delete(k.m, k.key)
		}
	}
}

// ListingRating returns the aggregate of a listing's live reviews.
func (c *Catalog) ListingRating(listing string) Rating {
	return c.ratings.get(c.ratings.listing, listing)
}

// VariantRating returns the aggregate of the reviews of one SKU.
func (c *Catalog) VariantRating(listing, sku string) Rating {
	return c.ratings.get(c.ratings.variant, listing+"\x00"+sku)
}

// MerchantRating returns the aggregate of the reviews of every listing
// of a merchant (<platform>.<merchant>).
func (c *Catalog) MerchantRating(platform, merchant string) Rating {
	return c.ratings.get(c.ratings.merchant, FormatMerchantID(platform, merchant))
}

// VariantRatings returns the aggregate of each reviewed SKU of a listing.
func (c *Catalog) VariantRatings(listing string) map[string]Rating {
	t := c.ratings
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := map[string]Rating{}
	for k, r := range t.variant {
		if l, sku, _ := strings.Cut(k, "\x00"); l == listing {
			out[sku] = *r
		}
	}
	return out
}

// RatingsEach calls fn with the aggregate of every reviewed listing (the
// search index takes them when it is rebuilt).
func (c *Catalog) RatingsEach(fn func(listing string, r Rating)) {
	t := c.ratings
	t.mu.RLock()
	all := make(map[string]Rating, len(t.listing))
	for k, r := range t.listing {
		all[k] = *r
	}
	t.mu.RUnlock()
	for k, r := range all {
		fn(k, r)
	}
}

func (t *ratingTable) get(m map[string]*Rating, key string) Rating {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if r := m[key]; r != nil {
		return *r
	}
	return Rating{}
}

// reviewEntry is a live review's entry under its listing.
type reviewEntry struct {
	rating  int
	created time.Time
	sku     string
}

func (e reviewEntry) encode() []byte {
	b := []byte{byte(e.rating)}
	b = binary.BigEndian.AppendUint64(b, uint64(e.created.UnixNano()))
	return append(b, e.sku...)
}

func decodeEntry(b []byte) (reviewEntry, error) {
	if len(b) < 9 || b[0] < 1 || b[0] > 5 {
		return reviewEntry{}, fmt.Errorf("catalog: stored review entry is corrupt")
	}
	return reviewEntry{rating: int(b[0]), created: time.Unix(0, int64(binary.BigEndian.Uint64(b[1:9]))).UTC(), sku: string(b[9:])}, nil
}
