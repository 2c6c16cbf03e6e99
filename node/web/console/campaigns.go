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
	"created": "console.campaigns.notice_created",
	"paused":  "console.campaigns.notice_paused",
	"resumed": "console.campaigns.notice_resumed",
	"budget":  "console.campaigns.notice_budget",
	"ended":   "console.campaigns.notice_ended",
}

// campaignLabels name the form's inputs in messages, by the catalog's
// field names: the messages' ids.
var campaignLabels = map[string]string{
	"name": "console.campaigns.name", "fee_bps": "console.campaigns.fee", "total_budget": "console.campaigns.total_budget",
	"daily_budget": "console.campaigns.daily_budget", "listings": "console.campaigns.listings",
	"categories": "console.campaigns.categories", "keywords": "console.campaigns.keywords",
	"starts": "console.campaigns.starts", "ends": "console.campaigns.ends",
}

// campaignInputs are the form's inputs by the catalog's field names,
// where they differ.
var campaignInputs = map[string]string{"fee_bps": "fee"}

// campaignStates name a campaign's state on the page: the messages' ids.
var campaignStates = map[string]string{
	catalog.CampaignLive: "console.campaigns.state_live", catalog.CampaignPaused: "console.campaigns.state_paused",
	catalog.CampaignExhausted: "console.campaigns.state_exhausted",
}

// campaignStateIn names a campaign's state in l's language.
func campaignStateIn(l words, state string) string {
	if id, ok := campaignStates[state]; ok {
		return l.T(id)
	}
	return state
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
	return append(items, web.NavItem{Label: "Campaigns", MsgID: "console.nav.campaigns", Href: "/merchant/campaigns", Current: current == "/merchant/campaigns"})
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
		row := c.campaignRowOf(r, cp, sp, now, v.Currency)
		if row.Live {
			v.Rows = append(v.Rows, row)
		} else {
			rest = append(rest, row)
		}
	}
	v.Rows = append(v.Rows, rest...)
	p := c.consolePage(mv, c.site.T(r, "console.nav.campaigns"), "/merchant/campaigns", v)
	p.Notice = c.notice(r, campaignNotices)
	c.pages.Render(w, r, status, "merchant_campaigns", p)
}

// campaignRowOf is one campaign as the list shows it at now, in r's
// language.
func (c *Console) campaignRowOf(r *http.Request, cp catalog.Campaign, sp order.AdSpend, now time.Time, cur string) campaignRow {
	l := c.site.Locale(r)
	money := func(v int64) string { return c.site.Money(r, v, cur) }
	row := campaignRow{ID: cp.ID, Name: cp.Name, State: cp.State, StateText: campaignStateIn(l, cp.State), Fee: web.FormatBPS(cp.FeeBPS),
		Scope: campaignScope(l, cp), Keywords: strings.Join(cp.Keywords, l.T("console.common.list_sep")), Budget: money(cp.TotalBudget), Daily: l.T("console.campaigns.no_daily_cap"),
		Spent: money(sp.Spent), SpentToday: money(0), Left: money(max(cp.TotalBudget-sp.Spent, 0)), Sales: sp.Sales, CostPerSale: "–",
		Live: cp.Active(now)}
	row.When = l.T("console.campaigns.from_to", "From", c.dayOrTime(r, cp.Starts), "To", c.dayOrTime(r, cp.Ends))
	if cp.DailyBudget > 0 {
		row.Daily = l.T("console.campaigns.a_day", "Amount", money(cp.DailyBudget))
	}
	if sp.Day == now.UTC().Format(time.DateOnly) { // the home counts days in UTC
		row.SpentToday = money(sp.DaySpent)
	}
	if sp.Sales > 0 {
		row.CostPerSale = money(sp.Spent / sp.Sales)
	}
	if cp.State == catalog.CampaignLive && !row.Live {
		row.StateText = l.T("console.campaigns.state_not_running")
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
// the form sets them), else as a time in r's language.
func (c *Console) dayOrTime(r *http.Request, t time.Time) string {
	lt := c.site.Zone()
	if in := t.In(lt); in.Hour() == 0 && in.Minute() == 0 && in.Second() == 0 {
		return in.Format(time.DateOnly)
	}
	return web.FormatTimeIn(c.site.Locale(r).Tag, t, lt)
}

// campaignScope says what a campaign sponsors in l's language.
func campaignScope(l words, cp catalog.Campaign) string {
	var parts []string
	if n := len(cp.Listings); n > 0 {
		parts = append(parts, l.T("console.campaigns.n_listings", "Count", n))
	}
	if len(cp.Categories) > 0 {
		parts = append(parts, strings.Join(cp.Categories, l.T("console.common.list_sep")))
	}
	if parts == nil {
		return l.T("console.campaigns.whole_shop")
	}
	return strings.Join(parts, l.T("console.common.semicolon"))
}

// createCampaign signs a new campaign from the form:
// POST /merchant/campaigns.
func (c *Console) createCampaign(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm()
	in := readCampaignForm(c.site.Locale(r), r.PostForm, f, c.site.Currency(), c.site.Zone())
	if feeCap := c.deps.Campaigns.AdFeeCap(); feeCap > 0 && in.FeeBPS > feeCap && f.Field("fee").Errors == nil {
		f.Add("fee", c.site.T(r, "console.campaigns.fee_cap", "Cap", web.FormatBPS(feeCap), "Fee", web.FormatBPS(in.FeeBPS)))
	}
	if f.OK() {
		_, err := c.deps.Campaigns.PutCampaign(r.Context(), mv.merchant.ID, "", in)
		if !c.addCampaignErrors(r, f, err) && err != nil {
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
func readCampaignForm(l words, pf url.Values, f *web.Form, cur string, zone *time.Location) catalog.CampaignInput {
	get := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	in := catalog.CampaignInput{Name: get("name")}
	var err error
	if in.FeeBPS, err = parsePercent(get("fee")); err != nil {
		f.Add("fee", l.T("console.campaigns.fee_percent"))
	}
	if in.TotalBudget, err = web.ParseAmount(get("total_budget"), cur); err != nil {
		f.Add("total_budget", l.T("console.problem.field", "Label", l.T("console.campaigns.total_budget"), "Problem", problemIn(l, err.Error())))
	}
	if s := get("daily_budget"); s != "" {
		if in.DailyBudget, err = web.ParseAmount(s, cur); err != nil {
			f.Add("daily_budget", l.T("console.problem.field", "Label", l.T("console.campaigns.daily_budget"), "Problem", problemIn(l, err.Error())))
		}
	}
	in.Categories = commaList(get("categories"))
	in.Keywords = commaList(get("keywords"))
	in.Listings = strings.Fields(strings.ReplaceAll(get("listings"), ",", " "))
	in.Starts, in.Ends = dayIn(l, f, get("starts"), "starts", "console.campaigns.starts", zone), dayIn(l, f, get("ends"), "ends", "console.campaigns.ends", zone)
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

// dayIn reads a day of the form, or adds its problem in l's language;
// label is the message that names the input.
func dayIn(l words, f *web.Form, s, input, label string, zone *time.Location) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, zone)
	if err != nil {
		f.Add(input, l.T("console.campaigns.bad_day", "Label", l.T(label)))
	}
	return t
}

// addCampaignErrors puts the problems of a *catalog.ValidationError next
// to the campaign form's inputs, in r's language; it reports false for
// any other error.
func (c *Console) addCampaignErrors(r *http.Request, f *web.Form, err error) bool {
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
			input, label = "", "console.campaigns.the_campaign"
		}
		f.Add(input, c.fieldProblem(r, c.site.T(r, label), fe.Message))
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
			l := c.site.Locale(r)
			c.site.Status(w, r, http.StatusConflict, l.T("console.campaigns.not_changed"),
				l.T("console.campaigns.not_changed_why", "Name", cp.Name, "State", strings.ToLower(campaignStateIn(l, cp.State))))
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
	c.pages.Render(w, r, http.StatusOK, "merchant_campaign_end", c.consolePage(mv, c.site.T(r, "console.campaigns.end_title", "Name", cp.Name), "/merchant/campaigns", v))
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
