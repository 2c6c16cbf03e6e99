package order

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// maxPointsHistory bounds the history lines a points view lists.
const maxPointsHistory = 50

// PointsView is a shopper's points as its storefront shows them.
type PointsView struct {
	// Issuer is the member that keeps the points; Here says whether that
	// is this node (else they are kept elsewhere and not shown here).
	Issuer string `json:"issuer"`
	Here   bool   `json:"here"`
	// Enabled says whether the alliance runs a loyalty programme now.
	Enabled bool `json:"enabled"`
	// PointValue is one point's value now, in minor units of Currency.
	PointValue int64   `json:"point_value"`
	Currency   string  `json:"currency,omitempty"`
	Balance    Balance `json:"balance"`
	// Earned, Spent, Returned, Expired and Reversed count every point.
	Earned   int64 `json:"earned"`
	Spent    int64 `json:"spent"`
	Returned int64 `json:"returned"`
	Expired  int64 `json:"expired"`
	Reversed int64 `json:"reversed"`
	// Lots are the points not spent yet, soonest expiry first.
	Lots []PointsLot `json:"lots"`
	// History is the latest changes, newest first.
	History []PointsLine `json:"history"`
}

// ShopperPoints returns shopper's points as this storefront shows them:
// the account itself when this node issues them.
func (s *Service) ShopperPoints(ctx context.Context, shopper string) (PointsView, error) {
	sh, err := s.Shopper(ctx, shopper)
	if err != nil {
		return PointsView{}, err
	}
	claim := s.issuerOf(&sh)
	v := PointsView{Issuer: claim.Issuer, Here: claim.Issuer == s.self, Lots: []PointsLot{}, History: []PointsLine{}}
	if t, ok := s.loyaltyAt(s.policy()); ok {
		v.Enabled, v.PointValue, v.Currency = true, t.PointValue, t.Currency
	}
	if !v.Here {
		return v, nil
	}
	now := s.now().UTC()
	err = s.db.View(func(txn *badger.Txn) error {
		a, err := loadPoints(txn, claim.Account)
		if err != nil {
			return err
		}
		v.Balance, v.Earned, v.Spent, v.Returned, v.Expired, v.Reversed = a.Balance(now), a.Earned, a.Spent, a.Returned, a.Expired, a.Reversed
		for _, l := range a.Lots {
			if l.Left > 0 && (l.ExpiresAt.IsZero() || now.Before(l.ExpiresAt)) {
				v.Lots = append(v.Lots, l)
			}
		}
		ks := keys(txn, prefixPointsHistory+claim.Account+"/", "", 0)
		slices.Reverse(ks)
		for _, k := range ks[:min(len(ks), maxPointsHistory)] {
			var l PointsLine
			if _, err := getJSON(txn, k, &l); err != nil {
				return err
			}
			v.History = append(v.History, l)
		}
		return nil
	})
	return v, err
}

// PointsPeriod is what the issuer's shoppers earned, spent, lost to
// expiry and gave back in one period.
type PointsPeriod struct {
	Start    time.Time `json:"start"`
	Earned   int64     `json:"earned"`
	Spent    int64     `json:"spent"`
	Returned int64     `json:"returned"`
	Expired  int64     `json:"expired"`
	Reversed int64     `json:"reversed"`
	// Lost is what reversals could not take back: the issuer's loss.
	Lost int64 `json:"lost"`
}

// PointsReport is the issuer's points books: what its shoppers hold
// (the liability), per period.
type PointsReport struct {
	// Accounts is how many shoppers hold or held points.
	Accounts int `json:"accounts"`
	// Outstanding is every point not spent, expired or taken back:
	// spendable, pending and held.
	Outstanding int64 `json:"outstanding"`
	// Lost is every point reversals could not take back.
	Lost int64 `json:"lost"`
	// Periods, newest first, only those with any change.
	Periods []PointsPeriod `json:"periods"`
}

// PointsReport sums the issuer's points accounts, and their history by
// periods of length (aligned to the Unix epoch, as settlement's).
func (s *Service) PointsReport(ctx context.Context, length time.Duration) (PointsReport, error) {
	if length <= 0 {
		return PointsReport{}, fmt.Errorf("%w: period length %s", ErrInvalid, length)
	}
	r := PointsReport{Periods: []PointsPeriod{}}
	byStart := map[int64]*PointsPeriod{}
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixPointsAccount, "", 0) {
			if err := ctx.Err(); err != nil {
				return err
			}
			a, err := loadPoints(txn, strings.TrimPrefix(k, prefixPointsAccount))
			if err != nil {
				return err
			}
			r.Accounts++
			r.Outstanding += a.outstanding()
			r.Lost += a.Lost
		}
		for _, k := range keys(txn, prefixPointsHistory, "", 0) {
			var l PointsLine
			if _, err := getJSON(txn, k, &l); err != nil {
				return err
			}
			start := time.Unix(0, l.At.UnixNano()/int64(length)*int64(length)).UTC()
			p := byStart[start.UnixNano()]
			if p == nil {
				p = &PointsPeriod{Start: start}
				byStart[start.UnixNano()] = p
			}
			switch l.Kind {
			case PointsEarnedLine:
				p.Earned += l.Points
			case PointsSpentLine:
				p.Spent += l.Points
			case PointsReturnedLine:
				p.Returned += l.Points
			case PointsExpiredLine:
				p.Expired += l.Points
			case PointsReversedLine:
				p.Reversed += l.Points
				p.Lost += l.Lost
			}
		}
		return nil
	})
	for _, p := range byStart {
		r.Periods = append(r.Periods, *p)
	}
	slices.SortFunc(r.Periods, func(a, b PointsPeriod) int { return b.Start.Compare(a.Start) })
	return r, err
}
