package order

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// RequestReturn asks the home node of part to take back some of its
// units, for a reason of ReturnReasons and the shopper's note. The
// storefront checks what it knows first (the part delivered, the
// merchant's window from the delivery the home stated, the units not
// refunded nor in another open return): a request that fails is a
// FieldErrors naming the field, or ErrConflict, and changes nothing.
// Otherwise the signed request goes through the outbox, so it reaches a
// home that is offline when it comes back; the home's answer (requested,
// or refused with its reason) comes back as a status. key, when set, makes
// the request idempotent. It returns the return as the storefront holds it.
func (s *Service) RequestReturn(ctx context.Context, shopper, id, part string, in ReturnInput, key string) (Return, error) {
	o, err := s.GetOrder(ctx, shopper, id)
	if err != nil {
		return Return{}, err
	}
	p := o.partOf(part)
	if p == nil {
		return Return{}, fmt.Errorf("%w: order %s has no part %s", ErrNotFound, id, part)
	}
	in.Note = strings.TrimSpace(in.Note)
	var errs FieldErrors
	in.check(&errs)
	if len(key) > 200 {
		errs.add("Idempotency-Key", "is longer than 200 characters")
	}
	if err := errs.err(); err != nil {
		return Return{}, err
	}
	rid := newMessageID()
	if key != "" {
		rid = refundID("return", shopper, part, key)
		if r := returnOf(p.Returns, rid); r != nil {
			return cloneReturn(*r), nil
		}
	}
	if err := s.returnAllowed(ctx, p, in); err != nil {
		return Return{}, err
	}
	m, raw, err := s.newSigned(KindReturn, p.Platform, p.ID, func(m *Message) {
		m.ID, m.Return = rid, &ReturnAsk{Lines: slices.Clone(in.Lines), Reason: in.Reason, Note: in.Note}
	})
	if err != nil {
		return Return{}, err
	}
	var ks []string
	err = func() error {
		unlock := s.lockShop(id)
		defer unlock()
		return s.update(func(txn *badger.Txn) error {
			ks = ks[:0]
			o, err := loadOrder(txn, id)
			if err != nil {
				return err
			}
			p := o.partOf(part)
			if returnOf(p.Returns, rid) != nil { // a repeat, at the same time
				return nil
			}
			if err := s.returnAllowed(ctx, p, in); err != nil { // a return of the same units, at the same time
				return err
			}
			p.Returns = append(p.Returns, Return{ID: rid, State: ReturnRequested, Lines: slices.Clone(in.Lines), Reason: in.Reason, Note: in.Note,
				Steps: []ReturnStep{{State: ReturnRequested, At: m.At, By: ByShopper}}})
			o.UpdatedAt = s.now().UTC()
			if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
				return err
			}
			if err := s.emitEvent(txn, "order.return.requested", map[string]any{"order": o.ID, "part": *p, "return": p.Returns[len(p.Returns)-1]}); err != nil {
				return err
			}
			return s.queueRequests(txn, []signed{{m, raw}}, &ks)
		})
	}()
	if err != nil {
		return Return{}, err
	}
	s.notifyEmitter()
	s.confirmNow(ctx, ks)
	return s.PartReturn(ctx, shopper, id, part, rid)
}

// returnAllowed checks a return of part p as the storefront knows it.
func (s *Service) returnAllowed(ctx context.Context, p *Part, in ReturnInput) error {
	if p.Status != StatusDelivered {
		return fmt.Errorf("%w: part_id: part %s is %s; only a delivered part can be returned", ErrConflict, p.ID, strings.ReplaceAll(p.Status, "_", " "))
	}
	pol, ok := s.returnPolicy(ctx, p.Platform, p.Merchant)
	switch {
	case !ok:
		return fmt.Errorf("%w: part_id: merchant %s of part %s takes no returns", ErrConflict, p.Merchant, p.ID)
	case p.DeliveredAt.IsZero():
		return fmt.Errorf("%w: part_id: the home of part %s has not said when it was delivered", ErrConflict, p.ID)
	case s.now().After(windowEnd(p.DeliveredAt, pol.ReturnDays)):
		return fmt.Errorf("%w: part_id: the return window of %d days after delivery on %s ended on %s", ErrConflict, pol.ReturnDays,
			p.DeliveredAt.Format(time.DateOnly), windowEnd(p.DeliveredAt, pol.ReturnDays).Format(time.RFC3339))
	case len(p.Returns) >= maxReturns:
		return fmt.Errorf("%w: part_id: part %s has had %d returns, the most one part may have", ErrConflict, p.ID, maxReturns)
	}
	var errs FieldErrors
	checkUnits("lines", in.Lines, p.Items, returnable(p.Left(), p.Returns), &errs)
	return errs.err()
}

// PartReturns returns the returns of a shopper's part, oldest first.
func (s *Service) PartReturns(ctx context.Context, shopper, id, part string) ([]Return, error) {
	o, err := s.GetOrder(ctx, shopper, id)
	if err != nil {
		return nil, err
	}
	p := o.partOf(part)
	if p == nil {
		return nil, fmt.Errorf("%w: order %s has no part %s", ErrNotFound, id, part)
	}
	return cloneReturns(p.Returns), nil
}

// PartReturn returns return rid of a shopper's part.
func (s *Service) PartReturn(ctx context.Context, shopper, id, part, rid string) (Return, error) {
	rs, err := s.PartReturns(ctx, shopper, id, part)
	if err != nil {
		return Return{}, err
	}
	if r := returnOf(rs, rid); r != nil {
		return *r, nil
	}
	return Return{}, fmt.Errorf("%w: part %s has no return %s", ErrNotFound, part, rid)
}
