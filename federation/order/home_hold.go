package order

import (
	"context"
	"errors"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// expireHolds ends the holds whose deadline passed without a confirm,
// giving their units back.
func (s *Service) expireHolds(ctx context.Context) error {
	if s.recovering.Load() { // a restored hold may be long settled; EndRecovery decides
		return nil
	}
	now := timeKey(s.now())
	due := map[string]string{} // part -> hold key
	_ = s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixHold, "", 256) {
			rest := strings.TrimPrefix(k, prefixHold)
			i := strings.IndexByte(rest, '/')
			if i < 0 || rest[:i] > now {
				break
			}
			due[rest[i+1:]] = k
		}
		return nil
	})
	var errs []error
	for id, k := range due {
		_, err := s.transition(ctx, id, nil, nil, expire())
		switch {
		case errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound): // confirmed or released meanwhile
			errs = append(errs, s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(k)) }))
		case err != nil:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
