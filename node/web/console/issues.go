package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant answers the problems shoppers report (issues) on the Issues
// page (GET /merchant/issues): those waiting for an answer first, the
// nearest deadline first and the ones past it marked overdue, each with
// its part, category, remedy asked and deadlines. An issue's page (GET
// /merchant/issues/{iid}) shows its thread and answers it (POST
// .../answer): ask the shopper for more, offer a remedy (a refund of at
// most what is left refundable of the part, shown; a replacement; a
// return) or refuse it with reasons. A refund offer is confirmed first:
// once the shopper accepts it, the part's home refunds it at once.
//
// Once the issue is escalated, its page names the arbiter and says what
// happens next, lists the arbiter's questions to the merchant and the
// answers sent, in time order, and the decision when there is one; while
// the arbiter has not decided, the merchant answers it (POST .../arbiter,
// order.Service.AnswerArbiter, this platform's note to the arbiter).

// issuesListSize is how many issues the page lists.
const issuesListSize = 200

// issuesView is what the merchant_issues template shows.
type issuesView struct {
	Rows []issueRow
	// Overdue counts the rows past a deadline.
	Overdue int
}

// issueRow is one issue of the list.
type issueRow struct {
	web.IssueView
	URL, Part, Order string
}

// issuePageView is what the merchant_issue template shows.
type issuePageView struct {
	issueRow
	// ThreadURL is the part's conversation with the shopper.
	ThreadURL string
	// Action answers the issue, "" when it waits for no answer; Left is
	// the part's items left refundable, the most a refund may be.
	Action, Left, Currency  string
	AskText, Remedy, Amount web.Field
	OfferText, RefuseText   web.Field
	Remedies                []web.Choice
	// Confirm shows the confirmation of the refund offer Refund.
	Confirm bool
	Refund  string
	// Arbiter is the arbiter of an escalated issue, nil before;
	// ArbiterAction, when set, takes the merchant's answer (ArbiterText).
	Arbiter       *web.ArbiterView
	ArbiterAction string
	ArbiterText   web.Field
	Form          *web.Form
}

// issueNotices confirm an answer, by "done": the messages' ids.
var issueNotices = map[string]string{
	order.IssueActAskInfo: "console.issues.notice_ask_info",
	order.IssueActOffer:   "console.issues.notice_offer",
	order.IssueActRefuse:  "console.issues.notice_refuse",
	"arbiter":             "console.issues.notice_arbiter",
}

// issuePageURL is the page of issue iid.
func issuePageURL(iid string) string { return "/merchant/issues/" + url.PathEscape(iid) }

// merchantIssues lists the merchant's issues: GET /merchant/issues.
func (c *Console) merchantIssues(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	list, err := c.deps.Parts.MerchantIssues(r.Context(), mv.merchant.ID, "", issuesListSize)
	if err != nil {
		c.site.FailOrder(w, r, err)
		return
	}
	var v issuesView
	currencies := map[string]string{}
	for _, mi := range list {
		cur, ok := currencies[mi.Part]
		if !ok {
			if p, err := c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, mi.Part); err == nil {
				cur = p.Total.Currency
			}
			currencies[mi.Part] = cur
		}
		row := c.issueRowOf(r, mi, cur)
		if row.Next != nil && row.Next.Overdue {
			v.Overdue++
		}
		v.Rows = append(v.Rows, row)
	}
	page := c.consolePage(mv, c.site.T(r, "console.issues.title"), "/merchant/issues", v)
	page.Notice = c.notice(r, issueNotices)
	c.pages.Render(w, r, http.StatusOK, "merchant_issues", page)
}

// issueRowOf is issue mi of a part in currency, in r's language.
func (c *Console) issueRowOf(r *http.Request, mi order.MerchantIssue, currency string) issueRow {
	return issueRow{IssueView: c.issueViewIn(r, mi.Issue, currency),
		URL: issuePageURL(mi.Issue.ID), Part: mi.Part, Order: mi.Order}
}

// issuePage shows one issue: GET /merchant/issues/{iid}.
func (c *Console) issuePage(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, mi, ok := c.issueOf(w, r, mv)
	if !ok {
		return
	}
	c.renderIssue(w, r, mv, http.StatusOK, p, mi, web.NewForm(), false)
}

// issueOf reads the issue of the request and its part.
func (c *Console) issueOf(w http.ResponseWriter, r *http.Request, mv merchantVisit) (order.HomePart, order.MerchantIssue, bool) {
	iid := r.PathValue("iid")
	list, err := c.deps.Parts.MerchantIssues(r.Context(), mv.merchant.ID, "", issuesListSize)
	if err != nil {
		c.site.FailOrder(w, r, err)
		return order.HomePart{}, order.MerchantIssue{}, false
	}
	k := slices.IndexFunc(list, func(mi order.MerchantIssue) bool { return mi.Issue.ID == iid })
	if k < 0 {
		c.site.FailOrder(w, r, fmt.Errorf("%w: issue %s", order.ErrNotFound, iid))
		return order.HomePart{}, order.MerchantIssue{}, false
	}
	p, err := c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, list[k].Part)
	if err != nil {
		c.site.FailOrder(w, r, err)
		return p, order.MerchantIssue{}, false
	}
	return p, list[k], true
}

// answerIssue answers an issue: POST /merchant/issues/{iid}/answer. A
// refund offer without "confirm" shows its confirmation first.
func (c *Console) answerIssue(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, mi, ok := c.issueOf(w, r, mv)
	if !ok {
		return
	}
	f := web.NewForm()
	a, input := c.readAnswer(r, p, f)
	if !f.OK() {
		c.renderIssue(w, r, mv, http.StatusUnprocessableEntity, p, mi, f, false)
		return
	}
	if a.Action == order.IssueActOffer && a.Remedy == order.RemedyRefund && r.PostForm.Get("confirm") != "yes" {
		c.renderIssue(w, r, mv, http.StatusOK, p, mi, f, true)
		return
	}
	_, err := c.deps.Parts.AnswerMerchantIssue(r.Context(), mv.merchant.ID, mi.Issue.ID, a)
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, issuePageURL(mi.Issue.ID)+"?done="+a.Action)
	case errors.As(err, &fe):
		for _, e := range fe {
			name := e.Field
			if name == "text" {
				name = input
			}
			f.Add(name, c.fieldProblem(r, c.answerLabel(r, e.Field), e.Message))
		}
		c.renderIssue(w, r, mv, http.StatusUnprocessableEntity, p, mi, f, false)
	case errors.Is(err, order.ErrConflict):
		if fresh, _, ok := c.freshIssue(r, mv, mi); ok {
			mi = fresh
		}
		f.Add("", c.site.T(r, "console.issues.conflict", "Why", c.problemText(r, strings.TrimPrefix(err.Error(), order.ErrConflict.Error()+": "))))
		c.renderIssue(w, r, mv, http.StatusConflict, p, mi, f, false)
	default:
		c.site.FailOrder(w, r, err)
	}
}

// freshIssue reads issue mi again.
func (c *Console) freshIssue(r *http.Request, mv merchantVisit, mi order.MerchantIssue) (order.MerchantIssue, order.HomePart, bool) {
	p, err := c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, mi.Part)
	if err != nil {
		return mi, p, false
	}
	for _, i := range p.Issues {
		if i.ID == mi.Issue.ID {
			mi.Issue = i
			return mi, p, true
		}
	}
	return mi, p, false
}

// answerLabel names an answer's field the order service refused, in
// r's language.
func (c *Console) answerLabel(r *http.Request, field string) string {
	switch field {
	case "text", "amount", "remedy":
		return c.site.T(r, "console.issues.field_"+field)
	}
	return strings.ToUpper(field[:1]) + field[1:]
}

// readAnswer reads r's answer into f, and names the input of its text.
func (c *Console) readAnswer(r *http.Request, p order.HomePart, f *web.Form) (order.IssueAnswer, string) {
	pf, l := r.PostForm, c.site.Locale(r)
	money := func(amount int64) string { return c.site.Money(r, amount, p.Total.Currency) }
	text := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	a := order.IssueAnswer{Action: pf.Get("action")}
	input := map[string]string{order.IssueActAskInfo: "ask_text", order.IssueActOffer: "offer_text", order.IssueActRefuse: "refuse_text"}[a.Action]
	if input == "" {
		f.Add("", l.T("console.issues.choose_answer"))
		return a, input
	}
	a.Text = text(input)
	switch {
	case len(a.Text) > 2000:
		f.Add(input, l.T("console.issues.too_long", "N", len(a.Text)))
	case a.Text == "" && a.Action == order.IssueActAskInfo:
		f.Add(input, l.T("console.issues.ask_required"))
	case a.Text == "" && a.Action == order.IssueActRefuse:
		f.Add(input, l.T("console.issues.reasons_required"))
	}
	if a.Action != order.IssueActOffer {
		return a, input
	}
	a.Remedy = text("remedy")
	if !slices.Contains(order.IssueRemedies, a.Remedy) {
		f.Add("remedy", l.T("console.issues.remedy_required"))
	}
	s, cur, left := text("amount"), p.Total.Currency, p.Left().Items.Amount
	switch {
	case a.Remedy != order.RemedyRefund && s != "":
		f.Add("amount", l.T("console.issues.amount_not_refund"))
	case a.Remedy != order.RemedyRefund:
	case s == "":
		f.Add("amount", l.T("console.issues.amount_required", "Left", money(left)))
	default:
		amount, err := web.ParseAmount(s, cur)
		switch {
		case err != nil:
			f.Add("amount", l.T("console.issues.amount_bad", "Problem", problemIn(l, err.Error()), "Currency", cur))
		case amount <= 0:
			f.Add("amount", l.T("console.issues.amount_zero"))
		case amount > left:
			f.Add("amount", l.T("console.issues.amount_over", "Amount", money(amount), "Left", money(left)))
		default:
			a.Amount = amount
		}
	}
	return a, input
}

func (c *Console) renderIssue(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, p order.HomePart, mi order.MerchantIssue, f *web.Form, confirm bool) {
	cur := p.Total.Currency
	iw := c.site.IssueWords(r)
	v := issuePageView{issueRow: c.issueRowOf(r, mi, cur), ThreadURL: "/merchant/orders/" + url.PathEscape(p.ID) + "/messages",
		Left: c.site.Money(r, p.Left().Items.Amount, cur), Currency: cur, AskText: f.Field("ask_text"), Remedy: f.Field("remedy"),
		Amount: f.Field("amount"), OfferText: f.Field("offer_text"), RefuseText: f.Field("refuse_text"), ArbiterText: f.Field("arbiter_text"), Form: f}
	if i := mi.Issue; i.Arbiter != "" {
		msgs, err := c.deps.Parts.ArbiterMessages(r.Context(), mi.Part, i.ID)
		if err != nil {
			c.site.FailOrder(w, r, err)
			return
		}
		v.Arbiter = web.ArbiterViewOf(i, msgs, order.ByMerchant, iw.L.T("console.issues.you"), cur, c.site.PlatformNames(), c.site.Zone())
		iw.Arbiter(v.Arbiter, order.ByMerchant, cur)
		if i.State == order.IssueEscalated && v.Arbiter.Decision == nil {
			v.ArbiterAction = issuePageURL(i.ID) + "/arbiter"
		}
	}
	if mi.Issue.Live() {
		v.Action = issuePageURL(mi.Issue.ID) + "/answer"
	}
	chosen := v.Remedy.Value
	if chosen == "" {
		chosen = mi.Issue.Remedy
	}
	for _, rm := range order.IssueRemedies {
		v.Remedies = append(v.Remedies, web.Choice{Value: rm, Label: iw.Remedy(rm, 0, cur), Selected: rm == chosen})
	}
	if confirm {
		amount, _ := web.ParseAmount(v.Amount.Value, cur)
		v.Confirm, v.Refund = true, c.site.Money(r, amount, cur)
	}
	page := c.consolePage(mv, c.site.T(r, "console.issues.page_title"), "/merchant/issues", v)
	page.Notice = c.notice(r, issueNotices)
	c.pages.Render(w, r, status, "merchant_issue", page)
}

// answerArbiter sends the merchant's answer to the arbiter of an
// escalated issue: POST /merchant/issues/{iid}/arbiter.
func (c *Console) answerArbiter(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, mi, ok := c.issueOf(w, r, mv)
	if !ok {
		return
	}
	f := web.NewForm()
	text := strings.TrimSpace(r.PostForm.Get("arbiter_text"))
	f.Set("arbiter_text", text)
	switch n := utf8.RuneCountInString(text); {
	case text == "":
		f.Add("arbiter_text", c.site.T(r, "console.issues.arbiter_required"))
	case n > order.MaxNoteText:
		f.Add("arbiter_text", c.site.T(r, "console.issues.arbiter_too_long", "N", n, "Max", order.MaxNoteText))
	}
	if !f.OK() {
		c.renderIssue(w, r, mv, http.StatusUnprocessableEntity, p, mi, f, false)
		return
	}
	_, err := c.deps.Parts.AnswerArbiter(r.Context(), mi.Part, mi.Issue.ID, text)
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, issuePageURL(mi.Issue.ID)+"?done=arbiter")
	case errors.As(err, &fe):
		for _, e := range fe {
			f.Add("arbiter_text", c.fieldProblem(r, c.site.T(r, "console.issues.field_answer"), e.Message))
		}
		c.renderIssue(w, r, mv, http.StatusUnprocessableEntity, p, mi, f, false)
	case errors.Is(err, order.ErrConflict):
		if fresh, _, ok := c.freshIssue(r, mv, mi); ok {
			mi = fresh
		}
		f.Add("", c.site.T(r, "console.issues.conflict", "Why", c.problemText(r, strings.TrimPrefix(err.Error(), order.ErrConflict.Error()+": "))))
		c.renderIssue(w, r, mv, http.StatusConflict, p, mi, f, false)
	default:
		c.site.FailOrder(w, r, err)
	}
}
