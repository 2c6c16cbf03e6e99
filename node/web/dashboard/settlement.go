package dashboard

import (
	"errors"
	"net/http"
	"slices"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
)

// operatorSettlement lists the settlement periods, newest first, a page
// at a time, all or only those not settled: GET /operator/settlement,
// with ?show=unsettled and ?before=<period> (settlementQuery).
func (d *Dashboard) operatorSettlement(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	list, err := d.deps.Settlement.Periods(r.Context())
	noCharter := errors.Is(err, federation.ErrNoCharter)
	if err != nil && !noCharter {
		d.site.Fail(w, r, err)
		return
	}
	v := settlementIndexOf(list, settlementQueryOf(r.URL.Query()), d.site.Zone())
	v.NoCharter, v.Interval = noCharter, int(d.opts.EventInterval.Seconds())
	p := d.dashboardPage(sess, "Settlement", "/operator/settlement", v)
	p.Styles, p.Scripts = []string{"dashboard.css"}, []string{"operator.js"}
	d.pages.Render(w, r, http.StatusOK, "operator_settlement", p)
}

// operatorPeriod shows one period: this node's statement with each
// counterparty, and the netting of the whole federation once it is
// known: GET /operator/settlement/{period}.
func (d *Dashboard) operatorPeriod(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	name := r.PathValue("period")
	list, err := d.deps.Settlement.Periods(r.Context())
	if errors.Is(err, federation.ErrNoCharter) {
		d.site.NotFound(w, r)
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	i := slices.IndexFunc(list, func(ps settlement.PeriodStatus) bool { return ps.Period == name })
	if i < 0 {
		d.site.NotFound(w, r)
		return
	}
	v, err := d.periodViewOf(r.Context(), list[i])
	if errors.Is(err, settlement.ErrNotFound) || errors.Is(err, settlement.ErrInvalid) {
		d.site.NotFound(w, r)
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	p := d.dashboardPage(sess, "Settlement period "+v.Start, "/operator/settlement", v)
	p.Styles, p.Scripts = []string{"dashboard.css"}, []string{"operator.js"}
	d.pages.Render(w, r, http.StatusOK, "operator_period", p)
}
