package console

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// sponsoredSlots fills the harness storefront's sponsored slots with
// Self's campaigns that run on the harness clock, as the node does.
type sponsoredSlots struct{ h *harness }

func (s sponsoredSlots) SponsoredCampaigns(ctx context.Context, _ time.Time) ([]catalog.Campaign, int, error) {
	all, err := s.h.Self.Cat.Campaigns(ctx, "", "")
	var live []catalog.Campaign
	for _, c := range all {
		if c.Active(s.h.Clock.Now()) {
			live = append(live, c)
		}
	}
	return live, 2, err
}

func (s sponsoredSlots) RecordAdClick(ctx context.Context, shopper, listingID, campaign string, at time.Time) error {
	return s.h.Self.Orders.RecordAdClickAt(ctx, shopper, listingID, campaign, at)
}

// newAdsHarness is a harness whose charter runs sponsored listings with
// a 10 % cap, and whose storefront fills sponsored slots.
func newAdsHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.SetAds(order.AdTerms{MaxFeeBPS: 1000, Window: 7 * 24 * time.Hour})
	h.sponsored = sponsoredSlots{h}
	h.rebuild()
	return h
}

func postCampaign(t *testing.T, m *webtest.Browser, path string, form url.Values) webtest.Response {
	t.Helper()
	form.Set("csrf", webtest.CSRF(t, m.Get("/merchant/campaigns")))
	return m.Post(path, form)
}

// campaignRowOf is the campaigns table's row of campaign id.
func campaignRowOf(body, id string) string {
	return regexp.MustCompile(`(?s)<tr class="campaign-row" data-campaign="` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
}

// TestCampaignsAreCreatedChargedPausedAndEnded: the merchant creates a
// campaign from the form (a fee above the charter's cap and other bad
// input named next to their inputs), a shopper buys through a sponsored
// slot, the list shows the spend, the sale and the cost per sale, and
// the merchant pauses, resumes and ends the campaign; an exhausted
// campaign is not resumed from the page.
func TestCampaignsAreCreatedChargedPausedAndEnded(t *testing.T) {
	h := newAdsHarness(t)
	kettle := h.List(webtest.Input("Copper kettle", "Forge", "Home > Kitchen", 5000, 20))
	m := h.browser()
	m.SignInMerchant(h.Token)
	webtest.WantText(t, m.Get("/merchant/campaigns"), "Fee per sale (%, at most 10.00%)")
	day := h.Clock.Now().UTC().Format(time.DateOnly)
	form := url.Values{"name": {"Kettles"}, "fee": {"15"}, "total_budget": {"ten"}, "daily_budget": {"5"}, "starts": {day}, "ends": {day},
		"categories": {"Home > Kitchen"}, "keywords": {"kettle, copper"}}
	r := postCampaign(t, m, "/merchant/campaigns", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "total_budget", "Total budget must be an amount such as 19.99.")
	webtest.HasFieldError(t, r.Body, "fee", "Fee per sale must be at most the charter&#39;s cap of 10.00%, not 15.00%.")
	form.Set("total_budget", "10")
	form.Set("fee", "0")
	r = postCampaign(t, m, "/merchant/campaigns", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "fee", "Fee per sale must be between 1 and the charter&#39;s cap of 1000 basis points, not 0.")
	webtest.HasFieldError(t, r.Body, "ends", "Ends must be after starts.")
	form.Set("fee", "5")
	form.Set("ends", h.Clock.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly))
	webtest.WantRedirect(t, postCampaign(t, m, "/merchant/campaigns", form), "/merchant/campaigns?done=created")
	camps, err := h.Self.Cat.Campaigns(t.Context(), h.Self.ID.String(), h.Merchant.ID)
	if err != nil || len(camps) != 1 || camps[0].FeeBPS != 500 || camps[0].TotalBudget != 1000 || camps[0].DailyBudget != 500 ||
		strings.Join(camps[0].Keywords, "|") != "kettle|copper" {
		t.Fatalf("the campaign: %+v %v", camps, err)
	}
	id := camps[0].ID

	b := h.shopper()
	search := b.Get("/search?q=kettle")
	if !strings.Contains(search.Body, "/sponsored/click?") {
		t.Fatalf("the search shows no sponsored slot:\n%s", search.Body)
	}
	b.Get("/sponsored/click?" + url.Values{"listing": {kettle.ID}, "campaign": {id}}.Encode())
	if r := webtest.AddToCart(b, kettle.ID, kettle.Variants[0].SKU, 1); r.Code != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", r.Code)
	}
	webtest.OrderLocation(t, webtest.Checkout(b, nil))
	deadline := time.Now().Add(10 * time.Second)
	for {
		sp, err := h.Self.Orders.CampaignSpend(t.Context(), id)
		if err == nil && sp.Sales == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sponsored sale was not charged: %+v %v", sp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	row := campaignRowOf(m.Get("/merchant/campaigns").Body, id)
	for _, want := range []string{"Kettles", "Keywords: kettle, copper", `campaign-state">Live<`, ">5.00%<", "€10.00", "€5.00 a day; €7.50 left",
		`campaign-spent">€2.50<`, `campaign-today">€2.50 today<`, `campaign-sales">1<`, `campaign-cps">€2.50<`, "Home &gt; Kitchen", "/pause"} {
		if !strings.Contains(row, want) {
			t.Errorf("the campaign's row lacks %s:\n%s", want, row)
		}
	}

	base := "/merchant/campaigns/" + url.PathEscape(id)
	webtest.WantRedirect(t, postCampaign(t, m, base+"/pause", url.Values{}), "/merchant/campaigns?done=paused")
	if cp, _ := h.Self.Cat.Campaign(t.Context(), id); cp.State != catalog.CampaignPaused {
		t.Errorf("paused campaign's state: %q", cp.State)
	}
	if row := campaignRowOf(m.Get("/merchant/campaigns").Body, id); !strings.Contains(row, `campaign-state">Paused<`) || !strings.Contains(row, base+"/resume") {
		t.Errorf("the paused campaign's row:\n%s", row)
	}
	webtest.WantStatus(t, postCampaign(t, m, base+"/pause", url.Values{}), http.StatusConflict)
	webtest.WantRedirect(t, postCampaign(t, m, base+"/resume", url.Values{}), "/merchant/campaigns?done=resumed")
	if _, err := h.Self.Cat.SetCampaignState(t.Context(), h.Merchant.ID, id, catalog.CampaignExhausted); err != nil {
		t.Fatal(err)
	}
	webtest.WantStatus(t, postCampaign(t, m, base+"/resume", url.Values{}), http.StatusConflict)
	if cp, _ := h.Self.Cat.Campaign(t.Context(), id); cp.State != catalog.CampaignExhausted {
		t.Errorf("an exhausted campaign was resumed: %q", cp.State)
	}

	webtest.WantText(t, m.Get(base+"/end"), "End the campaign “Kettles”?")
	webtest.WantRedirect(t, postCampaign(t, m, base+"/end", url.Values{}), "/merchant/campaigns?done=ended")
	if got, _ := h.Self.Cat.Campaigns(t.Context(), h.Self.ID.String(), h.Merchant.ID); len(got) != 0 {
		t.Errorf("the campaign is listed after its end: %+v", got)
	}
	webtest.WantStatus(t, m.Get(base+"/end"), http.StatusNotFound)
	webtest.WantStatus(t, postCampaign(t, m, base+"/pause", url.Values{}), http.StatusNotFound)
}

// TestCampaignsOfAnotherMerchantAreNotFound: a merchant can neither see
// nor change another merchant's campaign.
func TestCampaignsOfAnotherMerchantAreNotFound(t *testing.T) {
	h := newAdsHarness(t)
	now := h.Clock.Now()
	cp, err := h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Theirs", TotalBudget: 1000, FeeBPS: 100,
		Starts: now, Ends: now.AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := h.Self.Cat.CreateMerchant(t.Context(), "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	m := h.browser()
	m.SignInMerchant(token)
	if body := m.Get("/merchant/campaigns").Body; strings.Contains(body, "Theirs") {
		t.Error("another merchant's campaign is listed")
	}
	base := "/merchant/campaigns/" + url.PathEscape(cp.ID)
	webtest.WantStatus(t, postCampaign(t, m, base+"/pause", url.Values{}), http.StatusNotFound)
	webtest.WantStatus(t, postCampaign(t, m, base+"/end", url.Values{}), http.StatusNotFound)
	if got, _ := h.Self.Cat.Campaign(t.Context(), cp.ID); got.State != catalog.CampaignLive {
		t.Errorf("another merchant changed the campaign: %+v", got)
	}
}

// TestCampaignsWithoutAdsOfferNoForm: under a charter without sponsored
// listings the page says so and has no form.
func TestCampaignsWithoutAdsOfferNoForm(t *testing.T) {
	h := newHarness(t)
	m := h.browser()
	m.SignInMerchant(h.Token)
	r := m.Get("/merchant/campaigns")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `id="ads-off"`) || strings.Contains(r.Body, `class="campaign-form"`) {
		t.Errorf("the page without ads:\n%s", r.Body)
	}
}

// TestBrowserCampaignsFitAPhone loads the campaigns page with a campaign
// that sold, a paused one and a refused form, the end confirmation, and
// the budget page with a total below what the campaign spent refused,
// at 1280x900 and 390x844.
func TestBrowserCampaignsFitAPhone(t *testing.T) {
	h := newAdsHarness(t)
	c := h.serve(t)
	kettle := h.List(webtest.Input("Copper kettle", "Forge", "Home > Kitchen", 5000, 20))
	now := h.Clock.Now()
	cp, err := h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Spring kettles and copperware for the whole kitchen",
		Categories: []string{"Home > Kitchen"}, Keywords: []string{"kettle", "copper"}, DailyBudget: 2000, TotalBudget: 25000, FeeBPS: 750,
		Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	paused, err := h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Pans", Listings: []string{kettle.ID},
		TotalBudget: 5000, FeeBPS: 300, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 0, 14), State: catalog.CampaignPaused})
	if err != nil || paused.State != catalog.CampaignPaused {
		t.Fatal(paused, err)
	}
	b := h.shopper()
	b.Get("/sponsored/click?" + url.Values{"listing": {kettle.ID}, "campaign": {cp.ID}}.Encode())
	webtest.AddToCart(b, kettle.ID, kettle.Variants[0].SKU, 2)
	webtest.OrderLocation(t, webtest.Checkout(b, nil))
	deadline := time.Now().Add(10 * time.Second)
	for sp, _ := h.Self.Orders.CampaignSpend(t.Context(), cp.ID); sp.Sales != 1; sp, _ = h.Self.Orders.CampaignSpend(t.Context(), cp.ID) {
		if time.Now().After(deadline) {
			t.Fatal("the sponsored sale was not charged")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.signIn(h.Token)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		c.run("viewport-"+size.name, chromedp.EmulateViewport(size.w, size.h))
		c.run(size.name+"-campaigns", chromedp.Navigate(c.base+"/merchant/campaigns"), chromedp.WaitVisible(chromedp.CSS(`table.campaigns-table`)))
		c.fits(size.name + " campaigns")
		c.run(size.name+"-campaign-refused", chromedp.SetValue(chromedp.CSS(`#f-fee`), "25"), chromedp.Click(chromedp.CSS(`#create-campaign`)),
			chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
		c.fits(size.name + " refused campaign form")
		c.run(size.name+"-campaign-budget", chromedp.Navigate(c.base+"/merchant/campaigns/"+url.PathEscape(cp.ID)+"/budget"), chromedp.WaitVisible(chromedp.CSS(`#save-budget`)))
		c.fits(size.name + " campaign budget")
		c.run(size.name+"-campaign-budget-refused", chromedp.SetValue(chromedp.CSS(`#f-total_budget`), "1"), chromedp.Click(chromedp.CSS(`#save-budget`)),
			chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
		c.fits(size.name + " refused campaign budget")
		c.run(size.name+"-campaign-end", chromedp.Navigate(c.base+"/merchant/campaigns/"+url.PathEscape(cp.ID)+"/end"), chromedp.WaitVisible(chromedp.CSS(`#end-campaign`)))
		c.fits(size.name + " end campaign")
	}
	if got := eval[string](c, `document.title`); !strings.Contains(got, "End the campaign") {
		t.Errorf("the end page's title: %q", got)
	}
}
