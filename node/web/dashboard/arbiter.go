package dashboard

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// Escalated issues and service records. When this node is the charter's
// arbiter, the storefront and the home of an escalated issue each send it
// the issue's signed thread as a case; the operator reads the thread,
// may ask either side for more, and decides once. Deciding is a POST form
// confirmed on a page of its own first, so that it works without
// JavaScript. Service records are each member's scorecard as the home of
// parts, from the issues this node holds.

// caseRow is one case, every cell ready to show.
type caseRow struct {
	ID, URL              string
	State, StateName     string
	Storefront, Home     string
	StorefrontID, HomeID string
	Category, Remedy     string
	Asked                string
	Why, Refusal         string
	Escalated            string
	EscalatedISO         string
	Waiting              string
	Decision             string
}

var caseStates = map[string]string{order.CaseOpen: "Waiting for a decision", order.CaseDecided: "Decided", order.CaseRefused: "Refused"}

var remedyNames = map[string]string{order.RemedyRefund: "Refund", order.RemedyReplacement: "Replacement", order.RemedyReturn: "Return", order.RemedyNone: "No remedy"}

func (d *Dashboard) caseRowOf(c order.Case, names map[string]string, now time.Time, loc *time.Location) caseRow {
	r := caseRow{ID: c.ID, URL: "/operator/cases/" + url.PathEscape(c.ID), State: c.State, StateName: caseStates[c.State],
		Storefront: web.PlatformName(names, c.Storefront), Home: web.PlatformName(names, c.Home), StorefrontID: c.Storefront, HomeID: c.Home,
		Category: cmp.Or(web.IssueCategoryText[c.Issue.Category], c.Issue.Category), Remedy: remedyNames[c.Issue.Remedy], Why: c.Why, Refusal: c.Refusal}
	if c.Issue.Amount > 0 {
		r.Asked = web.FormatMoney(c.Issue.Amount, c.Refundable.Currency)
	}
	at := c.EscalatedAt
	if at.IsZero() {
		at = c.ReceivedAt
	}
	r.Escalated, r.EscalatedISO, r.Waiting = web.FormatTime(at, loc), web.ISO(at), web.Ago(now, at)
	if dd := c.Decision; dd != nil {
		r.Decision = remedyNames[dd.Remedy]
		if dd.Remedy == order.RemedyRefund {
			r.Decision += " of " + web.FormatMoney(dd.Amount, c.Refundable.Currency)
		}
	}
	return r
}

// operatorCases lists the cases, urgent first: GET /operator/cases.
func (d *Dashboard) operatorCases(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	list, err := d.deps.Orders.Cases(r.Context())
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	names, now := d.site.PlatformNames(), d.site.Now()
	rows := make([]caseRow, 0, len(list))
	for _, c := range list {
		rows = append(rows, d.caseRowOf(c, names, now, d.site.Zone()))
	}
	p := d.dashboardPage(sess, "Escalated issues", "/operator/cases", rows)
	p.Styles, p.Notice = []string{"dashboard.css"}, web.NoticeIn(r, caseNotices)
	d.pages.Render(w, r, http.StatusOK, "operator_cases", p)
}

var caseNotices = map[string]string{
	"asked":   "Your question is on its way; the answer appears under Notes.",
	"decided": "The decision is on its way to the home, which applies it, and to the storefront.",
}

// casePage is what the case template shows.
type casePage struct {
	caseRow
	Issue      order.Issue
	Refundable string
	Currency   string
	Entries    []entryRow
	Notes      []noteRow
	Open       bool
	Ask        *web.Form
	Decide     *web.Form
	// Confirm, when set, asks to confirm this decision.
	Confirm *decisionView
	Notice  string
}

type entryRow struct {
	Who, Action, Text, Remedy string
	At, ISO                   string
	Member                    string
}

type noteRow struct {
	By, To, Text, At, ISO string
}

type decisionView struct {
	Remedy, RemedyName, Amount, AmountText, Text string
}

var whoNames = map[string]string{order.ByShopper: "Shopper", order.ByOperator: "Storefront operator", order.ByMerchant: "Merchant",
	order.ByHome: "Home node", order.ByArbiter: "Arbiter", order.SideStorefront: "Storefront"}

var actionNames = map[string]string{order.IssueActOpen: "opened the issue", order.IssueActInfo: "gave information", order.IssueActAccept: "accepted the offer",
	order.IssueActReject: "rejected the offer", order.IssueActEscalate: "escalated", order.IssueActAskInfo: "asked for information",
	order.IssueActOffer: "offered a remedy", order.IssueActRefuse: "refused", order.IssueActDenied: "denied a step", order.IssueActDecide: "decided"}

// operatorCase shows a case: GET /operator/cases/{id}.
func (d *Dashboard) operatorCase(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	d.casePage(w, r, sess, http.StatusOK, web.NewForm(), web.NewForm(), nil)
}

func (d *Dashboard) casePage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, ask, decide *web.Form, confirm *decisionView) {
	c, err := d.deps.Orders.GetCase(r.Context(), r.PathValue("id"))
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	names, now, loc := d.site.PlatformNames(), d.site.Now(), d.site.Zone()
	v := casePage{caseRow: d.caseRowOf(c, names, now, loc), Issue: c.Issue, Currency: c.Refundable.Currency,
		Refundable: web.FormatMoney(c.Refundable.Amount, c.Refundable.Currency), Open: c.State == order.CaseOpen, Ask: ask, Decide: decide, Confirm: confirm}
	for _, e := range c.Entries() {
		row := entryRow{Who: whoNames[e.Who], Action: actionNames[e.Action], Text: e.Text, At: web.FormatTime(e.At, loc), ISO: web.ISO(e.At), Member: web.PlatformName(names, e.Member)}
		if row.Action == "" {
			row.Action = e.Action
		}
		if e.Remedy != "" {
			row.Remedy = remedyNames[e.Remedy]
			if e.Amount > 0 {
				row.Remedy += " of " + web.FormatMoney(e.Amount, c.Refundable.Currency)
			}
		}
		v.Entries = append(v.Entries, row)
	}
	for _, n := range c.Notes {
		row := noteRow{By: whoNames[n.By], Text: n.Text, At: web.FormatTime(n.At, loc), ISO: web.ISO(n.At)}
		var to []string
		for _, s := range n.To {
			to = append(to, whoNames[s])
		}
		row.To = strings.Join(to, " and ")
		v.Notes = append(v.Notes, row)
	}
	if ask.Value("to") == "" && ask.OK() {
		ask.Set("to", "both")
	}
	if decide.Value("remedy") == "" {
		decide.Set("remedy", order.RemedyRefund)
	}
	title := "Case: " + v.Category + ", a part homed on " + v.Home
	if confirm != nil {
		title = "Confirm the decision"
	}
	p := d.dashboardPage(sess, title, "/operator/cases", v)
	p.Styles, p.Notice = []string{"dashboard.css"}, web.NoticeIn(r, caseNotices)
	d.pages.Render(w, r, status, "operator_case", p)
}

// askCase sends the operator's question to one side or both:
// POST /operator/cases/{id}/notes.
func (d *Dashboard) askCase(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	to, text := r.PostForm.Get("to"), strings.TrimSpace(r.PostForm.Get("text"))
	f.Set("to", to)
	f.Set("text", text)
	sides := map[string][]string{"both": {order.SideStorefront, order.SideHome}, order.SideStorefront: {order.SideStorefront}, order.SideHome: {order.SideHome}}[to]
	if sides == nil {
		f.Add("to", "Choose whom to ask: the storefront, the home or both.")
	}
	if text == "" {
		f.Add("text", "Write the question.")
	}
	if f.OK() {
		_, err := d.deps.Orders.AskCase(r.Context(), r.PathValue("id"), sides, text)
		var fe order.FieldErrors
		switch {
		case errors.As(err, &fe):
			for _, e := range fe {
				f.Add(strings.SplitN(e.Field, "[", 2)[0], "This "+e.Message+".")
			}
		case err != nil:
			d.site.FailOrder(w, r, err)
			return
		default:
			web.SeeOther(w, r, "/operator/cases/"+url.PathEscape(r.PathValue("id"))+"?done=asked")
			return
		}
	}
	d.casePage(w, r, sess, http.StatusUnprocessableEntity, f, web.NewForm(), nil)
}

// readDecision reads the decide form into f and a decision.
func readDecision(r *http.Request, f *web.Form, currency string) (order.IssueDecision, *decisionView) {
	remedy, amount, text := r.PostForm.Get("remedy"), strings.TrimSpace(r.PostForm.Get("amount")), strings.TrimSpace(r.PostForm.Get("text"))
	f.Set("remedy", remedy)
	f.Set("amount", amount)
	f.Set("text", text)
	dd := order.IssueDecision{Remedy: remedy, Text: text}
	if !slices.Contains([]string{order.RemedyRefund, order.RemedyReplacement, order.RemedyNone}, remedy) {
		f.Add("remedy", "Choose a refund, a replacement or no remedy.")
	}
	if remedy == order.RemedyRefund {
		n, err := web.ParseAmount(amount, currency)
		switch {
		case amount == "":
			f.Add("amount", "Enter the amount to refund, such as 20.00.")
		case err != nil:
			f.Add("amount", "The amount "+err.Error()+".")
		case n <= 0:
			f.Add("amount", "The amount must be above 0.")
		}
		dd.Amount = n
	}
	if text == "" {
		f.Add("text", "Give the reasons for the decision; both sides read them.")
	}
	v := &decisionView{Remedy: remedy, RemedyName: remedyNames[remedy], Amount: amount, Text: text}
	if remedy == order.RemedyRefund {
		v.AmountText = web.FormatMoney(dd.Amount, currency)
	} else {
		v.Amount = ""
	}
	return dd, v
}

// decideCase checks the decision and asks to confirm it, or, confirmed,
// decides: POST /operator/cases/{id}/decision.
func (d *Dashboard) decideCase(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	id := r.PathValue("id")
	c, err := d.deps.Orders.GetCase(r.Context(), id)
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	f := web.NewForm()
	dd, view := readDecision(r, f, c.Refundable.Currency)
	if f.OK() && dd.Remedy == order.RemedyRefund && dd.Amount > c.Refundable.Amount {
		f.Add("amount", fmt.Sprintf("The amount is more than the %s of items left to refund.", web.FormatMoney(c.Refundable.Amount, c.Refundable.Currency)))
	}
	if !f.OK() {
		d.casePage(w, r, sess, http.StatusUnprocessableEntity, web.NewForm(), f, nil)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		d.casePage(w, r, sess, http.StatusOK, web.NewForm(), f, view)
		return
	}
	_, err = d.deps.Orders.DecideCase(r.Context(), id, dd)
	var fe order.FieldErrors
	switch {
	case errors.As(err, &fe):
		for _, e := range fe {
			f.Add(e.Field, "This "+e.Message+".")
		}
		d.casePage(w, r, sess, http.StatusUnprocessableEntity, web.NewForm(), f, nil)
	case err != nil:
		d.site.FailOrder(w, r, err)
	default:
		web.SeeOther(w, r, "/operator/cases/"+url.PathEscape(id)+"?done=decided")
	}
}

// recordRow is one member's service record, every cell ready to show.
type recordRow struct {
	Member, Peer                   string
	Issues, Answered               int
	Median, P90                    string
	Resolution, Escalated, Against string
	Decided, DecidedAgainst        int
	Self                           bool
}

// operatorRecords shows the members' service records:
// GET /operator/service-records.
func (d *Dashboard) operatorRecords(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	list, err := d.deps.Orders.ServiceRecords(r.Context())
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	names := d.site.PlatformNames()
	self := d.deps.Merchants.Platform()
	rows := make([]recordRow, 0, len(list))
	for _, x := range list {
		row := recordRow{Member: web.PlatformName(names, x.Member), Peer: x.Member, Issues: x.Issues, Answered: x.Answered,
			Median: "–", P90: "–", Resolution: percent(x.ResolutionRate), Escalated: percent(x.EscalatedShare), Against: "–",
			Decided: x.Decided, DecidedAgainst: x.DecidedAgainst, Self: x.Member == self}
		if x.Answered > 0 {
			row.Median, row.P90 = span(x.FirstResponseMedian), span(x.FirstResponseP90)
		}
		if x.Decided > 0 {
			row.Against = percent(x.AgainstShare)
		}
		rows = append(rows, row)
	}
	p := d.dashboardPage(sess, "Service records", "/operator/service-records", rows)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, http.StatusOK, "operator_records", p)
}

func percent(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

// span writes seconds as hours and minutes ("26h 5m"), or minutes.
func span(sec int64) string {
	d := time.Duration(sec) * time.Second
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case h >= 48:
		return fmt.Sprintf("%dd %dh", h/24, h%24)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}
