package order

import (
	"context"
	"errors"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Parts that never became orders (a hold that expired, a release) are
// kept PruneAfter, so that a late confirm still finds its part, then
// forgotten with their messages and the answers they got: a storefront
// that reserves and walks away costs this node nothing lasting. Ended
// parts are indexed by when they ended, under "o/ended/".

// markEnded indexes a part that ended without an order, in txn.
func markEnded(txn *badger.Txn, p *HomePart) error {
	return txn.Set([]byte(prefixEnded+timeKey(p.UpdatedAt)+"/"+p.ID), nil)
}

// pruneEnded forgets the parts that ended more than PruneAfter ago.
func (s *Service) pruneEnded(ctx context.Context) error {
	due, err := s.dueBefore(prefixEnded, s.now().Add(-s.cfg.PruneAfter))
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range due {
		if ctx.Err() != nil {
			break
		}
		errs = append(errs, s.forget(k))
	}
	return errors.Join(errs...)
}

// forget deletes the ended part of index key k, unless it came back to
// life (a late confirm of an expired hold), with its messages, their
// index entries and the answers they got.
func (s *Service) forget(k string) error {
	id := k[strings.LastIndexByte(k, '/')+1:]
	unlock := s.lockHome(id)
	defer unlock()
	return s.update(func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(k)); err != nil {
			return err
		}
		p, err := loadHome(txn, id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil || (p.Status != statusExpired && p.Status != statusReleased) {
			return err
		}
		for _, mk := range keys(txn, prefixMessages+id+"/", "", 0) {
			f := strings.Split(strings.TrimPrefix(mk, prefixMessages+id+"/"), "/") // time, from, id
			if len(f) != 3 {
				continue
			}
			other := f[1]
			if other == s.self {
				other = p.Storefront
			}
			for _, del := range []string{mk, prefixInbox + f[1] + "/" + f[2], prefixPeerMessages + other + "/" + f[0] + "/" + id + "/" + f[1] + "/" + f[2]} {
				if err := txn.Delete([]byte(del)); err != nil {
					return err
				}
			}
		}
		for _, del := range []string{prefixHome + id, prefixLatest + id, prefixMerchant + p.Merchant + "/" + timeKey(p.CreatedAt) + "/" + id} {
			if err := txn.Delete([]byte(del)); err != nil {
				return err
			}
		}
		return nil
	})
}

// dueBefore returns the first keys, at most 256, of a time index under
// prefix ("<prefix><timeKey>/<id>") whose time is at or before cutoff.
func (s *Service) dueBefore(prefix string, cutoff time.Time) ([]string, error) {
	before := timeKey(cutoff)
	var due []string
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefix, "", 256) {
			rest := strings.TrimPrefix(k, prefix)
			if rest[:strings.IndexByte(rest, '/')] > before {
				break
			}
			due = append(due, k)
		}
		return nil
	})
	return due, err
}
