package order

import (
	"context"
	"errors"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// cancelUnpaid cancels the orders whose manual payment stayed pending
// longer than Config.UnpaidAfter, so that a shopper who never pays (or a
// stranger placing orders to lock stock up) does not keep the merchants'
// units for ever: their parts' homes give the stock back.
func (s *Service) cancelUnpaid(ctx context.Context) error {
	due, err := s.dueBefore(prefixUnpaid, s.now().Add(-s.cfg.UnpaidAfter))
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range due {
		id := k[strings.LastIndexByte(k, '/')+1:]
		_, err := s.cancel(ctx, "", id, nil, "not paid in time")
		if err != nil && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrNotFound) {
			errs = append(errs, err)
			continue
		}
		s.log.Info("order: unpaid order cancelled", "order", id)
		errs = append(errs, s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(k)) }))
	}
	return errors.Join(errs...)
}
