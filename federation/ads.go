package federation

import (
	"fmt"
	"time"
)

// Limits and defaults of an ad policy.
const (
	// DefaultAttributionWindow is how long after a click on a sponsored
	// slot a sale still counts as the slot's, when the policy leaves it 0.
	DefaultAttributionWindow = 7 * 24 * time.Hour
	// MaxAttributionWindow bounds the attribution window.
	MaxAttributionWindow = 90 * 24 * time.Hour
	// MaxSponsoredSlots bounds the sponsored slots of one page of results.
	MaxSponsoredSlots = 10
	// DefaultSponsoredSlots is the slots per page when the policy leaves
	// it 0.
	DefaultSponsoredSlots = 2
)

// Ads is the alliance's policy for sponsored listings: merchants run
// campaigns on their home member, every storefront shows their listings
// in labelled slots, and a sale a shopper reached through a slot owes a
// fee, stated by the home in its signed accepted status and split
// between the storefront that showed the slot and the federation
// treasury. The zero value leaves ads off, and leaves the signed bytes
// of a charter without it as they were.
type Ads struct {
	// MaxFeeBPS caps the fee a campaign may offer per attributed sale, in
	// basis points of the attributed lines' gross. Zero: ads are off.
	MaxFeeBPS int64 `json:"max_fee_bps,omitempty"`
	// SlotsPerPage is the most sponsored slots one page of search
	// results or of a category shows; zero: DefaultSponsoredSlots.
	SlotsPerPage int `json:"slots_per_page,omitempty"`
	// AttributionWindow is how long a click on a sponsored slot counts;
	// zero: DefaultAttributionWindow.
	AttributionWindow Duration `json:"attribution_window,omitempty"`
	// StorefrontShareBPS is the storefront's share of each fee, in basis
	// points; the treasury takes the rest (the home keeps it when the
	// charter names no treasury).
	StorefrontShareBPS int64 `json:"storefront_share_bps,omitempty"`
}

// Enabled reports whether the alliance runs sponsored listings.
func (a Ads) Enabled() bool { return a.MaxFeeBPS > 0 }

// Slots returns SlotsPerPage with its default filled in.
func (a Ads) Slots() int {
	if a.SlotsPerPage == 0 {
		return DefaultSponsoredSlots
	}
	return a.SlotsPerPage
}

// Window returns AttributionWindow with its default filled in.
func (a Ads) Window() time.Duration {
	if a.AttributionWindow == 0 {
		return DefaultAttributionWindow
	}
	return time.Duration(a.AttributionWindow)
}

// validate checks a policy on its own; a policy that is off must be
// wholly zero, so that no stray setting hides in the signed bytes.
func (a Ads) validate() error {
	const f = "charter.ads."
	if !a.Enabled() {
		if a != (Ads{}) {
			return invalid(f+"max_fee_bps", "must be more than 0 when any other ads setting is given (0 leaves ads off)")
		}
		return nil
	}
	switch {
	case a.MaxFeeBPS > MaxBPS:
		return invalid(f+"max_fee_bps", "must be between 0 and 10000")
	case a.SlotsPerPage < 0 || a.SlotsPerPage > MaxSponsoredSlots:
		return invalid(f+"slots_per_page", fmt.Sprintf("must be between 0 (the default, %d) and %d", DefaultSponsoredSlots, MaxSponsoredSlots))
	case a.AttributionWindow < 0 || time.Duration(a.AttributionWindow) > MaxAttributionWindow:
		return invalid(f+"attribution_window", fmt.Sprintf("must be between 0 (the default, %s) and %s", DefaultAttributionWindow, MaxAttributionWindow))
	case a.StorefrontShareBPS < 0 || a.StorefrontShareBPS > MaxBPS:
		return invalid(f+"storefront_share_bps", "must be between 0 and 10000")
	}
	return nil
}
