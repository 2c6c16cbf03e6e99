package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// The storefront's side of spending points, shaped like stock holds: a
// checkout that asks to pay with points holds them at the shopper's
// issuer (a signed hold with a short deadline, answered with the issuer's
// signed hold) while it reserves the parts (shop_hold.go), then takes the
// rest of the payment;
// the order is stored with a confirm of the hold in the outbox, in the
// transaction that places it, or the hold is released through the outbox
// when the checkout fails. The issuer's signed answer to the confirm is
// the proof of the redemption the storefront books: the issuer owes it the
// points' value.

// pointsHoldTTL is how long a checkout holds points at the issuer.
const pointsHoldTTL = 2 * time.Minute

// OrderPoints is what an order paid with points.
type OrderPoints struct {
	Issuer  string `json:"issuer"`
	Account string `json:"account"`
	Points  int64  `json:"points"`
	// Value is what the points paid, in the order's currency.
	Value Money `json:"value"`
	// Policy is the charter version the points are valued at.
	Policy uint64 `json:"policy"`
	// Confirmed is the issuer's signed answer to the confirm, once it came.
	Confirmed json.RawMessage `json:"confirmed,omitempty"`
	// RefundDue is what refunds of the order owe beyond what the payment
	// took, the part points paid, while the issuer has not answered that
	// it gave those points back; zero once it has.
	RefundDue Money `json:"refund_due,omitzero"`
	// Returns are the refunds that give points back; Returned is the
	// points the issuer gave back.
	Returns  []OrderPointsReturn `json:"returns,omitempty"`
	Returned int64               `json:"returned,omitempty"`
}

// ErrPointsUnavailable: the shopper's issuer does not answer, so points
// cannot be spent now; the checkout without points still works.
var ErrPointsUnavailable = fmt.Errorf("%w: points unavailable", ErrUnavailable)

// toPay is what the payment takes of o: its total less what points paid.
func (o *Order) toPay() Money {
	m := o.Total
	if o.Points != nil {
		m.Amount -= o.Points.Value.Amount
	}
	return m
}

// refundSplit divides a refund of o into what goes back to the payment
// (no more than it has left) and what points paid.
func (o *Order) refundSplit(amount Money) (money Money, inPoints int64) {
	money = amount
	if o.Points == nil {
		return money, 0
	}
	left := max(0, o.Payment.Amount.Amount-o.Payment.Refunded.Amount)
	if money.Amount > left {
		money.Amount, inPoints = left, money.Amount-left
	}
	return money, inPoints
}

// checkPoints checks that n points may pay for order o under the terms
// in force, and returns what they are worth. Errors name "points".
func (s *Service) checkPoints(o *Order, n int64) (LoyaltyTerms, Money, error) {
	var errs FieldErrors
	t, ok := s.loyaltyAt(s.policy())
	if !ok {
		errs.add("points", "this alliance runs no loyalty programme")
		return t, Money{}, errs.err()
	}
	value := Money{Amount: n * t.PointValue, Currency: o.Total.Currency}
	maxShare := t.MaxShareBPS
	if maxShare == 0 {
		maxShare = 10000
	}
	switch {
	case n > 1<<40 || value.Amount > o.Total.Amount*maxShare/10000:
		errs.add("points", "%d points are worth %s; points may pay at most %d.%02d %% of this order's %s",
			n, value, maxShare/100, maxShare%100, o.Total)
	case value.Amount*10000 < o.Total.Amount*t.MinShareBPS:
		errs.add("points", "points must pay at least %d.%02d %% of the order when used", t.MinShareBPS/100, t.MinShareBPS%100)
	}
	return t, value, errs.err()
}

// holdOrderPoints holds n points of o's shopper at its issuer for o.
// An issuer that does not answer is ErrPointsUnavailable; one that
// refuses (not enough points) a FieldErrors on "points".
func (s *Service) holdOrderPoints(ctx context.Context, o *Order, n int64) (*OrderPoints, error) {
	_, value, err := s.checkPoints(o, n)
	if err != nil {
		return nil, err
	}
	claim := s.claimOf(o.Shopper)
	if claim == nil {
		return nil, FieldErrors{{Field: "points", Message: "this shopper has no points account"}}
	}
	pol := s.policy()
	_, raw, err := s.newSigned(KindPoints, claim.Issuer, o.ID, func(m *Message) {
		m.Points = &PointsNote{Op: PointsOpHold, Account: claim.Account, Points: n, Deadline: s.now().UTC().Add(pointsHoldTTL), Policy: pol,
			Auth: s.spendLeave(o.Shopper)}
	})
	if err != nil {
		return nil, err
	}
	if claim.Issuer != s.self && s.reach != nil && !s.reach.Reachable(claim.Issuer) {
		return nil, fmt.Errorf("%w: %s, which keeps this shopper's points, does not answer now", ErrPointsUnavailable, shortPeer(claim.Issuer))
	}
	rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	answer, err := s.request(rctx, claim.Issuer, raw)
	if err == nil {
		_, err = heldAnswer(answer, claim.Issuer, o.ID)
	}
	var re *RemoteError
	switch {
	case errors.As(err, &re) && re.Code == CodeInvalid:
		return nil, FieldErrors{{Field: "points", Message: "the points could not be held: " + re.Detail}}
	case err != nil:
		// The hold may have been taken on the way: give it back.
		return nil, errors.Join(fmt.Errorf("%w: %s, which keeps this shopper's points, did not hold them: %v",
			ErrPointsUnavailable, shortPeer(claim.Issuer), err), s.releasePoints(&OrderPoints{Issuer: claim.Issuer}, o.ID))
	}
	return &OrderPoints{Issuer: claim.Issuer, Account: claim.Account, Points: n, Value: value, Policy: pol}, nil
}

// heldAnswer checks an issuer's answer to a points request about order:
// a refusal is a *RemoteError, an acknowledgement is nil, a hold must be
// signed by the issuer and be about the same order.
func heldAnswer(answer []byte, issuer, order string) (*Message, error) {
	var r Reply
	if err := json.Unmarshal(answer, &r); err != nil {
		return nil, fmt.Errorf("%w: reply: %v", ErrInvalid, err)
	}
	if r.Error != "" || r.Code != 0 {
		code := r.Code
		if code == 0 {
			code = CodeUnavailable
		}
		return nil, &RemoteError{Peer: issuer, Kind: KindPoints, Code: code, Detail: r.Error}
	}
	if r.Ack || len(r.Status) == 0 {
		return nil, nil
	}
	m, err := DecodeMessage(r.Status)
	if err != nil {
		return nil, err
	}
	if m.Kind != KindPoints || m.From != issuer || m.Part != order || m.Points.Op != PointsOpHeld {
		return nil, fmt.Errorf("%w: reply from %s is not a points hold of order %s", ErrForged, shortPeer(issuer), order)
	}
	return m, nil
}

// releasePoints queues a release of order's points hold at its issuer.
func (s *Service) releasePoints(p *OrderPoints, order string) error {
	if p == nil {
		return nil
	}
	_, raw, err := s.newSigned(KindPoints, p.Issuer, order, func(m *Message) { m.Points = &PointsNote{Op: PointsOpRelease} })
	if err != nil {
		return err
	}
	err = s.update(func(txn *badger.Txn) error { return s.out.put(txn, p.Issuer, raw) })
	s.out.wake()
	return err
}

// confirmPoints queues the confirm of order's points hold, in txn (the
// one that places the order); it returns the outbox key.
func (s *Service) confirmPoints(txn *badger.Txn, p *OrderPoints, order string) (string, error) {
	_, raw, err := s.newSigned(KindPoints, p.Issuer, order, func(m *Message) { m.Points = &PointsNote{Op: PointsOpConfirm} })
	if err != nil {
		return "", err
	}
	k := s.out.key(p.Issuer)
	return k, txn.Set([]byte(k), raw)
}

// pointsAnswered takes the issuer's answer to a points message this node
// sent through its outbox: a confirmed hold is kept on the order and
// books the redemption.
func (s *Service) pointsAnswered(m *Message, answer []byte) error {
	if m.Points.Op == PointsOpReturn {
		return s.pointsReturned(m, answer)
	}
	held, err := heldAnswer(answer, m.To, m.Part)
	if err != nil || held == nil || m.Points.Op != PointsOpConfirm {
		return err
	}
	if held.Points.State != PointsConfirmed {
		return fmt.Errorf("%w: %s answered a confirm of order %s's points with a hold %s", ErrConflict, shortPeer(m.To), m.Part, held.Points.State)
	}
	unlock := s.lockShop(m.Part)
	defer unlock()
	return s.update(func(txn *badger.Txn) error {
		o, err := loadOrder(txn, m.Part)
		if err != nil || o.Points == nil || o.Points.Confirmed != nil {
			return err
		}
		o.Points.Confirmed = held.Encode()
		if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
			return err
		}
		return s.book(txn, PartEvent{Part: pointsHoldID(s.self, o.ID), Storefront: s.self, At: held.At,
			Points: &PointsEvent{Step: PointsRedeem, Issuer: m.To, Points: held.Points.Points, Policy: held.Points.Policy}})
	})
}
