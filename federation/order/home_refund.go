package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// RefundRequest is a merchant's refund of some of a part: some units of
// its lines and/or an amount, with or without the shipping left, the
// units back to stock or not. Without Amount, the units are refunded at
// their unit prices; with it, Amount (in the part's minor units) is what
// the items of this refund give back, whether or not it names units (a
// returned item less a restocking fee, a goodwill gesture). Never more
// than what is left refundable.
type RefundRequest struct {
	Lines []Units `json:"lines,omitempty"`
	// Amount is the money for the items, in minor units of the part's
	// currency.
	Amount *int64 `json:"amount,omitempty"`
	// WithShipping gives back the shipping not refunded yet.
	WithShipping bool `json:"with_shipping,omitempty"`
	// Restock puts Lines back into stock.
	Restock bool   `json:"restock,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Key makes the request idempotent: the same key refunds once.
	Key string `json:"-"`
}

// errDone marks a request the part already carries out (a repeated
// Idempotency-Key): the part is answered as it is.
var errDone = errors.New("order: already done")

// RefundPart refunds some of merchant's part as req says and returns the
// part. A part whose units or items are all given back ends refunded (one
// that never shipped gives its shipping back too, and its units left go
// back to stock). Anything beyond what is left is a FieldErrors naming
// the field, and changes nothing.
func (s *Service) RefundPart(ctx context.Context, merchant, id string, req RefundRequest) (HomePart, error) {
	var errs FieldErrors
	if len(req.Reason) > 512 {
		errs.add("reason", "is longer than 512 bytes")
	}
	if req.Restock && len(req.Lines) == 0 {
		errs.add("restock", "names no lines to put back in stock")
	}
	if req.Amount != nil && *req.Amount < 0 {
		errs.add("amount", "must be 0 or more")
	}
	if len(req.Key) > 200 {
		errs.add("Idempotency-Key", "is longer than 200 characters")
	}
	if err := errs.err(); err != nil {
		return HomePart{}, err
	}
	rid := newMessageID()
	if req.Key != "" {
		rid = refundID("merchant", merchant, id, req.Key)
	}
	return s.merchantAction(ctx, merchant, id, refundSome(rid, req))
}

// Refund refunds merchant's part in full, shipping included; a part not
// shipped yet goes back to stock.
func (s *Service) Refund(ctx context.Context, merchant, id string) (HomePart, error) {
	return s.merchantAction(ctx, merchant, id, refundRest(newMessageID(), true))
}

// RefundItems refunds the items of merchant's part and keeps what the
// shopper paid for shipping, as after a parcel that went out and came
// back; a part not shipped yet refunds its shipping too.
func (s *Service) RefundItems(ctx context.Context, merchant, id string) (HomePart, error) {
	return s.merchantAction(ctx, merchant, id, refundRest(newMessageID(), false))
}

// refundRest refunds everything left of a part's items (and its shipping
// left, withShipping or when it never shipped): its units left go back to
// stock when it never left the warehouse.
func refundRest(rid string, withShipping bool) change {
	return change{event: "order.part.refunded", apply: func(p *HomePart) error {
		left := p.Left()
		req := RefundRequest{Amount: &left.Items.Amount, WithShipping: withShipping, Restock: p.Status == StatusAccepted}
		for _, u := range left.Units {
			if u.Quantity > 0 {
				req.Lines = append(req.Lines, u)
			}
		}
		req.Restock = req.Restock && len(req.Lines) > 0
		return refundSome(rid, req).apply(p)
	}}
}

// refundSome is a merchant's refund rid of some of a part.
func refundSome(rid string, req RefundRequest) change {
	ch := change{event: "order.part.partially_refunded"}
	ch.apply = func(p *HomePart) error {
		if hasRefund(p.Refunds, rid) {
			return errDone
		}
		switch p.Status {
		case StatusAccepted, StatusShipped, StatusDelivered:
		default:
			return refuse(p, "refund")
		}
		if len(p.Refunds) >= maxRefunds {
			return fmt.Errorf("%w: part %s has had %d refunds, the most one part may have", ErrConflict, p.ID, maxRefunds)
		}
		left := p.Left()
		var errs FieldErrors
		worth := checkUnits("lines", req.Lines, p.Lines, left, &errs)
		if err := errs.err(); err != nil {
			return err
		}
		items := worth
		if req.Amount != nil {
			items = *req.Amount
		}
		if items > left.Items.Amount {
			asked := Money{Amount: items, Currency: p.Total.Currency}
			if req.Amount == nil {
				errs.add("lines", "the units are worth %s, more than the %s of items left to refund; give a smaller amount", asked, left.Items)
			} else {
				errs.add("amount", "%s is more than the %s of items left to refund", asked, left.Items)
			}
			return errs
		}
		r := Refund{ID: rid, Seq: p.Seq + 1, Kind: RefundKindRefund, Lines: slices.Clone(req.Lines), Restock: req.Restock,
			Reason: strings.TrimSpace(req.Reason), Amount: Money{Amount: items, Currency: p.Total.Currency}}
		if req.WithShipping {
			r.Shipping = left.Shipping
		}
		ends := leftAfter(p, r).none() || items == left.Items.Amount
		if ends && p.Status == StatusAccepted { // never left the warehouse: its shipping goes back too
			r.Shipping = left.Shipping
		}
		r.Amount.Amount += r.Shipping.Amount
		if r.Amount.Amount == 0 && len(r.Lines) == 0 {
			errs.add("amount", "nothing to refund: name lines, an amount or with_shipping, with %s of items and %s of shipping left", left.Items, left.Shipping)
			return errs
		}
		p.book(r)
		if ends {
			ch.event = "order.part.refunded"
			p.Status, p.Held = StatusRefunded, p.Held && p.Status != StatusAccepted
		}
		return nil
	}
	return ch
}

// cancelUnits cancels some units of a part not yet shipped, for the
// storefront's cancel message id: they go back to stock, and their worth
// is given back (never more than the items left). A part with no unit left
// is cancelled, and gives back all that is left, shipping included.
func cancelUnits(msgID string, units []Units, reason string) change {
	ch := change{event: "order.part.partially_cancelled"}
	ch.apply = func(p *HomePart) error {
		if p.Status != StatusAccepted {
			return refuse(p, "cancel")
		}
		if len(p.Refunds) >= maxRefunds {
			return fmt.Errorf("%w: part %s has had %d refunds, the most one part may have", ErrConflict, p.ID, maxRefunds)
		}
		left := p.Left()
		var errs FieldErrors
		worth := checkUnits("lines", units, p.Lines, left, &errs)
		if err := errs.err(); err != nil {
			return err
		}
		r := Refund{ID: refundID("cancel", msgID), Seq: p.Seq + 1, Kind: RefundKindCancel, Lines: slices.Clone(units), Restock: true,
			Reason: reason, Amount: Money{Amount: min(worth, left.Items.Amount), Currency: p.Total.Currency}}
		ends := leftAfter(p, r).none()
		if ends {
			r.Amount.Amount, r.Shipping = left.Items.Amount+left.Shipping.Amount, left.Shipping
		}
		p.book(r)
		if ends {
			ch.event = "order.part.cancelled"
			p.Status, p.Reason, p.Held = StatusCancelled, reason, false
		}
		return nil
	}
	return ch
}

// leftAfter is what would be left of p after r.
func leftAfter(p *HomePart, r Refund) Left {
	return leftOf(p.Lines, p.Total, p.Shipping, append(slices.Clone(p.Refunds), r))
}

// book adds r to p's refunds and to what p gave back.
func (p *HomePart) book(r Refund) {
	p.Refunds = append(slices.Clone(p.Refunds), r)
	p.Refunded = Money{Amount: p.Refunded.Amount + r.Amount.Amount, Currency: p.Total.Currency}
	p.RefundedShipping = Money{Amount: p.RefundedShipping.Amount + r.Shipping.Amount, Currency: p.Total.Currency}
}
