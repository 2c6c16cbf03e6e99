package order

import (
	"context"
	"errors"

	badger "github.com/dgraph-io/badger/v4"
)

// refundTask is money the storefront owes a shopper for a part that
// ended: written with the status that ended it, paid by payRefunds.
type refundTask struct {
	Order  string `json:"order"`
	Part   string `json:"part"`
	Amount Money  `json:"amount"`
}

// payRefunds pays the refunds owed, each idempotently keyed by its part,
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
	if pr, ok := s.payments[o.Payment.Method]; ok && o.Payment.Status != PaymentPending {
		if err := pr.Refund(ctx, o.Payment, t.Amount, t.Part); err != nil {
			return err
		}
	}
	return s.update(func(txn *badger.Txn) error {
		o, err := loadOrder(txn, t.Order)
		if err != nil {
			return err
		}
		o.Payment.Refunded.Amount += t.Amount.Amount
		o.Payment.Refunded.Currency = o.Total.Currency
		if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
			return err
		}
		return txn.Delete([]byte(prefixRefund + t.Part))
	})
}
