package settlement

import (
	"errors"
	"fmt"
	"math"

	"github.com/dgraph-io/badger/v4"
)

// Loyalty points move money between members in four ways, each an Event
// stated by a signed order message and each deriving entries every party
// computes alike, from the event and the policy alone:
//
//	points_earned    a part became payable and its shopper's home member
//	                 (the issuer) credited Points: the funder owes the
//	                 issuer their value (a "points_funding" entry; with a
//	                 split funder, one from the home and one from the
//	                 storefront)
//	points_reversed  a refund of that part took Points back: the issuer
//	                 gives the funders their share of it back
//	                 ("points_reversal"), in proportion, so that all
//	                 reversals of a part add up to exactly its funding
//	points_redeemed  a shopper spent Points at a storefront (the issuer's
//	                 signed hold confirmation): the issuer owes the
//	                 storefront their value ("points_redemption")
//	points_returned  a refund of an order paid with points gave Points of
//	                 them back to the shopper at the issuer (the issuer's
//	                 signed answer): the storefront gives the issuer back
//	                 their value ("points_return"), so that all returns of
//	                 a redemption add up to no more than it
//
// A party that is both payer and payee of an entry (a storefront that is
// the issuer of its own shopper, say) books nothing for it. Expiry moves
// no money between members: expired points are the issuer's gain, counted
// in its points books, not in settlement.

// Kinds of points Event.
const (
	EventPointsEarned   = "points_earned"
	EventPointsReversed = "points_reversed"
	EventPointsRedeemed = "points_redeemed"
	EventPointsReturned = "points_returned"
)

// Kinds of points Entry.
const (
	// EntryPointsFunding: a funder owes the issuer the value of points
	// a part earned.
	EntryPointsFunding = "points_funding"
	// EntryPointsReversal: the issuer gives a funder back its share of
	// points a refund took back.
	EntryPointsReversal = "points_reversal"
	// EntryPointsRedemption: the issuer owes a storefront the value of
	// points a shopper spent there.
	EntryPointsRedemption = "points_redemption"
	// EntryPointsReturn: a storefront gives the issuer back the value of
	// redeemed points that a refund gave back to the shopper.
	EntryPointsReturn = "points_return"
)

// Accounts of points in a member's books.
const (
	// AccountPointsExpense is what a funder paid for points its sales
	// earned (debit).
	AccountPointsExpense = "expense:points"
	// AccountPointsLiability is what an issuer holds for its shoppers'
	// points: funded less redeemed (credit).
	AccountPointsLiability = "liability:points"
)

// Funders of points (Loyalty.Funder), as in the charter.
const (
	FunderHome       = "home"
	FunderStorefront = "storefront"
	FunderSplit      = "split"
)

// Loyalty is what settlement needs of the charter's loyalty policy: the
// value of a point and who funds earned points. The zero value is off.
type Loyalty struct {
	// PointValue is one point's value in minor units of the currency.
	PointValue int64 `json:"point_value,omitempty"`
	// Funder is FunderHome, FunderStorefront or FunderSplit.
	Funder string `json:"funder,omitempty"`
	// FunderHomeBPS is the home's share with FunderSplit.
	FunderHomeBPS int64 `json:"funder_home_bps,omitempty"`
}

// Enabled reports whether the policy has a loyalty programme.
func (l Loyalty) Enabled() bool { return l.PointValue > 0 }

// validate reports a bad loyalty setting under policy.loyalty.
func (l Loyalty) validate(bad func(key, format string, args ...any)) {
	if l == (Loyalty{}) {
		return
	}
	if l.PointValue <= 0 || l.PointValue > math.MaxInt32 {
		bad("loyalty.point_value", "%d outside 1..%d", l.PointValue, math.MaxInt32)
	}
	switch l.Funder {
	case FunderHome, FunderStorefront:
		if l.FunderHomeBPS != 0 {
			bad("loyalty.funder_home_bps", "only a split funder has a home share")
		}
	case FunderSplit:
		if l.FunderHomeBPS <= 0 || l.FunderHomeBPS >= MaxBPS {
			bad("loyalty.funder_home_bps", "%d outside 1..%d", l.FunderHomeBPS, MaxBPS-1)
		}
	default:
		bad("loyalty.funder", "%q is not home, storefront or split", l.Funder)
	}
}

// homeBPS is the home's share of a part's points value.
func (l Loyalty) homeBPS() int64 {
	switch l.Funder {
	case FunderHome:
		return MaxBPS
	case FunderSplit:
		return l.FunderHomeBPS
	}
	return 0
}

// homeShareAt is the home's share of the value of the first n points a
// part earned, rounded half up; the storefront's is the rest. Reversals
// take the difference of two of these, so that whatever pieces a part's
// points are reversed in, they add up to exactly its funding.
func (l Loyalty) homeShareAt(n int64) int64 {
	return bpsOf(n*l.PointValue, l.homeBPS())
}

// isPoints reports whether e is a points event.
func (e Event) isPoints() bool {
	return e.Kind == EventPointsEarned || e.Kind == EventPointsReversed || e.Kind == EventPointsRedeemed || e.Kind == EventPointsReturned
}

// hasNoHome reports whether e is a points event between an issuer and a
// storefront only (redemptions and their returns).
func (e Event) hasNoHome() bool {
	return e.Kind == EventPointsRedeemed || e.Kind == EventPointsReturned
}

// validatePoints adds the checks of a points event to bad.
func (e Event) validatePoints(bad func(key, format string, args ...any)) {
	if !validPeer(e.Issuer) {
		bad("issuer", "%q is not a peer id", e.Issuer)
	}
	if e.Points <= 0 || e.Points > MaxPoints {
		bad("points", "%d outside 1..%d", e.Points, MaxPoints)
	}
	switch e.Kind {
	case EventPointsReversed, EventPointsReturned:
		if e.RefundOf == "" {
			bad("refund_of", "a reversal or return names the refund that caused it")
		}
		if e.PointsEarned > MaxPoints || e.PointsReversedBefore < 0 || e.PointsReversedBefore+e.Points > e.PointsEarned {
			bad("points", "%d after %d given back exceeds the %d the part earned or the hold redeemed", e.Points, e.PointsReversedBefore, e.PointsEarned)
		}
	default:
		if e.PointsEarned != 0 || e.PointsReversedBefore != 0 {
			bad("points_earned", "only a reversal states what the part earned and what was reversed before")
		}
		if e.RefundOf != "" {
			bad("refund_of", "only a reversal names a refund")
		}
	}
	if e.hasNoHome() && e.Home != "" {
		bad("home", "a redemption or its return has no home")
	}
}

// MaxPoints bounds the points of one event, so that their value fits an
// int64 at any point value a policy may set.
const MaxPoints = math.MaxInt64 / math.MaxInt32

// pointsEntries derives the entries of a points event under policy l.
func pointsEntries(ev Event, l Loyalty) []Entry {
	cur := ev.Gross.Currency
	var out []Entry
	add := func(kind, from, to string, amount int64) {
		if from == to {
			return // the issuer funds or redeems its own shopper's points: no obligation
		}
		for i := range out {
			if out[i].From == from && out[i].To == to { // a home that sold its own part funds both shares
				out[i].Amount.Amount += amount
				return
			}
		}
		out = appendEntry(out, ev, kind, from, to, Money{Amount: amount, Currency: cur})
	}
	switch ev.Kind {
	case EventPointsEarned:
		home := l.homeShareAt(ev.Points)
		add(EntryPointsFunding, ev.Home, ev.Issuer, home)
		add(EntryPointsFunding, ev.Storefront, ev.Issuer, ev.Points*l.PointValue-home)
	case EventPointsReversed:
		after, before := ev.PointsReversedBefore+ev.Points, ev.PointsReversedBefore
		home := l.homeShareAt(after) - l.homeShareAt(before)
		add(EntryPointsReversal, ev.Issuer, ev.Home, home)
		add(EntryPointsReversal, ev.Issuer, ev.Storefront, ev.Points*l.PointValue-home)
	case EventPointsRedeemed:
		add(EntryPointsRedemption, ev.Issuer, ev.Storefront, ev.Points*l.PointValue)
	case EventPointsReturned:
		// A point is worth the same in the redemption and in its return,
		// so returning k of n points gives back exactly k/n of it.
		add(EntryPointsReturn, ev.Storefront, ev.Issuer, ev.Points*l.PointValue)
	}
	return out
}

// postPointsTxn posts a points event in txn: every entry it derives in
// which this node is a party. Points events need no part record: each
// states all its entries depend on (a reversal states what the part
// earned and what was reversed before), so two ledgers that receive a
// part's events in any order derive the same entries.
func (l *Ledger) postPointsTxn(txn *badger.Txn, ev Event, pol Policy, pin *pinning) ([]Entry, error) {
	if !pol.Loyalty.Enabled() {
		return nil, fmt.Errorf("%w: %s event of %q under policy %d, which has no loyalty programme", ErrInvalid, ev.Kind, ev.PartID, pol.Version)
	}
	if want := ev.Points * pol.Loyalty.PointValue; ev.Gross.Amount != want {
		return nil, fmt.Errorf("%w: event.gross: %s for %d points worth %d each under policy %d",
			ErrInvalid, ev.Gross, ev.Points, pol.Loyalty.PointValue, pol.Version)
	}
	return l.postStatedTxn(txn, ev, pointsEntries(ev, pol.Loyalty), pol, pin)
}

// postStatedTxn posts an event that states all its entries depend on
// (points and ad events): the entries in which this node is a party,
// placed and stored, and the event, unless it was posted before.
func (l *Ledger) postStatedTxn(txn *badger.Txn, ev Event, entries []Entry, pol Policy, pin *pinning) ([]Entry, error) {
	key, digest := ev.key(), ev.digest()
	switch seen, err := readValue(txn, []byte(prefixEvent+key)); {
	case err != nil:
		return nil, err
	case seen != nil && string(seen) == string(digest[:]):
		return nil, nil
	case seen != nil:
		return nil, fmt.Errorf("%w: %q: a different %s event was posted before", ErrConflict, ev.PartID, ev.Kind)
	}
	var created []Entry
	for _, e := range entries {
		if e.From != l.self && e.To != l.self {
			continue
		}
		var pinned bool
		if e.Period, pinned = pin.periodOf(e, l.self); !pinned {
			p, err := l.place(txn, ev.At, pol.Period, e.Counterparty(l.self))
			if err != nil {
				return nil, err
			}
			e.Period = p
		}
		fresh, err := l.storeEntryOf(txn, e, ev)
		if err != nil {
			return nil, err
		}
		if fresh {
			created = append(created, e)
		}
	}
	if err := saveEventRecord(txn, key, ev); err != nil {
		return nil, err
	}
	return created, txn.Set([]byte(prefixEvent+key), digest[:])
}

// pointsParty reports whether self is a party of a points event.
func pointsParty(ev Event, self string) bool {
	return self == ev.Issuer || self == ev.Storefront || (ev.Home != "" && self == ev.Home)
}

// errNotPoints is returned by PointsEntries for an event of another kind.
var errNotPoints = errors.New("not a points event")

// PointsEntries returns the entries a points event derives under pol,
// between all its parties, without their periods: what both sides of each
// pair book. It is exported for the orders layer's tests and tools.
func PointsEntries(ev Event, pol Policy) ([]Entry, error) {
	if !ev.isPoints() {
		return nil, fmt.Errorf("%w: %s", errNotPoints, ev.Kind)
	}
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	return pointsEntries(ev, pol.Loyalty), nil
}
