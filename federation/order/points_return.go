package order

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Points given back by refunds.
//
// A refund of an order paid partly with points first gives the payment
// back what it took (refundSplit); what is left of the refund was paid
// with points, and goes back to the shopper as points at its issuer. The
// storefront books the refund with a return in its outbox, in the same
// transaction (returnPoints): a signed points message naming the refund
// and how many points it gives back. The issuer checks that it confirmed
// the order's hold and that the returns never pass what the hold spent,
// puts the points back in the lots the hold took them from, books the
// return and answers with it signed (receivePointsReturn), once per
// refund. The storefront books the same return from that answer
// (pointsReturned), and the order's RefundDue, what refunds owe in points
// and the issuer has not given back yet, drops by the refund's value.
// Settlement derives the same points_return entry on both sides: the
// storefront gives the issuer back the value of the points it returned,
// so the issuer no longer owes for them.

// PointsReturned is a return in a PointsEvent.
const PointsReturned = "returned"

// OrderPointsReturn is what one refund of an order gives back in points.
type OrderPointsReturn struct {
	// Refund names the refund (its part, and its id among the part's).
	Refund string `json:"refund"`
	// Points the refund gives back, worth Value of the order's money.
	Points int64 `json:"points"`
	Value  Money `json:"value"`
	// Given: the issuer answered that the points are back.
	Given bool `json:"given,omitempty"`
}

// pointsBackAt is how many of an order's points give back value, of
// all they paid (paid), rounded up so that the shopper never gets less
// than a refund's worth: the last refund gives back the rest.
func pointsBackAt(points, paid, value int64) int64 {
	if value <= 0 || paid <= 0 {
		return 0
	}
	if value >= paid {
		return points
	}
	hi, lo := bits.Mul64(uint64(points), uint64(value))
	q, r := bits.Div64(hi, lo, uint64(paid)) // hi < paid: value < paid
	if r > 0 {
		q++
	}
	return int64(q)
}

// returnPoints books that refund gives back inPoints of what points paid
// for o, in txn: the return on the order and its message to the issuer
// in the outbox. o is saved by the caller.
func (s *Service) returnPoints(txn *badger.Txn, o *Order, refund string, inPoints int64) error {
	p := o.Points
	var before int64
	for _, r := range p.Returns {
		if r.Refund == refund {
			return nil
		}
		before += r.Value.Amount
	}
	n := pointsBackAt(p.Points, p.Value.Amount, before+inPoints) - pointsBackAt(p.Points, p.Value.Amount, before)
	p.RefundDue.Amount += inPoints
	p.RefundDue.Currency = o.Total.Currency
	r := OrderPointsReturn{Refund: refund, Points: n, Value: Money{Amount: inPoints, Currency: o.Total.Currency}}
	if n == 0 { // all the points were given back already: nothing is owed in points
		r.Given = true
		p.RefundDue.Amount -= inPoints
	}
	p.Returns = append(p.Returns, r)
	if n == 0 {
		return nil
	}
	_, raw, err := s.newSigned(KindPoints, p.Issuer, o.ID, func(m *Message) {
		m.Points = &PointsNote{Op: PointsOpReturn, Refund: refund, Points: n}
	})
	if err != nil {
		return err
	}
	return s.out.put(txn, p.Issuer, raw)
}

// returnedAnswer checks the issuer's answer to a return of order's
// points: signed by the issuer, about the same order and refund.
func returnedAnswer(answer []byte, issuer, order, refund string) (*Message, error) {
	var r Reply
	if err := json.Unmarshal(answer, &r); err != nil {
		return nil, fmt.Errorf("%w: reply: %v", ErrInvalid, err)
	}
	if r.Error != "" || r.Code != 0 || len(r.Status) == 0 {
		return nil, &RemoteError{Peer: issuer, Kind: KindPoints, Code: max(r.Code, CodeUnavailable), Detail: r.Error}
	}
	m, err := DecodeMessage(r.Status)
	if err != nil {
		return nil, err
	}
	if m.Kind != KindPoints || m.From != issuer || m.Part != order || m.Points.Op != PointsOpReturned || m.Points.Refund != refund {
		return nil, fmt.Errorf("%w: reply from %s is not a return of order %s's points for refund %s", ErrForged, shortPeer(issuer), order, refund)
	}
	return m, nil
}

// pointsReturned takes the issuer's answer to a return this node sent:
// the refund's points are back, no longer due, and the return is booked.
func (s *Service) pointsReturned(m *Message, answer []byte) error {
	got, err := returnedAnswer(answer, m.To, m.Part, m.Points.Refund)
	if err != nil {
		return err
	}
	if got.Points.Points != m.Points.Points {
		return fmt.Errorf("%w: %s returned %d points of order %s for refund %s, asked %d",
			ErrConflict, shortPeer(m.To), got.Points.Points, m.Part, m.Points.Refund, m.Points.Points)
	}
	unlock := s.lockShop(m.Part)
	defer unlock()
	return s.update(func(txn *badger.Txn) error {
		o, err := loadOrder(txn, m.Part)
		if err != nil || o.Points == nil {
			return err
		}
		i := -1
		for j, r := range o.Points.Returns {
			if r.Refund == m.Points.Refund {
				i = j
			}
		}
		if i < 0 || o.Points.Returns[i].Given {
			return nil
		}
		o.Points.Returns[i].Given = true
		o.Points.Returned += got.Points.Points
		o.Points.RefundDue.Amount -= o.Points.Returns[i].Value.Amount
		if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
			return err
		}
		return s.book(txn, pointsReturnEvent(pointsHoldID(s.self, o.ID), s.self, m.To, got))
	})
}

// pointsReturnEvent is the settlement event of an issuer's signed return
// answer, as both sides book it.
func pointsReturnEvent(hold, storefront, issuer string, answer *Message) PartEvent {
	n := answer.Points
	return PartEvent{Part: hold, Storefront: storefront, At: answer.At,
		Points: &PointsEvent{Step: PointsReturned, Issuer: issuer, Points: n.Points, Earned: n.Spent, ReversedBefore: n.Before,
			Refund: n.Refund, Policy: n.Policy}}
}

// receivePointsReturn gives back to the shopper the points a refund of
// a storefront's order returns, as the issuer: only of a hold it
// confirmed, never more than the hold spent, once per refund.
func (s *Service) receivePointsReturn(m *Message, raw []byte) ([]byte, error) {
	id := pointsHoldID(m.From, m.Part)
	var reply []byte
	err := s.update(func(txn *badger.Txn) error {
		key := prefixPointsReturn + id + "/" + m.Points.Refund
		prev, err := getRaw(txn, key)
		if err != nil {
			return err
		}
		if prev != nil { // the same refund again, in another message: the same answer
			reply = prev
			return s.remember(txn, m, raw, reply)
		}
		h, before, err := returnToAccount(txn, id, m.Points.Refund, m.Points.Points, s.now().UTC())
		if err != nil {
			return err
		}
		signed, sraw, err := s.newSigned(KindPoints, m.From, m.Part, func(r *Message) {
			r.Points = &PointsNote{Op: PointsOpReturned, Account: h.Account, Refund: m.Points.Refund, Points: m.Points.Points,
				Spent: h.Points, Before: before, Policy: h.Policy}
		})
		if err != nil {
			return err
		}
		reply = mustJSON(Reply{Status: sraw})
		if err := txn.Set([]byte(key), reply); err != nil {
			return err
		}
		if err := s.book(txn, pointsReturnEvent(id, m.From, s.self, signed)); err != nil {
			return err
		}
		return s.remember(txn, m, raw, reply)
	})
	if err == nil {
		s.notifyBooks()
	}
	return reply, err
}

// returnToAccount gives points of confirmed hold id back to its
// account, in txn, for refund: into the lots the hold took them from,
// after what earlier returns gave back. It returns the hold and what
// earlier returns gave back. A hold this issuer never confirmed, or a
// return past what it spent, is ErrInvalid and changes nothing.
func returnToAccount(txn *badger.Txn, id, refund string, points int64, now time.Time) (*PointsHold, int64, error) {
	var h PointsHold
	ok, err := getJSON(txn, prefixPointsHold+id, &h)
	switch {
	case err != nil:
		return nil, 0, err
	case !ok || h.State != PointsConfirmed:
		return nil, 0, fmt.Errorf("%w: message.points: this member confirmed no points of order %s", ErrInvalid, id)
	case points <= 0 || h.Returned+points > h.Points:
		return nil, 0, fmt.Errorf("%w: message.points.points: %d returned after %d exceeds the %d the order spent", ErrInvalid, points, h.Returned, h.Points)
	}
	a, err := loadPoints(txn, h.Account)
	if err != nil {
		return nil, 0, err
	}
	a.giveBack(takesAfter(h.From, h.Returned, points))
	a.Returned += points
	if err := savePoints(txn, a); err != nil {
		return nil, 0, err
	}
	before := h.Returned
	h.Returned += points
	if err := putJSON(txn, prefixPointsHold+id, h); err != nil {
		return nil, 0, err
	}
	return &h, before, addHistory(txn, h.Account, PointsLine{At: now, Kind: PointsReturnedLine, Points: points, Ref: id})
}

// takesAfter is n points of takes, after the first skip: the lots that
// a return after earlier returns of skip points gives back to.
func takesAfter(takes []PointsTake, skip, n int64) []PointsTake {
	var out []PointsTake
	for _, t := range takes {
		d := min(skip, t.Points)
		skip -= d
		t.Points = min(t.Points-d, n)
		n -= t.Points
		if t.Points > 0 {
			out = append(out, t)
		}
	}
	return out
}
