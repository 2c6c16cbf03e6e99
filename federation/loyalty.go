package federation

import (
	"fmt"
	"time"
)

// Who funds the points a part earns (Loyalty.Funder).
const (
	// FunderHome: the merchant's home member pays for the points.
	FunderHome = "home"
	// FunderStorefront: the storefront that sold the part pays.
	FunderStorefront = "storefront"
	// FunderSplit: both pay, the home FunderHomeBPS of the value and the
	// storefront the rest.
	FunderSplit = "split"
)

// When earned points become spendable (Loyalty.SpendableOn).
const (
	// SpendableOnDelivered: once the home states the part delivered.
	SpendableOnDelivered = "delivered"
	// SpendableOnReturnWindowEnd: once the part's return window has ended.
	SpendableOnReturnWindowEnd = "return_window_end"
)

// Limits of a loyalty policy.
const (
	// MaxPointValue caps the value of one point, in settlement-currency
	// minor units, so that no amount of points overflows an int64.
	MaxPointValue = 1_000_000
	// MaxPointsExpiry caps how long earned points stay valid.
	MaxPointsExpiry = 10 * 366 * 24 * time.Hour
)

// Loyalty is the alliance's loyalty programme: shoppers earn points on
// every part they buy, at their home member (the issuer), and spend them
// at any member's storefront. The zero value leaves loyalty off, and
// leaves the signed bytes of a charter without it as they were.
type Loyalty struct {
	// EarnBPS is how many points a shopper earns per currency unit
	// (100 minor units) of a part's payable amount, in basis points:
	// 10000 earns one point per unit. Zero: loyalty is off.
	EarnBPS int64 `json:"earn_bps,omitempty"`
	// PointValue is what one point is worth in the settlement currency's
	// minor units, when earned (the funder owes the issuer) and when spent
	// (the issuer owes the redeeming storefront).
	PointValue int64 `json:"point_value,omitempty"`
	// Funder is FunderHome, FunderStorefront or FunderSplit.
	Funder string `json:"funder,omitempty"`
	// FunderHomeBPS is the home's share of the value with FunderSplit.
	FunderHomeBPS int64 `json:"funder_home_bps,omitempty"`
	// SpendableOn is SpendableOnDelivered or SpendableOnReturnWindowEnd.
	SpendableOn string `json:"spendable_on,omitempty"`
	// Expiry is how long points stay spendable after they become so;
	// zero: they never expire.
	Expiry Duration `json:"expiry,omitempty"`
	// MinShareBPS and MaxShareBPS bound the share of a cart's total that
	// points may pay, in basis points (MaxShareBPS zero: 10000).
	MinShareBPS int64 `json:"min_share_bps,omitempty"`
	MaxShareBPS int64 `json:"max_share_bps,omitempty"`
}

// Enabled reports whether the alliance runs a loyalty programme.
func (l Loyalty) Enabled() bool { return l.EarnBPS > 0 }

// MaxShare returns MaxShareBPS with its default filled in.
func (l Loyalty) MaxShare() int64 {
	if l.MaxShareBPS == 0 {
		return MaxBPS
	}
	return l.MaxShareBPS
}

// validate checks a policy on its own; a programme that is off must be
// wholly zero, so that no stray setting hides in the signed bytes.
func (l Loyalty) validate() error {
	const f = "charter.loyalty."
	if !l.Enabled() {
		if l != (Loyalty{}) {
			return invalid(f+"earn_bps", "must be more than 0 when any other loyalty setting is given (0 leaves loyalty off)")
		}
		return nil
	}
	switch {
	case l.EarnBPS > 100*MaxBPS:
		return invalid(f+"earn_bps", "must be between 0 and 1000000 (100 points per currency unit)")
	case l.PointValue <= 0 || l.PointValue > MaxPointValue:
		return invalid(f+"point_value", fmt.Sprintf("must be between 1 and %d minor units", MaxPointValue))
	case l.Funder != FunderHome && l.Funder != FunderStorefront && l.Funder != FunderSplit:
		return invalid(f+"funder", `must be "home", "storefront" or "split"`)
	case l.Funder == FunderSplit && (l.FunderHomeBPS <= 0 || l.FunderHomeBPS >= MaxBPS):
		return invalid(f+"funder_home_bps", "must be between 1 and 9999 with a split funder")
	case l.Funder != FunderSplit && l.FunderHomeBPS != 0:
		return invalid(f+"funder_home_bps", "only a split funder has a home share")
	case l.SpendableOn != SpendableOnDelivered && l.SpendableOn != SpendableOnReturnWindowEnd:
		return invalid(f+"spendable_on", `must be "delivered" or "return_window_end"`)
	case l.Expiry < 0 || time.Duration(l.Expiry) > MaxPointsExpiry:
		return invalid(f+"expiry", fmt.Sprintf("must be between 0 (never) and %s", MaxPointsExpiry))
	case l.MinShareBPS < 0 || l.MinShareBPS > MaxBPS:
		return invalid(f+"min_share_bps", "must be between 0 and 10000")
	case l.MaxShareBPS < 0 || l.MaxShareBPS > MaxBPS:
		return invalid(f+"max_share_bps", "must be between 0 and 10000 (0: 10000)")
	case l.MinShareBPS > l.MaxShare():
		return invalid(f+"min_share_bps", "must not exceed max_share_bps")
	}
	return nil
}
