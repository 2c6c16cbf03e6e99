package catalog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// originState is what the catalog knows of one origin's seqs. mark = m
// means every record of the origin with seq <= m is stored here or was
// superseded by a newer record for the same listing and kind. top is the
// highest seq stored. top > mark is a gap: records between them may be
// missing, and only a catch-up with a peer can tell.
type originState struct {
	mark, top uint64
}

func loadOrigin(txn *badger.Txn, origin string) (originState, error) {
	item, err := txn.Get(originKey(origin))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return originState{}, nil
	}
	if err != nil {
		return originState{}, err
	}
	var st originState
	err = item.Value(func(v []byte) error {
		st, err = decodeOrigin(v)
		return err
	})
	return st, err
}

func decodeOrigin(v []byte) (originState, error) {
	if len(v) != 16 {
		return originState{}, fmt.Errorf("catalog: stored marks are %d bytes, want 16", len(v))
	}
	return originState{mark: binary.BigEndian.Uint64(v), top: binary.BigEndian.Uint64(v[8:])}, nil
}

func saveOrigin(txn *badger.Txn, origin string, st originState) error {
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 16), st.mark)
	return txn.Set(originKey(origin), binary.BigEndian.AppendUint64(v, st.top))
}

// advance updates an origin's state after a verified record with seq was
// either stored (or skipped as outside this node's shards, which counts
// the same: held) or found already stored or superseded. A record at
// mark+1 moves the mark, which then runs on over the seqs stored after
// it. It reports whether a gap remains.
func advance(txn *badger.Txn, origin string, seq uint64, stored bool) (bool, error) {
	st, err := loadOrigin(txn, origin)
	if err != nil {
		return false, err
	}
	old := st
	if stored && seq > st.top {
		st.top = seq
	}
	if seq == st.mark+1 {
		st.mark = extend(txn, origin, seq)
	}
	if st != old {
		if err := saveOrigin(txn, origin, st); err != nil {
			return false, err
		}
	}
	return st.top > st.mark, nil
}

// extend returns the highest m >= mark such that every seq in (mark, m] is
// stored for origin. It sees the transaction's own writes. It looks seqs up
// one by one rather than with an iterator: an iterator sorts all of the
// transaction's pending writes when it is created, which made a batch of
// records quadratic in its size.
func extend(txn *badger.Txn, origin string, mark uint64) uint64 {
	for mark+1 != 0 {
		if _, err := txn.Get(recordKey(origin, mark+1)); err != nil {
			break
		}
		mark++
	}
	return mark
}

// Marks returns this node's mark for every origin it holds records of,
// its own included (for which the mark is its latest seq). A peer answers
// it with the records above these marks (Since).
func (c *Catalog) Marks() map[string]uint64 {
	marks := make(map[string]uint64)
	err := c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixOrigin), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			origin := string(bytes.TrimPrefix(it.Item().Key(), []byte(prefixOrigin)))
			err := it.Item().Value(func(v []byte) error {
				st, err := decodeOrigin(v)
				marks[origin] = st.mark
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		c.log.Error("catalog: reading marks", "err", err)
	}
	return marks
}

// Origin returns what this node holds of origin's records: its mark
// (every seq up to it is held or superseded) and the highest seq it holds.
// top > mark means records between them are missing still.
func (c *Catalog) Origin(origin string) (mark, top uint64) {
	var st originState
	err := c.db.View(func(txn *badger.Txn) error {
		var err error
		st, err = loadOrigin(txn, origin)
		return err
	})
	if err != nil {
		c.log.Error("catalog: reading an origin's marks", "origin", origin, "err", err)
	}
	return st.mark, st.top
}

// AdvanceMark raises origin's mark to seq (never lowers it). The catch-up
// code calls it once it has applied every record a peer sent for origin
// above our mark, with the peer's own mark for origin as seq: everything
// the peer lacks below its mark was superseded, so we lack nothing either.
//
// The peer's word goes no further than the origin's own signatures: the
// mark rises at most to the highest seq of a record of origin this node
// verified (top). An honest peer holds a record at or above its mark (a
// record is superseded only by a newer one) and sent it, or this node
// holds it or a newer version already; a member claiming more, to make
// this node skip records it never saw, moves nothing.
func (c *Catalog) AdvanceMark(origin string, seq uint64) error {
	if err := checkPeerID(origin); err != nil {
		return fmt.Errorf("%w: origin %q: %v", ErrInvalid, clip(origin), err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.db.Update(func(txn *badger.Txn) error {
		st, err := loadOrigin(txn, origin)
		if err != nil {
			return err
		}
		st.mark = extend(txn, origin, max(st.mark, min(seq, st.top)))
		st.top = max(st.top, st.mark)
		return saveOrigin(txn, origin, st)
	})
}

// origins lists the origins this node holds records of, in key order.
func (c *Catalog) origins() ([]string, error) {
	var out []string
	err := c.db.View(func(txn *badger.Txn) error { out = keysUnder(txn, prefixOrigin); return nil })
	return out, err
}
