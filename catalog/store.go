package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	jsonv2 "github.com/go-json-experiment/json"
)

// Badger keys owned by the catalog, all under "c/". Seqs are big-endian so
// that an origin's records iterate in seq order.
//
//	c/m/<merchant>             merchant JSON
//	c/t/<sha256(token)>        merchant id
//	c/r/<origin>/<seq>         raw signed record (newest per listing and kind)
//	c/l/<listing id>           listing head: newest listing record, or away (see shard.go)
//	c/s/<listing id>           stock head: newest stock record
//	c/h/<origin>               origin marks: mark and top seq
//	c/k/<merchant>/<sku>       listing id (this node's merchants only)
//	c/n                        count of live listings
//	c/nb                       the count covers other members' listings too (a catalog kept before counts once at Open)
//	c/v                        count of records stored, ever (see Stamp)
//	c/e                        random epoch of this catalog (see Stamp)
//	c/u                        restored from a backup, own records not yet learnt back (see MarkRestored)
//	c/o/<origin>               count of the origin's listing ids, taken down ones included (quota)
//	c/q/<merchant>             the same for one of this node's merchants
//	c/oq                       the quota counts were built (a catalog kept before them counts once at Open)
//	c/g/<listing id>           summary of a live listing of this node: folded title and SKUs, units (see summary.go)
//	c/d/<origin>.<kind>.<slug> head of a federation doc (page or article) of any member (see doc_record.go)
//	c/db                       the docs were moved from c/g/, where builds before 2026-12-05 kept them
//	c/gb                       the summaries were built (a catalog kept before them builds them once at Open)
//	c/shards                   the category shards held when the catalog last opened (see shard.go)
//	c/i/<hash>/<listing id>    the live listing shows the uploaded picture (see image.go)
//	c/j/<listing id>           the uploaded pictures the listing shows
//	c/w/<review id>            review head: newest review record (review_store.go)
//	c/y/<review id>            reply head: the merchant's reply record
//	c/wl/<listing id>/<review> a live review's rating, SKU and time, under its listing (review_rating.go)
//	c/wh/, c/wp/, c/wu/, c/wv/ this node's own: hidden reviews, reports, helpful votes (review_local.go)
const (
	prefixMerchant    = "c/m/"
	prefixToken       = "c/t/"
	prefixRecord      = "c/r/"
	prefixListing     = "c/l/"
	prefixStock       = "c/s/"
	prefixOrigin      = "c/h/"
	prefixSKU         = "c/k/"
	keyCount          = "c/n"
	keyChanges        = "c/v"
	keyEpoch          = "c/e"
	keyRestored       = "c/u"
	prefixQuota       = "c/o/"
	prefixMQuota      = "c/q/"
	keyQuotaBuilt     = "c/oq"
	prefixSummary     = "c/g/"
	keySummariesBuilt = "c/gb"
	keyCountBuilt     = "c/nb"
)

func recordPrefix(origin string) []byte { return []byte(prefixRecord + origin + "/") }

func recordKey(origin string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(recordPrefix(origin), seq)
}

func listingKey(id string) []byte { return []byte(prefixListing + id) }

func stockKey(id string) []byte { return []byte(prefixStock + id) }

func originKey(origin string) []byte { return []byte(prefixOrigin + origin) }

func skuKey(merchant, sku string) []byte { return []byte(prefixSKU + merchant + "/" + sku) }

// head points at the newest record of one kind for one listing and keeps
// what the write paths compare without decoding it. A zero seq means no
// record is stored.
type head struct {
	seq     uint64 // the record's seq; its origin is the listing's platform
	version uint64 // Version of a listing record, StockVersion of a stock record
	tomb    bool   // the listing record is a takedown
	// away marks a listing this node held until it moved to a category it
	// does not hold (shard.go): no record is stored (seq is 0), and
	// version is the moving record's, so that no older one comes back.
	away bool
	sum  digest // contentDigest of the description, or stockDigest of the stock; zero for another member's listing (see stockSum)
}

const headLen = 1 + 8 + 8 + len(digest{})

func (h head) encode() []byte {
	b := make([]byte, 0, headLen)
	var flags byte
	if h.tomb {
		flags = 1
	}
	if h.away {
		flags |= 2
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint64(b, h.seq)
	b = binary.BigEndian.AppendUint64(b, h.version)
	return append(b, h.sum[:]...)
}

func decodeHead(b []byte) (head, error) {
	if len(b) != headLen {
		return head{}, fmt.Errorf("catalog: stored head is %d bytes, want %d", len(b), headLen)
	}
	h := head{tomb: b[0]&1 != 0, away: b[0]&2 != 0, seq: binary.BigEndian.Uint64(b[1:9]), version: binary.BigEndian.Uint64(b[9:17])}
	copy(h.sum[:], b[17:])
	return h, nil
}

// getHead loads a head; a missing one is the zero head.
func getHead(txn *badger.Txn, key []byte) (head, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return head{}, nil
	}
	if err != nil {
		return head{}, err
	}
	var h head
	err = item.Value(func(v []byte) error {
		h, err = decodeHead(v)
		return err
	})
	return h, err
}

// getRaw loads a stored record's bytes, or nil when there is none.
func getRaw(txn *badger.Txn, origin string, seq uint64) ([]byte, error) {
	item, err := txn.Get(recordKey(origin, seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// loadRecord parses the stored record a head points at.
func loadRecord(txn *badger.Txn, origin string, seq uint64) (*Record, error) {
	item, err := recordItem(txn, origin, seq)
	if err != nil {
		return nil, err
	}
	return parseItem(item)
}

// outline is what an update reads of a stored listing record when the
// feed entry carries the rest (Catalog.loadUpdate).
type outline struct {
	category string
	skus     []string
	updated  time.Time
}

// storedOutline is the part of a listing record's JSON that outline
// keeps; the decoder skips the rest without building it.
type storedOutline struct {
	Listing *struct {
		Category string `json:"category"`
		Variants []struct {
			SKU string `json:"sku"`
		} `json:"variants"`
		UpdatedAt time.Time `json:"updated_at"`
	} `json:"listing"`
}

// loadOutline reads the outline of the stored listing record at seq. The
// JSON decoder still reads the whole payload, but builds none of its
// text, maps or prices, and the signer's key is not decoded.
func loadOutline(txn *badger.Txn, origin string, seq uint64) (outline, error) {
	item, err := recordItem(txn, origin, seq)
	if err != nil {
		return outline{}, err
	}
	var s storedOutline
	err = item.Value(func(raw []byte) error {
		payload, err := envelopePayload(raw)
		if err != nil {
			return err
		}
		return jsonv2.Unmarshal(payload, &s)
	})
	if err == nil && s.Listing == nil {
		err = errors.New("it describes no listing")
	}
	if err != nil {
		return outline{}, fmt.Errorf("catalog: stored record %s/%d is corrupt: %w", origin, seq, err)
	}
	o := outline{category: s.Listing.Category, updated: s.Listing.UpdatedAt, skus: make([]string, len(s.Listing.Variants))}
	for i, v := range s.Listing.Variants {
		o.skus[i] = v.SKU
	}
	return o, nil
}

// recordItem is the item of the stored record a head points at, which
// must be there.
func recordItem(txn *badger.Txn, origin string, seq uint64) (*badger.Item, error) {
	item, err := txn.Get(recordKey(origin, seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, fmt.Errorf("catalog: record %s/%d is missing from the store", origin, seq)
	}
	return item, err
}

// parseItem parses the stored record in item.
func parseItem(item *badger.Item) (*Record, error) {
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	return parseStored(raw)
}

// addCount adjusts the stored count of live listings.
func addCount(txn *badger.Txn, delta int64) error {
	return addCounter(txn, keyCount, delta)
}

func loadCount(txn *badger.Txn) (int64, error) { return loadCounter(txn, keyCount) }

// buildCount counts the live listings once, for a catalog kept when
// records applied from other members did not add to the stored count.
func buildCount(db *badger.DB) error {
	return db.Update(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte(keyCountBuilt)); err == nil {
			return nil
		}
		var live int64
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixListing), PrefetchValues: true})
		for it.Rewind(); it.Valid(); it.Next() {
			err := it.Item().Value(func(v []byte) error {
				h, err := decodeHead(v)
				if err == nil && h.seq != 0 && !h.tomb {
					live++
				}
				return err
			})
			if err != nil {
				it.Close()
				return err
			}
		}
		it.Close()
		n, err := loadCount(txn)
		if err != nil {
			return err
		}
		if err := addCount(txn, live-n); err != nil {
			return err
		}
		return txn.Set([]byte(keyCountBuilt), []byte{1})
	})
}

// addCounter adds delta to the 8-byte counter at key.
func addCounter(txn *badger.Txn, key string, delta int64) error {
	if delta == 0 {
		return nil
	}
	n, err := loadCounter(txn, key)
	if err != nil {
		return err
	}
	return txn.Set([]byte(key), binary.BigEndian.AppendUint64(nil, uint64(n+delta)))
}

// loadCounter reads the counter at key; a missing one is 0.
func loadCounter(txn *badger.Txn, key string) (int64, error) {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("catalog: stored counter %s is %d bytes", key, len(v))
		}
		n = int64(binary.BigEndian.Uint64(v))
		return nil
	})
	return n, err
}
