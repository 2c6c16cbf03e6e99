package catalog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// ApplyResult describes a record Apply stored.
type ApplyResult struct {
	// Record is the record's body.
	Record *Record
	// Gap reports that records of the origin above its mark are stored, so
	// that some below them may be missing: the caller should catch up.
	Gap bool
}

// Apply verifies a record from another node (or one of ours, echoed back)
// and stores it if it is the newest of its listing and kind, deleting the
// record it supersedes. It refuses, storing nothing: ErrTooLarge, ErrForged,
// ErrInvalid (see Decode; also a listing beyond this catalog's limits),
// ErrNotMember when the origin is not an active member, ErrEarly when
// it is dated too far ahead of this node's clock, ErrStale when a newer
// version is stored, ErrConflict when the record contradicts a
// stored one, and ErrDuplicate when it is stored already. A stale or
// duplicate record at the origin's mark+1 still moves the mark.
func (c *Catalog) Apply(raw []byte) (ApplyResult, error) {
	rec, err := c.admit(raw)
	if err != nil {
		return ApplyResult{}, err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	change, delta, gap, err := c.store(rec, raw)
	if err != nil {
		return ApplyResult{}, err
	}
	c.count.Add(delta)
	c.ratings.apply(change.rating)
	c.log.Debug("catalog record applied", "origin", rec.Origin, "seq", rec.Seq, "kind", rec.Kind, "listing", rec.ListingID, "gap", gap)
	c.notify([]Change{*change})
	return ApplyResult{Record: rec, Gap: gap}, nil
}

// store places a verified record and moves its origin's marks, in one
// transaction. A stale or duplicate record still moves the marks and is
// then returned as its error; any other refusal writes nothing.
func (c *Catalog) store(rec *Record, raw []byte) (change *Change, delta int64, gap bool, err error) {
	var refused error
	err = c.db.Update(func(txn *badger.Txn) error {
		var err error
		change, delta, err = c.place(txn, rec, raw, nil)
		if err != nil && !Skipped(err) {
			return err
		}
		refused = err
		if gap, err = advance(txn, rec.Origin, rec.Seq, refused == nil || errors.Is(refused, ErrAway)); err != nil || refused != nil {
			return err
		}
		if err := addCount(txn, delta); err != nil {
			return err
		}
		return addCounter(txn, keyChanges, 1)
	})
	if err == nil {
		err = refused
	}
	return change, delta, gap, err
}

// admit decodes and verifies a record and checks that its origin is a
// member and its listing within this catalog's limits: everything Apply
// checks before it looks at what is stored.
func (c *Catalog) admit(raw []byte) (*Record, error) {
	rec, err := Decode(raw, c.cfg.MaxRecordBytes)
	if err != nil {
		return nil, err
	}
	if err := c.admitDecoded(rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// admitDecoded is admit for a record Decode accepted.
func (c *Catalog) admitDecoded(rec *Record) error {
	if rec.Origin != c.self && !c.members.IsMember(rec.Origin) {
		return fmt.Errorf("%w: record %s/%d: %s is not an active member", ErrNotMember, rec.Origin, rec.Seq, rec.Origin)
	}
	if err := c.checkLimits(rec); err != nil {
		return err
	}
	// Last: only a record valid in every other way is early, so that
	// dating a bad record ahead does not spare its relay the refusal.
	if rec.Origin == c.self {
		return nil
	}
	if now := c.now(); rec.Time.After(now.Add(MaxClockSkew)) {
		return fmt.Errorf("%w: record %s/%d is dated %s, %s ahead of this node's clock (at most %s)", ErrEarly,
			rec.Origin, rec.Seq, rec.Time.UTC().Format(time.RFC3339), rec.Time.Sub(now).Round(time.Second), MaxClockSkew)
	}
	return nil
}

// checkLimits holds a record to the limits that apply to it: this node's
// own for its own records, and for other members' records the ceilings
// any node may configure (see ceilings), in the federation's currency.
func (c *Catalog) checkLimits(rec *Record) error {
	cfg := c.config()
	if rec.Origin != c.self {
		cur := cfg.Currency
		cfg = ceilings()
		cfg.Currency = cur
	}
	switch {
	case rec.Kind == KindReview || rec.Kind == KindReviewReply:
		return c.checkReviewLimits(rec)
	case rec.Kind == KindDoc:
		return nil // content.CheckPublished holds every doc to the same limits
	case rec.Kind == KindMerchant || rec.Kind == KindShipping || rec.Kind == KindOffer || rec.Kind == KindCampaign:
		return checkProfileLimits(rec, cfg, rec.Origin == c.self, c.AdFeeCap())
	case rec.Kind == KindListing && rec.Listing != nil:
		if err := ValidateListing(cfg, rec.Listing.input()); err != nil {
			return fmt.Errorf("record %s/%d: listing %s: %w", rec.Origin, rec.Seq, rec.ListingID, err)
		}
		v := &validator{cfg: cfg}
		v.text("merchant_name", rec.Listing.MerchantName, false, maxMerchantName, false)
		if err := v.result(); err != nil {
			return fmt.Errorf("record %s/%d: listing %s: %w", rec.Origin, rec.Seq, rec.ListingID, err)
		}
		return checkStockLimits(rec, cfg)
	case rec.Kind == KindStock:
		return checkStockLimits(rec, cfg)
	}
	return nil
}

// checkStockLimits holds the stock a record carries (none, in a listing
// record that carries none) to cfg's limits.
func checkStockLimits(rec *Record, cfg Config) error {
	if len(rec.Stock) > cfg.MaxVariants {
		return fmt.Errorf("%w: record %s/%d: stock names %d SKUs, more than %d", ErrInvalid, rec.Origin, rec.Seq, len(rec.Stock), cfg.MaxVariants)
	}
	for sku, n := range rec.Stock {
		if n > cfg.MaxStock {
			return fmt.Errorf("%w: record %s/%d: stock[%q]: %d units, more than %d", ErrInvalid, rec.Origin, rec.Seq, sku, n, cfg.MaxStock)
		}
	}
	return nil
}

// place stores rec unless its seq slot or its listing says otherwise. It
// returns the change to announce and the change in live listings.
func (c *Catalog) place(txn *badger.Txn, rec *Record, raw []byte, placed placedRecords) (*Change, int64, error) {
	if err := checkSlot(txn, rec, raw); err != nil {
		return nil, 0, err
	}
	switch rec.Kind {
	case KindStock:
		ch, err := c.placeStock(txn, rec, raw, placed)
		return ch, 0, err
	case KindMerchant, KindShipping, KindOffer, KindCampaign:
		ch, err := c.placeProfile(txn, rec, raw)
		return ch, 0, err
	case KindReview, KindReviewReply:
		ch, err := c.placeReview(txn, rec, raw)
		return ch, 0, err
	case KindDoc:
		ch, err := c.placeDoc(txn, rec, raw)
		return ch, 0, err
	}
	return c.placeListing(txn, rec, raw, placed)
}

// checkSlot looks at what is stored under the record's origin and seq: the
// same record (ErrDuplicate), another one (ErrConflict), or nothing.
func checkSlot(txn *badger.Txn, rec *Record, raw []byte) error {
	stored, err := getRaw(txn, rec.Origin, rec.Seq)
	if err != nil || stored == nil {
		return err
	}
	if !bytes.Equal(stored, raw) {
		old, err := parseStored(stored)
		if err != nil {
			return err
		}
		a, _ := json.Marshal(old)
		b, _ := json.Marshal(rec)
		if !bytes.Equal(a, b) {
			return fmt.Errorf("%w: %s signed two different records with seq %d", ErrConflict, rec.Origin, rec.Seq)
		}
	}
	return fmt.Errorf("%w: record %s/%d", ErrDuplicate, rec.Origin, rec.Seq)
}

// order compares a record's version with the stored head's.
func order(what, id string, version uint64, prev head) error {
	switch {
	case prev.seq == 0 || version > prev.version:
		return nil
	case version < prev.version:
		return fmt.Errorf("%w: %s of %s version %d is older than the stored version %d", ErrStale, what, id, version, prev.version)
	}
	return fmt.Errorf("%w: %s of %s version %d is stored with other content (seq %d)", ErrConflict, what, id, version, prev.seq)
}

// placeListing places a listing record and, when it carries stock, the
// stock too. Each part is placed by its own version: a record whose
// description is older than the one held may still carry newer stock.
func (c *Catalog) placeListing(txn *badger.Txn, rec *Record, raw []byte, placed placedRecords) (*Change, int64, error) {
	id := rec.ListingID
	prev, err := getHead(txn, listingKey(id))
	if err != nil {
		return nil, 0, err
	}
	if err := orderListing(id, rec.Version, prev); err != nil {
		if rec.CarriesStock() && errors.Is(err, ErrStale) {
			if ch, serr := c.placeStock(txn, rec, raw, placed); !Skipped(serr) {
				return ch, 0, serr
			}
		}
		return nil, 0, err // the description's refusal, when the stock is refused too
	}
	if !c.holds(rec) {
		return c.placeAway(txn, rec, prev)
	}
	if prev.seq == 0 && !prev.away {
		_, merchant, _, _ := ParseID(id)
		if err := c.quotaOK(txn, rec.Origin, merchant, id); err != nil {
			return nil, 0, err
		}
		if err := c.countListing(txn, rec.Origin, merchant); err != nil {
			return nil, 0, err
		}
	}
	var sum digest
	if rec.Listing != nil && rec.Origin == c.self { // only the home reads it (see stockSum)
		sum = contentDigest(rec.Listing)
	}
	if rec.Origin == c.self { // our own records, learnt back after a restore
		if err := c.reindexApplied(txn, rec, prev); err != nil {
			return nil, 0, err
		}
	}
	sh, err := getHead(txn, stockKey(id))
	if err != nil {
		return nil, 0, err
	}
	delta, err := putListing(txn, rec, raw, prev, sum, sh.seq, false)
	if err == nil && rec.Tombstone && rec.Origin == c.self {
		err = dropSummary(txn, id)
	}
	if err != nil || rec.Tombstone {
		return &Change{ID: id, Record: rec, Raw: raw}, delta, err
	}
	stock, err := c.placeCarried(txn, rec, sh)
	if err != nil {
		return nil, 0, err
	}
	if rec.Origin == c.self {
		if err := putSummary(txn, id, rec.Listing, stock); err != nil {
			return nil, 0, err
		}
	}
	return &Change{ID: id, Record: rec, Raw: raw, Listing: rec.Listing.withStock(stock)}, delta, nil
}

func (c *Catalog) placeStock(txn *badger.Txn, rec *Record, raw []byte, placed placedRecords) (*Change, error) {
	id := rec.ListingID
	lh, err := getHead(txn, listingKey(id))
	if err != nil {
		return nil, err
	}
	if lh.tomb {
		return nil, fmt.Errorf("%w: stock of %s: the listing was taken down", ErrStale, id)
	}
	if lh.away {
		return nil, fmt.Errorf("%w: stock of %s", ErrAway, id)
	}
	prev, err := getHead(txn, stockKey(id))
	if err != nil {
		return nil, err
	}
	if err := order("stock", id, rec.StockVersion, prev); err != nil {
		return nil, err
	}
	if err := putStock(txn, rec, raw, prev, c.stockSum(rec), lh.seq); err != nil {
		return nil, err
	}
	ch := &Change{ID: id, Record: rec, Raw: raw}
	if lh.seq != 0 {
		lrec, err := placed.load(txn, rec.Origin, lh.seq)
		if err != nil {
			return nil, err
		}
		ch.Listing = lrec.Listing.withStock(rec.Stock)
		if rec.Origin == c.self {
			if err := putSummary(txn, id, lrec.Listing, rec.Stock); err != nil {
				return nil, err
			}
		}
	}
	return ch, nil
}

// stockSum is the digest a stock head keeps of rec's stock. Only the
// home reads a head's digest (to see whether a write changes anything),
// so the heads of another member's listings keep none, and a member does
// not encode every record it stores again to hash it.
func (c *Catalog) stockSum(rec *Record) digest {
	if rec.Origin != c.self {
		return digest{}
	}
	return stockDigest(rec.Stock)
}

// placeCarried places the stock a listing record, just stored, carries
// when it is newer than prev, the stock head held (a stock record of the
// same version with other units stays), and returns the listing's stock
// after it.
func (c *Catalog) placeCarried(txn *badger.Txn, rec *Record, prev head) (map[string]int64, error) {
	placed := rec.CarriesStock() && order("stock", rec.ListingID, rec.StockVersion, prev) == nil
	if placed {
		if err := putStock(txn, rec, nil, prev, c.stockSum(rec), rec.Seq); err != nil {
			return nil, err
		}
	}
	if rec.Origin == c.self { // only a home keeps pending stock (stock_publish.go)
		if pending, ok, err := getPending(txn, rec.ListingID); err != nil || ok {
			return pending, err // the home's units that the next record will carry
		}
	}
	if placed {
		return rec.Stock, nil
	}
	return recordStock(txn, rec.Origin, prev, nil)
}

// storedStock loads a listing's stock map, nil when none is stored; its
// stock record comes through views (nil: parsed and not kept), so the
// map must not be changed.
func storedStock(txn *badger.Txn, origin, id string, views *viewCache) (map[string]int64, error) {
	if pending, ok, err := getPending(txn, id); err != nil || ok {
		return pending, err // the home's units that the next record will carry
	}
	h, err := getHead(txn, stockKey(id))
	if err != nil {
		return nil, err
	}
	return recordStock(txn, origin, h, views)
}

// recordStock loads the stock of the record stock head h names, nil when
// it names none (see storedStock for views).
func recordStock(txn *badger.Txn, origin string, h head, views *viewCache) (map[string]int64, error) {
	if h.seq == 0 {
		return nil, nil
	}
	rec, err := views.record(txn, origin, h.seq)
	if err != nil {
		return nil, err
	}
	return rec.Stock, nil
}

// reindexApplied keeps the SKU index right for a record of this node that
// arrives from a peer: the index covers every live listing of ours.
func (c *Catalog) reindexApplied(txn *badger.Txn, rec *Record, prev head) error {
	_, merchant, _, _ := ParseID(rec.ListingID) // checked by Decode
	var old, cur []string
	if prev.seq != 0 && !prev.tomb {
		prec, err := loadRecord(txn, rec.Origin, prev.seq)
		if err != nil {
			return err
		}
		old = prec.Listing.skus()
	}
	if rec.Listing != nil {
		cur = rec.Listing.skus()
	}
	return reindex(txn, merchant, rec.ListingID, old, cur)
}

// Since calls fn with the stored records that marks lack: for every
// origin held here (and still a member, or this node), those with seq
// above marks[origin] (all, for an origin marks does not name), in seq
// order, at most batch per call. Nothing is held open while fn runs. An
// error from fn stops the walk and is returned.
func (c *Catalog) Since(marks map[string]uint64, batch int, fn func(raw [][]byte) error) error {
	if batch < 1 {
		return fmt.Errorf("%w: Since: batch must be at least 1, not %d", ErrInvalid, batch)
	}
	origins, err := c.origins()
	if err != nil {
		return err
	}
	for _, o := range origins {
		if o != c.self && !c.members.IsMember(o) {
			continue
		}
		if err := c.sinceOrigin(o, marks[o], batch, fn); err != nil {
			return err
		}
	}
	return nil
}

// sinceOrigin walks one origin's records above after, batch by batch.
func (c *Catalog) sinceOrigin(origin string, after uint64, batch int, fn func(raw [][]byte) error) error {
	for after < math.MaxUint64 {
		raws, last, err := c.recordsAfter(origin, after, batch)
		if err != nil {
			return err
		}
		if len(raws) == 0 {
			return nil
		}
		if err := fn(raws); err != nil {
			return err
		}
		if len(raws) < batch {
			return nil
		}
		after = last
	}
	return nil
}

// recordsAfter reads up to limit records of origin with seq > after, and
// the seq of the last one.
func (c *Catalog) recordsAfter(origin string, after uint64, limit int) ([][]byte, uint64, error) {
	var out [][]byte
	var last uint64
	prefix := recordPrefix(origin)
	err := c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: min(limit, 100)})
		defer it.Close()
		for it.Seek(recordKey(origin, after+1)); it.Valid() && len(out) < limit; it.Next() {
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, raw)
			last = binary.BigEndian.Uint64(it.Item().Key()[len(prefix):])
		}
		return nil
	})
	return out, last, err
}
