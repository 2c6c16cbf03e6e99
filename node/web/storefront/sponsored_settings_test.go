package storefront

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// ownSlots fills the storefront's sponsored slots with Self's campaigns
// that run on the harness clock, and remembers the clicks it is told of.
type ownSlots struct {
	h      *harness
	clicks *[]string
}

func (s ownSlots) SponsoredCampaigns(ctx context.Context, _ time.Time) ([]catalog.Campaign, int, error) {
	all, err := s.h.Self.Cat.Campaigns(ctx, "", "")
	var live []catalog.Campaign
	for _, c := range all {
		if c.Active(s.h.Clock.Now()) {
			live = append(live, c)
		}
	}
	return live, 2, err
}

func (s ownSlots) RecordAdClick(ctx context.Context, shopper, listingID, campaign string, at time.Time) error {
	*s.clicks = append(*s.clicks, listingID)
	return s.h.Self.Orders.RecordAdClickAt(ctx, shopper, listingID, campaign, at)
}

// TestOperatorSettingsHideSponsoredSlots: a campaign over a kettle shows
// in a slot until the operator switches slots off, or excludes its
// category (or a parent of it); excluding another category leaves it;
// a click on a slot of an excluded category is not remembered.
func TestOperatorSettingsHideSponsoredSlots(t *testing.T) {
	h := newHarness(t)
	h.SetAds(order.AdTerms{MaxFeeBPS: 1000, Window: 7 * 24 * time.Hour})
	var clicks []string
	store, err := New(h.site, Deps{Search: h.Index, Listings: h.Self.Cat, Merchants: h.Self.Cat, Shoppers: h.Self.Orders,
		Carts: h.Self.Orders, Orders: h.Self.Orders, Profiles: h.Self.Cat, Sponsored: ownSlots{h, &clicks}}, Options{Payments: h.payments})
	if err != nil {
		t.Fatal(err)
	}
	h.handler = h.site.Handler(store)
	kettle := h.List(webtest.Input("Copper kettle", "Forge", "Home > Kitchen", 5000, 20))
	now := h.Clock.Now()
	cp, err := h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Kettles", Listings: []string{kettle.ID},
		TotalBudget: 10000, FeeBPS: 500, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	b := webtest.SignUp(h.browser())
	slotted := func() bool { return strings.Contains(b.Get("/search?q=kettle").Body, "/sponsored/click?") }
	set := func(s web.SponsoredSettings) {
		t.Helper()
		if err := h.site.SetSponsoredSettings(s); err != nil {
			t.Fatal(err)
		}
	}
	if !slotted() {
		t.Fatal("the campaign fills no slot with the default settings")
	}
	for _, c := range []struct {
		set  web.SponsoredSettings
		want bool
	}{
		{web.SponsoredSettings{Off: true}, false},
		{web.SponsoredSettings{Excluded: []string{"Home > Kitchen"}}, false},
		{web.SponsoredSettings{Excluded: []string{"Home"}}, false},
		{web.SponsoredSettings{Excluded: []string{"Garden", "Home > Kitch"}}, true},
		{web.SponsoredSettings{}, true},
	} {
		set(c.set)
		if got := slotted(); got != c.want {
			t.Errorf("settings %+v: a slot %v, want %v", c.set, got, c.want)
		}
	}
	click := "/sponsored/click?" + url.Values{"listing": {kettle.ID}, "campaign": {cp.ID}}.Encode()
	set(web.SponsoredSettings{Excluded: []string{"Home"}})
	b.Get(click)
	if len(clicks) != 0 {
		t.Errorf("a click on an excluded category's slot was remembered: %v", clicks)
	}
	set(web.SponsoredSettings{})
	b.Get(click)
	if len(clicks) != 1 {
		t.Errorf("a click on a slot was not remembered: %v", clicks)
	}
}
