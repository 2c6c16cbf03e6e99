package order

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
)

// Kinds of Refund.
const (
	// RefundKindRefund is money a merchant gave back.
	RefundKindRefund = "refund"
	// RefundKindCancel is a shopper's cancellation of some units of a
	// part not yet shipped.
	RefundKindCancel = "cancel"
)

// maxRefunds bounds the refunds and partial cancellations of one part.
const maxRefunds = 100

// Refund is one piece of money a home node gave back for a part: a
// merchant's refund of some units and/or an amount, with or without
// shipping, or a shopper's cancellation of some units before shipping.
// Each is stated by one signed status (Status.Refund) and has its own id,
// so that two refunds of the same amount are two refunds, and settlement
// books each once (settlement.Event.RefundOf).
type Refund struct {
	// ID is unique among the part's refunds.
	ID string `json:"id"`
	// Seq is the seq of the status that stated it.
	Seq uint64 `json:"seq"`
	// Kind is RefundKindRefund or RefundKindCancel.
	Kind string `json:"kind"`
	// Amount is everything given back, shipping included.
	Amount Money `json:"amount"`
	// Shipping is the part of Amount that was shipping.
	Shipping Money `json:"shipping,omitzero"`
	// Lines are the units the refund covers: none for an amount alone.
	Lines []Units `json:"lines,omitempty"`
	// Restock tells whether Lines went back to the home's stock (always,
	// for a cancellation).
	Restock bool   `json:"restock,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Units are some units of one line of a part.
type Units struct {
	ListingID string `json:"listing_id"`
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
}

func (u Units) key() string { return offerKey(u.ListingID, u.SKU) }

// Left is what is left of a part after its refunds and partial
// cancellations: the units neither cancelled nor refunded, line by line,
// and the money of its items and of its shipping not given back.
type Left struct {
	Units    []Units `json:"units"`
	Items    Money   `json:"items"`
	Shipping Money   `json:"shipping"`
}

// units returns the units left of the line keyed k.
func (l Left) units(k string) int64 {
	for _, u := range l.Units {
		if u.key() == k {
			return u.Quantity
		}
	}
	return 0
}

// none reports whether no unit is left.
func (l Left) none() bool {
	for _, u := range l.Units {
		if u.Quantity > 0 {
			return false
		}
	}
	return true
}

// leftOf computes what is left of a part of lines, total and shipping
// after refunds.
func leftOf(lines []Line, total, shipping Money, refunds []Refund) Left {
	cur := total.Currency
	l := Left{Items: Money{Amount: total.Amount - shipping.Amount, Currency: cur}, Shipping: Money{Amount: shipping.Amount, Currency: cur}}
	idx := map[string]int{}
	for _, x := range lines {
		k := offerKey(x.ListingID, x.SKU)
		if i, ok := idx[k]; ok {
			l.Units[i].Quantity += x.Quantity
			continue
		}
		idx[k] = len(l.Units)
		l.Units = append(l.Units, Units{ListingID: x.ListingID, SKU: x.SKU, Quantity: x.Quantity})
	}
	for _, r := range refunds {
		l.Items.Amount -= r.Amount.Amount - r.Shipping.Amount
		l.Shipping.Amount -= r.Shipping.Amount
		for _, u := range r.Lines {
			if i, ok := idx[u.key()]; ok {
				l.Units[i].Quantity -= u.Quantity
			}
		}
	}
	return l
}

// Left is what is left of the part to cancel or refund.
func (p *HomePart) Left() Left { return leftOf(p.Lines, p.Total, p.Shipping, p.Refunds) }

// Left is what is left of the part to cancel or refund, as the
// storefront knows it.
func (p *Part) Left() Left { return leftOf(p.Items, p.Total, p.Shipping, p.Refunds) }

// unitPrice returns the price of one unit of the line keyed k: after
// the line's discount, spread over its units (rounded down; what is left
// of the part bounds every refund).
func unitPrice(lines []Line, k string) (int64, bool) {
	for _, l := range lines {
		if offerKey(l.ListingID, l.SKU) == k {
			return l.gross() / max(l.Quantity, 1), true
		}
	}
	return 0, false
}

// checkUnits checks that units name lines of the part, each once, for
// 1 to what is left of it; errors name "<field>[i]". It returns the
// units' worth at their unit prices.
func checkUnits(field string, units []Units, lines []Line, left Left, errs *FieldErrors) int64 {
	if len(units) > maxLines {
		errs.add(field, "names more than %d lines", maxLines)
		return 0
	}
	var worth int64
	seen := map[string]bool{}
	for i, u := range units {
		f := fmt.Sprintf("%s[%d]", field, i)
		price, ok := unitPrice(lines, u.key())
		switch {
		case !ok:
			errs.add(f+".sku", "%s of listing %s is not a line of this part", u.SKU, u.ListingID)
		case seen[u.key()]:
			errs.add(f+".sku", "%s is named twice", u.SKU)
		case u.Quantity < 1:
			errs.add(f+".quantity", "must be at least 1")
		case u.Quantity > left.units(u.key()):
			errs.add(f+".quantity", "%d of %s asked, %d left", u.Quantity, u.SKU, left.units(u.key()))
		default:
			worth += u.Quantity * price
		}
		seen[u.key()] = true
	}
	return worth
}

// refundID derives a refund's id from what makes a request unique (an
// Idempotency-Key, a message id): the same request names the same refund.
func refundID(parts ...string) string {
	h := sha256.New()
	h.Write([]byte("fedmart/order/refund/v1"))
	for _, s := range parts {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// hasRefund reports whether refunds hold one with id.
func hasRefund(refunds []Refund, id string) bool {
	return slices.ContainsFunc(refunds, func(r Refund) bool { return r.ID == id })
}

// addRefund folds r into refunds, kept in the order of their statuses,
// and reports whether it was new.
func addRefund(refunds *[]Refund, r *Refund) bool {
	if r == nil || hasRefund(*refunds, r.ID) {
		return false
	}
	cp := *r
	cp.Lines = slices.Clone(r.Lines)
	i, _ := slices.BinarySearchFunc(*refunds, cp.Seq, func(x Refund, seq uint64) int { return compareSeq(x.Seq, seq) })
	*refunds = slices.Insert(*refunds, i, cp)
	return true
}

func compareSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// validate checks a refund's shape as a status carries it.
func (r *Refund) validate(st *Status) error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: message.status.refund.%s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	switch {
	case r.ID == "" || len(r.ID) > 64:
		return bad("id", "must be 1..64 bytes")
	case r.Seq != st.Seq:
		return bad("seq", "%d is not the status's %d", r.Seq, st.Seq)
	case r.Kind != RefundKindRefund && r.Kind != RefundKindCancel:
		return bad("kind", "%q is not refund or cancel", r.Kind)
	case r.Amount.Amount < 0 || r.Amount.Currency != st.Total.Currency:
		return bad("amount", "%s is not 0 or more in the part's currency", r.Amount)
	case r.Shipping.Amount < 0 || r.Shipping.Amount > r.Amount.Amount:
		return bad("shipping", "%s is not between 0 and the amount %s", r.Shipping, r.Amount)
	case r.Shipping.Amount > 0 && r.Shipping.Currency != r.Amount.Currency:
		return bad("shipping", "%s is not in the amount's currency", r.Shipping)
	case len(r.Lines) > maxLines:
		return bad("lines", "more than %d lines", maxLines)
	case len(r.Reason) > 512:
		return bad("reason", "longer than 512 bytes")
	}
	for i, u := range r.Lines {
		if u.ListingID == "" || u.SKU == "" || u.Quantity < 1 || u.Quantity > 10000 {
			return bad(fmt.Sprintf("lines[%d]", i), "needs listing_id, sku and quantity 1..10000")
		}
	}
	return nil
}

// checkRefundOf checks the refund a status states against the part it is
// about (its lines and shipping, as the storefront placed them): its units
// are units of the part, and it gives back no more than the status says
// was given back in all, nor shipping beyond what was paid.
func checkRefundOf(st *Status, lines []Line, shipping Money) error {
	r := st.Refund
	if r == nil {
		return nil
	}
	units := leftOf(lines, st.Total, shipping, nil)
	for _, u := range r.Lines {
		if u.Quantity > units.units(u.key()) {
			return fmt.Errorf("refund %s gives back %d of %s, the part has %d", r.ID, u.Quantity, u.SKU, units.units(u.key()))
		}
	}
	switch {
	case r.Amount.Amount > st.Refunded.Amount:
		return fmt.Errorf("refund %s gives back %s, more than the %s the status says was refunded in all", r.ID, r.Amount, st.Refunded)
	case r.Shipping.Amount > st.RefundedShipping.Amount:
		return fmt.Errorf("refund %s gives back shipping %s, more than the %s of shipping refunded in all", r.ID, r.Shipping, st.RefundedShipping)
	}
	return nil
}
