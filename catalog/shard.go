package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// Category shards. Every member holds every other member's listings by
// default; an alliance of twenty platforms with half a million listings
// each puts ten million on every node (BENCHMARKS.md, "Toward ten
// million"). A storefront that sells some categories needs only those:
// Config.Shards names the top-level categories of the other members'
// listings that this node holds, and the catalog stores, indexes and
// counts only those and their stock. Everything else still replicates in
// full (merchants, shipping profiles, offers, campaigns, reviews, pages),
// so checkout, settlement and reviews are unchanged, and the node's own
// merchants' listings are always held: it is their authority.
//
// A listing record outside the shards is verified like any other (its seq
// moves the origin's mark, and a forged record must not move it) and then
// not stored: it leaves an away head, whose version keeps an older
// version from coming back, and the listing's stock records are dropped
// and skipped while it is away (a stock record can arrive first: a
// listing's description may change after its stock did). A held listing
// that moves to a category this node does not hold is let go the same
// way. When a listing moves back it is stored anew; its home signs a
// stock record whenever a listing changes shard, so it comes with its
// stock.
//
// Records keep one sequence per origin, so nothing on the wire changes:
// a node holding some shards exchanges marks and records with every
// member as before, but vouches only for its own origin's mark
// (Vouched), since its marks of the others count records it skipped.

// ErrAway reports a listing record in a category this node does not hold:
// verified, not stored. Skipped reports it, like a stale record.
var ErrAway = errors.New("listing in a category this node does not hold")

// keyShards stores the shards the catalog held when it last opened.
const keyShards = "c/shards"

// ShardOf returns the shard of a category path: its top-level segment,
// lower-cased ("Home > Kitchen" is in "home").
func ShardOf(category string) string {
	top, _, _ := strings.Cut(category, ">")
	return strings.ToLower(strings.TrimSpace(top))
}

// normalShards returns shards as the catalog compares them: lower-cased,
// sorted, nil for every category.
func normalShards(shards []string) []string {
	if len(shards) == 0 {
		return nil
	}
	out := make([]string, len(shards))
	for i, s := range shards {
		out[i] = ShardOf(s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Shards returns the top-level categories of other members' listings this
// node holds, as configured, or nil when it holds every category.
func (c *Catalog) Shards() []string {
	if c.shards == nil {
		return nil
	}
	return slices.Clone(c.cfg.Shards)
}

// HoldsCategory reports whether this node holds other members' listings
// in category.
func (c *Catalog) HoldsCategory(category string) bool {
	return c.shards == nil || slices.Contains(c.shards, ShardOf(category))
}

// holds reports whether this node stores listing record rec: any but
// another member's listing in a category it does not hold. Takedowns are
// stored whatever their category, which they do not carry.
func (c *Catalog) holds(rec *Record) bool {
	return c.shards == nil || rec.Origin == c.self || rec.Listing == nil || c.HoldsCategory(rec.Listing.Category)
}

// placeAway takes a newer listing record outside this node's shards than
// the stored head prev: it leaves an away head and drops the listing's
// stock, with ErrAway when the listing was not held here, or, when it was
// until now, its removal (the change's Away).
func (c *Catalog) placeAway(txn *badger.Txn, rec *Record, prev head) (*Change, int64, error) {
	id := rec.ListingID
	if err := letGo(txn, rec.Origin, id, prev.seq, rec.Version); err != nil {
		return nil, 0, err
	}
	if prev.seq == 0 {
		return nil, 0, fmt.Errorf("%w: record %s/%d: listing %s is in %q", ErrAway, rec.Origin, rec.Seq, id, ShardOf(rec.Listing.Category))
	}
	return &Change{ID: id, Record: rec, Away: true}, -1, nil
}

// orderListing is order for a listing record, which must also be newer
// than a version that moved away.
func orderListing(id string, version uint64, prev head) error {
	if prev.away && version <= prev.version {
		return fmt.Errorf("%w: listing %s version %d is older than version %d, which left this node's categories", ErrStale, id, version, prev.version)
	}
	if err := order("listing", id, version, prev); err != nil {
		return err
	}
	if prev.tomb {
		return fmt.Errorf("%w: listing %s was taken down at version %d", ErrConflict, id, prev.version)
	}
	return nil
}

// letGo drops a listing's record at seq (none when 0), images and stock,
// and leaves an away head at version.
func letGo(txn *badger.Txn, origin, id string, seq, version uint64) error {
	if seq != 0 {
		if err := txn.Delete(recordKey(origin, seq)); err != nil {
			return err
		}
		if err := reimage(txn, id, nil); err != nil {
			return err
		}
	}
	if err := dropStock(txn, origin, id); err != nil {
		return err
	}
	return txn.Set(listingKey(id), head{away: true, version: version}.encode())
}

// Vouched returns the marks this node vouches for to a member it answers
// a catch-up: every origin's when it holds every category, only its own
// when it holds some shards.
func (c *Catalog) Vouched() map[string]uint64 {
	marks := c.Marks()
	if c.shards == nil {
		return marks
	}
	return map[string]uint64{c.self: marks[c.self]}
}

// reconcileShards compares the shards held when the catalog last opened
// with the configured ones. When they widen, every other origin's mark
// goes back to zero and the away heads are forgotten, so that the next
// catch-up brings what was skipped (what is held comes again as
// duplicates). When they narrow, the other
// members' listings outside them are let go. It returns how many were.
func reconcileShards(db *badger.DB, self string, shards []string) (widened bool, dropped int64, err error) {
	var old []string
	err = db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyShards))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &old) })
	})
	if err != nil {
		return false, 0, err
	}
	covers := func(a, b []string) bool { // a holds all b does
		return a == nil || b != nil && !slices.ContainsFunc(b, func(s string) bool { return !slices.Contains(a, s) })
	}
	widened = !covers(old, shards)
	if widened {
		if err := forgetSkipped(db, self); err != nil {
			return false, 0, err
		}
	}
	if !covers(shards, old) {
		if dropped, err = dropOutside(db, self, shards); err != nil {
			return widened, dropped, err
		}
	}
	if slices.Equal(old, shards) && (old == nil) == (shards == nil) {
		return false, 0, nil
	}
	v, err := json.Marshal(shards)
	if err != nil {
		return widened, dropped, err
	}
	return widened, dropped, db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keyShards), v) })
}

// forgetSkipped sets every other origin's mark and top to zero and
// deletes the away heads, a thousand per transaction.
func forgetSkipped(db *badger.DB, self string) error {
	err := db.Update(func(txn *badger.Txn) error {
		for _, k := range keysUnder(txn, prefixOrigin) {
			if k != self {
				if err := saveOrigin(txn, k, originState{}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var away [][]byte
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixListing), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			err := it.Item().Value(func(v []byte) error {
				h, err := decodeHead(v)
				if err == nil && h.away {
					away = append(away, it.Item().KeyCopy(nil))
				}
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk(away, 1000) {
		err := db.Update(func(txn *badger.Txn) error {
			for _, k := range chunk {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// dropOutside lets go of every other member's listing outside shards, a
// thousand per transaction, and counts the change so that the search
// index's snapshot is rebuilt.
func dropOutside(db *badger.DB, self string, shards []string) (int64, error) {
	type held struct {
		id      string
		seq     uint64
		version uint64
	}
	var out []held
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixListing), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			id := string(it.Item().Key()[len(prefixListing):])
			origin := platformOf(id)
			if origin == self {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			h, err := decodeHead(v)
			if err != nil || h.seq == 0 || h.tomb {
				continue
			}
			rec, err := loadRecord(txn, origin, h.seq)
			if err != nil {
				return err
			}
			if rec.Listing != nil && !slices.Contains(shards, ShardOf(rec.Listing.Category)) {
				out = append(out, held{id, h.seq, h.version})
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for chunk := range slices.Chunk(out, 1000) {
		err := db.Update(func(txn *badger.Txn) error {
			for _, h := range chunk {
				if err := letGo(txn, platformOf(h.id), h.id, h.seq, h.version); err != nil {
					return err
				}
			}
			if err := addCount(txn, -int64(len(chunk))); err != nil {
				return err
			}
			return addCounter(txn, keyChanges, int64(len(chunk)))
		})
		if err != nil {
			return 0, err
		}
	}
	return int64(len(out)), nil
}

// keysUnder lists the rest of every key under prefix.
func keysUnder(txn *badger.Txn, prefix string) []string {
	var out []string
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		out = append(out, string(it.Item().Key()[len(prefix):]))
	}
	return out
}
