package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
)

// reserveAll asks every part's home node, concurrently, to hold its lines.
// When any part is not held, the holds that were taken are released and
// the checkout fails with what went wrong.
func (s *Service) reserveAll(ctx context.Context, o Order, to Address) ([]*attempt, error) {
	attempts := make([]*attempt, len(o.Parts))
	claim := s.claimOf(o.Shopper)
	var wg sync.WaitGroup
	for i, p := range o.Parts {
		a := &attempt{part: p}
		attempts[i] = a
		a.reserve, a.raw, a.err = s.newSigned(KindReserve, p.Platform, p.ID, func(m *Message) {
			m.Reserve = &Reserve{Order: o.ID, Shopper: o.Shopper, Merchant: p.Merchant, Lines: p.Items, ShipTo: to,
				Shipping: &ShippingChoice{Rate: p.ShippingRate, Price: p.Shipping}, Loyalty: claim,
				Ad: s.adClaimOf(o.Shopper, p.Platform, p.Merchant, p.Items)}
		})
		if a.err != nil {
			return nil, a.err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
			defer cancel()
			answer, err := s.request(rctx, p.Platform, a.raw)
			if err == nil {
				a.status, a.sraw, err = decodeReply(answer, p.Platform, KindReserve, p.ID)
			}
			if err == nil && a.status == nil {
				err = fmt.Errorf("%w: %s answered a reserve without a status", ErrUnavailable, shortPeer(p.Platform))
			}
			a.err = err
		}()
	}
	wg.Wait()
	if err := refusal(attempts); err != nil {
		return nil, errors.Join(err, s.releaseAll(attempts, "checkout failed"))
	}
	return attempts, nil
}

// refusal merges what the parts that were not held say: unreachable home
// nodes first (all of them, named), then lines not shipped to the
// address, then price changes (of items and shipping), then shortages.
func refusal(attempts []*attempt) error {
	var quote, unshippable []Line
	var priced bool
	var country string
	var short []Shortage
	var down []string
	var downErr error
	for _, a := range attempts {
		switch {
		case a.err != nil:
			if !slices.Contains(down, a.part.Platform) {
				down = append(down, a.part.Platform)
			}
			downErr = a.err
		case a.status.Status.Status == StatusReserved:
		case a.status.Status.Reason == ReasonNotShippable && a.status.Status.ShippingQuote != nil:
			unshippable = append(unshippable, a.status.Status.ShippingQuote.Unshippable...)
			country = a.reserve.Reserve.ShipTo.Country
		case a.status.Status.Reason == ReasonPriceChanged:
			quote, priced = append(quote, a.status.Status.Quote...), true
		default:
			short = append(short, a.status.Status.Shortages...)
		}
	}
	switch {
	case down != nil:
		return &CheckoutError{Reason: ReasonUnavailable, Platforms: down, cause: downErr}
	case unshippable != nil:
		return &CheckoutError{Reason: ReasonNotShippable, Unshippable: unshippable, Country: country}
	case priced:
		return &CheckoutError{Reason: ReasonPriceChanged, Quote: quote, Shipping: shippingChanges(attempts)}
	case short != nil:
		return &CheckoutError{Reason: ReasonOutOfStock, Shortages: short}
	}
	return nil
}

// unreachable names the home platforms of o that do not answer now, so
// that a checkout with their lines fails at once instead of holding stock
// elsewhere while their requests time out.
func (s *Service) unreachable(o Order) error {
	if s.reach == nil {
		return nil
	}
	var down []string
	for _, p := range o.Parts {
		if p.Platform != s.self && !s.reach.Reachable(p.Platform) && !slices.Contains(down, p.Platform) {
			down = append(down, p.Platform)
		}
	}
	if down == nil {
		return nil
	}
	return &CheckoutError{Reason: ReasonUnavailable, Platforms: down}
}

// releaseAll queues a release of every part that may hold stock (a reserve
// that failed in flight may have been held). Queued, not sent: the outbox
// retries until each home node has the release.
func (s *Service) releaseAll(attempts []*attempt, reason string) error {
	var msgs []signed
	for _, a := range attempts {
		if a.status != nil && a.status.Status.Status != StatusReserved {
			continue
		}
		m, raw, err := s.newSigned(KindRelease, a.part.Platform, a.part.ID, func(m *Message) { m.Reason = reason })
		if err != nil {
			return err
		}
		msgs = append(msgs, signed{m, raw})
	}
	if len(msgs) == 0 {
		return nil
	}
	err := s.update(func(txn *badger.Txn) error { return s.queueRequests(txn, msgs, nil) })
	s.out.wake()
	return err
}

// queueRequests logs requests this node signed and puts them in the
// outbox, in txn; keys, when set, receives their outbox keys.
func (s *Service) queueRequests(txn *badger.Txn, msgs []signed, keys *[]string) error {
	for _, x := range msgs {
		if err := s.logMessage(txn, x.m, x.raw); err != nil {
			return err
		}
		k := s.out.key(x.m.To)
		if keys != nil {
			*keys = append(*keys, k)
		}
		if err := txn.Set([]byte(k), x.raw); err != nil {
			return err
		}
	}
	return nil
}

// pay takes the order's payment once every part is held; a refused or
// failed payment releases the holds.
func (s *Service) pay(ctx context.Context, o *Order, attempts []*attempt, req PaymentRequest) error {
	p, err := s.payments[req.Method].Charge(ctx, o.ID, o.toPay(), req)
	if err != nil {
		return errors.Join(err, s.releaseAll(attempts, "payment failed"))
	}
	o.Payment = p
	return nil
}

// undoPayment gives back the payment of an order that was not placed
// and releases its holds.
func (s *Service) undoPayment(ctx context.Context, o Order, attempts []*attempt) error {
	var err error
	if pr, ok := s.payments[o.Payment.Method]; ok && o.Payment.Status != PaymentPending {
		err = pr.Refund(ctx, o.Payment, o.Payment.Amount, o.ID+"/unplaced")
	}
	return errors.Join(err, s.releaseAll(attempts, "checkout failed"))
}

// place stores the order, everything both sides said, the confirms to
// send, the idempotency record, and empties the cart, in one synced
// transaction. It returns the outbox keys of the confirms.
func (s *Service) place(o *Order, attempts []*attempt, cartID, idemKey, digest string) ([]string, error) {
	for i, a := range attempts {
		o.Parts[i].apply(a.status)
	}
	o.Status = orderStatus(o.Parts)
	confirms := make([]signed, len(attempts))
	for i, a := range attempts {
		m, raw, err := s.newSigned(KindConfirm, a.part.Platform, a.part.ID, nil)
		if err != nil {
			return nil, err
		}
		confirms[i] = signed{m, raw}
	}
	var keys []string
	err := s.update(func(txn *badger.Txn) error {
		keys = keys[:0]
		if err := s.useCoupon(txn, o); err != nil {
			return err
		}
		if err := s.storeOrder(txn, o, cartID, idemKey, digest); err != nil {
			return err
		}
		for _, a := range attempts {
			if err := s.logMessage(txn, a.reserve, a.raw); err != nil {
				return err
			}
			if err := s.logMessage(txn, a.status, a.sraw); err != nil {
				return err
			}
		}
		if err := s.queueRequests(txn, confirms, &keys); err != nil {
			return err
		}
		if o.Points != nil {
			k, err := s.confirmPoints(txn, o.Points, o.ID)
			if err != nil {
				return err
			}
			keys = append(keys, k)
		}
		if err := s.noticeOrder(txn, o); err != nil {
			return err
		}
		if err := s.tellHome(txn, o); err != nil {
			return err
		}
		return s.emitEvent(txn, "order.created", o)
	})
	if err != nil {
		return nil, err
	}
	s.notifyEmitter()
	return keys, nil
}

func (s *Service) storeOrder(txn *badger.Txn, o *Order, cartID, idemKey, digest string) error {
	if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
		return err
	}
	if err := txn.Set([]byte(prefixShopOrder+o.Shopper+"/"+timeKey(o.CreatedAt)+"/"+o.ID), nil); err != nil {
		return err
	}
	if err := putJSON(txn, idemKey, idemRecord{Digest: digest, Order: o.ID}); err != nil {
		return err
	}
	if o.Payment.Status == PaymentPending {
		if err := txn.Set([]byte(prefixUnpaid+timeKey(o.CreatedAt)+"/"+o.ID), nil); err != nil {
			return err
		}
	}
	if err := closeCart(txn, o.Shopper, cartID); err != nil {
		return err
	}
	return txn.Delete([]byte(prefixCart + cartID))
}

// confirmNow sends the confirms of a new order at once, waiting up to
// Config.ConfirmWait, so that the shopper usually sees the parts accepted.
// What is not acknowledged by then stays in the outbox.
func (s *Service) confirmNow(ctx context.Context, keys []string) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConfirmWait)
	defer cancel()
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.out.sendKey(ctx, k); err != nil {
				s.out.wake()
			}
		}()
	}
	wg.Wait()
}

// checkoutResult labels a checkout's outcome for metrics.
func checkoutResult(err error) string {
	switch {
	case err == nil:
		return "placed"
	case errors.Is(err, ErrOutOfStock):
		return "out_of_stock"
	case errors.Is(err, ErrPriceChanged):
		return "price_changed"
	case errors.Is(err, ErrDeclined):
		return "declined"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	}
	return "error"
}
