package catalog

import (
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// A catalog restored from a backup does not know what its node signed
// between the backup and the loss: those records live only at the members
// now. Its seqs and listing versions restart from the backup's, so a
// record it signed before learning them back would take a seq (and often
// a listing version) that members already hold with other content. They
// would refuse it as a conflict, it would refuse theirs, and a catch-up
// between them would stop at that record for good.
//
// So a restored catalog signs nothing until it has learnt its own records
// back. The restore marks the database (MarkRestored); Open reads the
// mark; every write that would sign a record (merchants' changes, stock
// taken or returned by orders) fails with ErrUnavailable meanwhile; and
// records from members are applied as usual, our own among them (see
// placeListing), which moves this node's mark and top to the highest seq
// members hold. Once the node has completed a catch-up with the members
// it reaches, it calls LearntBack, and the next record continues after
// the highest seq seen.

// MarkRestored records in txn, a transaction on a database just loaded
// from a backup, that the catalog in it must learn its own records back
// from members before it signs another.
func MarkRestored(txn *badger.Txn) error {
	return txn.Set([]byte(keyRestored), []byte{1})
}

// Restored reports whether the catalog still waits to learn its own
// records back after a restore; while it does, writes fail with
// ErrUnavailable.
func (c *Catalog) Restored() bool { return c.restored.Load() }

// LearntBack ends the wait that MarkRestored began. The caller has
// completed a catch-up with the members it reaches, so that this node
// holds every record of its own that they hold, and its next seq follows
// the highest of them.
func (c *Catalog) LearntBack() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(keyRestored)) }); err != nil {
		return fmt.Errorf("catalog: ending the wait after a restore: %w", err)
	}
	c.restored.Store(false)
	return nil
}

// loadRestored reads whether the database carries the restore mark.
func loadRestored(db *badger.DB) (bool, error) {
	var marked bool
	err := db.View(func(txn *badger.Txn) error {
		_, err := txn.Get([]byte(keyRestored))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		marked = err == nil
		return err
	})
	return marked, err
}

// checkSigning refuses to sign while the catalog waits after a restore.
// Callers hold wmu, which LearntBack takes too.
func (c *Catalog) checkSigning() error {
	if c.restored.Load() {
		return fmt.Errorf("%w: this node was restored from a backup and signs no listing or stock change until it has learnt back from a member what it signed since; try again once it has caught up", ErrUnavailable)
	}
	return nil
}
