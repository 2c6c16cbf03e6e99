package dashboard

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// The orders page lists the parts of orders this node knows (the
// register, see order.Service.Parts): those shoppers placed on this
// storefront, whatever their merchant's home, and those this node's
// merchants received from any storefront. A part is one merchant's share
// of an order, so the list is by part, each with its order. Filters
// (status, member in either role, merchant, dates in the node's time
// zone) are query parameters of a GET form, so that a filtered list can
// be bookmarked and exported as CSV as it is. Pages follow a cursor
// (?after=), newest first.

// ordersPageSize is how many parts one page lists (a variable for the
// tests, which page through a few).
var ordersPageSize = 50

// dateLayout is how the filter's dates are written (an <input
// type=date>); dateTimeLayout the precise form a link may use (an
// <input type=datetime-local>).
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02T15:04"
)

// statusLabels name a part's status for the operator.
var statusLabels = []struct{ status, label string }{
	{order.StatusReserved, "Awaiting home"},
	{order.StatusAccepted, "Accepted"},
	{order.StatusShipped, "Shipped"},
	{order.StatusDelivered, "Delivered"},
	{order.StatusRefunded, "Refunded"},
	{order.StatusCancelled, "Cancelled"},
	{order.StatusRejected, "Rejected"},
}

// statusLabel names a status; an unknown one is shown as it is.
func statusLabel(s string) string {
	for _, l := range statusLabels {
		if l.status == s {
			return l.label
		}
	}
	return s
}

// ordersQuery is what the orders page's URL asks for.
type ordersQuery struct {
	Status, Member, Role, Merchant string
	From, Until                    string // as typed: a date or a date and time
	After                          string // cursor
}

// ordersQueryOf reads the query parameters.
func ordersQueryOf(q url.Values) ordersQuery {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return ordersQuery{Status: get("status"), Member: get("member"), Role: get("role"), Merchant: get("merchant"),
		From: get("from"), Until: get("until"), After: get("after")}
}

// values are the query's parameters, less the cursor.
func (oq ordersQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"status": oq.Status, "member": oq.Member, "role": oq.Role, "merchant": oq.Merchant,
		"from": oq.From, "until": oq.Until} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// url is the page of oq at path, with its cursor.
func (oq ordersQuery) url(path string) string {
	v := oq.values()
	if oq.After != "" {
		v.Set("after", oq.After)
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// filter checks the query against the charter's members and reads its
// dates in loc, putting each problem next to its input in f. A "from"
// date starts at loc's midnight; an "until" date takes in its whole day.
func (oq ordersQuery) filter(f *web.Form, members map[string]string, loc *time.Location) order.PartFilter {
	pf := order.PartFilter{Status: oq.Status, Member: oq.Member, Role: oq.Role, Merchant: oq.Merchant}
	if oq.Status != "" && statusLabel(oq.Status) == oq.Status {
		f.Add("status", "Choose a status from the list.")
	}
	if oq.Member != "" && members[oq.Member] == "" {
		f.Add("member", "This is not a member of the federation.")
	}
	if oq.Role != "" && oq.Role != order.RoleStorefront && oq.Role != order.RoleHome {
		f.Add("role", "Choose whether the member sold the part or is its merchant's home.")
	}
	var ok bool
	if pf.From, ok = parseDay(oq.From, loc, false); !ok {
		f.Add("from", "Enter the first day as a date, such as 2026-03-01.")
	}
	if pf.Until, ok = parseDay(oq.Until, loc, true); !ok {
		f.Add("until", "Enter the last day as a date, such as 2026-03-31.")
	}
	if !pf.From.IsZero() && !pf.Until.IsZero() && !pf.From.Before(pf.Until) {
		f.Add("until", "The last day must not come before the first.")
	}
	return pf
}

// parseDay reads a date, or a date and a time, in loc; "" is the zero
// time. A date that ends a range (end) stands for the whole day: the
// next midnight.
func parseDay(s string, loc *time.Location, end bool) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.ParseInLocation(dateTimeLayout, s, loc); err == nil {
		return t, true
	}
	t, err := time.ParseInLocation(dateLayout, s, loc)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, true
}

// ordersPage is what the orders template shows.
type ordersPage struct {
	Filter *web.Form
	// Statuses, Members, Roles and Merchants are the filter's choices.
	Statuses, Members, Roles, Merchants []web.Choice
	// Ranges are quick links to date ranges.
	Ranges []rangeLink
	// Filtered is true when any filter is set; ClearURL drops them all.
	Filtered bool
	ClearURL string
	Rows     []partRow
	Totals   ordersTotals
	// NewestURL and OlderURL page through the list; CSVURL exports it
	// whole.
	NewestURL, OlderURL, CSVURL string
	Zone                        string
	Bad                         bool // the filter has problems: nothing is listed
}

// ordersTotals are the figures of the whole filtered list.
type ordersTotals struct {
	Parts, Orders  int
	Sales, Refunds string
	Net            string
	ByStatus       []statusCount
}

// statusCount is how many parts are in one status.
type statusCount struct {
	Status, Label string
	Count         int
	URL           string
}

// partRow is one part in the list.
type partRow struct {
	Part, Order          string
	Placed               time.Time
	What                 string // "Cast-iron pan and 2 more"
	Storefront, Home     string // member names
	StorefrontID, HomeID string
	Merchant, MerchantID string
	MerchantURL          string // the list of that merchant's parts
	Status, StatusLabel  string
	Units                int64
	Total, Refunded      string
}

// operatorOrders lists the parts of orders: GET /operator/orders.
func (d *Dashboard) operatorOrders(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	ctx, loc := r.Context(), d.site.Zone()
	oq := ordersQueryOf(r.URL.Query())
	f := web.NewForm()
	for k, s := range oq.values() {
		f.Set(k, s[0])
	}
	members := d.site.PlatformNames()
	pf := oq.filter(f, members, loc)
	v := ordersPage{Filter: f, Zone: loc.String(), Filtered: len(oq.values()) > 0, ClearURL: "/operator/orders",
		CSVURL: ordersQuery{Status: oq.Status, Member: oq.Member, Role: oq.Role, Merchant: oq.Merchant, From: oq.From, Until: oq.Until}.url("/operator/orders.csv")}
	names, err := d.merchantNamer(ctx)
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	v.choices(oq, members, d.deps.Merchants.Platform(), names)
	v.Ranges = dateRanges(oq, d.site.Now(), loc)
	status := http.StatusOK
	if !f.OK() {
		v.Bad, status = true, http.StatusBadRequest
	} else if err := d.listOrders(ctx, &v, oq, pf, members, names); err != nil {
		var fe order.FieldErrors
		if !errors.As(err, &fe) {
			d.site.Fail(w, r, err)
			return
		}
		for _, e := range fe { // a cursor from another list
			f.Add(e.Field, "This page of the list is no longer there; start again from the newest orders.")
		}
		v.Bad, status = true, http.StatusBadRequest
	}
	p := d.dashboardPage(sess, "Orders", "/operator/orders", v)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, status, "operator_orders", p)
}

// listOrders fills the page's rows, pager and totals.
func (d *Dashboard) listOrders(ctx context.Context, v *ordersPage, oq ordersQuery, pf order.PartFilter, members map[string]string, names *merchantNames) error {
	recs, next, err := d.deps.Orders.Parts(ctx, pf, oq.After, ordersPageSize)
	if err != nil {
		return err
	}
	t, err := d.deps.Orders.Totals(ctx, pf)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		v.Rows = append(v.Rows, partRowOf(rec, members, names, oq))
	}
	if oq.After != "" {
		v.NewestURL = ordersQuery{Status: oq.Status, Member: oq.Member, Role: oq.Role, Merchant: oq.Merchant, From: oq.From, Until: oq.Until}.url("/operator/orders")
	}
	if next != "" {
		older := oq
		older.After = next
		v.OlderURL = older.url("/operator/orders")
	}
	v.Totals = totalsOf(t, oq)
	return nil
}

// totalsOf writes the figures of a filtered list, each status linking
// to the list narrowed to it.
func totalsOf(t order.PartTotals, oq ordersQuery) ordersTotals {
	out := ordersTotals{Parts: t.Parts, Orders: t.Orders, Sales: moneyText(t.Sales), Refunds: moneyText(t.Refunds), Net: netText(t.Sales, t.Refunds)}
	for _, l := range statusLabels {
		if n := t.ByStatus[l.status]; n > 0 {
			q := oq
			q.Status, q.After = l.status, ""
			out.ByStatus = append(out.ByStatus, statusCount{Status: l.status, Label: l.label, Count: n, URL: q.url("/operator/orders")})
		}
	}
	return out
}

// netText is sales less refunds, per currency.
func netText(sales, refunds []order.Money) string {
	net := map[string]int64{}
	for _, m := range sales {
		net[m.Currency] += m.Amount
	}
	for _, m := range refunds {
		net[m.Currency] -= m.Amount
	}
	var out []order.Money
	for c, a := range net {
		out = append(out, order.Money{Amount: a, Currency: c})
	}
	slices.SortFunc(out, func(a, b order.Money) int { return strings.Compare(a.Currency, b.Currency) })
	return moneyText(out)
}

// partRowOf formats one part.
func partRowOf(rec order.PartRecord, members map[string]string, names *merchantNames, oq ordersQuery) partRow {
	q := ordersQuery{Merchant: rec.Merchant, From: oq.From, Until: oq.Until}
	row := partRow{Part: rec.Part, Order: rec.Order, Placed: rec.CreatedAt, What: whatText(rec),
		Storefront: web.PlatformName(members, rec.Storefront), StorefrontID: rec.Storefront,
		Home: web.PlatformName(members, rec.Home), HomeID: rec.Home, Merchant: names.of(rec), MerchantID: rec.Merchant,
		MerchantURL: q.url("/operator/orders"), Status: rec.Status, StatusLabel: statusLabel(rec.Status), Units: rec.Units,
		Total: web.FormatMoney(rec.Total.Amount, rec.Total.Currency)}
	if rec.Refunded.Amount != 0 {
		row.Refunded = web.FormatMoney(rec.Refunded.Amount, rec.Refunded.Currency)
	}
	return row
}

// whatText says what a part holds: "Cast-iron pan", "Cast-iron pan and
// 2 more".
func whatText(rec order.PartRecord) string {
	t := web.ClipText(rec.Title, 60)
	if t == "" {
		t = "Listing " + web.ShortID(rec.Listing)
	}
	if rec.Lines > 1 {
		t += " and " + plural(rec.Lines-1, "more", "more")
	}
	return t
}

// choices fills the filter's selects; a merchant the query names that
// is not this node's (one of another member's) is offered too.
func (v *ordersPage) choices(oq ordersQuery, members map[string]string, self string, names *merchantNames) {
	v.Statuses = []web.Choice{{Value: "", Label: "Any status", Selected: oq.Status == ""}}
	for _, l := range statusLabels {
		v.Statuses = append(v.Statuses, web.Choice{Value: l.status, Label: l.label, Selected: oq.Status == l.status})
	}
	v.Members = []web.Choice{{Value: "", Label: "Any member", Selected: oq.Member == ""}}
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(members[a], members[b]) })
	for _, id := range ids {
		label := members[id]
		if id == self {
			label += " (this node)"
		}
		v.Members = append(v.Members, web.Choice{Value: id, Label: label, Selected: oq.Member == id})
	}
	v.Roles = []web.Choice{
		{Value: "", Label: "as storefront or home", Selected: oq.Role == ""},
		{Value: order.RoleStorefront, Label: "as the storefront that sold it", Selected: oq.Role == order.RoleStorefront},
		{Value: order.RoleHome, Label: "as its merchant's home", Selected: oq.Role == order.RoleHome},
	}
	v.Merchants = []web.Choice{{Value: "", Label: "Any merchant", Selected: oq.Merchant == ""}}
	for _, m := range names.own {
		v.Merchants = append(v.Merchants, web.Choice{Value: m.ID, Label: m.Name, Selected: oq.Merchant == m.ID})
	}
	if oq.Merchant != "" && !slices.ContainsFunc(names.own, func(m catalog.Merchant) bool { return m.ID == oq.Merchant }) {
		v.Merchants = append(v.Merchants, web.Choice{Value: oq.Merchant, Label: "Merchant " + web.ShortID(oq.Merchant) + " (another member's)", Selected: true})
	}
}

// dateRanges are quick links to today, the last 7 and 30 days, and all
// time, keeping the other filters.
func dateRanges(oq ordersQuery, now time.Time, loc *time.Location) []rangeLink {
	today := web.StartOfDay(now, loc)
	link := func(label string, from time.Time) rangeLink {
		q := oq
		q.After, q.Until, q.From = "", "", ""
		if !from.IsZero() {
			q.From = from.Format(dateLayout)
		}
		return rangeLink{Label: label, Href: q.url("/operator/orders"), Current: oq.From == q.From && oq.Until == ""}
	}
	return []rangeLink{link("Today", today), link("Last 7 days", today.AddDate(0, 0, -6)),
		link("Last 30 days", today.AddDate(0, 0, -29)), link("All time", time.Time{})}
}

// merchantNames names the merchants of parts: this node's from the
// catalog's merchants, other members' from the name their home signed
// into the part's listing, by the listing's abbreviated merchant id when
// the listing is gone. Each is looked up once.
type merchantNames struct {
	ctx      context.Context
	listings interface {
		Listing(ctx context.Context, id string) (catalog.Listing, error)
	}
	self string
	own  []catalog.Merchant
	seen map[string]string // by platform/merchant
}

// merchantNamer reads this node's merchants for one request.
func (d *Dashboard) merchantNamer(ctx context.Context) (*merchantNames, error) {
	own, err := d.deps.Merchants.Merchants(ctx)
	if err != nil {
		return nil, err
	}
	n := &merchantNames{ctx: ctx, listings: d.deps.Merchants, self: d.deps.Merchants.Platform(), own: own, seen: map[string]string{}}
	for _, m := range own {
		n.seen[n.self+"/"+m.ID] = m.Name
	}
	return n, nil
}

// of names the merchant of rec.
func (n *merchantNames) of(rec order.PartRecord) string {
	key := rec.Home + "/" + rec.Merchant
	if name, ok := n.seen[key]; ok {
		return name
	}
	name := ""
	if rec.Listing != "" {
		if l, err := n.listings.Listing(n.ctx, rec.Listing); err == nil && l.Merchant == rec.Merchant {
			name = l.MerchantName
		}
	}
	if name == "" {
		name = "Merchant " + web.ShortID(rec.Merchant)
	}
	n.seen[key] = name
	return name
}
