package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/settlement"
)

// periodRow is one settlement period as the settlement pages and the
// "settlement" event show it: every field is text, ready to show.
type periodRow struct {
	Period     string `json:"period"`
	URL        string `json:"url"`
	Start      string `json:"start"`     // "2026-03-01 00:00 UTC"
	End        string `json:"end"`       // the first instant after it
	StartISO   string `json:"start_iso"` // RFC 3339
	EndISO     string `json:"end_iso"`
	Status     string `json:"status"`      // open, reconciling, agreed, disputed
	StatusText string `json:"status_text"` // "Open", "Reconciling", ...
}

// settlementStatuses names a period's or a statement's status.
var settlementStatuses = map[string]string{
	string(settlement.StatusOpen):        "Open",
	string(settlement.StatusReconciling): "Reconciling",
	string(settlement.StatusAgreed):      "Agreed",
	string(settlement.StatusDisputed):    "Disputed",
}

// settlementStatusText names a status; an unknown one is shown as it is.
func settlementStatusText(status string) string {
	if t, ok := settlementStatuses[status]; ok {
		return t
	}
	return status
}

// periodRowOf formats one period.
func periodRowOf(ps settlement.PeriodStatus) periodRow {
	const layout = "2006-01-02 15:04 UTC"
	return periodRow{Period: ps.Period, URL: periodURL(ps.Period),
		Start: ps.Start.UTC().Format(layout), End: ps.End.UTC().Format(layout),
		StartISO: ps.Start.UTC().Format(time.RFC3339), EndISO: ps.End.UTC().Format(time.RFC3339),
		Status: ps.Status, StatusText: settlementStatusText(ps.Status)}
}

// periodURL is the page of one period.
func periodURL(period string) string { return "/operator/settlement/" + url.PathEscape(period) }

// newestFirst sorts periods by start, the latest first.
func newestFirst(list []settlement.PeriodStatus) []settlement.PeriodStatus {
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b settlement.PeriodStatus) int {
		return cmp.Or(b.Start.Compare(a.Start), cmp.Compare(b.Period, a.Period))
	})
	return list
}

// operatorSettlement lists the settlement periods, newest first, a page
// at a time, all or only those not settled: GET /operator/settlement,
// with ?show=unsettled and ?before=<period> (settlementQuery).
func (wb *Web) operatorSettlement(w http.ResponseWriter, r *http.Request, sess *session) {
	list, err := wb.deps.Settlement.Periods(r.Context())
	noCharter := errors.Is(err, federation.ErrNoCharter)
	if err != nil && !noCharter {
		wb.fail(w, r, err)
		return
	}
	v := settlementIndexOf(list, settlementQueryOf(r.URL.Query()))
	v.NoCharter, v.Interval = noCharter, int(wb.opts.EventInterval.Seconds())
	p := wb.dashboardPage(sess, "Settlement", "/operator/settlement", v)
	p.Styles, p.Scripts = []string{"dashboard.css"}, []string{"operator.js"}
	wb.render(w, r, http.StatusOK, "operator_settlement", p)
}

// operatorPeriod shows one period: this node's statement with each
// counterparty, and the netting of the whole federation once it is
// known: GET /operator/settlement/{period}.
func (wb *Web) operatorPeriod(w http.ResponseWriter, r *http.Request, sess *session) {
	name := r.PathValue("period")
	list, err := wb.deps.Settlement.Periods(r.Context())
	if errors.Is(err, federation.ErrNoCharter) {
		wb.notFound(w, r)
		return
	}
	if err != nil {
		wb.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(list, func(ps settlement.PeriodStatus) bool { return ps.Period == name })
	if i < 0 {
		wb.notFound(w, r)
		return
	}
	v, err := wb.periodViewOf(r.Context(), list[i])
	if errors.Is(err, settlement.ErrNotFound) || errors.Is(err, settlement.ErrInvalid) {
		wb.notFound(w, r)
		return
	}
	if err != nil {
		wb.fail(w, r, err)
		return
	}
	p := wb.dashboardPage(sess, "Settlement period "+v.Start, "/operator/settlement", v)
	p.Styles, p.Scripts = []string{"dashboard.css"}, []string{"operator.js"}
	wb.render(w, r, http.StatusOK, "operator_period", p)
}
