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

// reverseKeys lists keys under prefix, newest (greatest) first, before
// prefix+cursor when cursor is set.
func reverseKeys(txn *badger.Txn, prefix, cursor string, limit int) []string {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues, opts.Reverse, opts.Prefix = false, true, []byte(prefix)
	it := txn.NewIterator(opts)
	defer it.Close()
	start := prefix + "\xff"
	if cursor != "" {
		start = prefix + cursor
	}
	var out []string
	for it.Seek([]byte(start)); it.Valid() && len(out) < limit; it.Next() {
		k := string(it.Item().Key())
		if cursor != "" && k == prefix+cursor {
			continue
		}
		out = append(out, k)
	}
	return out
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

// MerchantParts pages through the parts of merchant homed here, newest
// first, with status when set. Parts that were never confirmed are not
// shown.
func (s *Service) MerchantParts(_ context.Context, merchant, status, cursor string, limit int) ([]HomePart, string, error) {
	prefix := prefixMerchant + merchant + "/"
	var out []HomePart
	next := ""
	err := s.db.View(func(txn *badger.Txn) error {
		for len(out) < limit {
			ks := reverseKeys(txn, prefix, cursor, limit)
			if len(ks) == 0 {
				next = ""
				return nil
			}
			for _, k := range ks {
				cursor = k[len(prefix):]
				p, err := loadHome(txn, k[strings.LastIndexByte(k, '/')+1:])
				if err != nil {
					return err
				}
				if knownStatus(p.Status) && p.Status != StatusReserved && (status == "" || p.Status == status) {
					out = append(out, *p)
					if next = cursor; len(out) == limit {
						return nil
					}
				}
			}
		}
		return nil
	})
	return out, next, err
}

// HomePartOf returns a part homed here, checking it is merchant's (any
// merchant when merchant is "").
func (s *Service) HomePartOf(_ context.Context, merchant, id string) (HomePart, error) {
	var p *HomePart
	err := s.db.View(func(txn *badger.Txn) (err error) { p, err = loadHome(txn, id); return err })
	if err != nil {
		return HomePart{}, err
	}
	if merchant != "" && p.Merchant != merchant {
		return HomePart{}, fmt.Errorf("%w: part %s", ErrNotFound, id)
	}
	return *p, nil
}

// Ship marks merchant's accepted part shipped with its carrier and
// tracking number.
func (s *Service) Ship(ctx context.Context, merchant, id, carrier, tracking string) (HomePart, error) {
	var errs FieldErrors
	if c := strings.TrimSpace(carrier); c == "" || len(c) > 100 {
		errs.add("carrier", "must be 1..100 characters")
	}
	if t := strings.TrimSpace(tracking); t == "" || len(t) > 100 {
		errs.add("tracking", "must be 1..100 characters")
	}
	if err := errs.err(); err != nil {
		return HomePart{}, err
	}
	return s.merchantAction(ctx, merchant, id, ship(strings.TrimSpace(carrier), strings.TrimSpace(tracking)))
}

// Deliver marks merchant's shipped part delivered.
func (s *Service) Deliver(ctx context.Context, merchant, id string) (HomePart, error) {
	return s.merchantAction(ctx, merchant, id, deliver())
}

// Refund refunds merchant's part in full; a part not shipped yet goes back
// to stock.
func (s *Service) Refund(ctx context.Context, merchant, id string) (HomePart, error) {
	return s.merchantAction(ctx, merchant, id, refund())
}

func (s *Service) merchantAction(ctx context.Context, merchant, id string, ch change) (HomePart, error) {
	if s.recovering.Load() {
		return HomePart{}, fmt.Errorf("%w: this node is catching up after a restore; try again in a moment", ErrUnavailable)
	}
	if _, err := s.HomePartOf(ctx, merchant, id); err != nil {
		return HomePart{}, err
	}
	res, err := s.transition(ctx, id, nil, nil, ch)
	if err != nil {
		return HomePart{}, err
	}
	return *res.part, nil
}

// Messages returns every signed message of a part this node keeps.
func (s *Service) Messages(_ context.Context, part string) ([]*Message, error) {
	var out []*Message
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
			raw, err := getRaw(txn, k)
			if err != nil {
				return err
			}
			m, err := DecodeMessage(raw)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}
