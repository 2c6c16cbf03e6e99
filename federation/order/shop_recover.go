package order

import (
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// errNoOrder is a status of a part this node never placed an order for
// (or a home part that never got past its hold): nothing to rebuild.
var errNoOrder = fmt.Errorf("%w: no order to rebuild", ErrNotFound)

// recoverStatus applies a home's status, arrived or caught up with:
// folded into its order, the order (or the part) first rebuilt from this
// node's own signed reserve and confirm when a restore lost it.
func (s *Service) recoverStatus(m *Message, raw []byte) error {
	unlock := s.lockShop(orderOfPart(m.Part))
	s.durable.Begin()
	changed, err := s.foldStatus(m, raw, "")
	unlock()
	return s.syncedShop(changed, err)
}

// foldStatus is recoverStatus under the order's lock, up to the commit:
// the caller syncs once it has let go of the lock, so that the statuses of
// one order (both parts of a checkout answer at once) share a flush
// instead of each waiting for the other's. Nothing is acknowledged before
// that sync. It returns the part when the status was news. The commit
// also removes outbox key sent, when set: the request whose answer
// carried m.
func (s *Service) foldStatus(m *Message, raw []byte, sent string) (*Part, error) {
	var changed *Part
	err := s.commit(func(txn *badger.Txn) error {
		if sent != "" {
			if err := txn.Delete([]byte(sent)); err != nil {
				return err
			}
		}
		o, err := loadOrder(txn, orderOfPart(m.Part))
		switch {
		case errors.Is(err, ErrNotFound) || (err == nil && o.partOf(m.Part) == nil):
			if err := s.rebuildOrder(txn, m); err != nil {
				return err
			}
			changed, err = s.applyStatusTxn(txn, m, raw)
			return err
		case err != nil:
			return err
		}
		changed, err = s.applyStatusTo(txn, o, m, raw)
		return err
	})
	return changed, err
}

// rebuildOrder adds to its order (made anew when it is gone) the part of
// status m, as this node's own signed reserve asked for it, provided this
// node also signed its confirm: a reserve alone is a checkout that never
// completed, not an order. The payment is not known any more: the order
// says so.
func (s *Service) rebuildOrder(txn *badger.Txn, m *Message) error {
	r, err := s.loggedRequestTxn(txn, m.Part, KindReserve, s.self)
	if err != nil {
		return err
	}
	if _, err := s.loggedRequestTxn(txn, m.Part, KindConfirm, s.self); err != nil {
		return fmt.Errorf("%w: part %s was reserved, never confirmed: no order to rebuild", errNoOrder, m.Part)
	}
	res := r.Reserve
	o, err := loadOrder(txn, res.Order)
	created := errors.Is(err, ErrNotFound)
	switch {
	case created:
		o = &Order{ID: res.Order, Shopper: res.Shopper, ShipTo: res.ShipTo, CreatedAt: r.At.UTC(),
			Payment: Payment{Method: "recovered", Status: PaymentRecovered, At: r.At.UTC()}}
	case err != nil:
		return err
	case o.partOf(m.Part) != nil:
		return nil
	}
	p := Part{ID: m.Part, Platform: r.To, Merchant: res.Merchant, Status: StatusReserved, Items: res.Lines,
		Total: Money{Currency: res.Lines[0].UnitPrice.Currency}, UpdatedAt: r.At.UTC()}
	for _, l := range res.Lines {
		p.Total.Amount += l.gross()
	}
	o.Parts = append(o.Parts, p)
	o.Total = Money{Currency: p.Total.Currency}
	for _, q := range o.Parts {
		o.Total.Amount += q.Total.Amount
	}
	o.Payment.Amount = o.Total
	o.Status, o.UpdatedAt = orderStatus(o.Parts), s.now().UTC()
	s.log.Warn("order: part rebuilt from the signed messages members keep", "order", o.ID, "part", m.Part)
	if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
		return err
	}
	if !created || o.Shopper == "" {
		return nil
	}
	return txn.Set([]byte(prefixShopOrder+o.Shopper+"/"+timeKey(o.CreatedAt)+"/"+o.ID), nil)
}
