package order

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fedmart/fedmart/federation/wire"
)

// Proof proves a status of a part to a member that lacks what it causes
// (settlement restores ledger entries from it): the home's signed status,
// with the storefront's signed reserve and confirm that placed the part.
// A member accepts a proof only when every signature verifies and the
// three agree on the part, its two members, its merchant and its total
// (items and shipping), and the refund the status states, if any, fits in
// the part (units it has, no more than the status's refunded total): a
// home cannot prove a sale the storefront never placed, since it cannot
// sign the storefront's reserve and confirm; a storefront cannot prove a
// status the home never stated.
type Proof struct {
	Status  json.RawMessage `json:"status"`
	Reserve json.RawMessage `json:"reserve"`
	Confirm json.RawMessage `json:"confirm"`
}

// MaxProofBytes bounds an encoded proof.
const MaxProofBytes = 3*MaxMessageBytes + 64

// ProveStatus returns the proof of the status of part that home stated
// and match selects, from the messages this node keeps.
func (s *Service) ProveStatus(ctx context.Context, part, home string, match func(*Message) bool) ([]byte, error) {
	msgs, err := s.Messages(ctx, part)
	if err != nil {
		return nil, err
	}
	var p Proof
	var st *Message
	for _, m := range msgs {
		if m.Kind == KindStatus && m.From == home && match(m) {
			st, p.Status = m, m.Encode()
		}
	}
	if st == nil {
		return nil, fmt.Errorf("%w: no matching status of part %s from %s", ErrNotFound, part, shortPeer(home))
	}
	for _, m := range msgs {
		switch {
		case m.Kind == KindReserve && m.From == st.To && m.To == home:
			p.Reserve = m.Encode()
		case m.Kind == KindConfirm && m.From == st.To && m.To == home:
			p.Confirm = m.Encode()
		}
	}
	if p.Reserve == nil || p.Confirm == nil {
		return nil, fmt.Errorf("%w: this node keeps no signed reserve and confirm of part %s", ErrNotFound, part)
	}
	return json.Marshal(p)
}

// VerifyProof checks a proof and returns the status it proves. Errors
// wrap ErrInvalid or ErrForged and say what does not hold.
func VerifyProof(b []byte) (*Message, error) {
	if len(b) > MaxProofBytes {
		return nil, fmt.Errorf("%w: proof of %d bytes", ErrInvalid, len(b))
	}
	var p Proof
	if err := wire.DecodeJSON(b, &p); err != nil {
		return nil, fmt.Errorf("%w: proof: %v", ErrInvalid, err)
	}
	st, err := decodeKind(p.Status, KindStatus)
	if err != nil {
		return nil, err
	}
	res, err := decodeKind(p.Reserve, KindReserve)
	if err != nil {
		return nil, err
	}
	conf, err := decodeKind(p.Confirm, KindConfirm)
	if err != nil {
		return nil, err
	}
	store, home := res.From, res.To
	total := Money{Currency: res.Reserve.Lines[0].UnitPrice.Currency}
	for _, l := range res.Reserve.Lines {
		total.Amount += l.gross()
	}
	var ship Money // the shipping the storefront placed, which the home accepted or refused whole
	if sc := res.Reserve.Shipping; sc != nil {
		ship = sc.Price
		total.Amount += ship.Amount
	}
	switch {
	case st.Part != res.Part || conf.Part != res.Part:
		return nil, fmt.Errorf("%w: proof: status, reserve and confirm are about different parts", ErrForged)
	case st.From != home || st.To != store || conf.From != store || conf.To != home:
		return nil, fmt.Errorf("%w: proof: the status is not the home's to the storefront that placed part %s", ErrForged, st.Part)
	case st.Status.Merchant != res.Reserve.Merchant:
		return nil, fmt.Errorf("%w: proof: the status names merchant %q, the reserve %q", ErrForged, st.Status.Merchant, res.Reserve.Merchant)
	case st.Status.Total != total:
		return nil, fmt.Errorf("%w: proof: the status states %s, the reserve placed %s", ErrForged, st.Status.Total, total)
	case st.Status.Discount.Amount != discountOf(res.Reserve.Lines).Amount:
		return nil, fmt.Errorf("%w: proof: the status states a discount of %s, the reserve placed %s", ErrForged, st.Status.Discount, discountOf(res.Reserve.Lines))
	case st.Status.Shipping.Amount != ship.Amount:
		return nil, fmt.Errorf("%w: proof: the status states shipping %s, the reserve placed %s", ErrForged, st.Status.Shipping, ship)
	case st.Status.Refunded.Amount < 0 || st.Status.Refunded.Amount > total.Amount:
		return nil, fmt.Errorf("%w: proof: the status refunds %s of %s", ErrForged, st.Status.Refunded, total)
	case st.Status.RefundedShipping.Amount < 0 || st.Status.RefundedShipping.Amount > min(ship.Amount, st.Status.Refunded.Amount):
		return nil, fmt.Errorf("%w: proof: the status refunds shipping %s of %s", ErrForged, st.Status.RefundedShipping, ship)
	}
	// A status of a part refunded in pieces states one of them: it must
	// fit in the part's lines and in what the status says was refunded.
	if err := checkRefundOf(st.Status, res.Reserve.Lines, ship); err != nil {
		return nil, fmt.Errorf("%w: proof: %v", ErrForged, err)
	}
	return st, nil
}

// decodeKind decodes and verifies one signed message of kind.
func decodeKind(raw json.RawMessage, kind string) (*Message, error) {
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: proof has no %s", ErrInvalid, kind)
	}
	m, err := DecodeMessage(raw)
	if err != nil {
		return nil, fmt.Errorf("proof's %s: %w", kind, err)
	}
	if m.Kind != kind {
		return nil, fmt.Errorf("%w: proof's %s is a %s", ErrInvalid, kind, m.Kind)
	}
	return m, nil
}
