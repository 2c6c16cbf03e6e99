package catalog

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// Stamp names the catalog's current content, for data derived from it
// (the search index snapshot): two equal stamps mean the same listings. It
// joins a random epoch made when the catalog was first opened, the count of
// records ever stored, and a digest of every origin's marks, so that it
// changes with every stored record and differs between databases.
func (c *Catalog) Stamp() (string, error) {
	var stamp string
	err := c.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyEpoch))
		if err != nil {
			return fmt.Errorf("catalog: epoch: %w", err)
		}
		epoch, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		n, err := loadCounter(txn, keyChanges)
		if err != nil {
			return err
		}
		marks, err := marksDigest(txn)
		stamp = fmt.Sprintf("%s.%d.%s", epoch, n, marks)
		return err
	})
	return stamp, err
}

// marksDigest hashes every origin's stored marks.
func marksDigest(txn *badger.Txn) (string, error) {
	h := sha256.New()
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixOrigin), PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		h.Write(it.Item().Key())
		if err := it.Item().Value(func(v []byte) error { h.Write(v); return nil }); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), nil
}

// ensureEpoch gives a new catalog its random epoch.
func ensureEpoch(db *badger.DB) error {
	return db.Update(func(txn *badger.Txn) error {
		_, err := txn.Get([]byte(keyEpoch))
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		return txn.Set([]byte(keyEpoch), []byte(hex.EncodeToString(b[:])))
	})
}
