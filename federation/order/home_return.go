package order

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
)

// askReturn answers a storefront's return message: the home checks it
// against what it holds and states the return, requested or refused with
// its reason, in a new status that travels back like any other.
func (s *Service) askReturn(ctx context.Context, m *Message, raw []byte) ([]byte, error) {
	var p *HomePart
	if err := s.db.View(func(txn *badger.Txn) (err error) { p, err = loadHome(txn, m.Part); return err }); err != nil {
		return nil, err
	}
	pol, ok := s.returnPolicy(ctx, s.self, p.Merchant)
	return s.ask(ctx, m, raw, requestReturn(m, pol, ok, s.now()))
}

// requestReturn opens return m.ID of a part: requested when the part is
// delivered, within its merchant's window (counted from the delivery the
// home stated to the time of the request) and the units are left to
// return; refused by the home, with the reason, otherwise.
func requestReturn(m *Message, pol catalog.Policies, takes bool, now time.Time) change {
	return change{eventOf: returnEvent, apply: func(p *HomePart) error {
		if returnOf(p.Returns, m.ID) != nil {
			return errDone
		}
		if len(p.Returns) >= maxReturns {
			return fmt.Errorf("%w: part %s has had %d returns, the most one part may have", ErrConflict, p.ID, maxReturns)
		}
		ask := m.Return
		seq := p.Seq + 1
		r := Return{ID: m.ID, Seq: seq, State: ReturnRequested, Lines: slices.Clone(ask.Lines), Reason: ask.Reason, Note: ask.Note,
			Steps: []ReturnStep{{State: ReturnRequested, At: m.At.UTC(), By: ByShopper, Seq: seq}}}
		if why := returnRefusal(p, m, pol, takes, now); why != "" {
			r.State, r.Refusal = ReturnRefused, why
			r.Steps = append(r.Steps, ReturnStep{State: ReturnRefused, At: now.UTC(), By: ByHome, Seq: seq, Note: why})
		}
		p.Returns = append(cloneReturns(p.Returns), r)
		return nil
	}}
}

// returnRefusal says why the home refuses return m of p, or "".
func returnRefusal(p *HomePart, m *Message, pol catalog.Policies, takes bool, now time.Time) string {
	switch {
	case p.Status != StatusDelivered:
		return fmt.Sprintf("part %s is %s; only a delivered part can be returned", p.ID, strings.ReplaceAll(p.Status, "_", " "))
	case !takes:
		return fmt.Sprintf("merchant %s takes no returns", p.Merchant)
	case m.At.After(now.Add(maxClockSkew)):
		return fmt.Sprintf("the request is dated %s, later than the home's clock", m.At.UTC().Format(time.RFC3339))
	case m.At.Before(p.DeliveredAt):
		return "the request is dated before the part was delivered"
	case m.At.After(windowEnd(p.DeliveredAt, pol.ReturnDays)):
		return fmt.Sprintf("the return window of %d days after delivery on %s ended on %s", pol.ReturnDays,
			p.DeliveredAt.Format(time.DateOnly), windowEnd(p.DeliveredAt, pol.ReturnDays).Format(time.RFC3339))
	}
	var errs FieldErrors
	checkUnits("lines", m.Return.Lines, p.Lines, returnable(p.Left(), p.Returns), &errs)
	if len(errs) > 0 {
		return errs.Error()
	}
	return ""
}

// returnEvent names the webhook of the status a return change makes.
func returnEvent(p *HomePart) string {
	if r := p.statedReturn(); r != nil {
		return "order.return." + r.State
	}
	return ""
}

func cloneReturns(rs []Return) []Return {
	out := make([]Return, len(rs))
	for i, r := range rs {
		out[i] = cloneReturn(r)
	}
	return out
}

// returnChange applies step to return rid of a part, on a copy of its
// returns; step is refused when the return is not in state from.
func returnChange(rid, from, what string, step func(p *HomePart, r *Return) error) change {
	return change{eventOf: returnEvent, apply: func(p *HomePart) error {
		p.Returns = cloneReturns(p.Returns)
		r := returnOf(p.Returns, rid)
		switch {
		case r == nil:
			return fmt.Errorf("%w: part %s has no return %s", ErrNotFound, p.ID, rid)
		case r.State != from:
			return fmt.Errorf("%w: return %s is %s; only a %s return can be %s", ErrConflict, rid, r.State, from, what)
		}
		return step(p, r)
	}}
}

// ApproveReturn approves the requested return rid of merchant's part with
// instructions; who pays the return's shipping and the restocking fee are
// the merchant's policy now, stated with the approval.
func (s *Service) ApproveReturn(ctx context.Context, merchant, part, rid string, in ReturnInstructions) (HomePart, error) {
	in = ReturnInstructions{Address: strings.TrimSpace(in.Address), LabelURL: strings.TrimSpace(in.LabelURL), DropOffCode: strings.TrimSpace(in.DropOffCode)}
	var errs FieldErrors
	in.check(&errs)
	if err := errs.err(); err != nil {
		return HomePart{}, err
	}
	pol, _ := s.returnPolicy(ctx, s.self, merchant)
	paidBy := pol.ReturnShipping
	if paidBy != catalog.ReturnPaidByMerchant {
		paidBy = catalog.ReturnPaidByShopper
	}
	now := s.now().UTC()
	return s.merchantAction(ctx, merchant, part, returnChange(rid, ReturnRequested, "approved", func(p *HomePart, r *Return) error {
		r.State, r.Seq, r.Instructions, r.ShippingPaidBy, r.RestockingFeeBPS = ReturnApproved, p.Seq+1, &in, paidBy, pol.RestockingFeeBPS
		r.Steps = append(r.Steps, ReturnStep{State: ReturnApproved, At: now, By: ByMerchant, Seq: p.Seq + 1})
		return nil
	}))
}

// RefuseReturn refuses the requested return rid of merchant's part, for
// reason.
func (s *Service) RefuseReturn(ctx context.Context, merchant, part, rid, reason string) (HomePart, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 512 {
		return HomePart{}, FieldErrors{{Field: "reason", Message: "must be 1..512 bytes"}}
	}
	now := s.now().UTC()
	return s.merchantAction(ctx, merchant, part, returnChange(rid, ReturnRequested, "refused", func(p *HomePart, r *Return) error {
		r.State, r.Seq, r.Refusal = ReturnRefused, p.Seq+1, reason
		r.Steps = append(r.Steps, ReturnStep{State: ReturnRefused, At: now, By: ByMerchant, Seq: p.Seq + 1, Note: reason})
		return nil
	}))
}

// ReceiveReturn marks the units of the approved return rid of merchant's
// part received: they go back to stock and are refunded at their unit
// prices, less the restocking fee stated with the approval, by a refund
// the same status states (so settlement books it like any refund).
func (s *Service) ReceiveReturn(ctx context.Context, merchant, part, rid string) (HomePart, error) {
	now := s.now().UTC()
	return s.merchantAction(ctx, merchant, part, returnChange(rid, ReturnApproved, "received", func(p *HomePart, r *Return) error {
		var worth int64
		for _, u := range r.Lines {
			price, _ := unitPrice(p.Lines, u.key())
			worth += u.Quantity * price
		}
		fee := restockingFee(worth, r.RestockingFeeBPS)
		amount := worth - fee
		refundID := refundID("return", p.ID, rid)
		ret := *r
		if err := refundSome(refundID, RefundRequest{Lines: ret.Lines, Amount: &amount, Restock: true, Reason: "return " + rid}).apply(p); err != nil {
			return err
		}
		r = returnOf(p.Returns, rid) // refundSome leaves Returns as they were
		r.State, r.Seq, r.Refund = ReturnReceived, p.Seq+1, refundID
		r.RestockingFee = Money{Amount: fee, Currency: p.Total.Currency}
		r.Steps = append(r.Steps, ReturnStep{State: ReturnReceived, At: now, By: ByMerchant, Seq: p.Seq + 1})
		return nil
	}))
}

// MerchantReturn is a return as a merchant's list shows it.
type MerchantReturn struct {
	Order  string `json:"order_id"`
	Part   string `json:"part_id"`
	Return Return `json:"return"`
}

// MerchantReturns lists merchant's returns, at most limit, with state when
// set: the open ones (requested, then approved) first, each group newest
// first.
func (s *Service) MerchantReturns(_ context.Context, merchant, state string, limit int) ([]MerchantReturn, error) {
	var out []MerchantReturn
	err := s.db.View(func(txn *badger.Txn) error {
		parts := map[string]*HomePart{}
		prefix := prefixHomeReturn + merchant + "/"
		for _, k := range keys(txn, prefix, "", 0) {
			rest := k[len(prefix):]
			i := strings.LastIndexByte(rest, '/')
			if i < 0 {
				continue
			}
			id, rid := rest[:i], rest[i+1:]
			p, ok := parts[id]
			if !ok {
				var err error
				if p, err = loadHome(txn, id); err != nil {
					return err
				}
				parts[id] = p
			}
			if r := returnOf(p.Returns, rid); r != nil && (state == "" || r.State == state) {
				out = append(out, MerchantReturn{Order: p.Order, Part: p.ID, Return: cloneReturn(*r)})
			}
		}
		return nil
	})
	rank := map[string]int{ReturnRequested: 0, ReturnApproved: 1}
	rankOf := func(s string) int {
		if r, ok := rank[s]; ok {
			return r
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b MerchantReturn) int {
		if d := rankOf(a.Return.State) - rankOf(b.Return.State); d != 0 {
			return d
		}
		return b.Return.Steps[0].At.Compare(a.Return.Steps[0].At)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}
