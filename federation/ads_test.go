package federation

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCharterAds: a charter without an ad policy keeps its signed bytes
// and has ads off with the defaults; an amendment that turns ads on
// verifies and carries it; every bad setting is refused naming its field.
func TestCharterAds(t *testing.T) {
	a, ka := staticMember(t, "alpha")
	b, kb := staticMember(t, "beta")
	v1 := founding(t, []Member{a, b}, ka, kb)
	if strings.Contains(string(v1.Charter.Canonical()), `"ads"`) {
		t.Errorf("a charter without ads encodes them: %s", v1.Charter.Canonical())
	}
	if off := v1.Charter.Ads; off.Enabled() || off.Window() != DefaultAttributionWindow || off.Slots() != DefaultSponsoredSlots {
		t.Errorf("ads of a charter without them: enabled %v, window %s, slots %d", off.Enabled(), off.Window(), off.Slots())
	}
	good := Ads{MaxFeeBPS: 1500, SlotsPerPage: 3, StorefrontShareBPS: 7000}
	v2 := amend(t, v1, func(c *Charter) { c.Ads = good }, ka, kb)
	if err := v2.Verify(&v1.Charter); err != nil {
		t.Fatal(err)
	}
	if got := v2.Charter.Ads; got != good || got.Window() != 7*24*time.Hour || got.Slots() != 3 {
		t.Errorf("amended ads: %+v", got)
	}
	tests := []struct {
		name  string
		edit  func(*Ads)
		field string
	}{
		{"off but set", func(a *Ads) { *a = Ads{SlotsPerPage: 2} }, "charter.ads.max_fee_bps"},
		{"fee over 100 %", func(a *Ads) { a.MaxFeeBPS = MaxBPS + 1 }, "charter.ads.max_fee_bps"},
		{"negative slots", func(a *Ads) { a.SlotsPerPage = -1 }, "charter.ads.slots_per_page"},
		{"too many slots", func(a *Ads) { a.SlotsPerPage = MaxSponsoredSlots + 1 }, "charter.ads.slots_per_page"},
		{"negative window", func(a *Ads) { a.AttributionWindow = Duration(-time.Hour) }, "charter.ads.attribution_window"},
		{"window too long", func(a *Ads) { a.AttributionWindow = Duration(MaxAttributionWindow + time.Hour) }, "charter.ads.attribution_window"},
		{"share over 100 %", func(a *Ads) { a.StorefrontShareBPS = MaxBPS + 1 }, "charter.ads.storefront_share_bps"},
		{"negative share", func(a *Ads) { a.StorefrontShareBPS = -1 }, "charter.ads.storefront_share_bps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad := good
			tt.edit(&ad)
			bad := amend(t, v1, func(c *Charter) { c.Ads = ad }, ka, kb)
			err := bad.Verify(&v1.Charter)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("err = %v, want one naming %s", err, tt.field)
			}
		})
	}
}
