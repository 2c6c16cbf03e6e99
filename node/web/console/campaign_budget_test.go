package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestCampaignsBudgetIsEditedAndPublished: the budget page shows the
// campaign's fee and budgets; saving signs a new version with the new
// ones and the rest as it was; a fee above the charter's cap and an
// unreadable budget are named next to their inputs, nothing signed; an
// exhausted campaign given more budget runs again.
func TestCampaignsBudgetIsEditedAndPublished(t *testing.T) {
	h := newAdsHarness(t)
	m := h.browser()
	m.SignInMerchant(h.Token)
	now := h.Clock.Now()
	cp, err := h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Kettles", Keywords: []string{"kettle"},
		TotalBudget: 10000, FeeBPS: 250, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	if row := campaignRowOf(m.Get("/merchant/campaigns").Body, cp.ID); !strings.Contains(row, `href="/merchant/campaigns/`+url.PathEscape(cp.ID)+`/budget"`) {
		t.Fatalf("the campaign's row links no budget page:\n%s", row)
	}
	path := "/merchant/campaigns/" + url.PathEscape(cp.ID) + "/budget"
	r := m.Get(path)
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{`name="fee" value="2.5"`, `name="total_budget" value="100.00"`, `name="daily_budget" value=""`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	post := func(form url.Values) webtest.Response {
		t.Helper()
		form.Set("csrf", webtest.CSRF(t, m.Get(path)))
		return m.Post(path, form)
	}
	r = post(url.Values{"fee": {"12"}, "total_budget": {"abc"}, "daily_budget": {"5"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "fee", "Fee per sale must be at most the charter&#39;s cap of 10.00%, not 12.00%.")
	if got, _ := h.Self.Cat.Campaign(t.Context(), cp.ID); got.Version != cp.Version {
		t.Fatalf("a refused form signed version %d", got.Version)
	}
	webtest.WantRedirect(t, post(url.Values{"fee": {"4"}, "total_budget": {"250"}, "daily_budget": {"20"}}), "/merchant/campaigns?done=budget")
	got, err := h.Self.Cat.Campaign(t.Context(), cp.ID)
	if err != nil || got.Version != cp.Version+1 || got.FeeBPS != 400 || got.TotalBudget != 25000 || got.DailyBudget != 2000 ||
		got.Name != "Kettles" || got.Keywords[0] != "kettle" || got.State != catalog.CampaignLive || !got.Ends.Equal(cp.Ends) {
		t.Fatalf("after the save: %+v %v", got, err)
	}
	if _, err := h.Self.Cat.SetCampaignState(t.Context(), h.Merchant.ID, cp.ID, catalog.CampaignExhausted); err != nil {
		t.Fatal(err)
	}
	webtest.WantRedirect(t, post(url.Values{"fee": {"4"}, "total_budget": {"300"}}), "/merchant/campaigns?done=budget")
	if got, _ := h.Self.Cat.Campaign(t.Context(), cp.ID); got.State != catalog.CampaignLive || got.DailyBudget != 0 {
		t.Errorf("an exhausted campaign given more budget: %s, daily %d", got.State, got.DailyBudget)
	}
}
