package order

import (
	"context"
	"fmt"
	"slices"
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
	return s.cancel(ctx, shopper, id, nil, "cancelled by the shopper")
}

// CancelParts asks the home nodes of the order's parts named in parts to
// cancel them, as CancelOrder does for every part not yet shipped, and
// waits briefly for the answers. A part the order does not have is
// ErrNotFound, and one already shipped or ended ErrConflict: then nothing
// is cancelled. No parts at all is a FieldErrors naming "parts".
func (s *Service) CancelParts(ctx context.Context, shopper, id string, parts []string) (Order, error) {
	if len(parts) == 0 {
		return Order{}, FieldErrors{{Field: "parts", Message: "name at least one part to cancel"}}
	}
	return s.cancel(ctx, shopper, id, parts, "cancelled by the shopper")
}

// CancelUnits asks the home node of part to cancel some of its units:
// lines names them and how many of each. Its home puts them back in stock
// and gives their worth back, and cancels the part when no unit is left;
// the shopper's payment is refunded as the home's status arrives. A part
// that shipped, or is not accepted yet, is ErrConflict naming it; units
// beyond what is left are a FieldErrors naming "lines[i].quantity". key,
// when set, makes the request idempotent: the same key cancels once.
func (s *Service) CancelUnits(ctx context.Context, shopper, id, part string, lines []Units, key string) (Order, error) {
	o, err := s.GetOrder(ctx, shopper, id)
	if err != nil {
		return Order{}, err
	}
	p := o.partOf(part)
	switch {
	case p == nil:
		return Order{}, fmt.Errorf("%w: order %s has no part %s", ErrNotFound, id, part)
	case len(lines) == 0:
		return Order{}, FieldErrors{{Field: "lines", Message: "name at least one line and how many of its units to cancel"}}
	case len(key) > 200:
		return Order{}, FieldErrors{{Field: "Idempotency-Key", Message: "is longer than 200 characters"}}
	case key != "" && s.loggedID(part, s.self, refundID("shopper", shopper, part, key)): // a repeat: done, or on its way
		return o, nil
	case p.Status != StatusAccepted:
		return Order{}, fmt.Errorf("%w: part_id: part %s is %s; only the units of an accepted part not yet shipped can be cancelled", ErrConflict, part, p.Status)
	}
	var errs FieldErrors
	checkUnits("lines", lines, p.Items, p.Left(), &errs)
	if err := errs.err(); err != nil {
		return Order{}, err
	}
	m, raw, err := s.newSigned(KindCancel, p.Platform, p.ID, func(m *Message) {
		m.Reason, m.Cancel = "cancelled by the shopper", slices.Clone(lines)
		if key != "" {
			m.ID = refundID("shopper", shopper, part, key)
		}
	})
	if err != nil {
		return Order{}, err
	}
	var ks []string
	err = s.update(func(txn *badger.Txn) error {
		ks = ks[:0]
		if key != "" && loggedMessage(txn, part, m.From, m.ID) { // a repeat, at the same time
			return nil
		}
		return s.queueRequests(txn, []signed{{m, raw}}, &ks)
	})
	if err != nil {
		return Order{}, err
	}
	s.confirmNow(ctx, ks)
	return s.GetOrder(ctx, shopper, id)
}

// Cancellable reports whether a part in status s can still be cancelled:
// its home has not shipped it.
func Cancellable(s string) bool { return s == StatusReserved || s == StatusAccepted }

// cancel asks the homes of the order's parts not yet shipped to cancel
// them, for reason: those named in only, or all when only is nil.
func (s *Service) cancel(ctx context.Context, shopper, id string, only []string, reason string) (Order, error) {
	o, err := s.GetOrder(ctx, shopper, id)
	if err != nil {
		return Order{}, err
	}
	for _, part := range only {
		switch p := o.partOf(part); {
		case p == nil:
			return Order{}, fmt.Errorf("%w: order %s has no part %s", ErrNotFound, id, part)
		case !Cancellable(p.Status):
			return Order{}, fmt.Errorf("%w: part %s is %s and can no longer be cancelled", ErrConflict, part, p.Status)
		}
	}
	var msgs []signed
	for _, p := range o.Parts {
		if !Cancellable(p.Status) || only != nil && !slices.Contains(only, p.ID) {
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
