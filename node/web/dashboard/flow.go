package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// flowRange is one span the flow page can show, in steps of Step.
type flowRange struct {
	Key   string        // the "range" query parameter
	Label string        // the selector's text
	Span  time.Duration // how far back the chart goes
	Step  time.Duration // one bar pair per step
	Axis  string        // time layout of the axis labels
	Table string        // time layout of the table's rows
}

// flowRanges are the flow page's ranges; defaultFlowRange is shown
// without a "range" parameter.
var flowRanges = []flowRange{
	{Key: "1h", Label: "Last hour", Span: time.Hour, Step: 5 * time.Minute, Axis: "15:04", Table: "15:04"},
	{Key: "24h", Label: "Last 24 hours", Span: 24 * time.Hour, Step: time.Hour, Axis: "15:04", Table: "Jan 2 15:04"},
	{Key: "7d", Label: "Last 7 days", Span: 7 * 24 * time.Hour, Step: 6 * time.Hour, Axis: "Mon 15h", Table: "Mon Jan 2 15:04"},
}

const defaultFlowRange = "24h"

// flowRangeOf returns the range named key ("" is the default).
func flowRangeOf(key string) (flowRange, bool) {
	if key == "" {
		key = defaultFlowRange
	}
	for _, fr := range flowRanges {
		if fr.Key == key {
			return fr, true
		}
	}
	return flowRange{}, false
}

// since is where the range starts at now: Span/Step whole steps, aligned
// to Step on loc's wall clock (hours begin where loc's do), the last of
// which holds now.
func (fr flowRange) since(now time.Time, loc *time.Location) time.Time {
	n := fr.Span / fr.Step // a count, kept a Duration for the arithmetic
	return web.AlignIn(now, fr.Step, loc).Add(-(n - 1) * fr.Step)
}

// flowPage is what the flow template shows.
type flowPage struct {
	Ranges   []rangeLink
	Range    flowRange
	Charts   web.FlowCharts
	Rows     []flowRow
	Placed   int // totals over the range
	Received int
	Zone     string // the time zone of the times shown
}

// rangeLink is one web.Choice of the range selector.
type rangeLink struct {
	Label, Href string
	Current     bool
}

// flowRow is one step of the data table.
type flowRow struct {
	Start            time.Time
	Span             string // "14:00–15:00"
	Placed, Received int
}

// operatorFlow shows the order flow over time: GET /operator/orders/flow,
// with ?range=1h, 24h (the default) or 7d.
func (d *Dashboard) operatorFlow(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	fr, ok := flowRangeOf(r.URL.Query().Get("range"))
	if !ok {
		d.site.Status(w, r, http.StatusBadRequest, "Unknown range",
			"The order flow shows the last hour (range=1h), the last 24 hours (range=24h) or the last 7 days (range=7d).")
		return
	}
	v, err := d.flowOf(r.Context(), fr, "flow-chart")
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	for _, o := range flowRanges {
		v.Ranges = append(v.Ranges, rangeLink{Label: o.Label, Href: "/operator/orders/flow?range=" + o.Key, Current: o.Key == fr.Key})
	}
	p := d.dashboardPage(sess, "Order flow", "/operator/orders", v)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, http.StatusOK, "operator_flow", p)
}

// flowOf reads the flow of range fr and charts it; id names the chart's
// svg elements.
func (d *Dashboard) flowOf(ctx context.Context, fr flowRange, id string) (flowPage, error) {
	loc := d.site.Zone()
	points, err := d.deps.Orders.Flow(ctx, fr.since(d.site.Now(), loc), fr.Step)
	if err != nil {
		return flowPage{}, err
	}
	v := flowPage{Range: fr, Zone: loc.String()}
	series := make([]web.FlowSeries, 0, len(points))
	for _, pt := range points {
		row := flowRowOf(pt, fr, loc)
		v.Rows = append(v.Rows, row)
		v.Placed += pt.Placed
		v.Received += pt.Received
		series = append(series, web.FlowSeries{Label: pt.Start.In(loc).Format(fr.Axis), Span: row.Span, Placed: pt.Placed, Received: pt.Received})
	}
	desc := fmt.Sprintf("%s in steps of %s: %s placed on this storefront and %s received for this node's merchants.",
		fr.Label, flowStepText(fr.Step), web.CountNoun(v.Placed, "order", "orders"), web.CountNoun(v.Received, "part", "parts"))
	v.Charts = web.NewFlowCharts(id, "Order flow: "+fr.Label, desc, "Time ("+loc.String()+")", series)
	return v, nil
}

// flowRowOf formats one step for the table, in loc.
func flowRowOf(pt order.FlowPoint, fr flowRange, loc *time.Location) flowRow {
	start := pt.Start.In(loc)
	end := start.Add(fr.Step)
	endLayout := "15:04"
	if end.YearDay() != start.YearDay() && fr.Table != "15:04" {
		endLayout = fr.Table
	}
	return flowRow{Start: start, Span: start.Format(fr.Table) + "–" + end.Format(endLayout),
		Placed: pt.Placed, Received: pt.Received}
}

// flowStepText names a step: "5 minutes", "1 hour", "6 hours".
func flowStepText(d time.Duration) string {
	if d < time.Hour {
		return web.CountNoun(int(d/time.Minute), "minute", "minutes")
	}
	return web.CountNoun(int(d/time.Hour), "hour", "hours")
}
