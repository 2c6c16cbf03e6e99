package order

import (
	"context"
	"errors"

	badger "github.com/dgraph-io/badger/v4"
)

// refundTask is money the storefront owes a shopper for a part that
// ended: written with the status that ended it, paid by payRefunds.
type refundTask struct {
	Order string `json:"order"`
	Part  string `json:"part"`
	// Refund is the id of the refund the task pays, empty for a part's
	// ending (cancelled, rejected) that gives back what was left.
	Refund string `json:"refund,omitempty"`
	Amount Money  `json:"amount"`
}

// key is where the task waits, and the provider's idempotency key.
func (t refundTask) key() string {
	if t.Refund == "" {
		return prefixRefund + t.Part
	}
	return prefixRefund + t.Part + "/" + t.Refund
}

// payRefunds pays the refunds owed, each idempotently keyed by its part
// (and its refund's id),
// and records them on the order's payment.
func (s *Service) payRefunds(ctx context.Context) error {
	var tasks []refundTask
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixRefund, "", 256) {
			var t refundTask
			if _, err := getJSON(txn, k, &t); err != nil {
				return err
			}
			tasks = append(tasks, t)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, t := range tasks {
		errs = append(errs, s.payRefund(ctx, t))
	}
	return errors.Join(errs...)
}

func (s *Service) payRefund(ctx context.Context, t refundTask) error {
	unlock := s.lockShop(t.Order)
	defer unlock()
	var o *Order
	if err := s.db.View(func(txn *badger.Txn) (err error) { o, err = loadOrder(txn, t.Order); return err }); err != nil {
		return err
	}
	money, inPoints := o.refundSplit(t.Amount)
	// An order that used a coupon was paid less than its parts: what is
	// given back never passes what was paid (the storefront keeps the
	// coupon's cost).
	if left := o.Payment.Amount.Amount - o.Payment.Refunded.Amount; o.CouponDiscount.Amount > 0 && money.Amount > left {
		money.Amount = max(left, 0)
	}
	if pr, ok := s.payments[o.Payment.Method]; ok && o.Payment.Status != PaymentPending && money.Amount > 0 {
		if err := pr.Refund(ctx, o.Payment, money, t.key()[len(prefixRefund):]); err != nil {
			return err
		}
	}
	defer s.out.wake()
	return s.update(func(txn *badger.Txn) error {
		o, err := loadOrder(txn, t.Order)
		if err != nil {
			return err
		}
		if inPoints > 0 {
			if err := s.returnPoints(txn, o, t.key()[len(prefixRefund):], inPoints); err != nil {
				return err
			}
		}
		o.Payment.Refunded.Amount += money.Amount
		o.Payment.Refunded.Currency = o.Total.Currency
		if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
			return err
		}
		return txn.Delete([]byte(t.key()))
	})
}
