package order

import (
	"fmt"
	"slices"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Loyalty points, as the issuer keeps them.
//
// Every shopper's points live at its home member, the issuer; no other
// member holds a balance. The issuer keeps one PointsAccount per shopper
// of its own, made of lots: each earned part is one lot (its Source is
// the part id), pending until it becomes spendable, then spendable until
// it expires. Points leave a lot in four ways, and spent points come back
// when a refund of the order they paid returns them, each counted on the
// account, so that at any time
//
//	Earned − Spent + Returned − Expired − Reversed = Σ lots' Left + Held  (never negative)
//
//   - held: a storefront's signed hold takes them out of lots, oldest
//     expiry first, and records where it took them from (PointsHold); a
//     release puts them back in the same lots, a confirm makes them Spent;
//   - expired: a lot past its ExpiresAt gives up what is left of it;
//   - reversed: a refund of the part takes its share of the lot's
//     points back: from the lot while it has any, then from the account's
//     other lots, and what no lot has any more (the shopper spent it) is
//     Lost, the issuer's loss, never a negative balance;
//   - returned: a refund of an order paid with points gives them back
//     (points_return.go) to the lots the hold took them from, with those
//     lots' times, never more than the hold spent.
//
// Each change is one Badger transaction over the account's key, so two
// concurrent holds of the same points conflict and one of them is tried
// again against what the other left: points are spent exactly once. The
// functions here work inside a transaction the caller commits (with the
// outbox messages the change causes); PointsAccount is the whole record.

// Points keys, under the package's prefix.
//
//	o/pacct/<account>                    a shopper's points account (issuer)
//	o/phold/<hold>                       a points hold (issuer)
//	o/pearn/<part>                       the part earned its points (issuer)
//	o/prev/<part>/<refund>               a reversal applied (issuer), its outcome
//	o/pret/<hold>/<refund>               a return applied (issuer), its signed answer
//	o/phist/<account>/<time>/<n>         the account's history, oldest first
const (
	prefixPointsAccount  = "o/pacct/"
	prefixPointsHold     = "o/phold/"
	prefixPointsEarn     = "o/pearn/"
	prefixPointsReversal = "o/prev/"
	prefixPointsHistory  = "o/phist/"
	prefixPointsReturn   = "o/pret/"
)

// States of a points hold.
const (
	PointsHeld      = "held"
	PointsConfirmed = "confirmed"
	PointsReleased  = "released"
)

// Kinds of points history lines.
const (
	PointsEarnedLine   = "earned"
	PointsSpentLine    = "spent"
	PointsExpiredLine  = "expired"
	PointsReversedLine = "reversed"
	PointsReturnedLine = "returned"
)

// Points errors.
var (
	// ErrPointsShort: the account has fewer spendable points than asked.
	ErrPointsShort = fmt.Errorf("%w: not enough points", ErrInvalid)
)

// PointsLot is the points one part earned.
type PointsLot struct {
	// Source is the part that earned them.
	Source string `json:"source"`
	// Points is what the part earned; Left what is still in the lot.
	Points int64 `json:"points"`
	Left   int64 `json:"left"`
	// SpendableAt is when the points may be spent; ExpiresAt when what is
	// left expires (zero: never).
	SpendableAt time.Time `json:"spendable_at"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
}

// PointsAccount is a shopper's points at its issuer.
type PointsAccount struct {
	// Account is the issuer's id of the shopper.
	Account string `json:"account"`
	// Lots with points left, oldest expiry first.
	Lots []PointsLot `json:"lots,omitempty"`
	// Held is what open holds took out of the lots.
	Held int64 `json:"held,omitempty"`
	// Earned, Spent, Returned, Expired and Reversed count every point
	// that entered or left; Lost is what reversals could not take back.
	Earned   int64 `json:"earned,omitempty"`
	Spent    int64 `json:"spent,omitempty"`
	Returned int64 `json:"returned,omitempty"`
	Expired  int64 `json:"expired,omitempty"`
	Reversed int64 `json:"reversed,omitempty"`
	Lost     int64 `json:"lost,omitempty"`
}

// Balance is what the shopper has: spendable now, held by checkouts,
// not yet spendable, and the next expiry among spendable lots.
type Balance struct {
	Spendable  int64     `json:"spendable"`
	Held       int64     `json:"held"`
	Pending    int64     `json:"pending"`
	NextExpiry time.Time `json:"next_expiry,omitzero"`
	NextPoints int64     `json:"next_expiry_points,omitempty"`
}

// Balance returns the account's balance at now.
func (a *PointsAccount) Balance(now time.Time) Balance {
	b := Balance{Held: a.Held}
	for _, l := range a.Lots {
		switch {
		case l.Left == 0, !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt):
		case now.Before(l.SpendableAt):
			b.Pending += l.Left
		default:
			b.Spendable += l.Left
			if !l.ExpiresAt.IsZero() && (b.NextExpiry.IsZero() || l.ExpiresAt.Before(b.NextExpiry)) {
				b.NextExpiry, b.NextPoints = l.ExpiresAt, 0
			}
			if l.ExpiresAt.Equal(b.NextExpiry) && !l.ExpiresAt.IsZero() {
				b.NextPoints += l.Left
			}
		}
	}
	return b
}

// left is the sum of the lots' points.
func (a *PointsAccount) left() int64 {
	var n int64
	for _, l := range a.Lots {
		n += l.Left
	}
	return n
}

// outstanding is every point the account has: spendable, pending or held.
func (a *PointsAccount) outstanding() int64 {
	return a.Earned - a.Spent + a.Returned - a.Expired - a.Reversed
}

// Check verifies the account's invariant; a failure is a bug.
func (a *PointsAccount) Check() error {
	for _, l := range a.Lots {
		if l.Left < 0 || l.Left > l.Points {
			return fmt.Errorf("points account %s: lot %s has %d of %d left", a.Account, l.Source, l.Left, l.Points)
		}
	}
	if a.Held < 0 || a.Returned < 0 || a.Returned > a.Spent || a.outstanding() != a.left()+a.Held {
		return fmt.Errorf("points account %s: earned %d − spent %d + returned %d − expired %d − reversed %d ≠ left %d + held %d",
			a.Account, a.Earned, a.Spent, a.Returned, a.Expired, a.Reversed, a.left(), a.Held)
	}
	return nil
}

// sortLots orders lots for spending: soonest expiry first (never last),
// then oldest spendable, then source.
func (a *PointsAccount) sortLots() {
	slices.SortStableFunc(a.Lots, func(x, y PointsLot) int {
		switch {
		case x.ExpiresAt.IsZero() != y.ExpiresAt.IsZero():
			if x.ExpiresAt.IsZero() {
				return 1
			}
			return -1
		case !x.ExpiresAt.Equal(y.ExpiresAt):
			return x.ExpiresAt.Compare(y.ExpiresAt)
		case !x.SpendableAt.Equal(y.SpendableAt):
			return x.SpendableAt.Compare(y.SpendableAt)
		}
		return compareStrings(x.Source, y.Source)
	})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PointsHold is points a storefront holds for a checkout: taken out of
// the account's lots (From) until the storefront confirms them with its
// order or releases them, or the deadline passes.
type PointsHold struct {
	ID         string    `json:"id"`
	Account    string    `json:"account"`
	Storefront string    `json:"storefront"`
	Points     int64     `json:"points"`
	State      string    `json:"state"`
	Deadline   time.Time `json:"deadline"`
	// Policy is the charter version the points are valued at.
	Policy uint64 `json:"policy,omitempty"`
	// From says how many points were taken from which lot.
	From []PointsTake `json:"from,omitempty"`
	At   time.Time    `json:"at"`
	// Returned is what refunds of the order gave back of a confirmed
	// hold's points.
	Returned int64 `json:"returned,omitempty"`
}

// PointsTake is points taken from one lot, with the lot's times so
// that a release can put them back even in a lot emptied meanwhile.
type PointsTake struct {
	Source      string    `json:"source"`
	Points      int64     `json:"points"`
	SpendableAt time.Time `json:"spendable_at"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
}

// PointsLine is one line of an account's history.
type PointsLine struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Points int64     `json:"points"`
	// Ref is the part (earned, reversed), the hold (spent, returned) or
	// the lot (expired) the line is about.
	Ref string `json:"ref"`
	// Lost is what a reversal could not take back.
	Lost int64 `json:"lost,omitempty"`
}

// loadPoints reads an account; a missing one is empty.
func loadPoints(txn *badger.Txn, account string) (*PointsAccount, error) {
	a := &PointsAccount{Account: account}
	_, err := getJSON(txn, prefixPointsAccount+account, a)
	return a, err
}

// savePoints writes an account, dropping empty lots.
func savePoints(txn *badger.Txn, a *PointsAccount) error {
	a.Lots = slices.DeleteFunc(a.Lots, func(l PointsLot) bool { return l.Left == 0 })
	a.sortLots()
	if err := a.Check(); err != nil {
		return err
	}
	return putJSON(txn, prefixPointsAccount+a.Account, a)
}

// addHistory appends a line to an account's history.
func addHistory(txn *badger.Txn, account string, l PointsLine) error {
	key := prefixPointsHistory + account + "/" + timeKey(l.At) + "/" + l.Kind + "/" + l.Ref
	return putJSON(txn, key, l)
}

// earnPoints credits points a part earned to account, in txn. A part
// earns once: a repeat changes nothing and reports false.
func earnPoints(txn *badger.Txn, account, part string, points int64, spendable, expires, at time.Time) (bool, error) {
	if points <= 0 {
		return false, fmt.Errorf("%w: points: %d earned", ErrInvalid, points)
	}
	done, err := getJSON(txn, prefixPointsEarn+part, &struct{}{})
	if err != nil || done {
		return false, err
	}
	a, err := loadPoints(txn, account)
	if err != nil {
		return false, err
	}
	a.Lots = append(a.Lots, PointsLot{Source: part, Points: points, Left: points, SpendableAt: spendable, ExpiresAt: expires})
	a.Earned += points
	if err := savePoints(txn, a); err != nil {
		return false, err
	}
	if err := putJSON(txn, prefixPointsEarn+part, struct{}{}); err != nil {
		return false, err
	}
	return true, addHistory(txn, account, PointsLine{At: at, Kind: PointsEarnedLine, Points: points, Ref: part})
}

// PointsReversal is what a refund took back of a part's points.
type PointsReversal struct {
	Part   string `json:"part"`
	Refund string `json:"refund"`
	// Points is what the refund reverses; Taken what the account gave
	// back; Lost the rest, the issuer's loss.
	Points int64 `json:"points"`
	Taken  int64 `json:"taken"`
	Lost   int64 `json:"lost"`
}

// reversePoints takes back points of a part's lot for one refund, in
// txn: from the lot, then from the account's other lots, the rest Lost.
// A refund reverses once: a repeat returns the first outcome.
func reversePoints(txn *badger.Txn, account, part, refund string, points int64, at time.Time) (PointsReversal, error) {
	key := prefixPointsReversal + part + "/" + refund
	var r PointsReversal
	if done, err := getJSON(txn, key, &r); err != nil || done {
		return r, err
	}
	if refund == "" || points <= 0 {
		return r, fmt.Errorf("%w: points reversal of %s needs a refund and points", ErrInvalid, part)
	}
	a, err := loadPoints(txn, account)
	if err != nil {
		return r, err
	}
	r = PointsReversal{Part: part, Refund: refund, Points: points}
	want := points
	take := func(i int) {
		n := min(want, a.Lots[i].Left)
		a.Lots[i].Left -= n
		want -= n
	}
	for i := range a.Lots {
		if a.Lots[i].Source == part {
			take(i)
		}
	}
	for i := range a.Lots {
		if want > 0 {
			take(i)
		}
	}
	r.Taken, r.Lost = points-want, want
	a.Reversed += r.Taken
	a.Lost += r.Lost
	if err := savePoints(txn, a); err != nil {
		return r, err
	}
	if err := putJSON(txn, key, r); err != nil {
		return r, err
	}
	return r, addHistory(txn, account, PointsLine{At: at, Kind: PointsReversedLine, Points: r.Taken, Ref: part, Lost: r.Lost})
}

// expirePoints lets every lot of account past its expiry at now go, in
// txn, and returns how many points expired.
func expirePoints(txn *badger.Txn, account string, now time.Time) (int64, error) {
	a, err := loadPoints(txn, account)
	if err != nil {
		return 0, err
	}
	var n int64
	for i, l := range a.Lots {
		if l.Left == 0 || l.ExpiresAt.IsZero() || now.Before(l.ExpiresAt) {
			continue
		}
		n += l.Left
		if err := addHistory(txn, account, PointsLine{At: l.ExpiresAt, Kind: PointsExpiredLine, Points: l.Left, Ref: l.Source}); err != nil {
			return 0, err
		}
		a.Lots[i].Left = 0
	}
	if n == 0 {
		return 0, nil
	}
	a.Expired += n
	return n, savePoints(txn, a)
}

// holdPoints takes points out of account's spendable lots for hold id of
// storefront, until deadline, in txn. Asking more than is spendable is
// ErrPointsShort and changes nothing. A hold id is used once: asking
// again returns the hold as it is.
func holdPoints(txn *badger.Txn, id, account, storefront string, points int64, policy uint64, deadline, now time.Time) (*PointsHold, error) {
	var h PointsHold
	if ok, err := getJSON(txn, prefixPointsHold+id, &h); err != nil || ok {
		if ok && (h.Account != account || h.Storefront != storefront || h.Points != points) {
			return nil, fmt.Errorf("%w: points hold %s was made for other points", ErrConflict, id)
		}
		return &h, err
	}
	if points <= 0 {
		return nil, fmt.Errorf("%w: points: must be at least 1", ErrInvalid)
	}
	a, err := loadPoints(txn, account)
	if err != nil {
		return nil, err
	}
	if have := a.Balance(now).Spendable; have < points {
		return nil, fmt.Errorf("%w: points: %d asked, %d spendable", ErrPointsShort, points, have)
	}
	h = PointsHold{ID: id, Account: account, Storefront: storefront, Points: points, State: PointsHeld, Deadline: deadline, Policy: policy, At: now}
	want := points
	for i, l := range a.Lots {
		if want == 0 || l.Left == 0 || now.Before(l.SpendableAt) || (!l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt)) {
			continue
		}
		n := min(want, l.Left)
		a.Lots[i].Left -= n
		want -= n
		h.From = append(h.From, PointsTake{Source: l.Source, Points: n, SpendableAt: l.SpendableAt, ExpiresAt: l.ExpiresAt})
	}
	a.Held += points
	if err := savePoints(txn, a); err != nil {
		return nil, err
	}
	return &h, putJSON(txn, prefixPointsHold+id, h)
}

// endPointsHold confirms (spent) or releases (back to its lots) an open
// hold, in txn. Ending a hold that ended already the same way changes
// nothing; the other way is ErrConflict.
func endPointsHold(txn *badger.Txn, id, storefront, state string, now time.Time) (*PointsHold, error) {
	var h PointsHold
	ok, err := getJSON(txn, prefixPointsHold+id, &h)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return nil, fmt.Errorf("%w: points hold %s", ErrNotFound, id)
	case h.Storefront != storefront:
		return nil, fmt.Errorf("%w: points hold %s belongs to another storefront", ErrForged, id)
	case h.State == state:
		return &h, nil
	case h.State != PointsHeld:
		return nil, fmt.Errorf("%w: points hold %s is %s", ErrConflict, id, h.State)
	}
	a, err := loadPoints(txn, h.Account)
	if err != nil {
		return nil, err
	}
	a.Held -= h.Points
	if state == PointsConfirmed {
		a.Spent += h.Points
		err = addHistory(txn, h.Account, PointsLine{At: now, Kind: PointsSpentLine, Points: h.Points, Ref: id})
	} else {
		a.giveBack(h.From)
	}
	if err != nil {
		return nil, err
	}
	if err := savePoints(txn, a); err != nil {
		return nil, err
	}
	h.State = state
	return &h, putJSON(txn, prefixPointsHold+id, h)
}

// giveBack returns points a hold took to their lots; a lot a reversal
// emptied and dropped meanwhile comes back with what it is given.
func (a *PointsAccount) giveBack(takes []PointsTake) {
	for _, t := range takes {
		i := slices.IndexFunc(a.Lots, func(l PointsLot) bool { return l.Source == t.Source })
		if i < 0 {
			a.Lots = append(a.Lots, PointsLot{Source: t.Source, Points: t.Points, SpendableAt: t.SpendableAt, ExpiresAt: t.ExpiresAt})
			i = len(a.Lots) - 1
		}
		a.Lots[i].Left += t.Points
		a.Lots[i].Points = max(a.Lots[i].Points, a.Lots[i].Left)
	}
}
