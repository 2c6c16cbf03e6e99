package web

import (
	"encoding/binary"
	"errors"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Signing out ends sessions on the node, not only in the browser: a
// session is a signed cookie the node cannot take back, so for each
// principal the node keeps when its sessions last ended, and a session
// issued before that is over, wherever its cookie was copied to. Shoppers'
// are kept by the order service (Orders.EndSessions); merchants' and the
// operator's here, in Badger under the pages' own prefix, named by the
// console and the dashboard (each its own principal):
//
//	p/ended/merchant/<merchant id>   Unix seconds, 8 bytes big-endian
//	p/ended/operator                 the same, for the operator
//
// Times are to the second, as session.Issued is: a session issued in the
// second of a sign-out outlives it, so that signing in again at once works.
const prefixEnded = "p/ended/"

// revocations reads and writes when principals' sessions ended.
type revocations struct {
	db  *badger.DB
	now func() time.Time
}

// end ends every session of who issued before now.
func (v revocations) end(who string) error {
	at := binary.BigEndian.AppendUint64(nil, uint64(v.now().Unix()))
	return v.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(prefixEnded+who), at) })
}

// live reports whether sess began after who's sessions last ended.
func (v revocations) live(who string, sess *Session) (bool, error) {
	var ended int64
	err := v.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(prefixEnded + who))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error {
			if len(b) == 8 {
				ended = int64(binary.BigEndian.Uint64(b))
			}
			return nil
		})
	})
	return err == nil && sess.Issued >= ended, err
}

// EndSessions ends every session of principal issued before now: the
// merchant's or the operator's sign-out.
func (s *Site) EndSessions(principal string) error { return s.revoked.end(principal) }

// SessionLive reports whether sess began after principal's sessions last
// ended.
func (s *Site) SessionLive(principal string, sess *Session) (bool, error) {
	return s.revoked.live(principal, sess)
}
