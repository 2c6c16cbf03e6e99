package catalog

import (
	"errors"

	badger "github.com/dgraph-io/badger/v4"
)

// errBatchFallback aborts a batch transaction that met an error Apply would
// have rolled back on its own; the batch is then applied record by record.
var errBatchFallback = errors.New("catalog: batch needs one transaction per record")

// ApplyBatch applies records exactly as Apply would, one result and one
// error per record, in order. It verifies the signatures in parallel and
// stores the batch in one transaction, which is what makes a catch-up of
// many records fast. If any record meets an error other than ErrStale or
// ErrDuplicate while being stored (a conflict, or a batch too large for one
// transaction), the transaction is dropped and every record goes through
// Apply on its own, so that one bad record never spoils the others.
func (c *Catalog) ApplyBatch(raws [][]byte) ([]ApplyResult, []error) {
	recs := make([]*Record, len(raws))
	admitErrs := make([]error, len(raws))
	parallel(len(raws), func(i int) { recs[i], admitErrs[i] = c.admit(raws[i]) })
	res := make([]ApplyResult, len(raws))
	errs := append([]error(nil), admitErrs...)
	c.wmu.Lock()
	changes, delta, err := c.storeBatch(recs, raws, res, errs)
	c.wmu.Unlock()
	if err == nil {
		c.count.Add(delta)
		for _, ch := range changes {
			c.ratings.apply(ch.rating)
		}
		c.notify(changes)
		return res, errs
	}
	for i := range raws {
		if admitErrs[i] == nil {
			res[i], errs[i] = c.Apply(raws[i])
		} else {
			res[i], errs[i] = ApplyResult{}, admitErrs[i]
		}
	}
	return res, errs
}

// storeBatch places every admitted record in one transaction. Caller holds wmu.
func (c *Catalog) storeBatch(recs []*Record, raws [][]byte, res []ApplyResult, errs []error) ([]Change, int64, error) {
	var (
		changes []Change
		delta   int64
	)
	err := c.db.Update(func(txn *badger.Txn) error {
		changes, delta = changes[:0], 0
		for i, rec := range recs {
			if rec == nil {
				continue
			}
			ch, d, err := c.place(txn, rec, raws[i])
			if err != nil && !Skipped(err) {
				return errBatchFallback
			}
			gap, aerr := advance(txn, rec.Origin, rec.Seq, err == nil)
			if aerr != nil {
				return errBatchFallback
			}
			if err != nil {
				errs[i] = err
				continue
			}
			res[i], delta = ApplyResult{Record: rec, Gap: gap}, delta+d
			changes = append(changes, *ch)
		}
		return nil
	})
	return changes, delta, err
}
