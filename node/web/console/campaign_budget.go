package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// A campaign's budget page changes what the merchant pays: the fee per
// sale, the total budget and the daily cap. Saving signs a new version
// of the campaign, which storefronts receive as any other; this node
// charges by it at once. An exhausted campaign whose new total budget is
// more than it spent runs again (live); a total budget below what it
// spent is refused, naming the input. What refunds gave back is spent
// no more, so it counts towards what is left.

// budgetView is what the budget page shows.
type budgetView struct {
	Name, Action, Spent, Currency, Cap, State string
	Form                                      *web.Form
}

// mountCampaignBudget adds the budget page's routes.
func (c *Console) mountCampaignBudget(mux *http.ServeMux) {
	if !c.campaigns() {
		return
	}
	mux.HandleFunc("GET /merchant/campaigns/{id}/budget", c.asMerchant(c.budgetForm))
	mux.HandleFunc("POST /merchant/campaigns/{id}/budget", c.asMerchant(c.saveBudget))
}

// budgetForm shows a campaign's budget: GET /merchant/campaigns/{id}/budget.
func (c *Console) budgetForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	cp, err := c.ownCampaign(r.Context(), mv, r.PathValue("id"))
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	cur := c.site.Currency()
	f := web.NewForm()
	f.Set("fee", percentInput(cp.FeeBPS))
	f.Set("total_budget", web.FormatAmount(cp.TotalBudget, cur))
	if cp.DailyBudget > 0 {
		f.Set("daily_budget", web.FormatAmount(cp.DailyBudget, cur))
	}
	c.renderBudget(w, r, mv, cp, http.StatusOK, f)
}

func (c *Console) renderBudget(w http.ResponseWriter, r *http.Request, mv merchantVisit, cp catalog.Campaign, status int, f *web.Form) {
	sp, err := c.deps.AdSpend.CampaignSpend(r.Context(), cp.ID)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	cur := c.site.Currency()
	v := budgetView{Name: cp.Name, Action: "/merchant/campaigns/" + url.PathEscape(cp.ID) + "/budget", Spent: c.site.Money(r, sp.Spent, cur),
		Currency: cur, State: campaignStateIn(c.site.Locale(r), cp.State), Form: f}
	if feeCap := c.deps.Campaigns.AdFeeCap(); feeCap > 0 {
		v.Cap = web.FormatBPS(feeCap)
	}
	c.pages.Render(w, r, status, "merchant_campaign_budget", c.consolePage(mv, c.site.T(r, "console.campaigns.budget_title", "Name", cp.Name), "/merchant/campaigns", v))
}

// saveBudget signs the campaign with the budget of the form:
// POST /merchant/campaigns/{id}/budget.
func (c *Console) saveBudget(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	ctx := r.Context()
	cp, err := c.ownCampaign(ctx, mv, r.PathValue("id"))
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	sp, err := c.deps.AdSpend.CampaignSpend(ctx, cp.ID)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	f := web.NewForm()
	l := c.site.Locale(r)
	in := readBudgetForm(l, r.PostForm, f, c.site.Currency(), campaignInput(cp))
	if feeCap := c.deps.Campaigns.AdFeeCap(); feeCap > 0 && in.FeeBPS > feeCap && f.Field("fee").Errors == nil {
		f.Add("fee", l.T("console.campaigns.fee_cap", "Cap", web.FormatBPS(feeCap), "Fee", web.FormatBPS(in.FeeBPS)))
	}
	if f.Field("total_budget").Errors == nil && in.TotalBudget < sp.Spent {
		f.Add("total_budget", l.T("console.budget.below_spent", "Amount", c.site.Money(r, sp.Spent, c.site.Currency())))
	}
	if cp.State == catalog.CampaignExhausted && in.TotalBudget > sp.Spent {
		in.State = catalog.CampaignLive
	}
	if f.OK() {
		_, err := c.deps.Campaigns.PutCampaign(ctx, mv.merchant.ID, cp.ID, in)
		if !c.addCampaignErrors(r, f, err) && err != nil {
			c.site.Fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		c.renderBudget(w, r, mv, cp, http.StatusUnprocessableEntity, f)
		return
	}
	web.SeeOther(w, r, "/merchant/campaigns?done=budget")
}

// readBudgetForm reads the budget form over in, the campaign as it is,
// and the form with what was typed and what cannot be read.
func readBudgetForm(l words, pf url.Values, f *web.Form, cur string, in catalog.CampaignInput) catalog.CampaignInput {
	get := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	var err error
	if in.FeeBPS, err = parsePercent(get("fee")); err != nil {
		f.Add("fee", l.T("console.campaigns.fee_percent"))
	}
	if in.TotalBudget, err = web.ParseAmount(get("total_budget"), cur); err != nil {
		f.Add("total_budget", l.T("console.problem.field", "Label", l.T("console.campaigns.total_budget"), "Problem", problemIn(l, err.Error())))
	}
	in.DailyBudget = 0
	if s := get("daily_budget"); s != "" {
		if in.DailyBudget, err = web.ParseAmount(s, cur); err != nil {
			f.Add("daily_budget", l.T("console.problem.field", "Label", l.T("console.campaigns.daily_budget"), "Problem", problemIn(l, err.Error())))
		}
	}
	return in
}

// campaignInput is what a merchant would send to sign cp again as it is.
func campaignInput(cp catalog.Campaign) catalog.CampaignInput {
	return catalog.CampaignInput{Name: cp.Name, Listings: cp.Listings, Categories: cp.Categories, Keywords: cp.Keywords,
		DailyBudget: cp.DailyBudget, TotalBudget: cp.TotalBudget, FeeBPS: cp.FeeBPS, Starts: cp.Starts, Ends: cp.Ends}
}

// percentInput writes basis points as the form's percentage: 500 is
// "5", 250 is "2.5", 1234 is "12.34".
func percentInput(bps int64) string {
	s := strconv.FormatInt(bps/100, 10)
	switch {
	case bps%100 == 0:
		return s
	case bps%10 == 0:
		return fmt.Sprintf("%s.%d", s, bps%100/10)
	}
	return fmt.Sprintf("%s.%02d", s, bps%100)
}
