package settlement

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Kinds of Entry.
const (
	// EntrySale: the storefront owes the home platform the merchant share.
	EntrySale = "sale"
	// EntryFee: the storefront owes the treasury the federation fee.
	EntryFee = "fee"
	// EntryRefund: the home platform gives merchant share back to the
	// storefront after a refund.
	EntryRefund = "refund"
	// EntryFeeRefund: the treasury gives fee back to the storefront.
	EntryFeeRefund = "fee_refund"
	// EntryShipping: the storefront owes the home platform the shipping
	// the shopper paid (less commission and fee where the policy shares
	// shipping).
	EntryShipping = "shipping"
	// EntryShippingRefund: the home platform gives shipping back to the
	// storefront after a refund that includes it.
	EntryShippingRefund = "shipping_refund"
)

// Entry is one immutable obligation between two members: From owes To
// Amount because of one event of one order part. Its ID is derived from the
// event and the parties only, so the storefront, the home platform and the
// treasury derive the same entry independently, and replaying the event
// derives the same ID again.
type Entry struct {
	// ID is the hex SHA-256 over the part id, event kind, refund name,
	// payer, payee and entry kind (see entryID).
	ID string `json:"id"`
	// Period names the settlement period the entry belongs to.
	Period string `json:"period"`
	// PartID is the order part that caused the entry.
	PartID string `json:"part_id"`
	// Kind is EntrySale, EntryFee, EntryRefund, EntryFeeRefund,
	// EntryShipping, EntryShippingRefund, or a points kind (points.go).
	Kind string `json:"kind"`
	// From is the payer's peer ID.
	From string `json:"from"`
	// To is the payee's peer ID.
	To string `json:"to"`
	// Merchant is the merchant of the part, for earnings reports.
	Merchant string `json:"merchant"`
	// Amount is what From owes To, positive.
	Amount Money `json:"amount"`
	// At is the time the home node stated for the event.
	At time.Time `json:"at"`
}

// entryID derives an entry id. Every field is length-prefixed; the period
// is deliberately not part of it, so an entry moved out of a closed period
// keeps its identity.
func entryID(partID, eventKind, refundOf, from, to, entryKind string) string {
	h := sha256.New()
	h.Write([]byte("fedmart/settlement/entry/v1"))
	for _, s := range []string{partID, eventKind, refundOf, from, to, entryKind} {
		writeField(h, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Counterparty returns the party of e that is not self.
func (e Entry) Counterparty(self string) string {
	if e.From == self {
		return e.To
	}
	return e.From
}

// MarshalBinary returns the canonical encoding of e: the bytes that are
// stored, hashed into statement digests and reconciled. Equal entries have
// equal encodings on every node.
func (e Entry) MarshalBinary() ([]byte, error) {
	var b encoder
	b.raw([]byte{1})
	for _, s := range []string{e.ID, e.Period, e.PartID, e.Kind, e.From, e.To, e.Merchant, e.Amount.Currency} {
		b.str(s)
	}
	b.i64(e.Amount.Amount)
	b.time(e.At)
	return b.buf, nil
}

// UnmarshalBinary decodes the canonical encoding, failing with ErrInvalid on
// anything MarshalBinary would not have written.
func (e *Entry) UnmarshalBinary(data []byte) error {
	d := newDecoder(data)
	if d.u8() != 1 {
		return fmt.Errorf("%w: entry encoding version", ErrInvalid)
	}
	var x Entry
	for _, p := range []*string{&x.ID, &x.Period, &x.PartID, &x.Kind, &x.From, &x.To, &x.Merchant, &x.Amount.Currency} {
		*p = d.str(1024)
	}
	x.Amount.Amount = d.i64()
	x.At = d.time()
	if !d.done() {
		return fmt.Errorf("%w: entry encoding truncated or padded", ErrInvalid)
	}
	*e = x
	return nil
}

// Digest is the SHA-256 of the canonical encoding: it changes with any field.
func (e Entry) Digest() [32]byte {
	b, _ := e.MarshalBinary()
	return sha256.Sum256(b)
}

// Item returns e as a reconciliation item: its raw id and the first 16
// bytes of its digest.
func (e Entry) Item() (Item, error) {
	id, err := hexID(e.ID)
	if err != nil {
		return Item{}, err
	}
	it := Item{ID: id}
	d := e.Digest()
	copy(it.Hash[:], d[:])
	return it, nil
}

// saleEntries derives the obligations of a part that became payable: the
// storefront owes the home platform the merchant share and the treasury the
// fee. A treasury equal to the storefront keeps its fee, so no entry; zero
// amounts make no entry.
func saleEntries(ev Event, s, ship Split, treasury string) []Entry {
	var out []Entry
	out = appendEntry(out, ev, EntrySale, ev.Storefront, ev.Home, s.Merchant)
	out = appendEntry(out, ev, EntryShipping, ev.Storefront, ev.Home, ship.Merchant)
	if treasury != "" && treasury != ev.Storefront {
		out = appendEntry(out, ev, EntryFee, ev.Storefront, treasury, plus(s.Fee, ship.Fee))
	}
	return out
}

// plus adds two amounts of one currency; a zero amount may have none.
func plus(a, b Money) Money {
	if a.Currency == "" {
		a.Currency = b.Currency
	}
	return Money{Amount: a.Amount + b.Amount, Currency: a.Currency}
}

// reversalEntries derives the obligations of a refund of a payable part:
// the home platform and the treasury give their shares of rev back.
func reversalEntries(ev Event, rev, ship Split, treasury string) []Entry {
	var out []Entry
	out = appendEntry(out, ev, EntryRefund, ev.Home, ev.Storefront, rev.Merchant)
	out = appendEntry(out, ev, EntryShippingRefund, ev.Home, ev.Storefront, ship.Merchant)
	if treasury != "" && treasury != ev.Storefront {
		out = appendEntry(out, ev, EntryFeeRefund, treasury, ev.Storefront, plus(rev.Fee, ship.Fee))
	}
	return out
}

// derivableEntries returns every entry ev can cause under a policy with
// treasury, with id, kind and parties set (amounts are placeholders, the
// period is unset): what reconciliation checks a proven event against
// before posting it. Whether ev causes them now depends on the part's state.
func derivableEntries(ev Event, pol Policy) []Entry {
	treasury := pol.Treasury
	if ev.isAd() {
		if !pol.Ads.Enabled {
			return nil
		}
		two := ev // halved, each party's share is one: every entry shows
		two.Gross.Amount, two.AdFee, two.AdReversedBefore = 2, 2, 0
		return adEntries(two, Ads{Enabled: true, StorefrontShareBPS: MaxBPS / 2}, treasury)
	}
	if ev.isPoints() {
		if !pol.Loyalty.Enabled() {
			return nil
		}
		return pointsEntries(ev, pol.Loyalty)
	}
	one := Money{Amount: 1, Currency: ev.Gross.Currency}
	s := Split{Merchant: one, Fee: one}
	if ev.isReversal() {
		return reversalEntries(ev, s, s, treasury)
	}
	return saleEntries(ev, s, s, treasury)
}

func appendEntry(out []Entry, ev Event, kind, from, to string, amount Money) []Entry {
	if amount.Amount == 0 {
		return out
	}
	return append(out, Entry{
		ID:       entryID(ev.PartID, ev.Kind, ev.RefundOf, from, to, kind),
		PartID:   ev.PartID,
		Kind:     kind,
		From:     from,
		To:       to,
		Merchant: ev.Merchant,
		Amount:   amount,
		At:       ev.At.UTC(),
	})
}

// hexID decodes a 64-character entry id.
func hexID(s string) ([32]byte, error) {
	var id [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return id, fmt.Errorf("%w: entry id %q", ErrInvalid, s)
	}
	copy(id[:], b)
	return id, nil
}
