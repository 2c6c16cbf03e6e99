package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
)

// Sponsored listings on this storefront: the operator's slot settings
// (web.SponsoredSettings: slots on or off, categories kept free of
// them), which the storefront reads before it fills a slot, and the ad
// revenue this member earned per settlement period. The revenue is read
// from the period's statements, the entries both sides derive from the
// homes' signed statuses: the fees' shares paid to this member (as the
// storefront that showed the slot, or as the federation's treasury),
// less the shares refunds took back. Clicks and views are never revenue:
// the page counts them per campaign (sponsored_stats.go) for the
// operator alone.

// sponsoredPeriods is how many periods, newest first, the revenue
// table shows.
const sponsoredPeriods = 12

// sponsoredView is what the sponsored page shows.
type sponsoredView struct {
	Form *web.Form
	// Ads says the charter runs sponsored listings, with Slots per page,
	// the storefront's Share of each fee and the fee Cap.
	Ads        bool
	Slots      int
	Share, Cap string
	// Revenue is the ad revenue of the latest periods, newest first, and
	// TotalNet its net over them.
	Revenue   []adRevenueRow
	TotalNet  string
	NoCharter bool
	// Campaigns are what each campaign's slots did here over the last
	// StatsDays days (sponsored_stats.go); Stats says the node counts.
	Campaigns []campaignStatsRow
	Stats     bool
	StatsDays int
}

// adRevenueRow is the ad revenue of one period.
type adRevenueRow struct {
	web.PeriodRow
	Sales                 int
	Earned, Reversed, Net string
}

// sponsoredNotices confirm a save, by "done".
var sponsoredNotices = map[string]string{"saved": "Sponsored slot settings saved: the storefront applies them to its next page."}

// mountSponsored adds the sponsored page's routes.
func (d *Dashboard) mountSponsored(mux *http.ServeMux) {
	mux.HandleFunc("GET /operator/sponsored", d.asOperator(d.sponsoredForm))
	mux.HandleFunc("POST /operator/sponsored", d.asOperator(d.saveSponsored))
}

// withSponsored adds the sponsored page to the dashboard's navigation,
// before the mailbox and the settings.
func withSponsored(items []web.NavItem, current string) []web.NavItem {
	at := len(items)
	for i, it := range items {
		if it.Href == "/operator/mail" {
			at = i
		}
	}
	item := web.NavItem{Label: "Sponsored", Href: "/operator/sponsored", Current: current == "/operator/sponsored"}
	return append(items[:at:at], append([]web.NavItem{item}, items[at:]...)...)
}

// sponsoredForm shows the settings and the revenue: GET /operator/sponsored.
func (d *Dashboard) sponsoredForm(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	set, err := d.site.SponsoredSettings()
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	f := web.NewForm()
	if !set.Off {
		f.Set("slots", "on")
	}
	f.Set("excluded", strings.Join(set.Excluded, "\n"))
	d.sponsoredPage(w, r, sess, http.StatusOK, f)
}

func (d *Dashboard) sponsoredPage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, f *web.Form) {
	v := sponsoredView{Form: f}
	sc, err := d.deps.Federation.Charter()
	switch {
	case errors.Is(err, federation.ErrNoCharter):
		v.NoCharter = true
	case err != nil:
		d.site.Fail(w, r, err)
		return
	default:
		a := sc.Charter.Ads
		v.Ads, v.Slots, v.Share, v.Cap = a.Enabled(), a.Slots(), web.FormatBPS(a.StorefrontShareBPS), web.FormatBPS(a.MaxFeeBPS)
		if v.Revenue, v.TotalNet, err = d.adRevenue(r.Context()); err != nil {
			d.site.Fail(w, r, err)
			return
		}
		if v.Campaigns, err = d.campaignStats(r.Context()); err != nil {
			d.site.Fail(w, r, err)
			return
		}
		v.Stats, v.StatsDays = d.deps.AdStats != nil && d.deps.Campaigns != nil, statsDays
	}
	p := d.dashboardPage(sess, "Sponsored listings", "/operator/sponsored", v)
	if status == http.StatusOK {
		p.Notice = web.NoticeIn(r, sponsoredNotices)
	}
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, status, "operator_sponsored", p)
}

// adRevenue is this member's ad revenue in each of the latest periods,
// newest first, and its net over them.
func (d *Dashboard) adRevenue(ctx context.Context) ([]adRevenueRow, string, error) {
	list, err := d.deps.Settlement.Periods(ctx)
	if err != nil {
		return nil, "", err
	}
	list = web.NewestFirst(list)
	if len(list) > sponsoredPeriods {
		list = list[:sponsoredPeriods]
	}
	self, cur := d.deps.Merchants.Platform(), d.site.Currency()
	var rows []adRevenueRow
	var total int64
	for _, ps := range list {
		sts, err := d.deps.Settlement.Statements(ctx, ps.Period)
		if err != nil {
			return nil, "", fmt.Errorf("statements of period %s: %w", ps.Period, err)
		}
		earned, reversed, sales := adShares(sts, self)
		total += earned - reversed
		rows = append(rows, adRevenueRow{PeriodRow: d.site.PeriodRow(ps), Sales: sales, Earned: web.FormatMoney(earned, cur),
			Reversed: web.FormatMoney(reversed, cur), Net: web.FormatMoney(earned-reversed, cur)})
	}
	return rows, web.FormatMoney(total, cur), nil
}

// adShares sums, over a period's statements, the ad fee shares paid to
// self, the shares it gave back, and the fees it was paid a share of.
func adShares(sts []settlement.Statement, self string) (earned, reversed int64, sales int) {
	for _, st := range sts {
		for _, t := range st.Totals {
			switch {
			case t.Kind == settlement.EntryAdFee && t.To == self:
				earned += t.Amount.Amount
				sales += t.Count
			case t.Kind == settlement.EntryAdFeeReversal && t.From == self:
				reversed += t.Amount.Amount
			}
		}
	}
	return earned, reversed, sales
}

// saveSponsored keeps the settings: POST /operator/sponsored.
func (d *Dashboard) saveSponsored(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	on := r.PostForm.Get("slots") == "on"
	if on {
		f.Set("slots", "on")
	}
	text := r.PostForm.Get("excluded")
	f.Set("excluded", text)
	set := web.SponsoredSettings{Off: !on}
	for line := range strings.Lines(text) {
		if line = strings.TrimSpace(line); line != "" {
			set.Excluded = append(set.Excluded, line)
		}
	}
	err := d.site.SetSponsoredSettings(set)
	switch {
	case errors.Is(err, web.ErrSponsored):
		f.Add("excluded", "Excluded categories: "+excludedProblem(set.Excluded))
	case err != nil:
		d.site.Fail(w, r, err)
		return
	}
	if !f.OK() {
		d.sponsoredPage(w, r, sess, http.StatusUnprocessableEntity, f)
		return
	}
	web.SeeOther(w, r, "/operator/sponsored?done=saved")
}

// excludedProblem says what is wrong with the excluded categories, by
// line rather than by the sorted index the site names.
func excludedProblem(excluded []string) string {
	if n := len(slices.Compact(slices.Sorted(slices.Values(excluded)))); n > web.MaxExcludedCategories {
		return fmt.Sprintf("at most %d categories, not %d.", web.MaxExcludedCategories, n)
	}
	return "each line must be one category path, such as Home > Kitchen, of at most 1024 bytes."
}
