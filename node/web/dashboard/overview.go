package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
)

// The overview is the dashboard's landing page, a board in the manner of
// a Grafana dashboard: what needs the operator first (the alerts), then
// one panel per figure of the platform's health and business, each a
// link to the page that explains it. It is rendered whole on the server;
// with JavaScript the members panel follows /operator/events and the
// board fetches itself again every Options.EventInterval.

// overviewDisputedPeriods bounds the disputed periods whose statements
// the overview reads to count their disputed entries.
const overviewDisputedPeriods = 12

// overviewBacklog is how old the oldest message waiting for a member may
// be before the overview raises it.
const overviewBacklog = time.Minute

// overview is what the overview template shows.
type overview struct {
	Federation string // "" without a charter
	Alerts     []alert
	Members    panel
	MemberRows []memberRow
	Lag        panel
	Outbox     panel
	Today      panel
	Period     panel
	Settlement panel
	Disputes   panel
	Merchants  panel
	Flow       flowPage
	FlowNote   string // the flow's totals, in words
	Interval   int    // seconds between refreshes
	Updated    string // when the board was drawn: "13:05 CET"
}

// panel is one figure of the board.
type panel struct {
	Title string
	// Value is the figure, Unit what it counts ("of 3 answering").
	Value, Unit string
	// Notes are the lines under the figure.
	Notes []string
	// State colours the panel: "ok", "warn", "bad" or "idle" (nothing
	// to judge yet).
	State string
	// Href is the detail page; Link its text.
	Href, Link string
}

// alert is one thing that needs the operator, most urgent first.
type alert struct {
	Level      string // "critical", "warning" or "info"
	Text       string
	Href, Link string
}

// alertRank orders alerts by level.
var alertRank = map[string]int{"critical": 0, "warning": 1, "info": 2}

// operatorOverview is the dashboard's landing page: GET /operator.
func (d *Dashboard) operatorOverview(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	v, err := d.overviewOf(r.Context())
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	p := d.dashboardPage(sess, "Overview", "/operator", v)
	p.Styles, p.Scripts = []string{"dashboard.css"}, []string{"operator.js"}
	d.pages.Render(w, r, http.StatusOK, "operator_overview", p)
}

// overviewOf gathers the board. A source that fails is logged and its
// panel says so, rather than losing the whole board, except the order
// register, whose failure is the page's.
func (d *Dashboard) overviewOf(ctx context.Context) (overview, error) {
	now, loc := d.site.Now(), d.site.Zone()
	v := overview{Interval: int(d.opts.EventInterval.Seconds()), Updated: web.FormatClock(now, loc)}
	sc, err := d.deps.Federation.Charter()
	if err == nil && sc != nil {
		v.Federation = sc.Charter.Name
	} else {
		v.Alerts = append(v.Alerts, alert{Level: "critical", Text: "This node holds no charter yet: it belongs to no federation, so nobody can buy from its merchants elsewhere.",
			Href: "/operator/charter", Link: "Charter"})
	}
	v.MemberRows = d.memberRows(ctx)
	d.memberPanels(&v)
	d.outboxPanel(ctx, &v, now)
	if err := d.orderPanels(ctx, &v, now, loc); err != nil {
		return overview{}, err
	}
	d.settlementPanels(ctx, &v, now)
	if err := d.merchantsPanel(ctx, &v); err != nil {
		return overview{}, err
	}
	if sc != nil {
		d.amendmentAlerts(&v, &sc.Charter)
	}
	slices.SortStableFunc(v.Alerts, func(a, b alert) int { return alertRank[a.Level] - alertRank[b.Level] })
	fr, _ := flowRangeOf("24h")
	if v.Flow, err = d.flowOf(ctx, fr, "overview-flow"); err != nil {
		return overview{}, err
	}
	v.FlowNote = fmt.Sprintf("%s placed on this storefront and %s received for this node's merchants.",
		plural(v.Flow.Placed, "order", "orders"), plural(v.Flow.Received, "part", "parts"))
	return v, nil
}

// memberPanels fills the members and replication panels, and alerts for
// each member that does not answer.
func (d *Dashboard) memberPanels(v *overview) {
	up, behind, lagging := 0, uint64(0), []string{}
	for _, m := range v.MemberRows {
		if m.Up {
			up++
		} else {
			v.Alerts = append(v.Alerts, alert{Level: "critical", Text: m.Name + " is " + m.Reach + ".", Href: "/operator/members", Link: "Members"})
		}
		if m.Lagging {
			lagging = append(lagging, m.Name+": "+m.Behind)
		}
		behind += m.BehindCount
	}
	n := len(v.MemberRows)
	v.Members = panel{Title: "Members connected", Value: fmt.Sprintf("%d", up), Unit: fmt.Sprintf("of %d answering", n),
		State: "ok", Href: "/operator/members", Link: "Members"}
	switch {
	case n == 0:
		v.Members.State, v.Members.Notes = "idle", []string{"No other members."}
	case up < n:
		v.Members.State = "bad"
	}
	v.Lag = panel{Title: "Replication lag", Value: fmt.Sprintf("%d", behind), Unit: noun(int(behind), "record behind", "records behind"),
		Notes: lagging, State: "ok", Href: "/operator/members", Link: "Members"}
	if behind > 0 {
		v.Lag.State = "warn"
	} else if n > 0 && d.deps.Shards == nil {
		v.Lag.Notes = []string{"This node holds every member's catalog."}
	} else if n > 0 {
		v.Lag.Notes = []string{"This node holds the other members' listings in " + strings.Join(d.deps.Shards, ", ") + " (catalog.shards), and is up to date with them."}
	}
}

// outboxPanel fills the outbox panel and alerts for parked messages and
// a backlog.
func (d *Dashboard) outboxPanel(ctx context.Context, v *overview, now time.Time) {
	v.Outbox = panel{Title: "Outbox", State: "ok", Href: "/operator/members", Link: "Members"}
	depths, err := d.deps.Orders.Outbox(ctx)
	if err != nil {
		d.site.Log().Error("web: reading the outbox", "err", err)
		v.Outbox.Value, v.Outbox.State, v.Outbox.Notes = "?", "bad", []string{"The outbox could not be read; see the node's log."}
		return
	}
	names := d.site.PlatformNames()
	waiting, parked := 0, 0
	var oldest time.Time
	for _, o := range depths {
		waiting += o.Messages
		parked += o.Parked
		name := web.PlatformName(names, o.Peer)
		if o.Messages > 0 && !o.Oldest.IsZero() && (oldest.IsZero() || o.Oldest.Before(oldest)) {
			oldest = o.Oldest
		}
		if o.Messages > 0 && !o.Oldest.IsZero() && now.Sub(o.Oldest) >= overviewBacklog {
			v.Alerts = append(v.Alerts, alert{Level: "warning", Text: fmt.Sprintf("%s wait for %s, the oldest for %s.",
				plural(o.Messages, "message", "messages"), name, web.Duration(now.Sub(o.Oldest))), Href: "/operator/members", Link: "Members"})
		}
		if o.Parked > 0 {
			v.Alerts = append(v.Alerts, alert{Level: "warning", Text: fmt.Sprintf("%s refused by %s for good, parked.",
				plural(o.Parked, "message", "messages"), name), Href: "/operator/parked?peer=" + url.QueryEscape(o.Peer), Link: "Parked messages"})
		}
	}
	v.Outbox.Value, v.Outbox.Unit = fmt.Sprintf("%d", waiting), noun(waiting, "message waiting", "messages waiting")
	if !oldest.IsZero() {
		v.Outbox.Notes = append(v.Outbox.Notes, "Oldest queued "+web.Ago(now, oldest)+".")
		if now.Sub(oldest) >= overviewBacklog {
			v.Outbox.State = "warn"
		}
	} else {
		v.Outbox.Notes = append(v.Outbox.Notes, "Every member acknowledged every message.")
	}
	if parked > 0 {
		v.Outbox.State, v.Outbox.Href, v.Outbox.Link = "warn", "/operator/parked", "Parked messages"
		v.Outbox.Notes = append(v.Outbox.Notes, plural(parked, "message", "messages")+" parked.")
	}
}

// orderPanels fills today's and the current period's orders and sales.
func (d *Dashboard) orderPanels(ctx context.Context, v *overview, now time.Time, loc *time.Location) error {
	midnight := web.StartOfDay(now, loc)
	t, err := d.deps.Orders.Totals(ctx, order.PartFilter{From: midnight})
	if err != nil {
		return err
	}
	v.Today = ordersPanel("Orders today", t)
	v.Today.Href, v.Today.Link = "/operator/orders?"+url.Values{"from": {midnight.Format(dateLayout)}}.Encode(), "Today's orders"
	v.Today.Notes = append(v.Today.Notes, "Since "+web.FormatClock(midnight, loc)+".")
	v.Period = panel{Title: "Orders this period", Value: "–", State: "idle", Href: "/operator/settlement", Link: "Settlement",
		Notes: []string{"No settlement period yet."}}
	periods, err := d.deps.Settlement.Periods(ctx)
	if err != nil {
		return nil // the settlement panels say why
	}
	i := slices.IndexFunc(periods, func(ps settlement.PeriodStatus) bool { return !now.Before(ps.Start) && now.Before(ps.End) })
	if i < 0 {
		return nil
	}
	cur := periods[i]
	t, err = d.deps.Orders.Totals(ctx, order.PartFilter{From: cur.Start, Until: cur.End})
	if err != nil {
		return err
	}
	v.Period = ordersPanel("Orders this period", t)
	v.Period.Href, v.Period.Link = web.PeriodURL(cur.Period), "This period"
	v.Period.Notes = append(v.Period.Notes, fmt.Sprintf("Since %s; closes %s.", web.FormatClock(cur.Start, loc), web.Until(now, cur.End)))
	return nil
}

// ordersPanel shows the orders and sales t sums.
func ordersPanel(title string, t order.PartTotals) panel {
	p := panel{Title: title, Value: fmt.Sprintf("%d", t.Orders), Unit: noun(t.Orders, "order", "orders"), State: "ok",
		Notes: []string{plural(t.Parts, "part", "parts") + "; sales " + moneyText(t.Sales)}}
	if len(t.Refunds) > 0 {
		p.Notes = append(p.Notes, "Refunded "+moneyText(t.Refunds)+".")
	}
	if t.Parts == 0 {
		p.State = "idle"
	}
	return p
}

// settlementPanels fills the settlement and disputes panels, and alerts
// for each disputed statement.
func (d *Dashboard) settlementPanels(ctx context.Context, v *overview, now time.Time) {
	v.Settlement = panel{Title: "Settlement", Value: "–", State: "idle", Href: "/operator/settlement", Link: "Settlement"}
	v.Disputes = panel{Title: "Open disputes", Value: "0", Unit: "disputed entries", State: "ok", Href: "/operator/settlement?show=unsettled", Link: "Periods not settled"}
	list, err := d.deps.Settlement.Periods(ctx)
	if errors.Is(err, federation.ErrNoCharter) || (err == nil && len(list) == 0) {
		v.Settlement.Notes = []string{"No settlement period yet."}
		return
	}
	if err != nil {
		d.site.Log().Error("web: reading settlement periods", "err", err)
		v.Settlement.Value, v.Settlement.State, v.Settlement.Notes = "?", "bad", []string{"The periods could not be read; see the node's log."}
		return
	}
	counts := map[string]int{}
	var latest *settlement.PeriodStatus
	var disputed []settlement.PeriodStatus
	for _, ps := range web.NewestFirst(list) {
		counts[ps.Status]++
		if latest == nil && ps.Status != string(settlement.StatusOpen) {
			latest = &ps
		}
		if ps.Status == string(settlement.StatusDisputed) && len(disputed) < overviewDisputedPeriods {
			disputed = append(disputed, ps)
		}
	}
	d.settlementPanel(v, latest, counts)
	d.disputesPanel(ctx, v, disputed)
}

// settlementPanel says where the latest ended period stands, and how
// many are not settled.
func (d *Dashboard) settlementPanel(v *overview, latest *settlement.PeriodStatus, counts map[string]int) {
	p := &v.Settlement
	if latest == nil {
		p.Value, p.Notes = "Open", []string{"The first period has not ended yet."}
		return
	}
	row := d.site.PeriodRow(*latest)
	p.Value, p.Unit = row.StatusText, "latest period"
	p.Notes = []string{"Period from " + row.Start + "."}
	unsettled := counts[string(settlement.StatusReconciling)] + counts[string(settlement.StatusDisputed)]
	switch {
	case counts[string(settlement.StatusDisputed)] > 0:
		p.State = "bad"
	case unsettled > 0:
		p.State = "warn"
	default:
		p.State = "ok"
	}
	if unsettled > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%s not settled: %d reconciling, %d disputed.", plural(unsettled, "period", "periods"),
			counts[string(settlement.StatusReconciling)], counts[string(settlement.StatusDisputed)]))
		p.Href, p.Link = "/operator/settlement?show=unsettled", "Periods not settled"
	} else {
		p.Notes = append(p.Notes, "Every period that has ended is agreed.")
	}
}

// disputesPanel counts the disputed entries of the disputed periods and
// alerts for each disputed statement.
func (d *Dashboard) disputesPanel(ctx context.Context, v *overview, disputed []settlement.PeriodStatus) {
	names, self := d.site.PlatformNames(), d.deps.Merchants.Platform()
	entries := 0
	for _, ps := range disputed {
		sts, err := d.deps.Settlement.Statements(ctx, ps.Period)
		if err != nil {
			d.site.Log().Error("web: reading statements", "period", ps.Period, "err", err)
			continue
		}
		for _, st := range sts {
			if st.Status != settlement.StatusDisputed {
				continue
			}
			entries += len(st.Disputes)
			sv := statementViewOf(st, self, names)
			v.Alerts = append(v.Alerts, alert{Level: "critical",
				Text: fmt.Sprintf("The statement with %s for the period from %s is disputed (%s).", sv.Counterparty,
					d.site.PeriodRow(ps).Start, plural(len(st.Disputes), "entry", "entries")),
				Href: web.PeriodURL(ps.Period) + "#" + sv.Anchor, Link: "Period"})
		}
	}
	v.Disputes.Value, v.Disputes.Unit = fmt.Sprintf("%d", entries), noun(entries, "disputed entry", "disputed entries")
	if len(disputed) > 0 {
		v.Disputes.State = "bad"
		v.Disputes.Notes = []string{"In " + plural(len(disputed), "period", "periods") + "."}
		if len(disputed) == 1 {
			v.Disputes.Href, v.Disputes.Link = web.PeriodURL(disputed[0].Period), "The disputed period"
		}
	} else {
		v.Disputes.Notes = []string{"Every statement agrees or is still being compared."}
	}
}

// merchantsPanel counts this node's merchants, active and suspended.
func (d *Dashboard) merchantsPanel(ctx context.Context, v *overview) error {
	list, err := d.deps.Merchants.Merchants(ctx)
	if err != nil {
		return err
	}
	active := 0
	for _, m := range list {
		if !m.Suspended() {
			active++
		}
	}
	v.Merchants = panel{Title: "Merchants", Value: fmt.Sprintf("%d", active), Unit: "active", State: "ok", Href: "/operator/merchants", Link: "Merchants"}
	if n := len(list) - active; n > 0 {
		v.Merchants.Notes = []string{plural(n, "merchant", "merchants") + " suspended."}
	}
	if len(list) == 0 {
		v.Merchants.State, v.Merchants.Notes = "idle", []string{"None yet: add the first on the merchants page."}
	}
	return nil
}

// amendmentAlerts tells of the amendments waiting for this node's
// signature.
func (d *Dashboard) amendmentAlerts(v *overview, cur *federation.Charter) {
	self := d.deps.Merchants.Platform()
	for _, p := range proposalViews(cur, d.deps.Amendments.Proposals(), self, d.speaks()) {
		if p.SelfVoter && !p.SelfSigned && !p.OutOfSequence {
			v.Alerts = append(v.Alerts, alert{Level: "info",
				Text: fmt.Sprintf("Charter version %d waits for this node's signature (%d of %d needed so far).", p.Version, p.Signed, p.Needed),
				Href: "/operator/charter#proposal-" + p.Digest, Link: "Charter"})
		}
	}
}

// moneyText writes amounts in several currencies: "12.00 EUR + 3.00
// USD"; nothing is "0".
func moneyText(list []order.Money) string {
	if len(list) == 0 {
		return "0"
	}
	out := make([]string, len(list))
	for i, m := range list {
		out[i] = web.FormatMoney(m.Amount, m.Currency)
	}
	return strings.Join(out, " + ")
}

// plural writes a count with its noun.
func plural(n int, one, many string) string { return web.CountNoun(n, one, many) }

// noun is the noun for a count, without it.
func noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
