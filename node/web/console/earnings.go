package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
)

// earningsPageSize is how many periods one earnings page shows.
const earningsPageSize = 12

// earningsPage is what the earnings template shows.
type earningsPage struct {
	Merchant string
	Rows     []earningsRow
	// OlderURL and NewestURL page through the periods; "" when there is
	// no such page.
	OlderURL, NewestURL string
}

// earningsRow is the merchant's earnings in one period.
type earningsRow struct {
	web.PeriodRow
	Sales, Refunds, Net string
	Entries             int
	Negative            bool // refunds exceed sales
}

// merchantEarnings lists what the merchant earned through other members'
// storefronts in each settlement period, newest first: GET
// /merchant/earnings, with ?before=<period> for older ones.
func (c *Console) merchantEarnings(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	list, err := c.deps.Earnings.Periods(r.Context())
	if err != nil && !errors.Is(err, federation.ErrNoCharter) {
		c.site.Fail(w, r, err)
		return
	}
	list = web.NewestFirst(list)
	v := earningsPage{Merchant: mv.merchant.Name}
	if before := r.URL.Query().Get("before"); before != "" {
		// An unknown period (a stale link) shows the newest page.
		if i := slices.IndexFunc(list, func(ps settlement.PeriodStatus) bool { return ps.Period == before }); i >= 0 {
			list, v.NewestURL = list[i+1:], "/merchant/earnings"
		}
	}
	if len(list) > earningsPageSize {
		list = list[:earningsPageSize]
		v.OlderURL = "/merchant/earnings?before=" + url.QueryEscape(list[len(list)-1].Period)
	}
	currency := c.site.Currency()
	for _, ps := range list {
		e, err := c.deps.Earnings.Earnings(r.Context(), mv.merchant.ID, ps.Period)
		if err != nil {
			c.site.Fail(w, r, err)
			return
		}
		v.Rows = append(v.Rows, c.earningsRowOf(r, ps, e, currency))
	}
	p := c.consolePage(mv, c.site.T(r, "console.earnings.title"), "/merchant/earnings", v)
	p.Styles = append(p.Styles, "dashboard.css")
	c.pages.Render(w, r, http.StatusOK, "merchant_earnings", p)
}

// earningStatuses name a period's status: the messages' ids.
var earningStatuses = map[string]string{
	string(settlement.StatusOpen): "console.earnings.status_open", string(settlement.StatusReconciling): "console.earnings.status_reconciling",
	string(settlement.StatusAgreed): "console.earnings.status_agreed", string(settlement.StatusDisputed): "console.earnings.status_disputed",
}

// earningsRowOf formats one period's earnings in r's language; amounts
// of a period with no entries are shown as zero in the federation's
// currency.
func (c *Console) earningsRowOf(r *http.Request, ps settlement.PeriodStatus, e settlement.Earnings, currency string) earningsRow {
	money := func(m settlement.Money) string {
		if m.Currency == "" {
			return c.site.Money(r, m.Amount, currency)
		}
		return c.site.Money(r, m.Amount, m.Currency)
	}
	l := c.site.Locale(r)
	row := web.PeriodRowOf(ps)
	row.Start, row.End = web.FormatTimeIn(l.Tag, ps.Start, time.UTC), web.FormatTimeIn(l.Tag, ps.End, time.UTC)
	if id, ok := earningStatuses[ps.Status]; ok {
		row.StatusText = l.T(id)
	}
	return earningsRow{PeriodRow: row, Sales: money(e.Sales), Refunds: money(e.Refunds), Net: money(e.Net),
		Entries: e.Entries, Negative: e.Net.Amount < 0}
}
