package order

import (
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/libp2p/go-libp2p/core/peer"
)

// How points flow through the protocol.
//
// The storefront names the shopper's issuer and the issuer's account id
// in the Reserve it signs (Reserve.Loyalty). The home, when the part
// becomes payable under the charter's policy, states in that status the
// points the part earned (Status.Points): EarnBPS of a point per currency
// unit of the items still paid for, rounded down; each later refund of
// the payable part states the points it takes back, in proportion to the
// items it refunds, so that a part refunded in full gives back exactly
// what it earned. The home books the points event and forwards the status
// with the storefront's signed reserve to the issuer through its outbox
// (a points message); the storefront books it when the status reaches it,
// after checking the claim against its own reserve. The issuer checks
// both signatures, that the reserve names it and an account of its own,
// and credits or takes back the points (points.go). Settlement derives the
// same entries from the same event on every side (settlement/points.go).

// LoyaltyTerms are the charter's loyalty policy as the order service
// needs it, at one policy version.
type LoyaltyTerms struct {
	// EarnBPS is points per currency unit (100 minor units), in bps.
	EarnBPS int64
	// PointValue is one point's value in minor units of Currency, the
	// settlement currency.
	PointValue int64
	Currency   string
	// PayableOn is when a sale becomes payable: "delivered" or "accepted".
	PayableOn string
	// SpendableOn is "delivered" or "return_window_end".
	SpendableOn string
	// Expiry is how long points stay spendable; zero: forever.
	Expiry time.Duration
	// MinShareBPS and MaxShareBPS bound the share of a cart points pay.
	MinShareBPS, MaxShareBPS int64
}

// Enabled reports whether the terms run a loyalty programme.
func (t LoyaltyTerms) Enabled() bool { return t.EarnBPS > 0 && t.PointValue > 0 }

// earnOn returns the points items (minor units) earn, rounded down.
func (t LoyaltyTerms) earnOn(items int64) int64 {
	if items <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(items), uint64(t.EarnBPS))
	q, _ := bits.Div64(hi, lo, 1_000_000) // hi < 1e6: items < 2^63, EarnBPS ≤ 1e6
	return int64(q)
}

// LoyaltyClaim names the shopper of a reserve at its issuer.
type LoyaltyClaim struct {
	// Issuer is the peer ID of the shopper's home member.
	Issuer string `json:"issuer"`
	// Account is the issuer's id of the shopper.
	Account string `json:"account"`
}

// claimOf is the loyalty claim a reserve for shopper carries: nil when
// the policy sales are priced under now runs no loyalty programme.
func (s *Service) claimOf(shopper string) *LoyaltyClaim {
	if _, ok := s.loyaltyAt(s.policy()); !ok || shopper == "" {
		return nil
	}
	sh, err := s.Shopper(context.Background(), shopper)
	if err != nil {
		return nil
	}
	c := s.issuerOf(&sh)
	return &c
}

// issuerOf returns who issues the points of a storefront's shopper: the
// shopper's home member and its account there (ShopperHome), which for
// a shopper that signed up here is this node.
func (s *Service) issuerOf(sh *Shopper) LoyaltyClaim {
	home, account := s.ShopperHome(*sh)
	return LoyaltyClaim{Issuer: home, Account: account}
}

// spendLeave is the shopper's leave to spend its points, for a hold at
// an issuer that is another member: the ID token the issuer gave this
// storefront when the shopper last signed in through it, as a JSON
// string (PointsNote.Auth is JSON, and a compact JWS is not). A shopper
// that signed up here needs none (its issuer is this node).
func (s *Service) spendLeave(shopper string) json.RawMessage {
	var leave []byte
	_ = s.db.View(func(txn *badger.Txn) (err error) { leave, err = getRaw(txn, prefixShopLeave+shopper); return err })
	if len(leave) == 0 {
		return nil
	}
	b, _ := json.Marshal(string(leave)) // a string always encodes
	return b
}

// Points steps a status may state.
const (
	// PointsEarn: the part became payable and earned Points.
	PointsEarn = "earned"
	// PointsReverse: a refund (Refund) took Points back.
	PointsReverse = "reversed"
)

// PointsStated is what a home's status says about a part's points.
type PointsStated struct {
	// Step is PointsEarn or PointsReverse.
	Step string `json:"step"`
	// Issuer and Account repeat the reserve's claim.
	Issuer  string `json:"issuer"`
	Account string `json:"account"`
	// Points earned or taken back by this status.
	Points int64 `json:"points"`
	// Earned is what the part earned in all; ReversedBefore what
	// earlier refunds took back (reversals).
	Earned         int64 `json:"earned"`
	ReversedBefore int64 `json:"reversed_before,omitempty"`
	// Refund is the refund that takes points back (reversals).
	Refund string `json:"refund,omitempty"`
	// SpendableAt is when the points earned may be spent (earn).
	SpendableAt time.Time `json:"spendable_at,omitzero"`
}

func (p *PointsStated) validate() error {
	bad := func(field, msg string) error {
		return fmt.Errorf("%w: message.status.points.%s: %s", ErrInvalid, field, msg)
	}
	switch {
	case p.Step != PointsEarn && p.Step != PointsReverse:
		return bad("step", `must be "earned" or "reversed"`)
	case !validPeerID(p.Issuer):
		return bad("issuer", "not a peer id")
	case p.Account == "" || len(p.Account) > 128:
		return bad("account", "must be 1..128 bytes")
	case p.Points <= 0 || p.Earned < p.Points || p.ReversedBefore < 0 || p.ReversedBefore+p.Points > p.Earned && p.Step == PointsReverse:
		return bad("points", "must be at least 1 and no more than the part earned")
	case (p.Step == PointsReverse) != (p.Refund != ""):
		return bad("refund", "a reversal names its refund, an earn none")
	}
	return nil
}

// HomePoints is what a home keeps about its part's points.
type HomePoints struct {
	// Claim is the reserve's.
	Claim LoyaltyClaim `json:"claim"`
	// Earned is what the part earned when it became payable, Basis the
	// items (minor units) it earned on, Refunded the items refunded
	// since, Reversed the points taken back.
	Earned   int64 `json:"earned,omitempty"`
	Basis    int64 `json:"basis,omitempty"`
	Refunded int64 `json:"refunded,omitempty"`
	Reversed int64 `json:"reversed,omitempty"`
	// Done: the part became payable (whether it earned or not).
	Done bool `json:"done,omitempty"`
	// Stated is what the status of Seq states.
	Stated *PointsStated `json:"stated,omitempty"`
	Seq    uint64        `json:"seq,omitempty"`
}

// statePoints works out what p's new status states about points, under
// the terms of the part's policy: the earn when p first becomes payable,
// a reversal when it states a refund after that.
func (s *Service) statePoints(p *HomePart) {
	if p.Points == nil || p.Points.Seq == p.Seq || s.loyalty == nil {
		return
	}
	cp := *p.Points // the part before the change shares the pointer
	hp := &cp
	p.Points = hp
	t, ok := s.loyalty(p.Policy)
	if !ok || !t.Enabled() {
		return
	}
	hp.Stated, hp.Seq = nil, p.Seq
	items := func(m Money, ship Money) int64 { return m.Amount - ship.Amount }
	switch r := p.stated(); {
	case !hp.Done && p.Status == payableKind(t) && r == nil:
		hp.Done = true
		hp.Basis = items(p.Total, p.Shipping) - items(p.Refunded, p.RefundedShipping)
		hp.Earned = t.earnOn(hp.Basis)
		if hp.Earned > 0 {
			hp.Stated = &PointsStated{Step: PointsEarn, Issuer: hp.Claim.Issuer, Account: hp.Claim.Account,
				Points: hp.Earned, Earned: hp.Earned, SpendableAt: s.spendableAt(p, t)}
		}
	case hp.Done && hp.Earned > 0 && r != nil:
		before := hp.Refunded
		hp.Refunded = min(hp.Basis, hp.Refunded+items(r.Amount, r.Shipping))
		n := reversedAt(hp.Earned, hp.Basis, hp.Refunded) - reversedAt(hp.Earned, hp.Basis, before)
		if n > 0 {
			hp.Stated = &PointsStated{Step: PointsReverse, Issuer: hp.Claim.Issuer, Account: hp.Claim.Account,
				Points: n, Earned: hp.Earned, ReversedBefore: hp.Reversed, Refund: r.ID}
			hp.Reversed += n
		}
	}
}

// reversedAt is the points of earned taken back once refunded of basis
// is refunded, rounded down: the last refund takes back the rest.
func reversedAt(earned, basis, refunded int64) int64 {
	if basis <= 0 || refunded >= basis {
		return earned
	}
	hi, lo := bits.Mul64(uint64(earned), uint64(refunded))
	q, _ := bits.Div64(hi, lo, uint64(basis)) // hi < basis: earned ≤ basis, refunded < basis
	return int64(q)
}

// payableKind is the part state that makes a sale payable under t.
func payableKind(t LoyaltyTerms) string {
	if t.PayableOn == StatusAccepted {
		return StatusAccepted
	}
	return StatusDelivered
}

// spendableAt is when points p earns become spendable under t: on
// delivery, or at the end of the merchant's return window. A part not
// delivered yet (payable on acceptance) has its points spendable a
// return window after it became payable at the earliest.
func (s *Service) spendableAt(p *HomePart, t LoyaltyTerms) time.Time {
	at := p.DeliveredAt
	if at.IsZero() {
		at = p.UpdatedAt
	}
	if t.SpendableOn != "return_window_end" {
		return at
	}
	if pol, ok := s.returnPolicy(context.Background(), s.self, p.Merchant); ok {
		return at.Add(time.Duration(pol.ReturnDays) * 24 * time.Hour)
	}
	return at
}

// statedPoints is what p's current status states about points.
func (p *HomePart) statedPoints() *PointsStated {
	if p.Points == nil || p.Points.Seq != p.Seq || p.Points.Stated == nil {
		return nil
	}
	cp := *p.Points.Stated
	return &cp
}

// validPeerID reports whether s is a peer ID.
func validPeerID(s string) bool {
	_, err := peer.Decode(s)
	return err == nil
}
