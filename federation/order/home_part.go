package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
)

// HomePart is a part as its home node keeps it: the authority on its
// status, its hold and the stock it took.
type HomePart struct {
	ID         string `json:"part_id"`
	Order      string `json:"order"`
	Storefront string `json:"storefront"`
	Merchant   string `json:"merchant"`
	Lines      []Line `json:"items"`
	// Total is what the shopper pays for the part: items and shipping.
	Total Money `json:"total"`
	// Shipping is the part of Total paid for shipping, at ShippingRate.
	Shipping     Money     `json:"shipping,omitzero"`
	ShippingRate string    `json:"shipping_rate,omitempty"`
	ShipTo       Address   `json:"shipping_address"`
	Status       string    `json:"status"`
	Seq          uint64    `json:"seq"`
	Held         bool      `json:"held"` // the part's units are out of stock
	HoldUntil    time.Time `json:"hold_until,omitzero"`
	Carrier      string    `json:"carrier,omitempty"`
	Tracking     string    `json:"tracking,omitempty"`
	// TrackingURL is where the parcel is followed.
	TrackingURL string `json:"tracking_url,omitempty"`
	Refunded    Money  `json:"refunded,omitzero"`
	// RefundedShipping is the part of Refunded that was shipping.
	RefundedShipping Money `json:"refunded_shipping,omitzero"`
	// Refunds are the part's refunds and partial cancellations, in the
	// order of the statuses that stated them.
	Refunds []Refund `json:"refunds,omitempty"`
	// DeliveredAt is when the merchant marked the part delivered: its
	// return window starts then.
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	// Returns are the shopper's returns of the part, oldest first.
	Returns []Return `json:"returns,omitempty"`
	// Issues are the complaints about the part, oldest first.
	Issues []Issue `json:"issues,omitempty"`
	Reason string  `json:"reason,omitempty"`
	Policy uint64  `json:"policy_version"`
	// Points is the part's loyalty points, when its reserve named an
	// issuer (points_terms.go).
	Points *HomePoints `json:"points,omitempty"`
	// Ad is the part's ad fee, when its reserve named a campaign (ads.go).
	Ad        *HomeAd   `json:"ad,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func loadHome(txn *badger.Txn, id string) (*HomePart, error) {
	var p HomePart
	ok, err := getJSON(txn, prefixHome+id, &p)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: part %s", ErrNotFound, id)
	}
	return &p, nil
}

func saveHome(txn *badger.Txn, p *HomePart) error { return putJSON(txn, prefixHome+p.ID, p) }

// statusOf is p's state as a status message states it.
func (p *HomePart) statusOf() *Status {
	cat := ""
	if len(p.Lines) > 0 {
		cat = p.Lines[0].Category
	}
	return &Status{Seq: p.Seq, Status: p.Status, Merchant: p.Merchant, Total: p.Total, Category: cat, HoldUntil: p.HoldUntil,
		Carrier: p.Carrier, Tracking: p.Tracking, TrackingURL: p.TrackingURL, Refunded: p.Refunded, RefundedShipping: p.RefundedShipping,
		Reason: p.Reason, Policy: p.Policy, Shipping: p.Shipping, ShippingRate: p.ShippingRate, Refund: p.stated(),
		DeliveredAt: p.DeliveredAt, Return: p.statedReturn(), Issue: p.statedIssue(), Points: p.statedPoints(), Ad: p.statedAd(),
		Discount: discountOf(p.Lines), Items: p.deliveredItems()}
}

// deliveredItems are the lines a status of a delivered part names.
func (p *HomePart) deliveredItems() []Units {
	if p.Status != StatusDelivered {
		return nil
	}
	out := make([]Units, len(p.Lines))
	for i, l := range p.Lines {
		out[i] = Units{ListingID: l.ListingID, SKU: l.SKU, Quantity: l.Quantity}
	}
	return out
}

// statedReturn is the return that p's current status states: the one the
// change to p.Seq made, if any.
func (p *HomePart) statedReturn() *Return {
	for _, r := range p.Returns {
		if r.Seq == p.Seq {
			cp := cloneReturn(r)
			return &cp
		}
	}
	return nil
}

// stated is the refund that p's current status states: the last one, when
// the change to p.Seq made it.
func (p *HomePart) stated() *Refund {
	if n := len(p.Refunds); n > 0 && p.Refunds[n-1].Seq == p.Seq {
		r := p.Refunds[n-1]
		return &r
	}
	return nil
}

// outOfStock is the units of each line (keyed by listing and SKU) that p
// keeps out of stock: while held, all but those its refunds put back;
// once not held, those refunded without going back (written off).
func (p *HomePart) outOfStock() map[string]int64 {
	out := map[string]int64{}
	if p.Held {
		for _, l := range p.Lines {
			out[offerKey(l.ListingID, l.SKU)] += l.Quantity
		}
	}
	for _, r := range p.Refunds {
		for _, u := range r.Lines {
			switch {
			case r.Restock && p.Held:
				out[u.key()] -= u.Quantity
			case !r.Restock && !p.Held:
				out[u.key()] += u.Quantity
			}
		}
	}
	return out
}

// stockBetween is the stock a change of a part from p to next gives back
// (positive deltas) or takes (negative), line by line.
func stockBetween(p, next *HomePart) []catalog.StockChange {
	before, after := p.outOfStock(), next.outOfStock()
	var out []catalog.StockChange
	seen := map[string]bool{}
	for _, l := range next.Lines {
		k := offerKey(l.ListingID, l.SKU)
		if seen[k] {
			continue
		}
		seen[k] = true
		if d := before[k] - after[k]; d != 0 {
			out = append(out, catalog.StockChange{ListingID: l.ListingID, SKU: l.SKU, Delta: d})
		}
	}
	return out
}

func (p *HomePart) changes(sign int64) []catalog.StockChange {
	out := make([]catalog.StockChange, len(p.Lines))
	for i, l := range p.Lines {
		out[i] = catalog.StockChange{ListingID: l.ListingID, SKU: l.SKU, Delta: sign * l.Quantity}
	}
	return out
}

// reserve holds the stock of a reserve message and answers with the
// part's status: reserved, or rejected with the shortages or the new
// quote. A rejection stores nothing but its answer, so that a repeat of
// the same message gets the same rejection.
func (s *Service) reserve(ctx context.Context, m *Message, raw []byte) ([]byte, error) {
	r := m.Reserve
	p := &HomePart{ID: m.Part, Order: r.Order, Storefront: m.From, Merchant: r.Merchant, Lines: slices.Clone(r.Lines), ShipTo: r.ShipTo,
		Status: StatusReserved, Seq: 1, Held: true, Policy: s.policy(), CreatedAt: s.now().UTC()}
	p.HoldUntil = p.CreatedAt.Add(s.cfg.HoldTTL).Truncate(time.Millisecond)
	if r.Loyalty != nil {
		p.Points = &HomePoints{Claim: *r.Loyalty, Seq: 1}
	}
	if r.Ad != nil {
		p.Ad = &HomeAd{Claim: *r.Ad, Seq: 1}
	}
	p.Total = Money{Currency: r.Lines[0].UnitPrice.Currency}
	for _, l := range r.Lines {
		p.Total.Amount += l.gross()
	}
	quote, err := s.homeDiscounts(ctx, r)
	if err != nil {
		return nil, err
	}
	if quote != nil { // an offer changed, ended or began: the storefront shows the new quote
		return s.rejection(m, raw, &CheckoutError{Reason: ReasonPriceChanged, Quote: quote})
	}
	ship, ce, err := s.homeShipping(ctx, r)
	if err != nil {
		return nil, err
	}
	if ce != nil {
		return s.rejection(m, raw, ce)
	}
	p.Shipping, p.ShippingRate = ship.Price, ship.Rate
	p.Total.Amount += ship.Price.Amount
	var reply []byte
	s.durable.Begin()
	err = s.changeStock(ctx, p.changes(-1), func(txn *badger.Txn, offers map[string]offer) error {
		if err := ownLines(p, offers); err != nil {
			return err
		}
		if quote := requote(r, offers); quote != nil {
			return &CheckoutError{Reason: ReasonPriceChanged, Quote: quote}
		}
		res, err := s.commitHome(txn, p, m, raw, "")
		if err != nil {
			return err
		}
		reply = res.reply
		return txn.Set([]byte(prefixHold+timeKey(p.HoldUntil)+"/"+p.ID), nil)
	})
	if errors.As(err, &ce) {
		s.durable.End(false)
		return s.rejection(m, raw, ce)
	}
	if err != nil {
		return nil, s.synced(err)
	}
	s.holdChanged(nil, p)
	return reply, s.synced(nil)
}

// ownLines checks that every line of p is a listing this node holds for
// the merchant the reserve names, and takes each line's title and
// category from the listing: the home node, not the storefront, says what
// a line is (its category selects the commission). A storefront cannot
// make one merchant's sale another's.
func ownLines(p *HomePart, offers map[string]offer) error {
	for i := range p.Lines {
		l := &p.Lines[i]
		o, ok := offers[offerKey(l.ListingID, l.SKU)]
		if !ok { // gone: the take failed already
			continue
		}
		if o.Merchant != p.Merchant {
			return fmt.Errorf("%w: message.reserve.lines[%d]: listing %s is not merchant %s's", ErrInvalid, i, l.ListingID, p.Merchant)
		}
		l.Title, l.Category = o.Title, o.Category
	}
	return nil
}

// requote lists the lines of r whose price, merchant or existence differs
// from the offers, at their current prices; nil when none do.
func requote(r *Reserve, offers map[string]offer) []Line {
	var quote []Line
	for _, l := range r.Lines {
		o, ok := offers[offerKey(l.ListingID, l.SKU)]
		if !ok || o.Merchant != r.Merchant {
			continue // the take already failed for a line that is gone
		}
		if o.Price != l.UnitPrice {
			l.UnitPrice = o.Price
			l.Discount, l.Offer, l.OfferVersion = Money{}, "", 0 // the storefront discounts the new price again
			quote = append(quote, l)
		}
	}
	return quote
}

// rejection answers a reserve that holds nothing with a signed status,
// remembered as the message's answer.
func (s *Service) rejection(m *Message, raw []byte, ce *CheckoutError) ([]byte, error) {
	_, sraw, err := s.newSigned(KindStatus, m.From, m.Part, func(r *Message) {
		r.Status = &Status{Seq: 1, Status: StatusRejected, Merchant: m.Reserve.Merchant, Reason: ce.Reason,
			Shortages: ce.Shortages, Quote: ce.Quote, Total: Money{Currency: m.Reserve.Lines[0].UnitPrice.Currency}}
		switch {
		case len(ce.Unshippable) > 0:
			r.Status.ShippingQuote = &ShippingQuote{Unshippable: ce.Unshippable}
		case len(ce.Shipping) > 0:
			r.Status.ShippingQuote = &ShippingQuote{Options: ce.shippingOptions, Chosen: ce.Shipping[0].ShippingChoice}
		}
	})
	if err != nil {
		return nil, err
	}
	reply := mustJSON(Reply{Status: sraw})
	return reply, s.update(func(txn *badger.Txn) error { return s.remember(txn, m, raw, reply) })
}

// result is a change of a home part as committed: the part after it, the
// status message that states it, and the reply to the message that
// caused it.
type result struct {
	part   *HomePart
	status *Message
	reply  []byte
}

// commitHome stores p after a change caused by message m (nil for the
// node's own decisions), with its status message: logged, kept as the
// part's latest status, remembered as the answer to m, booked for
// settlement, and sent to the storefront through the outbox (or applied
// at once when the storefront is this node). event, when set, names the
// webhook to queue.
//
// Every status a storefront's order holds travels through the outbox,
// even one that also rides in the answer to the storefront's request: the
// outbox is the one record of what the storefront may not have yet, which
// settlement's watermarks read (see Watermark). Only a reservation and a
// rejected reserve, which no placed order holds, travel in the answer
// alone.
func (s *Service) commitHome(txn *badger.Txn, p *HomePart, m *Message, raw []byte, event string) (result, error) {
	p.UpdatedAt = s.now().UTC()
	s.statePoints(p)
	if err := s.stateAd(txn, p); err != nil {
		return result{}, err
	}
	status, sraw, err := s.newSigned(KindStatus, p.Storefront, p.ID, func(r *Message) {
		r.At = s.stamps.at(s.now())
		r.Status = p.statusOf()
	})
	if err != nil {
		return result{}, err
	}
	res := result{part: p, status: status, reply: answer(status, sraw)}
	if p.Seq == 1 {
		if err := txn.Set([]byte(prefixMerchant+p.Merchant+"/"+timeKey(p.CreatedAt)+"/"+p.ID), nil); err != nil {
			return result{}, err
		}
	}
	if err := saveHome(txn, p); err != nil {
		return result{}, err
	}
	if r := p.statedReturn(); r != nil {
		if err := txn.Set([]byte(prefixHomeReturn+p.Merchant+"/"+p.ID+"/"+r.ID), nil); err != nil {
			return result{}, err
		}
	}
	if i := p.statedIssue(); i != nil {
		if err := txn.Set([]byte(prefixHomeIssue+p.Merchant+"/"+p.ID+"/"+i.ID), nil); err != nil {
			return result{}, err
		}
		if openedHere(i, p.Seq) {
			if err := indexIssueDue(txn, p.ID, i); err != nil {
				return result{}, err
			}
		}
	}
	if p.Status == statusExpired || p.Status == statusReleased {
		if err := markEnded(txn, p); err != nil {
			return result{}, err
		}
	}
	if err := txn.Set([]byte(prefixLatest+p.ID), sraw); err != nil {
		return result{}, err
	}
	if m != nil {
		if err := s.remember(txn, m, raw, res.reply); err != nil {
			return result{}, err
		}
	}
	if err := s.logMessage(txn, status, sraw); err != nil {
		return result{}, err
	}
	if err := s.caseOnEscalation(txn, p.ID, p.statedIssue()); err != nil {
		return result{}, err
	}
	if err := s.book(txn, PartEvent{Part: p.ID, Storefront: p.Storefront, Home: s.self, Status: status.Status, At: status.At}); err != nil {
		return result{}, err
	}
	if err := s.homePoints(txn, p, status, sraw); err != nil {
		return result{}, err
	}
	if err := s.noticeHome(txn, p); err != nil {
		return result{}, err
	}
	if p.Status != StatusReserved && knownStatus(p.Status) {
		if err := s.deliver(txn, status, sraw); err != nil {
			return result{}, err
		}
	}
	if event != "" {
		if err := s.emitEvent(txn, event, p); err != nil {
			return result{}, err
		}
	}
	return res, nil
}

// answer is the reply that carries status: the status itself, or a bare
// acknowledgement for a home-only state (expired, released) that no
// storefront order holds.
func answer(status *Message, raw []byte) []byte { return answerRaw(status.Status.Status, raw) }

// answerRaw is answer for a part in state status whose status message is
// raw.
func answerRaw(status string, raw []byte) []byte {
	if !knownStatus(status) {
		return mustJSON(Reply{Ack: true})
	}
	return mustJSON(Reply{Status: raw})
}

// deliver sends a status to its storefront: applied in txn when that is
// this node, queued in the outbox otherwise.
func (s *Service) deliver(txn *badger.Txn, status *Message, raw []byte) error {
	if status.To == s.self {
		_, err := s.applyStatusTxn(txn, status, raw)
		return err
	}
	return s.out.put(txn, status.To, raw)
}

// remember logs a received message and the answer it got, so that a
// duplicate gets the same answer and no second effect.
func (s *Service) remember(txn *badger.Txn, m *Message, raw, reply []byte) error {
	if err := s.logMessage(txn, m, raw); err != nil {
		return err
	}
	return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), reply)
}

// afterHome tells the webhook sender, settlement and the outbox about a
// committed status of a home part.
func (s *Service) afterHome(p *HomePart) {
	s.metrics.parts.WithLabelValues(p.Status).Inc()
	s.notifyEmitter()
	s.notifyBooks()
	s.out.wake()
	s.afterAd(p)
}
