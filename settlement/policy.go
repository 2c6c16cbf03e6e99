package settlement

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Basis-point and period limits of a Policy.
const (
	// MaxBPS is 100 % in basis points.
	MaxBPS = 10000
	// MinPeriod is the shortest settlement period a policy may choose.
	MinPeriod = time.Minute
	// MaxPeriod is the longest settlement period a policy may choose.
	MaxPeriod = 31 * 24 * time.Hour
)

// Values of Policy.PayableOn.
const (
	// PayableOnDelivered makes a sale payable when the home node reports the
	// part delivered. It is the default.
	PayableOnDelivered = "delivered"
	// PayableOnAccepted makes a sale payable as soon as the home node
	// accepts the part.
	PayableOnAccepted = "accepted"
)

// Policy is the revenue-share policy of one charter version: who keeps what
// of a cross-platform sale, in which currency, over which settlement period.
// Policies are immutable once published; an order records the Version it was
// priced under and every entry it causes is computed with that version.
type Policy struct {
	// Version is the charter's policy version, at least 1.
	Version uint64
	// Currency is the settlement currency (ISO 4217).
	Currency string
	// StorefrontCommissionBPS is the storefront's share of a sale in basis
	// points, kept by the storefront platform.
	StorefrontCommissionBPS int64
	// FederationFeeBPS is the federation fee in basis points, owed by the
	// storefront to Treasury on cross-platform sales.
	FederationFeeBPS int64
	// Treasury is the peer ID of the member that receives federation fees.
	// Empty means the federation charges no fee.
	Treasury string
	// Overrides replace both rates for categories that start with a prefix;
	// the longest matching prefix wins.
	Overrides []Override
	// Period is the settlement period length, MinPeriod..MaxPeriod, in
	// whole seconds. Periods are aligned to the Unix epoch.
	Period time.Duration
	// PayableOn is PayableOnDelivered (the default when empty) or
	// PayableOnAccepted.
	PayableOn string
	// ShippingShared applies the commission and the federation fee to
	// what shoppers pay for shipping too; by default shipping goes whole
	// to the merchant's home platform.
	ShippingShared bool
	// Loyalty is the value of a point and who funds earned points
	// (points.go); zero when the alliance runs no loyalty programme.
	Loyalty Loyalty
	// CommissionBeforeDiscounts computes the commission and the fee of a
	// sale on its items before the merchant's discount (Event.Discount),
	// the merchant taking the rest; by default (false) on what was paid.
	CommissionBeforeDiscounts bool
	// Ads is whether the alliance runs sponsored listings and the
	// storefront's share of each fee (ads.go); zero: off.
	Ads Ads
}

// Override gives categories that start with CategoryPrefix their own rates.
// Matching is a plain string prefix: end the prefix with the category path
// separator ("books/") so that it does not also match "booksellers".
type Override struct {
	// CategoryPrefix selects the categories; it must not be empty.
	CategoryPrefix string `json:"category_prefix"`
	// StorefrontCommissionBPS replaces the policy's commission.
	StorefrontCommissionBPS int64 `json:"storefront_commission_bps"`
	// FederationFeeBPS replaces the policy's federation fee.
	FederationFeeBPS int64 `json:"federation_fee_bps"`
}

// Validate reports every problem of p, each naming its key
// ("policy.overrides[1].category_prefix: empty") and wrapping ErrInvalid.
func (p Policy) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: policy.%s: %s", ErrInvalid, key, fmt.Sprintf(format, args...)))
	}
	if p.Version == 0 {
		bad("version", "must be at least 1")
	}
	if !validCurrency(p.Currency) {
		bad("currency", "%q is not an ISO 4217 code", p.Currency)
	}
	p.validateRates("", p.StorefrontCommissionBPS, p.FederationFeeBPS, bad)
	if p.Treasury != "" && !validPeer(p.Treasury) {
		bad("treasury", "%q is not a peer id", p.Treasury)
	}
	seen := make(map[string]int, len(p.Overrides))
	for i, o := range p.Overrides {
		key := fmt.Sprintf("overrides[%d].", i)
		switch j, dup := seen[o.CategoryPrefix]; {
		case o.CategoryPrefix == "":
			bad(key+"category_prefix", "empty")
		case dup:
			bad(key+"category_prefix", "%q repeats overrides[%d]", o.CategoryPrefix, j)
		}
		seen[o.CategoryPrefix] = i
		p.validateRates(key, o.StorefrontCommissionBPS, o.FederationFeeBPS, bad)
	}
	switch {
	case p.Period < MinPeriod || p.Period > MaxPeriod:
		bad("period", "%s outside %s..%s", p.Period, MinPeriod, MaxPeriod)
	case p.Period%time.Second != 0:
		bad("period", "%s is not a whole number of seconds", p.Period)
	}
	if p.PayableOn != "" && p.PayableOn != PayableOnDelivered && p.PayableOn != PayableOnAccepted {
		bad("payable_on", "%q is neither %q nor %q", p.PayableOn, PayableOnDelivered, PayableOnAccepted)
	}
	p.Loyalty.validate(bad)
	p.Ads.validate(bad)
	return errors.Join(errs...)
}

// validateRates checks one commission/fee pair found under key prefix.
func (Policy) validateRates(prefix string, commission, fee int64, bad func(key, format string, args ...any)) {
	if commission < 0 || commission > MaxBPS {
		bad(prefix+"storefront_commission_bps", "%d outside 0..%d", commission, MaxBPS)
	}
	if fee < 0 || fee > MaxBPS {
		bad(prefix+"federation_fee_bps", "%d outside 0..%d", fee, MaxBPS)
	}
	if commission >= 0 && fee >= 0 && commission+fee > MaxBPS {
		bad(prefix+"federation_fee_bps", "commission %d + fee %d exceeds %d", commission, fee, MaxBPS)
	}
}

// Payable returns the event kind that makes a sale payable under p.
func (p Policy) Payable() string {
	if p.PayableOn == "" {
		return PayableOnDelivered
	}
	return p.PayableOn
}

// Rates returns the commission and fee basis points that apply to category:
// those of the longest matching override, else the policy's own.
func (p Policy) Rates(category string) (commissionBPS, feeBPS int64) {
	commissionBPS, feeBPS = p.StorefrontCommissionBPS, p.FederationFeeBPS
	best := -1
	for _, o := range p.Overrides {
		if len(o.CategoryPrefix) > best && strings.HasPrefix(category, o.CategoryPrefix) {
			best = len(o.CategoryPrefix)
			commissionBPS, feeBPS = o.StorefrontCommissionBPS, o.FederationFeeBPS
		}
	}
	return commissionBPS, feeBPS
}

// policyJSON is the wire form of Policy: snake_case keys and the period as a
// Go duration string ("168h").
type policyJSON struct {
	Version                 uint64     `json:"version"`
	Currency                string     `json:"currency"`
	StorefrontCommissionBPS int64      `json:"storefront_commission_bps"`
	FederationFeeBPS        int64      `json:"federation_fee_bps"`
	Treasury                string     `json:"treasury,omitempty"`
	Overrides               []Override `json:"overrides,omitempty"`
	Period                  string     `json:"period"`
	PayableOn               string     `json:"payable_on,omitempty"`
	Loyalty                 Loyalty    `json:"loyalty,omitzero"`
	Ads                     Ads        `json:"ads,omitzero"`
}

// MarshalJSON encodes p with snake_case keys and the period as "168h0m0s".
func (p Policy) MarshalJSON() ([]byte, error) {
	return json.Marshal(policyJSON{
		Version: p.Version, Currency: p.Currency,
		StorefrontCommissionBPS: p.StorefrontCommissionBPS, FederationFeeBPS: p.FederationFeeBPS,
		Treasury: p.Treasury, Overrides: p.Overrides, Period: p.Period.String(), PayableOn: p.PayableOn,
		Loyalty: p.Loyalty, Ads: p.Ads,
	})
}

// UnmarshalJSON decodes the form MarshalJSON writes. Unknown keys and
// unparsable periods are errors wrapping ErrInvalid; call Validate for the
// semantic checks.
func (p *Policy) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w policyJSON
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("%w: policy: %v", ErrInvalid, err)
	}
	d, err := time.ParseDuration(w.Period)
	if err != nil {
		return fmt.Errorf("%w: policy.period: %v", ErrInvalid, err)
	}
	*p = Policy{
		Version: w.Version, Currency: w.Currency,
		StorefrontCommissionBPS: w.StorefrontCommissionBPS, FederationFeeBPS: w.FederationFeeBPS,
		Treasury: w.Treasury, Overrides: w.Overrides, Period: d, PayableOn: w.PayableOn,
		Loyalty: w.Loyalty, Ads: w.Ads,
	}
	return nil
}

// validPeer reports whether s can be a peer ID in keys and entry ids: not
// empty, at most 128 bytes, printable ASCII without '/' or spaces.
func validPeer(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == '/' {
			return false
		}
	}
	return true
}
