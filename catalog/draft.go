package catalog

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// prepared is a merchant's input after validation: the description (with
// no identity yet), the stock, their digests and the size of the records
// they would take.
type prepared struct {
	desc     *Listing
	stock    map[string]int64
	descSum  digest
	stockSum digest
	bytes    int  // upper bound of the two records' size
	oneFits  bool // description and stock fit one record (CarriesStock)
}

// sizeProbeTime has the longest RFC 3339 form a UTC time has (nanoseconds
// without trailing zeros), so that probe records are never shorter.
var sizeProbeTime = time.Date(2000, 1, 1, 0, 0, 0, 123456789, time.UTC)

// framing measures, once, how many bytes a signed record adds to the JSON
// its digest covers: for a listing record, to the description's content
// JSON; for a stock record, to the stock map's JSON; for a listing record
// that carries its stock, to both. The difference does not depend on the
// content (ids, seqs and times are probed at their longest), so prepare
// knows a record's size without building it.
func (c *Catalog) framing() (listing, stock, both int, err error) {
	probe := strings.Repeat("a", localIDLen)
	id := FormatID(c.self, probe, probe)
	desc := describe(ListingInput{Variants: []Variant{{SKU: "X"}}})
	full := *desc
	full.ID, full.Platform, full.Merchant, full.Version, full.UpdatedAt = id, c.self, probe, math.MaxUint64, sizeProbeTime
	lrec, err := json.Marshal(&Record{Origin: c.self, Seq: math.MaxUint64, Kind: KindListing, ListingID: id,
		Version: math.MaxUint64, Listing: &full, Time: sizeProbeTime})
	if err != nil {
		return 0, 0, 0, err
	}
	st := map[string]int64{"X": 1}
	srec, err := json.Marshal(&Record{Origin: c.self, Seq: math.MaxUint64, Kind: KindStock, ListingID: id,
		Version: math.MaxUint64, Stock: st, StockVersion: math.MaxUint64, Time: sizeProbeTime})
	if err != nil {
		return 0, 0, 0, err
	}
	brec, err := json.Marshal(&Record{Origin: c.self, Seq: math.MaxUint64, Kind: KindListing, ListingID: id,
		Version: math.MaxUint64, Listing: &full, Stock: st, StockVersion: math.MaxUint64, Time: sizeProbeTime})
	if err != nil {
		return 0, 0, 0, err
	}
	content, units := len(contentJSON(desc)), len(stockJSON(st))
	return len(lrec) - content + c.overhead, len(srec) - units + c.overhead, len(brec) - content - units + c.overhead, nil
}

// SetCarryStock says whether this home may sign a listing's description
// and stock as one record when a change sets both, as every new listing
// does (Record.CarriesStock). Every member accepts such a record, but a
// member of an earlier build refuses it as malformed, so the node turns
// it on only when the charter's protocol level is 2 or more; off, the
// home signs two records, as builds before it did.
func (c *Catalog) SetCarryStock(on bool) { c.carryStock.Store(on) }

// prepare validates in for merchant, named name, checks the uploaded
// pictures it shows (see UseImages), computes its digests and bounds the
// size of its records. It only reads the store, so batches prepare in
// parallel.
func (c *Catalog) prepare(merchant, name string, in ListingInput) (*prepared, []FieldError) {
	if err := ValidateListing(c.config(), in); err != nil {
		var ve *ValidationError
		errors.As(err, &ve)
		return nil, ve.Errors
	}
	if errs, err := c.checkOwnImages(merchant, in); err != nil {
		c.log.Warn("catalog: checking a listing's pictures", "merchant", merchant, "err", err)
		return nil, []FieldError{{Field: "images", Message: "could not be checked against the stored pictures; try again"}}
	} else if errs != nil {
		return nil, errs
	}
	p := &prepared{desc: describe(in), stock: stockOf(in)}
	p.desc.MerchantName = name
	content, stock := contentJSON(p.desc), stockJSON(p.stock)
	p.descSum, p.stockSum = sha256.Sum256(content), sha256.Sum256(stock)
	sizes := []struct {
		what string
		n    int
	}{{"listing", len(content) + c.listingFraming}, {"stock", len(stock) + c.stockFraming}}
	for _, s := range sizes {
		if s.n > c.cfg.MaxRecordBytes {
			return nil, []FieldError{{Message: fmt.Sprintf("the %s takes a signed record of %d bytes, more than the %d allowed (catalog.max_record_bytes)", s.what, s.n, c.cfg.MaxRecordBytes)}}
		}
		p.bytes += s.n
	}
	p.oneFits = len(content)+len(stock)+c.bothFraming <= c.cfg.MaxRecordBytes
	return p, nil
}

// draft is one listing's pending change on its home node: decided inside
// a write transaction, then signed and stored by commit.
type draft struct {
	id, merchant string
	desc         *Listing         // the description after the change; nil after a takedown
	stock        map[string]int64 // the stock after the change
	descSum      digest
	stockSum     digest
	signDesc     bool     // sign desc as the next listing version
	signStock    bool     // sign stock as the next stock version
	oneFits      bool     // desc and stock fit one record (CarriesStock)
	tomb         bool     // sign a takedown
	prevL, prevS head     // the stored heads; zero when absent
	oldSKUs      []string // SKUs the stored description indexes
	// pending: stock is the listing's pending stock, newer than its
	// newest record, whose digest is recordSum; prevS.sum is then the
	// pending stock's, so that a change is one from the stored units
	// (stock_publish.go).
	pending   bool
	recordSum digest
	// fresh: the id was made for this write, so nothing of the listing
	// is stored; its write reads nothing back (a read of a key that is
	// not there goes through every level of Badger's tree).
	fresh bool

	recs []*Record // set by the write's sealer
	raws [][]byte
}

// newDraft is a draft that creates listing id from p; fresh when the id
// was made for it.
func (c *Catalog) newDraft(id, merchant string, p *prepared, fresh bool) *draft {
	d := &draft{id: id, merchant: merchant, fresh: fresh}
	d.update(c.self, p)
	return d
}

// update makes d sign whatever of p differs from what is stored.
func (d *draft) update(platform string, p *prepared) {
	// A listing moving to another category shard takes its stock along:
	// members holding only the new shard have none of its stock records.
	moved := d.desc != nil && p.desc != nil && ShardOf(d.desc.Category) != ShardOf(p.desc.Category)
	if d.prevL.seq == 0 || p.descSum != d.prevL.sum {
		d.desc, d.descSum, d.signDesc = p.desc, p.descSum, true
		d.desc.ID, d.desc.Platform, d.desc.Merchant = d.id, platform, d.merchant
	}
	if d.prevS.seq == 0 || p.stockSum != d.prevS.sum || moved {
		d.stock, d.stockSum, d.signStock = p.stock, p.stockSum, true
	}
	d.oneFits = p.oneFits
}

// changed reports whether d has anything to sign.
func (d *draft) changed() bool { return d.signDesc || d.signStock || d.tomb }

// records builds d's records, taking seqs from *top. A new description
// and new stock, as a new listing has, are one record when they fit one
// and carry allows it (Catalog.SetCarryStock): one signature, one record
// stored and sent to every member instead of two.
func (d *draft) records(origin string, top *uint64, t time.Time, carry bool) {
	version := d.prevL.version
	if d.signDesc || d.tomb {
		version++
		*top++
		r := &Record{Origin: origin, Seq: *top, Kind: KindListing, ListingID: d.id, Version: version, Tombstone: d.tomb, Time: t}
		if !d.tomb {
			d.desc.Version, d.desc.UpdatedAt = version, t
			r.Listing = d.desc
		}
		d.recs = append(d.recs, r)
		if !d.tomb && d.signStock && d.oneFits && carry { // one record carries both
			r.Stock, r.StockVersion = d.stock, d.prevS.version+1
			return
		}
	}
	if d.signStock {
		*top++
		d.recs = append(d.recs, &Record{Origin: origin, Seq: *top, Kind: KindStock, ListingID: d.id, Version: version,
			Stock: d.stock, StockVersion: d.prevS.version + 1, Time: t})
	}
}

// view is the listing as it reads after d, or nil after a takedown.
func (d *draft) view() *Listing {
	if d.tomb || d.desc == nil {
		return nil
	}
	return d.desc.withStock(d.stock)
}

// write runs one local write. build decides the drafts inside a read-write
// transaction; commit signs and stores them; the changes are announced
// after the transaction commits, once the writer lock is let go. Writers
// are serialized by wmu. A write that changed something returns once it
// is on disk, in a flush it shares with the node's other writers, as a
// feed does: a merchant's acknowledged edit outlives the machine's power.
func (c *Catalog) write(build func(txn *badger.Txn) ([]*draft, error)) error {
	t, changes, err := c.writeLocked(build, false)
	c.deliver(t, changes)
	if err != nil || t == 0 {
		return err
	}
	if err := c.durable.Sync(); err != nil {
		return fmt.Errorf("catalog: syncing the change: %w", err)
	}
	return nil
}

// writeLocked is write up to the announcement: it returns the commit's
// turn and its changes, for deliver (a turn of 0 when nothing changed).
// A bulk write of more than bulkSignal records marks all but its last
// change Quiet (see bulkSignal).
func (c *Catalog) writeLocked(build func(txn *badger.Txn) ([]*draft, error), bulk bool) (uint64, []Change, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeHeld(func(txn *badger.Txn, _ *sealer) ([]*draft, error) { return build(txn) }, bulk)
}

// writeHeld is writeLocked for a caller that holds wmu, with a build that
// may hand its drafts to the write's sealer as it decides them.
func (c *Catalog) writeHeld(build func(txn *badger.Txn, s *sealer) ([]*draft, error), bulk bool) (uint64, []Change, error) {
	txn := c.db.NewTransaction(true)
	defer txn.Discard()
	s := c.newSealer(txn)
	defer s.stop()
	drafts, err := build(txn, s)
	if err != nil {
		return 0, nil, err
	}
	changes, delta, err := c.commit(txn, s, drafts)
	if err != nil || len(changes) == 0 {
		return 0, nil, err
	}
	if err := txn.Commit(); err != nil {
		return 0, nil, fmt.Errorf("catalog: committing: %w", err)
	}
	c.count.Add(delta)
	if bulk && len(changes) > bulkSignal {
		for i := range changes[:len(changes)-1] {
			changes[i].Quiet = true
		}
	}
	return c.turns.take(changes), changes, nil
}

// commit gives the drafts' records the next seqs of this node (those s
// has not given already), has s sign them, stores them with their heads
// and SKU index entries, and moves this node's mark to its new latest
// seq, all in txn. It returns the changes to announce and the change in
// live listings.
func (c *Catalog) commit(txn *badger.Txn, s *sealer, drafts []*draft) ([]Change, int64, error) {
	drafts = slices.DeleteFunc(slices.Clone(drafts), func(d *draft) bool { return !d.changed() })
	if len(drafts) == 0 {
		return nil, 0, nil
	}
	for _, d := range drafts {
		s.add(d)
	}
	if err := s.wait(); err != nil {
		return nil, 0, err
	}
	changes, delta, err := c.storeDrafts(txn, drafts)
	if err != nil {
		return nil, 0, err
	}
	s.st.mark = s.st.top
	if err := saveOrigin(txn, c.self, s.st); err != nil {
		return nil, 0, err
	}
	if err := addCounter(txn, keyChanges, int64(len(changes))); err != nil {
		return nil, 0, err
	}
	return changes, delta, addCount(txn, delta)
}

// storeDrafts writes the drafts' signed records.
func (c *Catalog) storeDrafts(txn *badger.Txn, drafts []*draft) ([]Change, int64, error) {
	var changes []Change
	var delta int64
	for _, d := range drafts {
		n, err := c.storeDraft(txn, d)
		if err != nil {
			return nil, 0, err
		}
		delta += n
		v := d.view()
		for i, r := range d.recs {
			changes = append(changes, Change{ID: d.id, Record: r, Raw: d.raws[i], Listing: v})
		}
	}
	return changes, delta, nil
}

func (c *Catalog) storeDraft(txn *badger.Txn, d *draft) (int64, error) {
	var delta int64
	listingHead := d.prevL.seq // the listing record's seq, as the stock is put
	for i, r := range d.recs {
		if len(d.raws[i]) > c.cfg.MaxRecordBytes { // prepare bounds it; this is a guard
			return 0, fmt.Errorf("%w: listing %s: %s record of %d bytes", ErrTooLarge, d.id, r.Kind, len(d.raws[i]))
		}
		var err error
		if r.Kind == KindListing && d.prevL.seq == 0 {
			if err := c.quotaOK(txn, c.self, d.merchant, d.id); err != nil {
				return 0, err
			}
			if err := c.countListing(txn, c.self, d.merchant); err != nil {
				return 0, err
			}
		}
		if r.Kind == KindListing {
			delta, err = putListing(txn, r, d.raws[i], d.prevL, d.descSum, d.prevS.seq, d.fresh)
			listingHead = r.Seq
		}
		if err == nil && (r.Kind == KindStock || r.CarriesStock()) {
			raw := d.raws[i]
			if r.CarriesStock() {
				raw = nil // stored as the listing record
			}
			err = putStock(txn, r, raw, d.prevS, d.stockSum, listingHead)
			if err == nil && d.pending { // the record carries the newest units
				err = txn.Delete(pendingKey(d.id))
			}
		}
		if err != nil {
			return 0, err
		}
	}
	switch {
	case d.tomb:
		if err := dropSummary(txn, d.id); err != nil {
			return 0, err
		}
		return delta, reindex(txn, d.merchant, d.id, d.oldSKUs, nil)
	case d.signDesc:
		if err := reindex(txn, d.merchant, d.id, d.oldSKUs, d.desc.skus()); err != nil {
			return 0, err
		}
	}
	return delta, putSummary(txn, d.id, d.desc, d.stock)
}

// putListing stores a verified listing record as the newest of its
// listing: it deletes the record it supersedes (unless that is the
// listing's stock record, at seq stockHead), moves the head and, for a
// takedown, drops the stock. It returns the change in live listings.
// A fresh listing (its id made for this write) has no pictures indexed
// to read back.
func putListing(txn *badger.Txn, r *Record, raw []byte, prev head, sum digest, stockHead uint64, fresh bool) (int64, error) {
	if err := putRecord(txn, r, raw, prev.seq, stockHead); err != nil {
		return 0, err
	}
	var old []string
	if !fresh {
		var err error
		if old, err = storedImages(txn, r.ListingID); err != nil {
			return 0, err
		}
	}
	if err := indexImages(txn, r.ListingID, old, imageHashes(r.Listing)); err != nil {
		return 0, err
	}
	h := head{seq: r.Seq, version: r.Version, tomb: r.Tombstone, sum: sum}
	if err := txn.Set(listingKey(r.ListingID), h.encode()); err != nil {
		return 0, err
	}
	live := prev.seq != 0 && !prev.tomb
	switch {
	case r.Tombstone:
		if err := dropStock(txn, r.Origin, r.ListingID); err != nil {
			return 0, err
		}
		if live {
			return -1, nil
		}
	case !live:
		return 1, nil
	}
	return 0, nil
}

// putStock stores a verified stock record, or a listing record that
// carries stock, as the newest stock of its listing (raw nil: the record
// is stored already, as the listing record). It deletes the record it
// supersedes unless that is the listing's listing record, at seq
// listingHead.
func putStock(txn *badger.Txn, r *Record, raw []byte, prev head, sum digest, listingHead uint64) error {
	if err := putRecord(txn, r, raw, prev.seq, listingHead); err != nil {
		return err
	}
	h := head{seq: r.Seq, version: r.StockVersion, sum: sum}
	return txn.Set(stockKey(r.ListingID), h.encode())
}

// putRecord stores raw (unless nil: stored already) and deletes the
// record at seq prev, which it supersedes, unless prev is keep (the
// record another head of the same listing still names).
func putRecord(txn *badger.Txn, r *Record, raw []byte, prev, keep uint64) error {
	if raw != nil {
		if err := txn.Set(recordKey(r.Origin, r.Seq), raw); err != nil {
			return err
		}
	}
	if prev != 0 && prev != keep {
		return txn.Delete(recordKey(r.Origin, prev))
	}
	return nil
}

// dropStock deletes a taken-down listing's stock record and head.
func dropStock(txn *badger.Txn, origin, id string) error {
	h, err := getHead(txn, stockKey(id))
	if err != nil || h.seq == 0 {
		return err
	}
	if err := txn.Delete(recordKey(origin, h.seq)); err != nil {
		return err
	}
	if err := txn.Delete(pendingKey(id)); err != nil {
		return err
	}
	return txn.Delete(stockKey(id))
}

// reindex moves a listing's entries in its merchant's SKU index from the
// SKUs in old to those in cur.
func reindex(txn *badger.Txn, merchant, id string, old, cur []string) error {
	for _, s := range old {
		if !slices.Contains(cur, s) {
			if err := txn.Delete(skuKey(merchant, s)); err != nil {
				return err
			}
		}
	}
	for _, s := range cur {
		if !slices.Contains(old, s) {
			if err := txn.Set(skuKey(merchant, s), []byte(id)); err != nil {
				return err
			}
		}
	}
	return nil
}
