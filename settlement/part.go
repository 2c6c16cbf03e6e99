package settlement

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// part is what a ledger remembers about one order part between events: the
// facts every event of the part must repeat, whether its sale became
// payable, the split of that sale, how much of it has been refunded, and
// refunds that arrived before the sale became payable. Folding the same
// events in the same order gives the same part on every node.
type part struct {
	PolicyVersion uint64  `json:"policy_version"`
	Storefront    string  `json:"storefront"`
	Home          string  `json:"home"`
	Merchant      string  `json:"merchant"`
	Category      string  `json:"category"`
	Currency      string  `json:"currency"`
	Payable       bool    `json:"payable"`
	Sale          Split   `json:"sale"`
	Refunded      int64   `json:"refunded"`
	Ship          Split   `json:"ship,omitzero"`
	ShipRefunded  int64   `json:"ship_refunded,omitempty"`
	Pending       []Event `json:"pending,omitempty"`
}

// effect is one money movement an event causes: the sale's splits (of
// the items and of shipping) when a part becomes payable, or the reversed
// shares of them when a refund applies.
type effect struct {
	ev       Event
	split    Split
	ship     Split
	reversal bool
}

// newPart starts the record of a part from its first event.
func newPart(ev Event) *part {
	return &part{
		PolicyVersion: ev.PolicyVersion, Storefront: ev.Storefront, Home: ev.Home,
		Merchant: ev.Merchant, Category: ev.Category, Currency: ev.Gross.Currency,
	}
}

// consistent checks that ev repeats the facts of the part's earlier events.
func (p *part) consistent(ev Event) error {
	same := p.PolicyVersion == ev.PolicyVersion && p.Storefront == ev.Storefront &&
		p.Home == ev.Home && p.Merchant == ev.Merchant && p.Category == ev.Category &&
		p.Currency == ev.Gross.Currency
	if !same {
		return fmt.Errorf("%w: part %q: %s event disagrees with earlier events on parties, category, currency or policy",
			ErrConflict, ev.PartID, ev.Kind)
	}
	return nil
}

// apply folds ev into the part and returns the money movements it causes.
// The sale becomes payable on the policy's payable kind; refunds and
// cancellations of a payable part reverse a share of the sale; those that
// come earlier wait in Pending and apply, in arrival order and at their own
// times, once the sale becomes payable.
func (p *part) apply(ev Event, pol Policy) ([]effect, error) {
	switch {
	case ev.isReversal() && !p.Payable:
		p.Pending = append(p.Pending, ev)
		return nil, nil
	case ev.isReversal():
		e, err := p.reverse(ev)
		return []effect{e}, err
	case ev.Kind != pol.Payable() || p.Payable:
		return nil, nil
	}
	sale, ship, err := pol.SplitSale(ev.Gross, ev.Shipping, ev.Category)
	if err == nil && pol.CommissionBeforeDiscounts && ev.Discount.Amount > 0 {
		sale, err = pol.SplitDiscounted(sale.Gross, ev.Discount, ev.Category)
	}
	if err != nil {
		return nil, err
	}
	p.Payable, p.Sale, p.Ship = true, sale, ship
	out := []effect{{ev: ev, split: sale, ship: ship}}
	for _, r := range p.Pending {
		e, err := p.reverse(r)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	p.Pending = nil
	return out, nil
}

// reverse applies one refund or cancellation to a payable part. A refund
// gives back its Gross, of which its Shipping from the shipping paid and
// the rest from the items; a cancellation gives back whatever is left of
// both. The shares reversed are the split's from what was refunded before
// to what is refunded after: before as the event states it when it names
// a refund (the home node's count, the same on every ledger whatever order
// the refunds arrive in), else as this ledger has counted.
func (p *part) reverse(ev Event) (effect, error) {
	before, shipBefore := p.Refunded, p.ShipRefunded
	if ev.RefundOf != "" {
		before, shipBefore = ev.ItemsRefundedBefore, ev.ShippingRefundedBefore
	}
	ship := ev.Shipping.Amount
	items := ev.Gross.Amount - ship
	if ev.Kind == EventCancelled {
		items, ship = p.Sale.Gross.Amount-before, p.Ship.Gross.Amount-shipBefore
	}
	left, shipLeft := p.Sale.Gross.Amount-p.Refunded, p.Ship.Gross.Amount-p.ShipRefunded
	if items < 0 || ship < 0 || items > left || ship > shipLeft ||
		before+items > p.Sale.Gross.Amount || shipBefore+ship > p.Ship.Gross.Amount {
		return effect{}, fmt.Errorf("%w: part %q: refund %s (shipping %d) after %d of items and %d of shipping exceeds the %d of items and %d of shipping not yet refunded",
			ErrInvalid, ev.PartID, ev.Gross, ship, before, shipBefore, left, shipLeft)
	}
	rev := p.Sale.reversedAt(before + items).minus(p.Sale.reversedAt(before))
	shipRev := p.Ship.reversedAt(shipBefore + ship).minus(p.Ship.reversedAt(shipBefore))
	p.Refunded, p.ShipRefunded = p.Refunded+items, p.ShipRefunded+ship
	return effect{ev: ev, split: rev, ship: shipRev, reversal: true}, nil
}

// loadPart reads the part record, or returns nil when there is none.
func loadPart(txn *badger.Txn, id string) (*part, error) {
	item, err := txn.Get(partKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("settlement: read part %q: %w", id, err)
	}
	var p part
	err = item.Value(func(v []byte) error { return json.Unmarshal(v, &p) })
	if err != nil {
		return nil, fmt.Errorf("settlement: decode part %q: %w", id, err)
	}
	return &p, nil
}

// save writes the part record.
func (p *part) save(txn *badger.Txn, id string) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("settlement: encode part %q: %w", id, err)
	}
	return txn.Set(partKey(id), b)
}
