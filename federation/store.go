package federation

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// Badger keys owned by the federation package. Every charter version the
// node has accepted is kept, so that it can hand the chain to a member that
// lags behind.
var (
	keyCharterPrefix = []byte("f/charter/")    // f/charter/<version BE uint64> -> signed charter JSON
	keyCharterHead   = []byte("f/charterhead") // -> version BE uint64
)

func charterKey(v uint64) []byte {
	k := make([]byte, len(keyCharterPrefix)+8)
	copy(k, keyCharterPrefix)
	binary.BigEndian.PutUint64(k[len(keyCharterPrefix):], v)
	return k
}

// charterStore keeps the chain of accepted charter versions in Badger.
type charterStore struct {
	db *badger.DB
	// versions are the versions read so far, parsed: a stored version
	// never changes, and settlement and the order service read the one
	// a part was priced under for every status.
	versions sync.Map // uint64 -> *SignedCharter
}

// head loads the newest accepted version, or ErrNoCharter.
func (s *charterStore) head() (*SignedCharter, error) {
	var sc *SignedCharter
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(keyCharterHead)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrNoCharter
		}
		if err != nil {
			return err
		}
		var v []byte
		if v, err = item.ValueCopy(nil); err != nil {
			return err
		}
		sc, err = getCharter(txn, binary.BigEndian.Uint64(v))
		return err
	})
	return sc, err
}

func getCharter(txn *badger.Txn, version uint64) (*SignedCharter, error) {
	item, err := txn.Get(charterKey(version))
	if err != nil {
		return nil, fmt.Errorf("federation: charter version %d: %w", version, err)
	}
	b, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	sc, err := ParseSignedCharter(b)
	if err != nil {
		return nil, fmt.Errorf("federation: stored charter version %d is corrupt: %w", version, err)
	}
	return sc, nil
}

// put stores sc as the new head in one transaction, so a crash leaves either
// the old head or the new one, never a half-applied version.
func (s *charterStore) put(sc *SignedCharter) error {
	head := make([]byte, 8)
	binary.BigEndian.PutUint64(head, sc.Charter.Version)
	return s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(charterKey(sc.Charter.Version), sc.Marshal()); err != nil {
			return err
		}
		return txn.Set(keyCharterHead, head)
	})
}

// since returns the stored versions newer than v, oldest first, at most limit.
func (s *charterStore) since(v uint64, limit int) ([]*SignedCharter, error) {
	var out []*SignedCharter
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: keyCharterPrefix, PrefetchValues: true, PrefetchSize: 8})
		defer it.Close()
		for it.Seek(charterKey(v + 1)); it.Valid() && len(out) < limit; it.Next() {
			b, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			sc, err := ParseSignedCharter(b)
			if err != nil {
				return err
			}
			out = append(out, sc)
		}
		return nil
	})
	return out, err
}

// CheckStored verifies a charter file an operator hands a node at start
// against the chain stored in db, without starting anything. It reports
// whether the file is newer than the stored head (and so should be
// submitted). An older version must equal the stored one; a version that
// skips ahead, or that the head's members did not sign, is an error.
func CheckStored(db *badger.DB, sc *SignedCharter) (newer bool, err error) {
	s := charterStore{db: db}
	head, err := s.head()
	if errors.Is(err, ErrNoCharter) {
		return true, sc.VerifyBootstrap()
	}
	if err != nil {
		return false, err
	}
	if sc.Charter.Version > head.Charter.Version {
		return true, sc.Verify(&head.Charter)
	}
	var stored *SignedCharter
	err = db.View(func(txn *badger.Txn) error {
		stored, err = getCharter(txn, sc.Charter.Version)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("%w: version %d is older than the stored version %d and not stored here", ErrVersion, sc.Charter.Version, head.Charter.Version)
	}
	if stored.Charter.Digest() != sc.Charter.Digest() {
		return false, fmt.Errorf("%w: version %d differs from the stored version %d", ErrVersion, sc.Charter.Version, sc.Charter.Version)
	}
	return false, nil
}

// CharterVersion returns a stored version of the charter (the policy an
// order was priced under, for instance). Callers share it and must not
// change it.
func (f *Federation) CharterVersion(v uint64) (*SignedCharter, error) {
	if sc, ok := f.store.versions.Load(v); ok {
		return sc.(*SignedCharter), nil
	}
	var sc *SignedCharter
	err := f.store.db.View(func(txn *badger.Txn) (err error) { sc, err = getCharter(txn, v); return err })
	if err != nil {
		return nil, err
	}
	f.store.versions.Store(v, sc)
	return sc, nil
}
