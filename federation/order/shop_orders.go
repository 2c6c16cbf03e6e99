package order

import (
	"context"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// GetOrder returns shopper's order id; someone else's is ErrNotFound.
func (s *Service) GetOrder(_ context.Context, shopper, id string) (Order, error) {
	var o *Order
	err := s.db.View(func(txn *badger.Txn) (err error) { o, err = loadOrder(txn, id); return err })
	if err != nil {
		return Order{}, err
	}
	if shopper != "" && o.Shopper != shopper {
		return Order{}, fmt.Errorf("%w: order %s", ErrNotFound, id)
	}
	return *o, nil
}

// Orders pages through shopper's orders, newest first. cursor is the
// NextCursor of the previous page.
func (s *Service) Orders(ctx context.Context, shopper, cursor string, limit int) ([]Order, string, error) {
	prefix := prefixShopOrder + shopper + "/"
	var out []Order
	next := ""
	err := s.db.View(func(txn *badger.Txn) error {
		ks := reverseKeys(txn, prefix, cursor, limit+1)
		if len(ks) > limit {
			ks, next = ks[:limit], ks[limit-1][len(prefix):]
		}
		for _, k := range ks {
			o, err := loadOrder(txn, k[strings.LastIndexByte(k, '/')+1:])
			if err != nil {
				return err
			}
			out = append(out, *o)
		}
		return nil
	})
	return out, next, err
}

// CancelOrder asks the home node of every part not yet shipped to cancel
// it, and waits briefly for the answers. Parts already shipped, delivered
// or ended stay as they are; an order with no part left to cancel is
// ErrConflict.
func (s *Service) CancelOrder(ctx context.Context, shopper, id string) (Order, error) {
	return s.cancel(ctx, shopper, id, "cancelled by the shopper")
}

// cancel asks the homes of the order's parts not yet shipped to cancel
// them, for reason.
func (s *Service) cancel(ctx context.Context, shopper, id, reason string) (Order, error) {
	o, err := s.GetOrder(ctx, shopper, id)
	if err != nil {
		return Order{}, err
	}
	var msgs []signed
	for _, p := range o.Parts {
		if p.Status != StatusReserved && p.Status != StatusAccepted {
			continue
		}
		m, raw, err := s.newSigned(KindCancel, p.Platform, p.ID, func(m *Message) { m.Reason = reason })
		if err != nil {
			return Order{}, err
		}
		msgs = append(msgs, signed{m, raw})
	}
	if len(msgs) == 0 {
		return Order{}, fmt.Errorf("%w: order %s has no part that can still be cancelled", ErrConflict, id)
	}
	var ks []string
	err = s.update(func(txn *badger.Txn) error {
		ks = ks[:0]
		return s.queueRequests(txn, msgs, &ks)
	})
	if err != nil {
		return Order{}, err
	}
	s.confirmNow(ctx, ks)
	return s.GetOrder(ctx, shopper, id)
}

// MarkPaid records that a manual payment arrived (operator).
func (s *Service) MarkPaid(_ context.Context, id string) (Order, error) {
	unlock := s.lockShop(id)
	defer unlock()
	var o *Order
	err := s.update(func(txn *badger.Txn) (err error) {
		if o, err = loadOrder(txn, id); err != nil {
			return err
		}
		if o.Payment.Status != PaymentPending {
			return fmt.Errorf("%w: order %s's payment is %s, not pending", ErrConflict, id, o.Payment.Status)
		}
		o.Payment.Status = PaymentPaid
		if err := txn.Delete([]byte(prefixUnpaid + timeKey(o.CreatedAt) + "/" + o.ID)); err != nil {
			return err
		}
		return putJSON(txn, prefixOrder+id, o)
	})
	if err != nil {
		return Order{}, err
	}
	return *o, nil
}
