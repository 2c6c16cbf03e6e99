package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// HomePart is a part as its home node keeps it: the authority on its
// status, its hold and the stock it took.
type HomePart struct {
	ID         string    `json:"part_id"`
	Order      string    `json:"order"`
	Storefront string    `json:"storefront"`
	Merchant   string    `json:"merchant"`
	Lines      []Line    `json:"items"`
	Total      Money     `json:"total"`
	ShipTo     Address   `json:"shipping_address"`
	Status     string    `json:"status"`
	Seq        uint64    `json:"seq"`
	Held       bool      `json:"held"` // the part's units are out of stock
	HoldUntil  time.Time `json:"hold_until,omitzero"`
	Carrier    string    `json:"carrier,omitempty"`
	Tracking   string    `json:"tracking,omitempty"`
	Refunded   Money     `json:"refunded,omitzero"`
	Reason     string    `json:"reason,omitempty"`
	Policy     uint64    `json:"policy_version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
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
		Carrier: p.Carrier, Tracking: p.Tracking, Refunded: p.Refunded, Reason: p.Reason, Policy: p.Policy}
}

func (p *HomePart) changes(sign int64) []StockChange {
	out := make([]StockChange, len(p.Lines))
	for i, l := range p.Lines {
		out[i] = StockChange{ListingID: l.ListingID, SKU: l.SKU, Delta: sign * l.Quantity}
	}
	return out
}

// reserve holds the stock of a reserve message and answers with the
// part's status: reserved, or rejected with the shortages or the new
// quote. A rejection stores nothing.
func (s *Service) reserve(ctx context.Context, m *Message, raw []byte) (*Message, error) {
	r := m.Reserve
	p := &HomePart{ID: m.Part, Order: r.Order, Storefront: m.From, Merchant: r.Merchant, Lines: r.Lines, ShipTo: r.ShipTo,
		Status: StatusReserved, Seq: 1, Held: true, Policy: s.policy(), CreatedAt: s.now().UTC()}
	p.HoldUntil = p.CreatedAt.Add(s.cfg.HoldTTL).Truncate(time.Millisecond)
	p.Total = Money{Currency: r.Lines[0].UnitPrice.Currency}
	for _, l := range r.Lines {
		p.Total.Amount += l.Quantity * l.UnitPrice.Amount
	}
	var reply *Message
	err := s.changeStock(ctx, p.changes(-1), func(txn *badger.Txn, offers map[string]Offer) error {
		if quote := requote(r, offers); quote != nil {
			return &CheckoutError{Reason: ReasonPriceChanged, Quote: quote}
		}
		var err error
		reply, err = s.commitHome(txn, p, m, raw, "")
		if err != nil {
			return err
		}
		return txn.Set([]byte(prefixHold+timeKey(p.HoldUntil)+"/"+p.ID), nil)
	})
	var ce *CheckoutError
	if errors.As(err, &ce) {
		return s.rejection(m, ce)
	}
	if err != nil {
		return nil, err
	}
	return reply, s.sync()
}

// requote lists the lines of r whose price, merchant or existence differs
// from the offers, at their current prices; nil when none do.
func requote(r *Reserve, offers map[string]Offer) []Line {
	var quote []Line
	for _, l := range r.Lines {
		o, ok := offers[OfferKey(l.ListingID, l.SKU)]
		if !ok || o.Merchant != r.Merchant {
			continue // the take already failed for a line that is gone
		}
		if o.Price != l.UnitPrice {
			l.UnitPrice = o.Price
			quote = append(quote, l)
		}
	}
	return quote
}

// rejection is the signed status of a reserve that holds nothing.
func (s *Service) rejection(m *Message, ce *CheckoutError) (*Message, error) {
	reply, _, err := s.newSigned(KindStatus, m.From, m.Part, func(r *Message) {
		r.Status = &Status{Seq: 1, Status: StatusRejected, Merchant: m.Reserve.Merchant, Reason: ce.Reason,
			Shortages: ce.Shortages, Quote: ce.Quote, Total: Money{Currency: m.Reserve.Lines[0].UnitPrice.Currency}}
	})
	return reply, err
}

// commitHome stores p after a change caused by message m (nil for the
// node's own decisions), with its status message: logged, remembered as
// the answer to m, and sent to the storefront through the outbox (or
// applied at once when the storefront is this node). event, when set,
// names the webhook to queue.
func (s *Service) commitHome(txn *badger.Txn, p *HomePart, m *Message, raw []byte, event string) (*Message, error) {
	p.UpdatedAt = s.now().UTC()
	status, sraw, err := s.newSigned(KindStatus, p.Storefront, p.ID, func(r *Message) { r.Status = p.statusOf() })
	if err != nil {
		return nil, err
	}
	if p.Seq == 1 {
		if err := txn.Set([]byte(prefixMerchant+p.Merchant+"/"+timeKey(p.CreatedAt)+"/"+p.ID), nil); err != nil {
			return nil, err
		}
	}
	if err := saveHome(txn, p); err != nil {
		return nil, err
	}
	if m != nil {
		if err := s.remember(txn, m, raw, answer(status, sraw)); err != nil {
			return nil, err
		}
	}
	if err := logMessage(txn, status, sraw); err != nil {
		return nil, err
	}
	// A status that answers a storefront's message travels in the answer:
	// the storefront keeps its message in its outbox until it has applied
	// the answer. The node's own changes (shipping, expiry...) go through
	// the outbox; expired and released parts have no order to tell.
	if (m == nil || p.Storefront == s.self) && p.Status != StatusReserved && knownStatus(p.Status) {
		if err := s.deliver(txn, status, sraw); err != nil {
			return nil, err
		}
	}
	if event != "" {
		if err := s.emitEvent(txn, event, p); err != nil {
			return nil, err
		}
	}
	return status, nil
}

// answer is the reply that carries status: the status itself, or a bare
// acknowledgement for a home-only state (expired, released) that no
// storefront order holds.
func answer(status *Message, raw []byte) []byte {
	if !knownStatus(status.Status.Status) {
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
	if err := logMessage(txn, m, raw); err != nil {
		return err
	}
	return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), reply)
}

// afterHome tells the webhook sender and settlement about a committed
// status of a home part.
func (s *Service) afterHome(p *HomePart, status *Message) {
	s.metrics.parts.WithLabelValues(p.Status).Inc()
	s.notifyEmitter()
	s.out.wake()
	if s.onStatus != nil && status != nil {
		s.onStatus(PartEvent{Part: p.ID, Storefront: p.Storefront, Home: s.self, Status: status.Status, At: status.At})
	}
}
