package order

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Kinds of Message. Storefront to home: reserve, confirm, cancel, release,
// return, issue, issue_reply, escalate. Home to storefront: status.
const (
	KindReserve = "reserve"
	KindConfirm = "confirm"
	KindCancel  = "cancel"
	KindRelease = "release"
	KindStatus  = "status"
	// KindReturn asks for a return of some units of a delivered part.
	KindReturn = "return"
	// KindIssue opens a complaint (an Issue) about a part.
	KindIssue = "issue"
	// KindIssueReply is a shopper's answer to a merchant on an issue.
	KindIssueReply = "issue_reply"
	// KindEscalate takes an issue to the charter's arbiter.
	KindEscalate = "escalate"
	// KindNote is one message of a part's conversation, either way: the
	// shopper's from storefront to home, the merchant's from home to
	// storefront (Message.Note; see chat.go).
	KindNote = "note"
	// KindCase takes an escalated issue's signed thread to the arbiter,
	// from its storefront and from its home (arbiter.go).
	KindCase = "case"
	// KindArbiterNote is a note about an escalated issue between the
	// arbiter and either side, either way.
	KindArbiterNote = "arbiter_note"
	// KindDecision is the arbiter's decision, to the home and the
	// storefront of the issue.
	KindDecision = "decision"
	// KindPoints carries loyalty points between a storefront or a home
	// and the shopper's issuer (Message.Points; see points_wire.go).
	KindPoints = "points"
	// KindShopperOrder tells a shopper's home, from the storefront, of
	// an order its shopper placed there (shopper_order.go).
	KindShopperOrder = "shopper_order"
)

// signDomain prefixes the bytes a message signature covers, so that an
// order signature can never be taken for any other fedmart signature.
const signDomain = "fedmart/order/message/v1\n"

// MaxMessageBytes bounds one encoded message on the wire.
const MaxMessageBytes = 256 << 10

// maxLines bounds the lines of one part.
const maxLines = 100

// Message is one signed step of the order protocol between a storefront S
// and a home node H. Both sides keep every message of a part; the part's
// state is the fold of its status messages (see Fold).
type Message struct {
	// ID is unique among the sender's messages; receivers are idempotent
	// on (From, ID).
	ID string `json:"id"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// From and To are the sender's and receiver's peer IDs.
	From string `json:"from"`
	To   string `json:"to"`
	// At is when the sender created the message.
	At time.Time `json:"at"`
	// Part is the order part the message is about.
	Part string `json:"part"`
	// Reserve is the part's content, on reserve.
	Reserve *Reserve `json:"reserve,omitempty"`
	// Status is the part's state after the change, on status.
	Status *Status `json:"status,omitempty"`
	// Reason says why, on cancel and release.
	Reason string `json:"reason,omitempty"`
	// Cancel names the units a cancel gives up, when it cancels only some
	// of the part; a cancel without them cancels the whole part.
	Cancel []Units `json:"cancel,omitempty"`
	// Return is what a return asks for, on return.
	Return *ReturnAsk `json:"return,omitempty"`
	// Issue is the complaint, on issue.
	Issue *IssueAsk `json:"issue,omitempty"`
	// IssueReply is the shopper's answer, on issue_reply.
	IssueReply *IssueReply `json:"issue_reply,omitempty"`
	// Escalate names the issue taken to the arbiter, on escalate.
	Escalate *IssueEscalation `json:"escalate,omitempty"`
	// Note is what a note says, on note.
	Note *Note `json:"note,omitempty"`
	// Case is the thread taken to the arbiter, on case.
	Case *CaseFile `json:"case,omitempty"`
	// ArbiterNote is what an arbiter_note says.
	ArbiterNote *ArbiterNote `json:"arbiter_note,omitempty"`
	// Decision is the arbiter's decision, on decision.
	Decision *ArbiterDecision `json:"decision,omitempty"`
	// Points is a points step, on points.
	Points *PointsNote `json:"points,omitempty"`
	// ShopperOrder is the order placed, on shopper_order.
	ShopperOrder *ShopperOrder `json:"shopper_order,omitempty"`
	// ReviewReport is the report forwarded, on review_report
	// (review_report.go).
	ReviewReport *ReviewReport `json:"review_report,omitempty"`
	// Sig is the sender's signature over the message without Sig.
	Sig []byte `json:"sig,omitempty"`
}

// Reserve is what a storefront asks a home node to hold: one merchant's
// lines of one order, at the prices the shopper was quoted.
type Reserve struct {
	Order string `json:"order"`
	// Shopper is the storefront's own id of the buyer: opaque to the home
	// node, it lets the storefront rebuild its order from this message
	// after losing its data.
	Shopper  string  `json:"shopper,omitempty"`
	Merchant string  `json:"merchant"`
	Lines    []Line  `json:"lines"`
	ShipTo   Address `json:"ship_to"`
	// Shipping is the rate the shopper chose and the price the storefront
	// quoted for it; the home node quotes again and refuses a difference.
	Shipping *ShippingChoice `json:"shipping,omitempty"`
	// Loyalty names the shopper's issuer and its account there, when the
	// alliance runs loyalty: the home states the points the part earns
	// for it (Status.Points).
	Loyalty *LoyaltyClaim `json:"loyalty,omitempty"`
	// Ad names the campaign on whose sponsored slots the shopper reached
	// some of the part's listings, when it did (ads.go).
	Ad *AdClaim `json:"ad,omitempty"`
}

// ShippingChoice is a part's shipping rate and its price.
type ShippingChoice struct {
	Rate  string `json:"rate"`
	Price Money  `json:"price"`
}

// Line is one SKU of a part.
type Line struct {
	ListingID string `json:"listing_id"`
	SKU       string `json:"sku"`
	Title     string `json:"title"`
	Category  string `json:"category"`
	Quantity  int64  `json:"quantity"`
	UnitPrice Money  `json:"unit_price"`
	// Discount is what the merchant's offer Offer (at OfferVersion) takes
	// off the line, which the merchant funds: the line's gross is
	// Quantity × UnitPrice − Discount (see offer.go).
	Discount     Money  `json:"discount,omitzero"`
	Offer        string `json:"offer,omitempty"`
	OfferVersion uint64 `json:"offer_version,omitempty"`
}

// gross is what the shopper pays for the line: its units at their price,
// less the merchant's discount.
func (l Line) gross() int64 { return l.Quantity*l.UnitPrice.Amount - l.Discount.Amount }

// discountOf is what the merchant's offers took off lines.
func discountOf(lines []Line) Money {
	var d Money
	for _, l := range lines {
		if l.Discount.Amount > 0 {
			d = Money{Amount: d.Amount + l.Discount.Amount, Currency: l.Discount.Currency}
		}
	}
	return d
}

// Status is a part's state as its home node states it. Seq orders the
// statuses of one part: a receiver keeps the highest, so duplicated and
// reordered statuses fold to the same state.
type Status struct {
	Seq       uint64    `json:"seq"`
	Status    string    `json:"status"`
	Merchant  string    `json:"merchant"`
	Total     Money     `json:"total"`
	Category  string    `json:"category,omitempty"`
	HoldUntil time.Time `json:"hold_until,omitzero"`
	Carrier   string    `json:"carrier,omitempty"`
	Tracking  string    `json:"tracking,omitempty"`
	Refunded  Money     `json:"refunded,omitzero"`
	Reason    string    `json:"reason,omitempty"`
	// Shipping is the part of Total paid for shipping, at ShippingRate.
	Shipping     Money  `json:"shipping,omitzero"`
	ShippingRate string `json:"shipping_rate,omitempty"`
	// Discount is what the merchant's offers took off the part's items
	// (already out of Total): settlement reads it when the charter
	// computes commission before merchant discounts.
	Discount Money `json:"discount,omitzero"`
	// TrackingURL is where the parcel is followed (shipped parts).
	TrackingURL string `json:"tracking_url,omitempty"`
	// RefundedShipping is the part of Refunded that was shipping.
	RefundedShipping Money `json:"refunded_shipping,omitzero"`
	// ShippingQuote is the home's own quote of the part's shipping when
	// it differs from the reserve's (status rejected, reason
	// price_changed), or the lines it does not ship to the address
	// (reason not_shippable).
	ShippingQuote *ShippingQuote `json:"shipping_quote,omitempty"`
	// Policy is the charter version the part was priced under.
	Policy uint64 `json:"policy,omitempty"`
	// Shortages lists the lines that could not be held (status rejected).
	Shortages []Shortage `json:"shortages,omitempty"`
	// Quote lists the current unit prices when they changed (status
	// rejected, reason price_changed).
	Quote []Line `json:"quote,omitempty"`
	// Refund is the refund or partial cancellation this status states,
	// when it states one: Refunded and RefundedShipping then count it.
	Refund *Refund `json:"refund,omitempty"`
	// DeliveredAt is when the home marked the part delivered, the start
	// of its return window (delivered parts and after).
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	// Return is the return this status states, as it stands after it.
	Return *Return `json:"return,omitempty"`
	// Issue is the issue this status states, as it stands after it.
	Issue *Issue `json:"issue,omitempty"`
	// Points are the loyalty points this status states the part earned
	// or gave back, for the issuer the reserve named.
	Points *PointsStated `json:"points,omitempty"`
	// Ad is the ad fee this status states charged or reversed (ads.go).
	Ad *AdStated `json:"ad,omitempty"`
	// Items are the part's lines (listing, SKU and units) on the
	// statuses of a delivered part: the proof of purchase a review
	// carries reads them (review_proof.go).
	Items []Units `json:"items,omitempty"`
}

// Shortage is a line the home node could not hold.
type Shortage struct {
	ListingID string `json:"listing_id"`
	SKU       string `json:"sku"`
	Wanted    int64  `json:"wanted"`
	Available int64  `json:"available"`
}

// newMessageID returns a random 128-bit id.
func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// signingBytes is what Sig covers.
func (m *Message) signingBytes() []byte {
	cp := *m
	cp.Sig = nil
	b, err := json.Marshal(&cp)
	if err != nil { // cannot happen: the type has no unencodable fields
		panic("order: encoding message: " + err.Error())
	}
	return append([]byte(signDomain), b...)
}

// sign sets Sig with key.
func (m *Message) sign(key crypto.PrivKey) error {
	sig, err := key.Sign(m.signingBytes())
	if err != nil {
		return fmt.Errorf("order: signing %s: %w", m.Kind, err)
	}
	m.Sig = sig
	return nil
}

// Verify checks that m is well formed and signed by the key of m.From.
func (m *Message) Verify() error {
	if err := m.validate(); err != nil {
		return err
	}
	return m.checkSignature()
}

// checkSignature checks that m, already validated, is signed by the key
// of m.From.
func (m *Message) checkSignature() error {
	id, err := peer.Decode(m.From)
	if err != nil {
		return fmt.Errorf("%w: message.from: %v", ErrInvalid, err)
	}
	pub, err := id.ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("%w: message.from: no public key: %v", ErrInvalid, err)
	}
	ok, err := pub.Verify(m.signingBytes(), m.Sig)
	if err != nil || !ok {
		return fmt.Errorf("%w: %s message %s from %s", ErrForged, m.Kind, m.ID, m.From)
	}
	return nil
}

// Encode returns the message's wire form.
func (m *Message) Encode() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic("order: encoding message: " + err.Error())
	}
	return b
}

// DecodeMessage parses and verifies a message's wire form. Any error
// wraps ErrInvalid or ErrForged and names what is wrong.
func DecodeMessage(b []byte) (*Message, error) {
	if len(b) > MaxMessageBytes {
		return nil, fmt.Errorf("%w: message of %d bytes, more than %d", ErrInvalid, len(b), MaxMessageBytes)
	}
	m, err := decodeOwn(b) // decodes and validates
	if err != nil {
		return nil, err
	}
	if err := m.checkSignature(); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeOwn decodes a message this node signed and keeps in its own
// store (its outbox), checking its fields but not its signature: the
// receiver verifies that, and the outbox sender would otherwise verify
// every message it sends, an Ed25519 verification per message for
// nothing.
func decodeOwn(b []byte) (*Message, error) {
	var m Message
	if err := wire.DecodeJSON(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// validate reports the first malformed field of m.
func (m *Message) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: message.%s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	if len(m.ID) != 32 || !isHex(m.ID) {
		return bad("id", "must be 32 hex digits")
	}
	if m.From == "" || m.To == "" { // From == To is a node selling its own merchants' goods
		return bad("from", "from and to are required")
	}
	if m.Part == "" || len(m.Part) > 128 {
		return bad("part", "must be 1..128 bytes")
	}
	if m.At.IsZero() {
		return bad("at", "missing")
	}
	if len(m.Reason) > 512 {
		return bad("reason", "longer than 512 bytes")
	}
	if len(m.Cancel) > 0 && m.Kind != KindCancel {
		return bad("cancel", "only a cancel names units to cancel")
	}
	if len(m.Cancel) > maxLines {
		return bad("cancel", "names more than %d lines", maxLines)
	}
	for i, u := range m.Cancel {
		if u.ListingID == "" || u.SKU == "" || u.Quantity < 1 || u.Quantity > 10000 {
			return bad(fmt.Sprintf("cancel[%d]", i), "needs listing_id, sku and quantity 1..10000")
		}
	}
	if m.Return != nil && m.Kind != KindReturn {
		return bad("return", "only a return carries one")
	}
	if (m.Issue != nil) != (m.Kind == KindIssue) || (m.IssueReply != nil) != (m.Kind == KindIssueReply) || (m.Escalate != nil) != (m.Kind == KindEscalate) {
		return bad("issue", "an issue, issue_reply or escalate carries its own part, and no other kind carries one")
	}
	if m.Note != nil && m.Kind != KindNote {
		return bad("note", "only a note carries one")
	}
	if (m.Points != nil) != (m.Kind == KindPoints) {
		return bad("points", "a points message carries its step, and no other kind carries one")
	}
	if (m.Case != nil) != (m.Kind == KindCase) || (m.ArbiterNote != nil) != (m.Kind == KindArbiterNote) || (m.Decision != nil) != (m.Kind == KindDecision) {
		return bad("case", "a case, arbiter_note or decision carries its own part, and no other kind carries one")
	}
	if (m.ShopperOrder != nil) != (m.Kind == KindShopperOrder) {
		return bad("shopper_order", "a shopper_order carries its order, and no other kind carries one")
	}
	if (m.ReviewReport != nil) != (m.Kind == KindReviewReport) {
		return bad("review_report", "a review_report carries its report, and no other kind carries one")
	}
	switch m.Kind {
	case KindPoints:
		if m.Reserve != nil || m.Status != nil || m.Return != nil || m.Reason != "" {
			return bad("points", "a points message carries its step, and nothing else")
		}
		return m.Points.validate()
	case KindReviewReport:
		if m.Reserve != nil || m.Status != nil || m.Return != nil || m.Reason != "" {
			return bad("kind", "review_report carries neither reserve, status, return nor reason")
		}
		var errs FieldErrors
		m.ReviewReport.check(&errs)
		if len(errs) > 0 {
			return bad("review_report."+errs[0].Field, "%s", errs[0].Message)
		}
		return nil
	case KindShopperOrder:
		if m.Reserve != nil || m.Status != nil || m.Return != nil || m.Reason != "" {
			return bad("kind", "shopper_order carries neither reserve, status, return nor reason")
		}
		var errs FieldErrors
		m.ShopperOrder.check(&errs)
		if len(errs) > 0 {
			return bad("shopper_order."+errs[0].Field, "%s", errs[0].Message)
		}
		return nil
	case KindCase, KindArbiterNote, KindDecision:
		if m.Reserve != nil || m.Status != nil || m.Return != nil || m.Reason != "" {
			return bad("kind", "%s carries neither reserve, status, return nor reason", m.Kind)
		}
		var errs FieldErrors
		switch {
		case m.Case != nil:
			m.Case.check(&errs)
		case m.ArbiterNote != nil:
			m.ArbiterNote.check(&errs)
		default:
			m.Decision.check(&errs)
		}
		if len(errs) > 0 {
			return bad(m.Kind+"."+errs[0].Field, "%s", errs[0].Message)
		}
		return nil
	case KindNote:
		if m.Note == nil || m.Reserve != nil || m.Status != nil || m.Return != nil || m.Reason != "" {
			return bad("note", "a note carries what it says, and nothing else")
		}
		var errs FieldErrors
		m.Note.check(&errs)
		if len(errs) > 0 {
			return bad("note."+errs[0].Field, "%s", errs[0].Message)
		}
		return nil
	case KindIssue, KindIssueReply, KindEscalate:
		if m.Reserve != nil || m.Status != nil {
			return bad("kind", "%s carries neither reserve nor status", m.Kind)
		}
		var errs FieldErrors
		field := m.Kind
		switch {
		case m.Issue != nil:
			m.Issue.check(&errs)
		case m.IssueReply != nil:
			m.IssueReply.check(&errs)
		default:
			m.Escalate.check(&errs)
		}
		if len(errs) > 0 {
			return bad(field+"."+errs[0].Field, "%s", errs[0].Message)
		}
		return nil
	case KindReturn:
		if m.Return == nil || m.Reserve != nil || m.Status != nil {
			return bad("return", "a return carries what it asks for, and neither reserve nor status")
		}
		var errs FieldErrors
		m.Return.check(&errs)
		if len(errs) > 0 {
			return bad("return."+errs[0].Field, "%s", errs[0].Message)
		}
		return nil
	case KindReserve:
		if m.Reserve == nil {
			return bad("reserve", "missing")
		}
		return m.Reserve.validate()
	case KindStatus:
		if m.Status == nil {
			return bad("status", "missing")
		}
		return m.Status.validate()
	case KindConfirm, KindCancel, KindRelease:
		if m.Reserve != nil || m.Status != nil {
			return bad("kind", "%s carries neither reserve nor status", m.Kind)
		}
		return nil
	default:
		return bad("kind", "%q is not reserve, confirm, cancel, release, return, issue, issue_reply, escalate, note, case, arbiter_note, decision, points, shopper_order or status", m.Kind)
	}
}

func (r *Reserve) validate() error {
	switch {
	case r.Order == "" || len(r.Order) > 64:
		return fmt.Errorf("%w: message.reserve.order: must be 1..64 bytes", ErrInvalid)
	case len(r.Shopper) > 64:
		return fmt.Errorf("%w: message.reserve.shopper: longer than 64 bytes", ErrInvalid)
	case r.Merchant == "" || len(r.Merchant) > 64:
		return fmt.Errorf("%w: message.reserve.merchant: must be 1..64 bytes", ErrInvalid)
	case len(r.Lines) == 0 || len(r.Lines) > maxLines:
		return fmt.Errorf("%w: message.reserve.lines: must hold 1..%d lines", ErrInvalid, maxLines)
	}
	for i, l := range r.Lines {
		if l.ListingID == "" || l.SKU == "" || l.Quantity < 1 || l.Quantity > 10000 || l.UnitPrice.Amount < 0 {
			return fmt.Errorf("%w: message.reserve.lines[%d]: needs listing_id, sku, quantity 1..10000 and a price", ErrInvalid, i)
		}
		if err := l.checkDiscount(); err != nil {
			return fmt.Errorf("%w: message.reserve.lines[%d].%v", ErrInvalid, i, err)
		}
	}
	if err := r.ShipTo.Validate(); err != nil {
		return fmt.Errorf("%w: message.reserve.%v", ErrInvalid, err)
	}
	if c := r.Loyalty; c != nil && (!validPeerID(c.Issuer) || c.Account == "" || len(c.Account) > 128) {
		return fmt.Errorf("%w: message.reserve.loyalty: needs the issuer's peer id and an account of 1..128 bytes", ErrInvalid)
	}
	if c := r.Ad; c != nil {
		if err := c.validate(r.Lines); err != nil {
			return err
		}
	}
	if c := r.Shipping; c != nil && (len(c.Rate) > 200 || c.Price.Amount < 0 || c.Price.Currency != r.Lines[0].UnitPrice.Currency) {
		return fmt.Errorf("%w: message.reserve.shipping: needs a rate of at most 200 bytes and a price of 0 or more in the lines' currency", ErrInvalid)
	}
	return nil
}

func (s *Status) validate() error {
	if !knownStatus(s.Status) || s.Seq == 0 {
		return fmt.Errorf("%w: message.status: status %q with seq %d", ErrInvalid, s.Status, s.Seq)
	}
	if len(s.Items) > maxLines {
		return fmt.Errorf("%w: message.status.items: more than %d lines", ErrInvalid, maxLines)
	}
	if s.Refund != nil {
		if err := s.Refund.validate(s); err != nil {
			return err
		}
	}
	if s.Return != nil {
		if err := s.Return.validate(s); err != nil {
			return err
		}
	}
	if s.Issue != nil {
		if err := s.Issue.validate(s); err != nil {
			return err
		}
	}
	if s.Points != nil {
		if err := s.Points.validate(); err != nil {
			return err
		}
	}
	if s.Ad != nil {
		return s.Ad.validate()
	}
	return nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// SignedReserve builds the wire form of a reserve of lines for merchant,
// signed with key, as a storefront sends it to the home node to. Tools and
// tests use it to speak the protocol without a storefront.
func SignedReserve(key crypto.PrivKey, to, part, merchant string, shipTo Address, lines []Line) []byte {
	from, _ := peer.IDFromPrivateKey(key)
	m := &Message{ID: newMessageID(), Kind: KindReserve, From: from.String(), To: to, At: time.Now().UTC(), Part: part,
		Reserve: &Reserve{Order: orderOfPart(part), Merchant: merchant, ShipTo: shipTo, Lines: lines}}
	if err := m.sign(key); err != nil {
		panic("order: signing: " + err.Error())
	}
	return m.Encode()
}

// SignedStatus builds the wire form of a status of part, stated at at and
// signed with key, as a home node sends it to the storefront to. Tools and
// tests use it to speak the protocol without a home node.
func SignedStatus(key crypto.PrivKey, to, part string, at time.Time, st *Status) []byte {
	from, _ := peer.IDFromPrivateKey(key)
	m := &Message{ID: newMessageID(), Kind: KindStatus, From: from.String(), To: to, At: at.UTC(), Part: part, Status: st}
	if err := m.sign(key); err != nil {
		panic("order: signing: " + err.Error())
	}
	return m.Encode()
}

// Messages returns every signed message of a part this node keeps.
func (s *Service) Messages(_ context.Context, part string) ([]*Message, error) {
	var out []*Message
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
			raw, err := getRaw(txn, k)
			if err != nil {
				return err
			}
			m, err := DecodeMessage(raw)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}
