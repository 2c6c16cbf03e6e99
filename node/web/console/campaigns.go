package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant's sponsored-listings campaigns are published records like
// its offers: signed by this node, shown by every storefront in its
// sponsored slots, and charged by this node alone, per attributed sale,
// at the fee the merchant set (never above the charter's cap). The page
// lists them with what each spent (the order service's count), creates
// one from a form, pauses and resumes one, changes its budget
// (campaign_budget.go), and ends one (a signed tombstone, after a
// confirmation). An exhausted campaign stays so until its merchant
// raises its budget, ends it, or creates another.

// Campaigns are a merchant's campaigns; *catalog.Catalog satisfies it.
// Bad input is a *catalog.ValidationError naming the field; another
// merchant's campaign is catalog.ErrNotFound.
type Campaigns interface {
	Campaigns(ctx context.Context, platform, merchant string) ([]catalog.Campaign, error)
	PutCampaign(ctx context.Context, merchantID, id string, in catalog.CampaignInput) (catalog.Campaign, error)
	SetCampaignState(ctx context.Context, merchantID, id, state string) (catalog.Campaign, error)
	EndCampaign(ctx context.Context, merchantID, id string) error
	// AdFeeCap is the charter's cap on a campaign's fee in basis points
	// (0: the charter runs no sponsored listings).
	AdFeeCap() int64
}

// AdSpend is what this home charged each campaign; *order.Service
// satisfies it.
type AdSpend interface {
	CampaignSpend(ctx context.Context, id string) (order.AdSpend, error)
}

// campaignsView is what the campaigns page shows.
type campaignsView struct {
	Rows     []campaignRow
	Form     *web.Form
	Currency string
	// Cap is the charter's cap on the fee ("5.00%"), "" when the
	// charter runs no sponsored listings (and the page has no form).
	Cap string
}

// campaignRow is one campaign in the list.
type campaignRow struct {
	ID, Name, State, StateText, Fee, Scope, Keywords, When string
	Budget, Daily, Spent, SpentToday, Left, CostPerSale    string
	Sales                                                  int64
	Live                                                   bool
	PauseURL, ResumeURL, EndURL, BudgetURL                 string
}

// campaignNotices confirm an action, by "done".
var campaignNotices = map[string]string{
	"created": "Campaign created. It is signed and replicating to the federation; storefronts show it in their sponsored slots from its start.",
	"paused":  "Campaign paused. Storefronts stop showing it as they receive the change; your node charges it no more at once.",
	"resumed": "Campaign resumed. Storefronts show it again as they receive the change.",
	"budget":  budgetNotice,
	"ended":   "Campaign ended. Storefronts stop showing it as they receive its end; your node charges it no more at once.",
}

// campaignLabels name the form's inputs in messages, by the catalog's
// field names.
var campaignLabels = map[string]string{
	"name": "Name", "fee_bps": "Fee per sale", "total_budget": "Total budget", "daily_budget": "Daily budget",
	"listings": "Listings", "categories": "Categories", "keywords": "Keywords", "starts": "Starts", "ends": "Ends",
}

// campaignInputs are the form's inputs by the catalog's field names,
// where they differ.
var campaignInputs = map[string]string{"fee_bps": "fee"}

// campaignStates name a campaign's state on the page.
var campaignStates = map[string]string{
	catalog.CampaignLive: "Live", catalog.CampaignPaused: "Paused", catalog.CampaignExhausted: "Budget spent",
}

// campaigns says whether the console has the campaigns page.
func (c *Console) campaigns() bool { return c.deps.Campaigns != nil && c.deps.AdSpend != nil }

// mountCampaigns adds the campaigns page's routes.
func (c *Console) mountCampaigns(mux *http.ServeMux) {
	if !c.campaigns() {
		return
	}
	mux.HandleFunc("GET /merchant/campaigns", c.asMerchant(c.campaignsPage))
	mux.HandleFunc("POST /merchant/campaigns", c.asMerchant(c.createCampaign))
	mux.HandleFunc("POST /merchant/campaigns/{id}/pause", c.asMerchant(c.campaignState(catalog.CampaignLive, catalog.CampaignPaused, "paused")))
	mux.HandleFunc("POST /merchant/campaigns/{id}/resume", c.asMerchant(c.campaignState(catalog.CampaignPaused, catalog.CampaignLive, "resumed")))
	mux.HandleFunc("GET /merchant/campaigns/{id}/end", c.asMerchant(c.endCampaignForm))
	mux.HandleFunc("POST /merchant/campaigns/{id}/end", c.asMerchant(c.endCampaign))
	c.mountCampaignBudget(mux)
}

// withCampaigns adds the campaigns page to the console's navigation.
func (c *Console) withCampaigns(items []web.NavItem, current string) []web.NavItem {
	if !c.campaigns() {
		return items
	}
	return append(items, web.NavItem{Label: "Campaigns", Href: "/merchant/campaigns", Current: current == "/merchant/campaigns"})
}

// campaignsPage lists the merchant's campaigns with the form for a new
// one: GET /merchant/campaigns.
func (c *Console) campaignsPage(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm()
	today := c.site.Now().In(c.site.Zone())
	f.Set("starts", today.Format(time.DateOnly))
	f.Set("ends", today.AddDate(0, 1, 0).Format(time.DateOnly))
	c.renderCampaigns(w, r, mv, http.StatusOK, f)
}

func (c *Console) renderCampaigns(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, f *web.Form) {
	ctx := r.Context()
	all, err := c.deps.Campaigns.Campaigns(ctx, c.deps.Merchants.Platform(), mv.merchant.ID)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := campaignsView{Form: f, Currency: c.site.Currency()}
	if feeCap := c.deps.Campaigns.AdFeeCap(); feeCap > 0 {
		v.Cap = web.FormatBPS(feeCap)
	}
	now := c.site.Now()
	var rest []campaignRow
	for _, cp := range all {
		sp, err := c.deps.AdSpend.CampaignSpend(ctx, cp.ID)
		if err != nil {
			c.site.Fail(w, r, err)
			return
		}
		row := c.campaignRowOf(cp, sp, now, v.Currency)
		if row.Live {
			v.Rows = append(v.Rows, row)
		} else {
			rest = append(rest, row)
		}
	}
	v.Rows = append(v.Rows, rest...)
	p := c.consolePage(mv, "Campaigns", "/merchant/campaigns", v)
	p.Notice = web.NoticeIn(r, campaignNotices)
	c.pages.Render(w, r, status, "merchant_campaigns", p)
}

// campaignRowOf is one campaign as the list shows it at now.
func (c *Console) campaignRowOf(cp catalog.Campaign, sp order.AdSpend, now time.Time, cur string) campaignRow {
	money := func(v int64) string { return web.FormatMoney(v, cur) }
	row := campaignRow{ID: cp.ID, Name: cp.Name, State: cp.State, StateText: campaignStates[cp.State], Fee: web.FormatBPS(cp.FeeBPS),
		Scope: campaignScope(cp), Keywords: strings.Join(cp.Keywords, ", "), Budget: money(cp.TotalBudget), Daily: "no daily cap",
		Spent: money(sp.Spent), SpentToday: money(0), Left: money(max(cp.TotalBudget-sp.Spent, 0)), Sales: sp.Sales, CostPerSale: "–",
		Live: cp.Active(now)}
	row.When = c.dayOrTime(cp.Starts) + " to " + c.dayOrTime(cp.Ends)
	if cp.DailyBudget > 0 {
		row.Daily = money(cp.DailyBudget) + " a day"
	}
	if sp.Day == now.UTC().Format(time.DateOnly) { // the home counts days in UTC
		row.SpentToday = money(sp.DaySpent)
	}
	if sp.Sales > 0 {
		row.CostPerSale = money(sp.Spent / sp.Sales)
	}
	if cp.State == catalog.CampaignLive && !row.Live {
		row.StateText = "Not running now"
	}
	base := "/merchant/campaigns/" + url.PathEscape(cp.ID)
	switch cp.State {
	case catalog.CampaignLive:
		row.PauseURL = base + "/pause"
	case catalog.CampaignPaused:
		row.ResumeURL = base + "/resume"
	}
	row.EndURL, row.BudgetURL = base+"/end", base+"/budget"
	return row
}

// dayOrTime writes t as a day when it starts one in the pages' zone (as
// the form sets them), else as a time.
func (c *Console) dayOrTime(t time.Time) string {
	lt := c.site.Zone()
	if in := t.In(lt); in.Hour() == 0 && in.Minute() == 0 && in.Second() == 0 {
		return in.Format(time.DateOnly)
	}
	return web.FormatTime(t, lt)
}

// campaignScope says what a campaign sponsors.
func campaignScope(cp catalog.Campaign) string {
	return offerScope(catalog.Offer{Listings: cp.Listings, Categories: cp.Categories})
}

// createCampaign signs a new campaign from the form:
// POST /merchant/campaigns.
func (c *Console) createCampaign(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm()
	in := readCampaignForm(r.PostForm, f, c.site.Currency(), c.site.Zone())
	if feeCap := c.deps.Campaigns.AdFeeCap(); feeCap > 0 && in.FeeBPS > feeCap && f.Field("fee").Errors == nil {
		f.Add("fee", fmt.Sprintf("Fee per sale must be at most the charter's cap of %s, not %s.", web.FormatBPS(feeCap), web.FormatBPS(in.FeeBPS)))
	}
	if f.OK() {
		_, err := c.deps.Campaigns.PutCampaign(r.Context(), mv.merchant.ID, "", in)
		if !addCampaignErrors(f, err) && err != nil {
			c.site.Fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		c.renderCampaigns(w, r, mv, http.StatusUnprocessableEntity, f)
		return
	}
	web.SeeOther(w, r, "/merchant/campaigns?done=created")
}

// readCampaignForm reads the campaign form into an input, and the form
// with what was typed and what cannot be read.
func readCampaignForm(pf url.Values, f *web.Form, cur string, zone *time.Location) catalog.CampaignInput {
	get := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	in := catalog.CampaignInput{Name: get("name")}
	var err error
	if in.FeeBPS, err = parsePercent(get("fee")); err != nil {
		f.Add("fee", "Fee per sale must be a percentage such as 5 or 2.5.")
	}
	if in.TotalBudget, err = web.ParseAmount(get("total_budget"), cur); err != nil {
		f.Add("total_budget", "Total budget "+err.Error()+".")
	}
	if s := get("daily_budget"); s != "" {
		if in.DailyBudget, err = web.ParseAmount(s, cur); err != nil {
			f.Add("daily_budget", "Daily budget "+err.Error()+".")
		}
	}
	in.Categories = commaList(get("categories"))
	in.Keywords = commaList(get("keywords"))
	in.Listings = strings.Fields(strings.ReplaceAll(get("listings"), ",", " "))
	in.Starts, in.Ends = day(f, get("starts"), "starts", "Starts", zone), day(f, get("ends"), "ends", "Ends", zone)
	return in
}

// commaList splits s at commas, without blanks.
func commaList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// addCampaignErrors puts the problems of a *catalog.ValidationError next
// to the campaign form's inputs; it reports false for any other error.
func addCampaignErrors(f *web.Form, err error) bool {
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Errors {
		field, _, _ := strings.Cut(fe.Field, "[")
		label, ok := campaignLabels[field]
		input := field
		if in, renamed := campaignInputs[field]; renamed {
			input = in
		}
		if !ok {
			input, label = "", "The campaign:"
		}
		f.Add(input, fmt.Sprintf("%s %s.", label, fe.Message))
	}
	return true
}

// campaignState moves one of the merchant's campaigns from state from
// to state to, or answers 409 when it is not in from (an exhausted
// campaign is never resumed here): POST /merchant/campaigns/{id}/pause
// and /resume.
func (c *Console) campaignState(from, to, done string) func(http.ResponseWriter, *http.Request, merchantVisit) {
	return func(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
		cp, err := c.ownCampaign(r.Context(), mv, r.PathValue("id"))
		if err != nil {
			c.site.Fail(w, r, err)
			return
		}
		if cp.State != from {
			c.site.Status(w, r, http.StatusConflict, "Not changed",
				fmt.Sprintf("The campaign %q is %s now; nothing was changed. Go back to your campaigns and reload them.", cp.Name, strings.ToLower(campaignStates[cp.State])))
			return
		}
		if _, err := c.deps.Campaigns.SetCampaignState(r.Context(), mv.merchant.ID, cp.ID, to); err != nil {
			c.site.Fail(w, r, err)
			return
		}
		web.SeeOther(w, r, "/merchant/campaigns?done="+done)
	}
}

// endCampaignForm asks to confirm the end of a campaign:
// GET /merchant/campaigns/{id}/end.
func (c *Console) endCampaignForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	cp, err := c.ownCampaign(r.Context(), mv, r.PathValue("id"))
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := struct{ Name, Action string }{cp.Name, "/merchant/campaigns/" + url.PathEscape(cp.ID) + "/end"}
	c.pages.Render(w, r, http.StatusOK, "merchant_campaign_end", c.consolePage(mv, "End the campaign "+cp.Name, "/merchant/campaigns", v))
}

// endCampaign signs the campaign's end: POST /merchant/campaigns/{id}/end.
func (c *Console) endCampaign(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	if err := c.deps.Campaigns.EndCampaign(r.Context(), mv.merchant.ID, r.PathValue("id")); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/merchant/campaigns?done=ended")
}

// ownCampaign is one of the merchant's campaigns that is not ended.
func (c *Console) ownCampaign(ctx context.Context, mv merchantVisit, id string) (catalog.Campaign, error) {
	all, err := c.deps.Campaigns.Campaigns(ctx, c.deps.Merchants.Platform(), mv.merchant.ID)
	if err != nil {
		return catalog.Campaign{}, err
	}
	for _, cp := range all {
		if cp.ID == id {
			return cp, nil
		}
	}
	return catalog.Campaign{}, fmt.Errorf("%w: campaign %s", catalog.ErrNotFound, id)
}
