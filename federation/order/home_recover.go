package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// recoverHome applies this node's own status of a part it is home of,
// caught up with from the storefront: the part is rebuilt from the
// storefront's signed reserve when this node lost it, or brought forward
// to the status when it holds an older one. Stock is left alone: the
// catalog's own signed stock records, learnt back from members, already
// count the units the part took.
func (s *Service) recoverHome(ctx context.Context, m *Message, raw []byte) error {
	unlock := s.lockHome(m.Part)
	defer unlock()
	err := s.update(func(txn *badger.Txn) error {
		p, err := loadHome(txn, m.Part)
		switch {
		case errors.Is(err, ErrNotFound):
			if p, err = s.rebuildHome(txn, m); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if err := s.logMessage(txn, m, raw); err != nil {
			return err
		}
		if err := s.book(txn, PartEvent{Part: p.ID, Storefront: p.Storefront, Home: s.self, Status: m.Status, At: m.At}); err != nil {
			return err
		}
		added := addRefund(&p.Refunds, m.Status.Refund)
		if r := m.Status.Return; r != nil && newerReturn(p.Returns, r) {
			p.Returns = cloneReturns(p.Returns)
			foldReturn(&p.Returns, r)
			added = true
			if err := txn.Set([]byte(prefixHomeReturn+p.Merchant+"/"+p.ID+"/"+r.ID), nil); err != nil {
				return err
			}
		}
		if i := m.Status.Issue; i != nil && newerIssue(p.Issues, i) {
			p.Issues = cloneIssues(p.Issues)
			foldIssue(&p.Issues, i)
			added = true
			if err := txn.Set([]byte(prefixHomeIssue+p.Merchant+"/"+p.ID+"/"+i.ID), nil); err != nil {
				return err
			}
			if err := indexIssueDue(txn, p.ID, i); err != nil {
				return err
			}
		}
		if m.Status.Seq <= p.Seq {
			if added {
				return saveHome(txn, p)
			}
			return nil
		}
		return s.bringForward(txn, p, m, raw)
	})
	if err == nil {
		s.notifyBooks()
	}
	return err
}

// rebuildHome makes a lost home part from the storefront's signed
// reserve. A part this node still states as reserved is rebuilt only when
// the storefront confirmed it (its confirm is on its way here); a reserve
// nobody confirmed is a checkout that never completed, and holds nothing.
//
// A part this node states as rejected is rebuilt on the same condition. A
// reserve refused at once was never confirmed and is no order. But a
// confirm that came after its hold expired, when the units were gone,
// rejected a part its storefront had placed and answered its shopper
// about (see transitionLocked): the storefront keeps the order with the
// part rejected, so this node keeps the part too. Were it refused here, a
// catch-up that also brings the part's older reserved status (tried after
// it, newest first) would rebuild the part as a hold whose confirm is on
// its way, though the confirm came long ago: the hold would expire, the
// part would be listed to no merchant, and its units would go back to
// stock they never left.
func (s *Service) rebuildHome(txn *badger.Txn, m *Message) (*HomePart, error) {
	switch m.Status.Status {
	case StatusReserved, StatusRejected:
		if _, err := s.loggedRequestTxn(txn, m.Part, KindConfirm, m.To); err != nil {
			return nil, fmt.Errorf("%w: part %s was %s, never confirmed", errNoOrder, m.Part, m.Status.Status)
		}
	}
	r, err := s.loggedRequestTxn(txn, m.Part, KindReserve, m.To)
	if err != nil {
		return nil, err
	}
	res := r.Reserve
	p := &HomePart{ID: m.Part, Order: res.Order, Storefront: r.From, Merchant: res.Merchant, Lines: res.Lines, ShipTo: res.ShipTo,
		Status: StatusReserved, Held: true, Policy: m.Status.Policy, CreatedAt: r.At.UTC(), UpdatedAt: m.At.UTC()}
	p.Total = Money{Currency: res.Lines[0].UnitPrice.Currency}
	for _, l := range res.Lines {
		p.Total.Amount += l.gross()
	}
	s.log.Warn("order: home part rebuilt from the signed messages members keep", "part", p.ID, "storefront", p.Storefront)
	return p, txn.Set([]byte(prefixMerchant+p.Merchant+"/"+timeKey(p.CreatedAt)+"/"+p.ID), nil)
}

// bringForward sets p to the state its own status m states. A part
// brought to reserved (its storefront confirmed it; the confirm is on its
// way) holds its units again for a fresh hold window: the stock learnt
// back counts them.
func (s *Service) bringForward(txn *badger.Txn, p *HomePart, m *Message, raw []byte) error {
	st := m.Status
	if p.Status == StatusReserved && !p.HoldUntil.IsZero() {
		if err := txn.Delete([]byte(prefixHold + timeKey(p.HoldUntil) + "/" + p.ID)); err != nil {
			return err
		}
	}
	p.Seq, p.Status, p.Reason = st.Seq, st.Status, st.Reason
	p.Carrier, p.Tracking, p.Refunded, p.RefundedShipping, p.HoldUntil = st.Carrier, st.Tracking, st.Refunded, st.RefundedShipping, timeZero
	p.Held = st.Status != StatusRejected && st.Status != StatusCancelled && !(st.Status == StatusRefunded && st.Carrier == "")
	p.UpdatedAt = m.At.UTC()
	if st.Policy != 0 {
		p.Policy = st.Policy
	}
	if !st.DeliveredAt.IsZero() {
		p.DeliveredAt = st.DeliveredAt
	}
	if p.Status == StatusReserved {
		p.HoldUntil = s.now().Add(s.cfg.HoldTTL).UTC().Truncate(time.Millisecond)
		if err := txn.Set([]byte(prefixHold+timeKey(p.HoldUntil)+"/"+p.ID), nil); err != nil {
			return err
		}
	}
	if err := saveHome(txn, p); err != nil {
		return err
	}
	return txn.Set([]byte(prefixLatest+p.ID), raw)
}

// Recovering reports whether the node is catching up after a restore:
// its home parts may be older than their storefronts know them, so it
// changes none (no reserve, confirm, cancel, release or merchant action
// is taken: they are answered "unavailable", and retried) and lets no
// hold expire, until EndRecovery.
func (s *Service) Recovering() bool { return s.recovering.Load() }

// EndRecovery ends the catch-up after a restore, once the catalog's own
// stock records and every member's signed order messages were learnt
// back. A part held as reserved that its storefront never confirmed is a
// checkout that never completed: it ends expired, and its units are not
// given back, since the stock learnt back from members already counts
// whatever happened to them. One the storefront confirmed keeps its hold:
// the confirm is on its way. Recovery never adds stock: at worst it sells
// a unit less, never one more than the home had.
func (s *Service) EndRecovery(ctx context.Context) error {
	if !s.recovering.Load() {
		return nil
	}
	var due []string
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixHold, "", 0) {
			due = append(due, k[strings.LastIndexByte(k, '/')+1:])
		}
		return nil
	})
	if err != nil {
		return err
	}
	dropped := 0
	for _, id := range due {
		if s.confirmed(id) {
			continue
		}
		if err := s.dropHold(ctx, id); err != nil {
			return err
		}
		dropped++
	}
	s.recovering.Store(false)
	s.log.Info("order: caught up after the restore; holding stock again", "holds_dropped", dropped)
	return nil
}

// confirmed reports whether this node keeps a confirm of part id from its
// storefront.
func (s *Service) confirmed(id string) bool {
	found := false
	_ = s.db.View(func(txn *badger.Txn) error {
		p, err := loadHome(txn, id)
		if err != nil {
			return nil
		}
		_, err = s.loggedRequestTxn(txn, id, KindConfirm, p.Storefront)
		found = err == nil
		return nil
	})
	return found
}

// dropHold ends a reserved part expired without touching stock.
func (s *Service) dropHold(_ context.Context, id string) error {
	unlock := s.lockHome(id)
	defer unlock()
	return s.update(func(txn *badger.Txn) error {
		p, err := loadHome(txn, id)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !p.HoldUntil.IsZero() {
			if err := txn.Delete([]byte(prefixHold + timeKey(p.HoldUntil) + "/" + p.ID)); err != nil {
				return err
			}
		}
		if p.Status != StatusReserved {
			return nil
		}
		p.Status, p.Held, p.Seq, p.Reason, p.UpdatedAt = statusExpired, false, p.Seq+1, "dropped after a restore", s.now().UTC()
		if s.budgeted(p.Storefront) { // not the storefront's doing: no expiry counted
			s.budget.hold(p.Storefront, p.units(), -1)
		}
		if err := markEnded(txn, p); err != nil {
			return err
		}
		return saveHome(txn, p)
	})
}
