package settlement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Kinds of Event: the part states a home node reports, as in its signed
// order status messages.
const (
	// EventAccepted: the home node accepted the part.
	EventAccepted = "accepted"
	// EventDelivered: the part reached the shopper.
	EventDelivered = "delivered"
	// EventRefunded: money for the part (or a piece of it) went back to the
	// shopper.
	EventRefunded = "refunded"
	// EventCancelled: the part was cancelled; like a refund of Gross.
	EventCancelled = "cancelled"
)

// Event is a settlement-relevant change of one order part, as stated by the
// part's home node. The orders package builds it from the signed status
// messages; both the storefront and the home node (and the treasury) post
// the same Event and so derive the same entries.
type Event struct {
	// PartID identifies the order part, the same on every node.
	PartID string `json:"part_id"`
	// Kind is one of EventAccepted, EventDelivered, EventRefunded, EventCancelled.
	Kind string `json:"kind"`
	// Storefront is the peer ID of the platform that sold and collected.
	Storefront string `json:"storefront"`
	// Home is the peer ID of the merchant's home platform.
	Home string `json:"home"`
	// Merchant identifies the merchant on its home platform.
	Merchant string `json:"merchant"`
	// Category is the listing's category path; it selects policy overrides.
	Category string `json:"category"`
	// Gross is the part's price for accepted and delivered and the amount
	// given back for refunded. For cancelled it is informational: a
	// cancellation gives back everything not refunded yet.
	Gross Money `json:"gross"`
	// PolicyVersion is the policy the order was priced under.
	PolicyVersion uint64 `json:"policy_version"`
	// At is the time the home node stated in its signed message; it decides
	// the entry's period.
	At time.Time `json:"at"`
	// Shipping is the part of Gross paid for shipping: charged, for
	// accepted and delivered; given back, for refunded (a cancellation
	// gives back all that is left, shipping included). Zero when the part
	// has no shipping.
	Shipping Money `json:"shipping,omitzero"`
	// Discount is what the merchant's offers took off the part's items,
	// out of Gross already (accepted and delivered); it matters only
	// under Policy.CommissionBeforeDiscounts.
	Discount Money `json:"discount,omitzero"`
	// RefundOf names one refund among several of the same part (for
	// example a refund id); it is part of the entry ids, so distinct partial
	// refunds are distinct entries and a repeated one is a replay. Empty for
	// other kinds and for a part's single refund.
	RefundOf string `json:"refund_of,omitempty"`
	// ItemsRefundedBefore and ShippingRefundedBefore are what the part's
	// earlier refunds gave back of its items and of its shipping, as the
	// home node stated with this refund (events that name a refund only).
	// A refund's share of each party is the sale's split reversed from
	// there, so two ledgers that receive a part's refunds in different
	// orders still derive the same entries.
	ItemsRefundedBefore    int64 `json:"items_refunded_before,omitempty"`
	ShippingRefundedBefore int64 `json:"shipping_refunded_before,omitempty"`

	// Issuer, Points, PointsEarned and PointsReversedBefore describe a
	// points event (points.go): the shopper's home member, the points
	// earned, taken back, spent or given back, and for a reversal what
	// the part earned in all and what earlier reversals took back (for a
	// return: what the hold redeemed and what earlier returns gave back).
	// Gross is the points' value. A redemption and its returns name the
	// hold in PartID and have no Home; empty for other kinds.
	Issuer               string `json:"issuer,omitempty"`
	Points               int64  `json:"points,omitempty"`
	PointsEarned         int64  `json:"points_earned,omitempty"`
	PointsReversedBefore int64  `json:"points_reversed_before,omitempty"`

	// Campaign, AdFee and AdReversedBefore describe an ad event (ads.go):
	// the campaign charged, the part's whole fee, and for a reversal what
	// earlier reversals took back. Gross is this step's amount. Empty for
	// other kinds.
	Campaign         string `json:"campaign,omitempty"`
	AdFee            int64  `json:"ad_fee,omitempty"`
	AdReversedBefore int64  `json:"ad_reversed_before,omitempty"`
}

// Validate reports every malformed field of e, each naming its key
// ("event.part_id: empty") and wrapping ErrInvalid.
func (e Event) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: event.%s: %s", ErrInvalid, key, fmt.Sprintf(format, args...)))
	}
	if e.PartID == "" || len(e.PartID) > 256 {
		bad("part_id", "must be 1..256 bytes")
	}
	switch e.Kind {
	case EventAccepted, EventDelivered, EventRefunded, EventCancelled:
		if e.Issuer != "" || e.Points != 0 || e.PointsEarned != 0 || e.PointsReversedBefore != 0 {
			bad("points", "only points events state points")
		}
	case EventPointsEarned, EventPointsReversed, EventPointsRedeemed, EventPointsReturned:
		e.validatePoints(bad)
	case EventAdFee, EventAdFeeReversed:
		e.validateAd(bad)
	default:
		bad("kind", "%q is not accepted, delivered, refunded, cancelled or a points event", e.Kind)
	}
	if !validPeer(e.Storefront) {
		bad("storefront", "%q is not a peer id", e.Storefront)
	}
	if !e.hasNoHome() && !validPeer(e.Home) {
		bad("home", "%q is not a peer id", e.Home)
	}
	if !e.hasNoHome() && (e.Merchant == "" || len(e.Merchant) > 256) {
		bad("merchant", "must be 1..256 bytes")
	}
	if len(e.Category) > 1024 {
		bad("category", "longer than 1024 bytes")
	}
	if len(e.RefundOf) > 256 {
		bad("refund_of", "longer than 256 bytes")
	}
	if !e.isAd() && (e.Campaign != "" || e.AdFee != 0 || e.AdReversedBefore != 0) {
		bad("campaign", "only ad events name a campaign")
	}
	if e.RefundOf != "" && !e.isReversal() && !e.isPoints() && !e.isAd() {
		bad("refund_of", "only refunded and cancelled events name a refund")
	}
	if e.ItemsRefundedBefore < 0 || e.ShippingRefundedBefore < 0 {
		bad("items_refunded_before", "amounts refunded before cannot be negative")
	}
	if (e.ItemsRefundedBefore != 0 || e.ShippingRefundedBefore != 0) && e.RefundOf == "" {
		bad("items_refunded_before", "only events that name a refund state what was refunded before")
	}
	if e.Gross.Amount < 0 || !validCurrency(e.Gross.Currency) {
		bad("gross", "%s is not a non-negative amount in an ISO 4217 currency", e.Gross)
	}
	if e.Shipping != (Money{}) && (e.Shipping.Amount < 0 || e.Shipping.Amount > e.Gross.Amount || e.Shipping.Currency != e.Gross.Currency) {
		bad("shipping", "%s is not between 0 and the gross %s in its currency", e.Shipping, e.Gross)
	}
	if e.PolicyVersion == 0 {
		bad("policy_version", "must be at least 1")
	}
	if e.At.Year() < 2000 || e.At.Year() > 9999 {
		bad("at", "%s outside years 2000..9999", e.At)
	}
	return errors.Join(errs...)
}

// isReversal reports whether e gives money back.
func (e Event) isReversal() bool {
	return e.Kind == EventRefunded || e.Kind == EventCancelled
}

// key identifies the event for idempotency: a second event with the same
// part, kind and refund name is a replay (same content) or a conflict.
func (e Event) key() string {
	h := sha256.New()
	h.Write([]byte("fedmart/settlement/event/v1"))
	for _, s := range []string{e.PartID, e.Kind, e.RefundOf} {
		writeField(h, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// digest is a hash of the whole event content in canonical form, stored to
// tell a replay from a conflicting event with the same key.
func (e Event) digest() [32]byte {
	var b encoder
	for _, s := range []string{e.PartID, e.Kind, e.Storefront, e.Home, e.Merchant, e.Category, e.RefundOf, e.Gross.Currency} {
		b.str(s)
	}
	b.i64(e.Gross.Amount)
	b.u64(e.PolicyVersion)
	b.time(e.At)
	if e.Shipping.Amount != 0 { // events without shipping keep the digest they had before it existed
		b.str("shipping")
		b.i64(e.Shipping.Amount)
	}
	if e.ItemsRefundedBefore != 0 || e.ShippingRefundedBefore != 0 { // likewise for a part's first refund
		b.str("refunded_before")
		b.i64(e.ItemsRefundedBefore)
		b.i64(e.ShippingRefundedBefore)
	}
	if e.Issuer != "" { // likewise for events that are not about points
		b.str("points")
		b.str(e.Issuer)
		b.i64(e.Points)
		b.i64(e.PointsEarned)
		b.i64(e.PointsReversedBefore)
	}
	if e.Campaign != "" { // likewise for events that are not about ads
		b.str("ad")
		b.str(e.Campaign)
		b.i64(e.AdFee)
		b.i64(e.AdReversedBefore)
	}
	return sha256.Sum256(b.buf)
}

// EntryEvent returns the event that produced the entry with hex id, as this
// ledger posted it: what a node proves to a counterparty that lacks the
// entry. It fails with ErrNotFound when the ledger holds no such entry, or
// holds it from before it kept events.
func (l *Ledger) EntryEvent(ctx context.Context, id string) (Event, error) {
	if err := ctx.Err(); err != nil {
		return Event{}, err
	}
	var ev Event
	err := l.db.View(func(txn *badger.Txn) error {
		key, err := readValue(txn, []byte(prefixEntryEv+id))
		if err != nil {
			return err
		}
		if key == nil {
			return fmt.Errorf("%w: event of entry %q", ErrNotFound, id)
		}
		rec, err := readValue(txn, []byte(prefixEventRec+string(key)))
		if err != nil {
			return err
		}
		if rec == nil {
			return fmt.Errorf("%w: event record %s of entry %s", ErrNotFound, key, id)
		}
		if err := json.Unmarshal(rec, &ev); err != nil {
			return fmt.Errorf("%w: event record %s: %v", ErrInvalid, key, err)
		}
		return nil
	})
	return ev, err
}

// saveEventRecord stores ev under its key, in the transaction that posts it.
func saveEventRecord(txn *badger.Txn, key string, ev Event) error {
	return putJSON(txn, []byte(prefixEventRec+key), ev)
}
