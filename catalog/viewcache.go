package catalog

import (
	"fmt"
	"hash/maphash"
	"sync/atomic"

	badger "github.com/dgraph-io/badger/v4"
)

// viewSlots is how many parsed records a catalog's view cache holds at
// most: a few MiB of listings and their stock.
const viewSlots = 4096

// viewCache keeps records parsed from their stored bytes, so that a
// listing read again and again (quoted at every checkout and at every
// home's reserve, shown on its page and in search results) is not decoded
// from JSON each time, neither its description nor its stock record: in
// a checkout storm that decoding was a twentieth of the CPU.
//
// A stored record does not change, so an entry is keyed by the record's
// origin and sequence number, and by the Badger version of the key it
// was read from, so that a record written again under the same key (a
// restore) is read afresh. The cache is direct-mapped: an array of slots
// chosen by a hash of the key, each holding the last record read into
// it. It takes no lock and its memory is bounded; a slot two hot
// listings share only costs them a parse now and then.
type viewCache struct {
	seed  maphash.Seed
	slots [viewSlots]atomic.Pointer[viewEntry]
}

type viewEntry struct {
	origin  string
	seq     uint64
	version uint64
	// rec is shared by every reader of the entry and never changed:
	// readers take copies (withStock copies every slice and map of a
	// description, and only reads a stock map).
	rec *Record
}

func newViewCache() *viewCache { return &viewCache{seed: maphash.MakeSeed()} }

func (vc *viewCache) slot(origin string, seq uint64) *atomic.Pointer[viewEntry] {
	h := maphash.String(vc.seed, origin) ^ (seq * 0x9e3779b97f4a7c15)
	return &vc.slots[h%viewSlots]
}

// record returns the stored record origin/seq, from the cache when it
// holds that very record and otherwise parsed (and cached, unless vc is
// nil: a bulk read would only push out the listings read often). The
// result must not be changed.
func (vc *viewCache) record(txn *badger.Txn, origin string, seq uint64) (*Record, error) {
	item, err := recordItem(txn, origin, seq)
	if err != nil {
		return nil, err
	}
	var slot *atomic.Pointer[viewEntry]
	if vc != nil {
		slot = vc.slot(origin, seq)
		if e := slot.Load(); e != nil && e.seq == seq && e.version == item.Version() && e.origin == origin {
			return e.rec, nil
		}
	}
	rec, err := parseItem(item)
	if err != nil {
		return nil, err
	}
	if slot != nil {
		slot.Store(&viewEntry{origin: origin, seq: seq, version: item.Version(), rec: rec})
	}
	return rec, nil
}

// description returns the listing description of the stored record
// origin/seq (see record). The result must not be changed.
func (vc *viewCache) description(txn *badger.Txn, origin string, seq uint64) (*Listing, error) {
	rec, err := vc.record(txn, origin, seq)
	if err != nil {
		return nil, err
	}
	if rec.Listing == nil {
		return nil, fmt.Errorf("catalog: record %s/%d is a %s, not a listing", origin, seq, rec.Kind)
	}
	return rec.Listing, nil
}
