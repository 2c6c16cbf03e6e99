package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation/wire"
)

// Points messages (KindPoints) and the issuer's side of them.
//
//	status   H -> I  a status that states points, with the storefront's
//	                 signed reserve that named I (through H's outbox)
//	hold     S -> I  hold Points of Account for order Part until Deadline
//	confirm  S -> I  the order is placed: the held points are spent
//	release  S -> I  the checkout failed: give the held points back
//	held     I -> S  the answer to the three: the hold as it stands,
//	                 signed; a confirmed one proves the redemption
//	return   S -> I  a refund (Refund) of the order gives Points of the
//	                 confirmed hold back to the shopper (points_return.go)
//	returned I -> S  the answer: the return as applied, signed; it
//	                 proves the return the storefront books
//
// The issuer checks every claim against what it holds itself: the
// signatures of the home and the storefront, that the reserve names it
// and one of its own shoppers, and, for holds, that the hold is the
// sender's. A refused hold changes nothing.

// Points steps of a points message.
const (
	PointsOpStatus   = "status"
	PointsOpHold     = "hold"
	PointsOpConfirm  = "confirm"
	PointsOpRelease  = "release"
	PointsOpHeld     = "held"
	PointsOpReturn   = "return"
	PointsOpReturned = "returned"
	// PointsRedeem is a redemption in a PointsEvent.
	PointsRedeem = "redeemed"
)

// MaxPointsHold bounds how long a storefront may hold points.
const MaxPointsHold = 10 * time.Minute

// pointsHoldGrace is how long after its deadline an issuer still keeps a
// hold before it gives the points back (Config.PointsHoldGrace).
func (s *Service) pointsHoldGrace() time.Duration {
	if s.cfg.PointsHoldGrace > 0 {
		return s.cfg.PointsHoldGrace
	}
	return 30 * time.Minute
}

// pointsSweepEvery is how often the issuer sweeps its holds and lots: once
// a minute, or as often as a shorter grace, so that a hold lives no more
// than about its grace past its deadline (never more often than every
// second).
func (s *Service) pointsSweepEvery() time.Duration {
	return max(time.Second, min(time.Minute, s.pointsHoldGrace()))
}

// PointsNote is a points message's step.
type PointsNote struct {
	Op string `json:"op"`
	// Status and Reserve are the signed messages a status step carries.
	Status  json.RawMessage `json:"status,omitempty"`
	Reserve json.RawMessage `json:"reserve,omitempty"`
	// Account, Points and Deadline describe a hold; State is the hold's
	// state in a held answer; Policy the charter version its points are
	// valued at.
	Account  string    `json:"account,omitempty"`
	Points   int64     `json:"points,omitempty"`
	Deadline time.Time `json:"deadline,omitzero"`
	State    string    `json:"state,omitempty"`
	Policy   uint64    `json:"policy,omitempty"`
	// Auth, on a hold from another member's storefront, is the shopper's
	// leave to spend (Deps.PointsAuth): opaque bytes, base64 on the wire,
	// since the leave the node uses, an ID token, is not JSON.
	Auth []byte `json:"auth,omitempty"`
	// Refund names the refund a return is for; Spent and Before, in a
	// returned answer, are what the hold spent and what earlier returns
	// gave back.
	Refund string `json:"refund,omitempty"`
	Spent  int64  `json:"spent,omitempty"`
	Before int64  `json:"before,omitempty"`
}

func (n *PointsNote) validate() error {
	bad := func(field, msg string) error { return fmt.Errorf("%w: message.points.%s: %s", ErrInvalid, field, msg) }
	switch n.Op {
	case PointsOpStatus:
		if len(n.Status) == 0 || len(n.Reserve) == 0 || len(n.Status)+len(n.Reserve) > MaxMessageBytes/2 {
			return bad("status", "a status step carries the signed status and reserve")
		}
	case PointsOpHold, PointsOpHeld:
		switch {
		case n.Account == "" || len(n.Account) > 128:
			return bad("account", "must be 1..128 bytes")
		case n.Points <= 0 || n.Points > 1<<40:
			return bad("points", "must be between 1 and 2^40")
		case n.Deadline.IsZero():
			return bad("deadline", "missing")
		case n.Policy == 0:
			return bad("policy", "must be at least 1")
		case len(n.Auth) > 8<<10:
			return bad("auth", "longer than 8 KiB")
		case n.Op == PointsOpHeld && n.State != PointsHeld && n.State != PointsConfirmed && n.State != PointsReleased:
			return bad("state", "must be held, confirmed or released")
		}
	case PointsOpReturn, PointsOpReturned:
		switch {
		case n.Refund == "" || len(n.Refund) > 256:
			return bad("refund", "must be 1..256 bytes")
		case n.Points <= 0 || n.Points > 1<<40:
			return bad("points", "must be between 1 and 2^40")
		case n.Op == PointsOpReturned && (n.Before < 0 || n.Spent > 1<<40 || n.Before+n.Points > n.Spent):
			return bad("spent", "what is returned cannot pass what the hold spent")
		case n.Op == PointsOpReturned && n.Policy == 0:
			return bad("policy", "must be at least 1")
		}
	case PointsOpConfirm, PointsOpRelease:
	default:
		return bad("op", "must be status, hold, confirm, release, held, return or returned")
	}
	return nil
}

// PointsEventOf is the points event a status states, nil when none.
func PointsEventOf(st *Status) *PointsEvent {
	if st == nil || st.Points == nil {
		return nil
	}
	return pointsEventOf(st)
}

// VerifyPointsProof checks a proof (see VerifyProof) of a status that
// states points, and that the storefront's signed reserve in it named the
// issuer and account the status states them for: a home cannot credit
// points to a shopper the storefront did not name.
func VerifyPointsProof(b []byte) (*Message, error) {
	m, err := VerifyProof(b)
	if err != nil {
		return nil, err
	}
	var p Proof
	if err := wire.DecodeJSON(b, &p); err != nil {
		return nil, fmt.Errorf("%w: proof: %v", ErrInvalid, err)
	}
	res, err := decodeKind(p.Reserve, KindReserve)
	if err != nil {
		return nil, err
	}
	pts, c := m.Status.Points, res.Reserve.Loyalty
	if pts == nil || c == nil || c.Issuer != pts.Issuer || c.Account != pts.Account {
		return nil, fmt.Errorf("%w: proof: the status states no points for the shopper the reserve named", ErrForged)
	}
	return m, nil
}

// pointsEventOf is the settlement event a status's points statement is.
func pointsEventOf(st *Status) *PointsEvent {
	p := st.Points
	return &PointsEvent{Step: p.Step, Issuer: p.Issuer, Points: p.Points, Earned: p.Earned,
		ReversedBefore: p.ReversedBefore, Refund: p.Refund, Policy: st.Policy}
}

// homePoints books the points a home's new status states, and sends the
// status with the part's reserve to the issuer (or credits them at once
// when the issuer is this node), in txn.
func (s *Service) homePoints(txn *badger.Txn, p *HomePart, status *Message, sraw []byte) error {
	if status.Status.Points == nil {
		return nil
	}
	if err := s.book(txn, PartEvent{Part: p.ID, Storefront: p.Storefront, Home: s.self, Status: status.Status, At: status.At,
		Points: pointsEventOf(status.Status)}); err != nil {
		return err
	}
	rs, rraw, err := loggedReserve(txn, p.ID, p.Storefront)
	if err != nil {
		return err
	}
	issuer := status.Status.Points.Issuer
	if issuer == s.self {
		return s.creditPoints(txn, status, rs)
	}
	_, raw, err := s.newSigned(KindPoints, issuer, p.ID, func(m *Message) {
		m.Points = &PointsNote{Op: PointsOpStatus, Status: sraw, Reserve: rraw}
	})
	if err != nil {
		return err
	}
	return s.out.put(txn, issuer, raw)
}

// forwardedStatus is the status a points message forwards; an error for
// any other points message.
func forwardedStatus(m *Message) (*Message, error) {
	if m.Points.Op != PointsOpStatus {
		return nil, fmt.Errorf("%w: not a forwarded status", ErrInvalid)
	}
	return DecodeMessage(m.Points.Status)
}

// loggedReserve finds the signed reserve of part that storefront sent.
func loggedReserve(txn *badger.Txn, part, storefront string) (*Message, []byte, error) {
	for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
		raw, err := getRaw(txn, k)
		if err != nil {
			return nil, nil, err
		}
		m, err := DecodeMessage(raw)
		if err == nil && m.Kind == KindReserve && m.From == storefront {
			return m, raw, nil
		}
	}
	return nil, nil, fmt.Errorf("%w: the reserve of part %s", ErrNotFound, part)
}

// shopPoints books the points a status from a home states, at the
// storefront, once it checked that they are for the issuer and account
// its own reserve named.
func (s *Service) shopPoints(txn *badger.Txn, m *Message) error {
	pts := m.Status.Points
	if pts == nil {
		return nil
	}
	rs, _, err := loggedReserve(txn, m.Part, s.self)
	if err != nil {
		return err
	}
	if c := rs.Reserve.Loyalty; c == nil || c.Issuer != pts.Issuer || c.Account != pts.Account {
		return fmt.Errorf("%w: %s states points for a shopper the reserve of %s did not name", ErrForged, shortPeer(m.From), m.Part)
	}
	return s.book(txn, PartEvent{Part: m.Part, Storefront: s.self, Home: m.From, Status: m.Status, At: m.At, Points: pointsEventOf(m.Status)})
}

// receivePoints answers a points message.
func (s *Service) receivePoints(ctx context.Context, m *Message, raw []byte) ([]byte, error) {
	unlock := s.lockHome(prefixPointsAccount + m.From + "/" + m.Part)
	defer unlock()
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	switch m.Points.Op {
	case PointsOpStatus:
		return s.receivePointsStatus(m, raw)
	case PointsOpHold:
		return s.receiveHold(ctx, m, raw)
	case PointsOpConfirm, PointsOpRelease:
		return s.receiveHoldEnd(m, raw)
	case PointsOpReturn:
		return s.receivePointsReturn(m, raw)
	}
	return nil, fmt.Errorf("%w: message.points.op: %s is an answer, not a request", ErrInvalid, m.Points.Op)
}

// receivePointsStatus checks a forwarded status and credits or takes
// back what it states.
func (s *Service) receivePointsStatus(m *Message, raw []byte) ([]byte, error) {
	st, err := DecodeMessage(m.Points.Status)
	if err != nil {
		return nil, fmt.Errorf("points status: %w", err)
	}
	rs, err := DecodeMessage(m.Points.Reserve)
	if err != nil {
		return nil, fmt.Errorf("points reserve: %w", err)
	}
	switch {
	case st.Kind != KindStatus || rs.Kind != KindReserve || st.Part != m.Part || rs.Part != m.Part:
		return nil, fmt.Errorf("%w: message.points: not a status and a reserve of part %s", ErrInvalid, m.Part)
	case st.From != rs.To || st.To != rs.From || (m.From != st.From && m.From != st.To):
		return nil, fmt.Errorf("%w: message.points: the status, the reserve and the sender are not one part's home and storefront", ErrForged)
	}
	reply := mustJSON(Reply{Ack: true})
	return reply, s.update(func(txn *badger.Txn) error {
		if err := s.creditPoints(txn, st, rs); err != nil {
			return err
		}
		return s.remember(txn, m, raw, reply)
	})
}

// creditPoints credits or takes back the points status st states for the
// shopper reserve rs named, as the issuer, in txn, and books the event.
func (s *Service) creditPoints(txn *badger.Txn, st, rs *Message) error {
	pts, claim := st.Status.Points, rs.Reserve.Loyalty
	switch {
	case pts == nil || claim == nil:
		return fmt.Errorf("%w: message.points: the status states no points, or the reserve names no issuer", ErrInvalid)
	case claim.Issuer != s.self || pts.Issuer != s.self || pts.Account != claim.Account:
		return fmt.Errorf("%w: message.points: the points are not for a shopper of this member", ErrInvalid)
	}
	if ok, err := getJSON(txn, prefixShopper+claim.Account, &Shopper{}); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: message.points: account %s is no shopper here", ErrInvalid, claim.Account)
		}
		return err
	}
	t, ok := s.loyaltyAt(st.Status.Policy)
	if !ok {
		return fmt.Errorf("%w: message.points: policy %d has no loyalty programme", ErrInvalid, st.Status.Policy)
	}
	switch pts.Step {
	case PointsEarn:
		var expires time.Time
		if t.Expiry > 0 {
			expires = pts.SpendableAt.Add(t.Expiry)
		}
		if _, err := earnPoints(txn, claim.Account, st.Part, pts.Points, pts.SpendableAt, expires, st.At); err != nil {
			return err
		}
	default:
		if _, err := reversePoints(txn, claim.Account, st.Part, pts.Refund, pts.Points, st.At); err != nil {
			return err
		}
	}
	return s.book(txn, PartEvent{Part: st.Part, Storefront: st.To, Home: st.From, Status: st.Status, At: st.At, Points: pointsEventOf(st.Status)})
}

// loyaltyAt returns the loyalty terms at a policy version, when they run.
func (s *Service) loyaltyAt(version uint64) (LoyaltyTerms, bool) {
	if s.loyalty == nil {
		return LoyaltyTerms{}, false
	}
	t, ok := s.loyalty(version)
	return t, ok && t.Enabled()
}

// pointsHoldID is the issuer's id of a storefront's hold.
func pointsHoldID(storefront, order string) string { return storefront + "/" + order }

// receiveHold holds points for a storefront's checkout and answers with
// the signed hold.
func (s *Service) receiveHold(ctx context.Context, m *Message, raw []byte) ([]byte, error) {
	n := m.Points
	if _, ok := s.loyaltyAt(n.Policy); !ok {
		return nil, fmt.Errorf("%w: message.points.policy: %d has no loyalty programme", ErrInvalid, n.Policy)
	}
	if err := s.mayHold(ctx, m.From, n); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	deadline := n.Deadline
	if deadline.After(now.Add(MaxPointsHold)) {
		deadline = now.Add(MaxPointsHold)
	}
	var reply []byte
	err := s.update(func(txn *badger.Txn) error {
		if ok, err := getJSON(txn, prefixShopper+n.Account, &Shopper{}); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("%w: message.points.account: %s is no shopper here", ErrInvalid, n.Account)
			}
			return err
		}
		h, err := holdPoints(txn, pointsHoldID(m.From, m.Part), n.Account, m.From, n.Points, n.Policy, deadline, now)
		if err != nil {
			return err
		}
		if _, reply, err = s.heldReply(m, h, n.Policy); err != nil {
			return err
		}
		return s.remember(txn, m, raw, reply)
	})
	return reply, err
}

// mayHold checks that storefront may hold the points of n's account: its
// own storefront may; another member only with the shopper's leave.
func (s *Service) mayHold(ctx context.Context, storefront string, n *PointsNote) error {
	if storefront == s.self {
		return nil
	}
	if s.ptsAuth == nil {
		return fmt.Errorf("%w: message.points.auth: this member's shoppers spend their points on its own storefront only", ErrForged)
	}
	if err := s.ptsAuth(ctx, storefront, n.Account, n.Auth); err != nil {
		return fmt.Errorf("%w: message.points.auth: %v", ErrForged, err)
	}
	return nil
}

// receiveHoldEnd confirms or releases a storefront's hold. A confirm
// books the redemption: the issuer owes the storefront the points' value.
func (s *Service) receiveHoldEnd(m *Message, raw []byte) ([]byte, error) {
	state := PointsConfirmed
	if m.Points.Op == PointsOpRelease {
		state = PointsReleased
	}
	id := pointsHoldID(m.From, m.Part)
	var reply []byte
	err := s.update(func(txn *badger.Txn) error {
		var before PointsHold
		if _, err := getJSON(txn, prefixPointsHold+id, &before); err != nil {
			return err
		}
		if state == PointsReleased && before.ID == "" { // a release of a hold never made: nothing to give back
			reply = mustJSON(Reply{Ack: true})
			return s.remember(txn, m, raw, reply)
		}
		h, err := endPointsHold(txn, id, m.From, state, s.now().UTC())
		if err != nil {
			return err
		}
		signed, r, err := s.heldReply(m, h, h.Policy)
		if err != nil {
			return err
		}
		reply = r
		if state == PointsConfirmed && before.State == PointsHeld { // stated at the time the answer is signed, as the storefront books it
			ev := PartEvent{Part: id, Storefront: m.From, At: signed.At,
				Points: &PointsEvent{Step: PointsRedeem, Issuer: s.self, Points: h.Points, Policy: h.Policy}}
			if err := s.book(txn, ev); err != nil {
				return err
			}
		}
		return s.remember(txn, m, raw, reply)
	})
	return reply, err
}

// heldReply signs the issuer's answer about hold h to message m.
func (s *Service) heldReply(m *Message, h *PointsHold, policy uint64) (*Message, []byte, error) {
	signed, raw, err := s.newSigned(KindPoints, m.From, m.Part, func(r *Message) {
		r.Points = &PointsNote{Op: PointsOpHeld, Account: h.Account, Points: h.Points, Deadline: h.Deadline, State: h.State, Policy: policy}
	})
	if err != nil {
		return nil, nil, err
	}
	return signed, mustJSON(Reply{Status: raw}), nil
}

// sweepPoints lets expired points go and gives back the points of holds
// nobody confirmed or released within their deadline and grace.
func (s *Service) sweepPoints(ctx context.Context) error {
	now := s.now().UTC()
	var accounts, holds []string
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixPointsAccount, "", 0) {
			accounts = append(accounts, k[len(prefixPointsAccount):])
		}
		for _, k := range keys(txn, prefixPointsHold, "", 0) {
			var h PointsHold
			if _, err := getJSON(txn, k, &h); err != nil {
				return err
			}
			if h.State == PointsHeld && now.After(h.Deadline.Add(s.pointsHoldGrace())) {
				holds = append(holds, h.ID+"\x00"+h.Storefront)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range accounts {
		if ctx.Err() != nil {
			return nil
		}
		errs = append(errs, s.update(func(txn *badger.Txn) error { _, err := expirePoints(txn, a, now); return err }))
	}
	for _, h := range holds {
		id, shop, _ := strings.Cut(h, "\x00")
		errs = append(errs, s.update(func(txn *badger.Txn) error {
			_, err := endPointsHold(txn, id, shop, PointsReleased, now)
			if errors.Is(err, ErrConflict) { // confirmed meanwhile
				return nil
			}
			return err
		}))
	}
	return errors.Join(errs...)
}
