package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A merchant's ad campaigns are published records like its offers:
// signed by the merchant's home node, replicated by gossip and catch-up,
// one current version per id (records of kind KindCampaign, whose Subject
// is the campaign's id, <platform>.<merchant>.<campaign>), ended by a
// tombstone. Every storefront reads them to fill its sponsored slots; the
// home node alone charges them: it checks at acceptance that a campaign a
// reserve names was live and within budget, states the fee in its signed
// status, and publishes a new version (state exhausted) once the budget
// is spent. A campaign's fee may not exceed the charter's cap
// (SetAdFeeCap): a record above it is refused, never stored or relayed.

// Campaign states.
const (
	// CampaignLive: storefronts show the campaign and the home charges it.
	CampaignLive = "live"
	// CampaignPaused: the merchant paused it; no slot, no charge.
	CampaignPaused = "paused"
	// CampaignExhausted: its total budget is spent; no slot, no charge.
	CampaignExhausted = "exhausted"
)

// Campaign is a merchant's sponsored-listings campaign as every member
// sees it.
type Campaign struct {
	// ID is the global id, <platform>.<merchant>.<campaign>.
	ID string `json:"id"`
	// Platform is the peer ID of the merchant's home node.
	Platform string `json:"platform"`
	// Merchant is the merchant's id on its home node.
	Merchant string `json:"merchant"`
	// Name is what the merchant sees ("Spring kettles").
	Name string `json:"name"`
	// Listings and Categories are what the campaign sponsors (a category
	// covers its sub-categories); with neither, the merchant's whole shop.
	Listings   []string `json:"listings,omitempty"`
	Categories []string `json:"categories,omitempty"`
	// Keywords, when given, limit the slots to queries that contain one
	// of them; category pages show the campaign whatever its keywords.
	Keywords []string `json:"keywords,omitempty"`
	// DailyBudget caps the fees charged on one UTC day (0: no daily cap)
	// and TotalBudget all of them, in minor units of the federation's
	// currency.
	DailyBudget int64 `json:"daily_budget,omitempty"`
	TotalBudget int64 `json:"total_budget"`
	// FeeBPS is the fee per attributed sale, in basis points of the
	// attributed lines' gross: at most the charter's cap.
	FeeBPS int64 `json:"fee_bps"`
	// Starts and Ends bound when the campaign runs: from Starts, before
	// Ends.
	Starts time.Time `json:"starts"`
	Ends   time.Time `json:"ends"`
	// State is CampaignLive, CampaignPaused or CampaignExhausted.
	State string `json:"state"`
	// Version counts the campaign's changes, from 1.
	Version uint64 `json:"version"`
	// UpdatedAt is when the home node signed it.
	UpdatedAt time.Time `json:"updated_at"`
}

// CampaignInput is what a merchant sends to create or replace a
// campaign. State "" keeps a replaced campaign's state (live for a new
// one).
type CampaignInput struct {
	Name        string    `json:"name"`
	Listings    []string  `json:"listings"`
	Categories  []string  `json:"categories"`
	Keywords    []string  `json:"keywords"`
	DailyBudget int64     `json:"daily_budget"`
	TotalBudget int64     `json:"total_budget"`
	FeeBPS      int64     `json:"fee_bps"`
	Starts      time.Time `json:"starts"`
	Ends        time.Time `json:"ends"`
	State       string    `json:"state"`
}

// Limits of a campaign.
const (
	// MaxCampaigns is the most campaigns (ended ones included) one
	// merchant may publish, and the most any node holds of one merchant.
	MaxCampaigns       = 100
	maxCampaignName    = 100
	maxCampaignScope   = 100
	maxKeywords        = 20
	maxKeywordLen      = 50
	maxCampaignDays    = 366
	maxCampaignBudget  = 1_000_000_000_000
	maxCampaignFeeBPS  = 10000
	campaignStateNames = `"live", "paused" or "exhausted"`
)

// Active reports whether c is live and runs at t.
func (c *Campaign) Active(t time.Time) bool {
	return c.State == CampaignLive && !t.Before(c.Starts) && t.Before(c.Ends)
}

// Covers reports whether c sponsors a listing of its merchant with
// category.
func (c *Campaign) Covers(listingID, category string) bool {
	o := Offer{Listings: c.Listings, Categories: c.Categories}
	return o.Covers(listingID, category)
}

// Matches reports whether a search for query may show c: always without
// keywords, else when the query contains one of them (case folded).
func (c *Campaign) Matches(query string) bool {
	if len(c.Keywords) == 0 {
		return true
	}
	q := strings.ToLower(query)
	for _, k := range c.Keywords {
		if strings.Contains(q, strings.ToLower(k)) {
			return true
		}
	}
	return false
}

// validateCampaign checks in for merchant of self under a fee cap (0:
// the charter runs no ads).
func validateCampaign(in CampaignInput, self, merchant string, feeCap int64) error {
	v := &validator{}
	v.text("name", in.Name, true, maxCampaignName, false)
	switch {
	case feeCap <= 0:
		v.add("fee_bps", "the charter runs no sponsored listings (charter.ads.max_fee_bps is 0)")
	case in.FeeBPS < 1 || in.FeeBPS > feeCap:
		v.add("fee_bps", "must be between 1 and the charter's cap of %d basis points, not %d", feeCap, in.FeeBPS)
	}
	if in.TotalBudget < 1 || in.TotalBudget > maxCampaignBudget {
		v.add("total_budget", "must be between 1 and %d minor units, not %d", int64(maxCampaignBudget), in.TotalBudget)
	}
	if in.DailyBudget < 0 || in.DailyBudget > max(in.TotalBudget, 0) {
		v.add("daily_budget", "must be between 0 (no daily cap) and the total budget, not %d", in.DailyBudget)
	}
	switch in.State {
	case "", CampaignLive, CampaignPaused, CampaignExhausted:
	default:
		v.add("state", "must be %s, not %q", campaignStateNames, clip(in.State))
	}
	switch {
	case in.Starts.IsZero():
		v.add("starts", "is required (RFC 3339 time)")
	case in.Ends.IsZero():
		v.add("ends", "is required (RFC 3339 time)")
	case !in.Ends.After(in.Starts):
		v.add("ends", "must be after starts")
	case in.Ends.Sub(in.Starts) > maxCampaignDays*24*time.Hour:
		v.add("ends", "must be at most %d days after starts", maxCampaignDays)
	}
	campaignScopeOf(v, in, self, merchant)
	return v.result()
}

// campaignScopeOf checks what a campaign sponsors and its keywords.
func campaignScopeOf(v *validator, in CampaignInput, self, merchant string) {
	if len(in.Listings) > maxCampaignScope {
		v.add("listings", "names %d listings, at most %d", len(in.Listings), maxCampaignScope)
	} else {
		for i, id := range in.Listings {
			if p, m, _, err := ParseID(id); err != nil || p != self || m != merchant {
				v.add(fmt.Sprintf("listings[%d]", i), "must be the id of one of this merchant's listings, not %q", clip(id))
			}
		}
	}
	if len(in.Categories) > maxCampaignScope {
		v.add("categories", "names %d categories, at most %d", len(in.Categories), maxCampaignScope)
	} else {
		for i, c := range in.Categories {
			if c == "" || len(c) > 1000 || strings.TrimSpace(c) != c || !utf8.ValidString(c) {
				v.add(fmt.Sprintf("categories[%d]", i), "must be a category path such as \"Home > Kitchen\", not %q", clip(c))
			}
		}
	}
	if len(in.Keywords) > maxKeywords {
		v.add("keywords", "names %d keywords, at most %d", len(in.Keywords), maxKeywords)
		return
	}
	for i, k := range in.Keywords {
		if v.text(fmt.Sprintf("keywords[%d]", i), k, true, maxKeywordLen, false) && strings.TrimSpace(k) != k {
			v.add(fmt.Sprintf("keywords[%d]", i), "must not start or end with spaces")
		}
	}
}

// campaignOf builds the campaign a merchant's input describes, with
// copies; state is the state it is signed in.
func campaignOf(in CampaignInput, state string) *Campaign {
	return &Campaign{Name: strings.TrimSpace(in.Name), Listings: slices.Clone(in.Listings), Categories: slices.Clone(in.Categories),
		Keywords: slices.Clone(in.Keywords), DailyBudget: in.DailyBudget, TotalBudget: in.TotalBudget, FeeBPS: in.FeeBPS,
		Starts: in.Starts.UTC(), Ends: in.Ends.UTC(), State: state}
}

// input is the inverse of campaignOf.
func (c *Campaign) input() CampaignInput {
	return CampaignInput{Name: c.Name, Listings: c.Listings, Categories: c.Categories, Keywords: c.Keywords,
		DailyBudget: c.DailyBudget, TotalBudget: c.TotalBudget, FeeBPS: c.FeeBPS, Starts: c.Starts, Ends: c.Ends, State: c.State}
}

// campaignContent is what a digest of a campaign covers: everything the
// merchant controls and its state, without identity, version or time.
func campaignContent(c *Campaign) digest {
	cp := *c
	cp.ID, cp.Platform, cp.Merchant, cp.Version, cp.UpdatedAt = "", "", "", 0, time.Time{}
	return contentSum(&cp)
}
