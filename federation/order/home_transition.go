package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// A change is one transition of a home part: it decides the new state
// from the current one (or refuses), says whether the part's units go back
// to stock or must be taken again, and which webhook to queue.
type change struct {
	apply func(p *HomePart) error
	event string
	// eventOf, when set, names the webhook from the part after the change.
	eventOf func(p *HomePart) string
	// also, when set, writes more in the transaction that commits the
	// change (an arbiter's decision remembers its message there).
	also func(txn *badger.Txn, p *HomePart, res result) error
}

// transition applies ch to part id, caused by message m (nil for a
// merchant's or the node's own action), in one synced transaction with the
// stock it returns or takes. A message whose change is refused is still
// answered with the part's current status.
func (s *Service) transition(ctx context.Context, id string, m *Message, raw []byte, ch change) (result, error) {
	unlock := s.lockHome(id)
	defer unlock()
	return s.transitionLocked(ctx, id, m, raw, ch)
}

func (s *Service) transitionLocked(ctx context.Context, id string, m *Message, raw []byte, ch change) (result, error) {
	var p *HomePart
	if err := s.db.View(func(txn *badger.Txn) (err error) { p, err = loadHome(txn, id); return err }); err != nil {
		return result{}, err
	}
	if m != nil && m.From != p.Storefront {
		return result{}, fmt.Errorf("%w: %s is not the storefront of part %s", ErrForged, m.From, id)
	}
	wasHeld := p.Held
	next := *p
	if err := ch.apply(&next); err != nil {
		if m == nil {
			return result{}, err
		}
		reply, err := s.answerCurrent(p, m, raw)
		return result{part: p, reply: reply}, err
	}
	next.Seq++
	stock := stockBetween(p, &next)
	// From the status's stamp to its commit, no watermark may be declared:
	// the status is not in the outbox yet.
	release := s.stamps.hold()
	var res result
	s.durable.Begin()
	err := s.changeStock(ctx, stock, func(txn *badger.Txn, _ map[string]offer) (err error) {
		event := ch.event
		if ch.eventOf != nil {
			event = ch.eventOf(&next)
		}
		res, err = s.commitHome(txn, &next, m, raw, event)
		if err == nil && ch.also != nil {
			err = ch.also(txn, &next, res)
		}
		if err == nil && wasHeld && p.Status == StatusReserved {
			err = txn.Delete([]byte(prefixHold + timeKey(p.HoldUntil) + "/" + p.ID))
		}
		return err
	})
	release()
	var ce *CheckoutError
	if errors.As(err, &ce) && !wasHeld { // the stock of an expired hold is gone
		s.durable.End(false)
		return s.transitionLocked(ctx, id, m, raw, reject(ce))
	}
	if err := s.synced(err); err != nil {
		return result{}, err
	}
	s.holdChanged(p, &next)
	s.afterHome(&next)
	return res, nil
}

// answerCurrent answers m with p's latest status, the very message that
// stated it, remembered like any answer: a refused or repeated request
// never makes the home node sign a second message for one state.
func (s *Service) answerCurrent(p *HomePart, m *Message, raw []byte) ([]byte, error) {
	latest, err := s.latestStatus(p)
	if err != nil {
		return nil, err
	}
	reply := answerRaw(p.Status, latest)
	return reply, s.update(func(txn *badger.Txn) error { return s.remember(txn, m, raw, reply) })
}

// latestStatus returns the signed status that stated p's current state.
// A part stored before the node kept it (o/latest) finds it in its
// message log, or, failing that, has it signed now.
func (s *Service) latestStatus(p *HomePart) ([]byte, error) {
	var latest []byte
	err := s.db.View(func(txn *badger.Txn) (err error) {
		if latest, err = getRaw(txn, prefixLatest+p.ID); err != nil || latest != nil {
			return err
		}
		latest, err = loggedStatus(txn, p.ID, s.self, p.Seq)
		return err
	})
	if err != nil || latest != nil {
		return latest, err
	}
	_, latest, err = s.newSigned(KindStatus, p.Storefront, p.ID, func(r *Message) { r.Status = p.statusOf() })
	return latest, err
}

// The transitions. Held tells whether the part's units are out of stock:
// from reserve until a cancel, release, expiry, rejection or a refund
// before shipping gives them back.

var timeZero time.Time

func confirm() change {
	return change{event: "order.part.accepted", apply: func(p *HomePart) error {
		switch p.Status {
		case StatusReserved, statusExpired:
			p.Status, p.Held, p.HoldUntil = StatusAccepted, true, timeZero
			return nil
		}
		return refuse(p, "confirm")
	}}
}

func reject(ce *CheckoutError) change {
	return change{event: "order.part.rejected", apply: func(p *HomePart) error {
		p.Status, p.Reason, p.Held, p.HoldUntil = StatusRejected, ce.Reason, false, timeZero
		return nil
	}}
}

func cancel(reason string) change {
	return change{event: "order.part.cancelled", apply: func(p *HomePart) error {
		switch p.Status {
		case StatusReserved, StatusAccepted, statusExpired:
			p.Status, p.Reason, p.Held, p.HoldUntil = StatusCancelled, reason, false, timeZero
			return nil
		}
		return refuse(p, "cancel")
	}}
}

func release() change {
	return change{apply: func(p *HomePart) error {
		if p.Status != StatusReserved && p.Status != statusExpired {
			return refuse(p, "release")
		}
		p.Status, p.Held, p.HoldUntil = statusReleased, false, timeZero
		return nil
	}}
}

func expire() change {
	return change{apply: func(p *HomePart) error {
		if p.Status != StatusReserved {
			return refuse(p, "expire")
		}
		p.Status, p.Held = statusExpired, false
		return nil
	}}
}

func ship(carrier, tracking, link string) change {
	return change{event: "order.part.shipped", apply: func(p *HomePart) error {
		if p.Status != StatusAccepted {
			return refuse(p, "ship")
		}
		p.Status, p.Carrier, p.Tracking, p.TrackingURL = StatusShipped, carrier, tracking, link
		return nil
	}}
}

func deliver(at time.Time) change {
	return change{event: "order.part.delivered", apply: func(p *HomePart) error {
		if p.Status != StatusShipped {
			return refuse(p, "mark delivered")
		}
		p.Status, p.DeliveredAt = StatusDelivered, at.UTC()
		return nil
	}}
}

func refuse(p *HomePart, what string) error {
	return fmt.Errorf("%w: part %s is %s and cannot %s", ErrConflict, p.ID, strings.ReplaceAll(p.Status, "_", " "), what)
}
