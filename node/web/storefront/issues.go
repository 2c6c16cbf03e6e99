package storefront

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A shopper reports a problem with a part (GET and POST
// /orders/{id}/parts/{part}/issues): what kind of problem, what is wrong,
// pictures of it (https image addresses), and the remedy asked, a refund
// with its amount when the shopper says one. The storefront sends the
// signed issue to the part's home (Orders.OpenIssue, through the outbox,
// with an idempotency key made when the form was shown); the home fixes
// the deadlines the charter sets. The order page lists each part's
// issues with their state and deadlines, and links each to its page
// (issue.go), where the shopper follows the thread and answers.

// issueNewView is what the issue_new template shows.
type issueNewView struct {
	ID, OrderURL, Action string
	Merchant, Platform   string
	// Currency is the part's, Total its total: a refund asked for is at
	// most that.
	Currency, Total string
	Category        web.Field
	Categories      []web.Choice
	Description     web.Field
	Evidence        web.Field
	Remedy          web.Field
	Remedies        []web.Choice
	Amount          web.Field
	// FirstResponse and Resolution say the charter's deadlines.
	FirstResponse, Resolution string
	Key                       string
	Form                      *web.Form
}

// The order service's bounds of a part's issues: under way at once, and
// in all.
const (
	maxLiveIssues = 3
	maxIssues     = 20
)

// partIssueView is one issue of a part on the order page.
type partIssueView struct {
	web.IssueView
	URL string
}

// issuesURL is where issues of part of order id are opened.
func issuesURL(id, part string) string {
	return orderURL(id) + "/parts/" + url.PathEscape(part) + "/issues"
}

// issueURL is the page of issue iid of part of order id.
func issueURL(id, part, iid string) string { return issuesURL(id, part) + "/" + url.PathEscape(iid) }

// issueAllowed reports whether a part in status may have an issue
// opened: any part that was placed, whatever became of it (the home's
// rule, order.issueAllowed).
func issueAllowed(status string) bool {
	return slices.Contains([]string{order.StatusAccepted, order.StatusShipped, order.StatusDelivered, order.StatusRefunded, order.StatusCancelled}, status)
}

// issuesOf adds to pv the issues of p and, while p may have another, the
// link to report a problem.
func (sf *Storefront) issuesOf(sp speech, o order.Order, p order.Part, pv *partView) {
	live := 0
	for _, i := range p.Issues {
		pv.Issues = append(pv.Issues, partIssueView{IssueView: sp.issueView(i, p.Total.Currency, sf.site.Now()),
			URL: issueURL(o.ID, p.ID, i.ID)})
		if i.Live() || i.State == order.IssueEscalated {
			live++
		}
	}
	slices.Reverse(pv.Issues) // newest first
	if issueAllowed(p.Status) && live < maxLiveIssues && len(p.Issues) < maxIssues {
		pv.ReportURL = issuesURL(o.ID, p.ID) + "/new"
	}
}

// issueForm shows the form: GET /orders/{id}/parts/{part}/issues/new.
func (sf *Storefront) issueForm(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, ok := sf.shopperPart(w, r, sv)
	if !ok {
		return
	}
	v := sf.issueNewViewOf(r.Context(), o, p, web.NewForm())
	v.Key = newIdempotencyKey()
	sf.render(w, r, http.StatusOK, "issue_new", sf.shopperPage(sv, sf.site.T(r, "report.title"), v))
}

// openIssue reads the form: POST /orders/{id}/parts/{part}/issues. A
// problem shows the form again with it next to its input.
func (sf *Storefront) openIssue(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, ok := sf.shopperPart(w, r, sv)
	if !ok {
		return
	}
	f, sp := web.NewForm(), sf.speechOf(r)
	in := readIssue(sp, r.PostForm, p, f)
	key := r.PostForm.Get("key")
	if !idempotencyKey.MatchString(key) {
		key = newIdempotencyKey()
	}
	show := func(status int) {
		v := sf.issueNewViewOf(r.Context(), o, p, f)
		v.Key = key
		sf.render(w, r, status, "issue_new", sf.shopperPage(sv, sp.t("report.title"), v))
	}
	if !f.OK() {
		show(http.StatusUnprocessableEntity)
		return
	}
	i, err := sf.deps.Orders.OpenIssue(r.Context(), sv.shopper.ID, o.ID, p.ID, in, key)
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, issueURL(o.ID, p.ID, i.ID)+"?done=issue-opened")
	case errors.As(err, &fe):
		for _, e := range fe {
			input := e.Field
			if strings.HasPrefix(input, "evidence") {
				input = "evidence"
			}
			f.Add(input, sp.issueFieldText(input, e.Message))
		}
		show(http.StatusUnprocessableEntity)
	case errors.Is(err, order.ErrConflict):
		f.Add("", sp.t("returns.conflict", "Why", conflictText(err)))
		show(http.StatusConflict)
	default:
		sf.site.FailOrder(w, r, err)
	}
}

// issueFieldText names an input of the form at the start of a problem.
func (sp speech) issueFieldText(input, msg string) string {
	switch input {
	case "evidence", "amount", "description":
		return sp.t("report.field_"+input, "Problem", msg)
	}
	return strings.ToUpper(input[:1]) + input[1:] + ": " + msg + "."
}

// readIssue reads the form into f.
func readIssue(sp speech, pf url.Values, p order.Part, f *web.Form) order.IssueInput {
	text := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	in := order.IssueInput{Category: text("category"), Description: text("description"), Remedy: text("remedy")}
	if _, ok := web.IssueCategoryText[in.Category]; !ok {
		f.Add("category", sp.t("report.choose_category"))
	}
	switch {
	case in.Description == "":
		f.Add("description", sp.t("report.say_what"))
	case len(in.Description) > 2000:
		f.Add("description", sp.t("report.too_long", "N", len(in.Description)))
	}
	for _, line := range strings.Split(text("evidence"), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		in.Evidence = append(in.Evidence, line)
		if u, err := url.Parse(line); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(line) > 2000 {
			f.Add("evidence", sp.t("report.not_picture", "Line", web.ClipText(line, 60)))
		}
	}
	if len(in.Evidence) > 5 {
		f.Add("evidence", sp.t("report.too_many_pictures", "Count", len(in.Evidence)))
	}
	if !slices.Contains(order.IssueRemedies, in.Remedy) {
		f.Add("remedy", sp.t("report.choose_remedy"))
	}
	if s := text("amount"); s != "" {
		amount, err := web.ParseAmount(s, p.Total.Currency)
		switch {
		case err != nil:
			f.Add("amount", sp.t("report.bad_amount", "Problem", err.Error(), "Currency", p.Total.Currency))
		case in.Remedy != order.RemedyRefund && amount > 0:
			f.Add("amount", sp.t("report.amount_without_refund"))
		case amount > p.Total.Amount:
			f.Add("amount", sp.t("report.amount_over", "Amount", sp.cash(amount, p.Total.Currency), "Total", sp.orderMoney(p.Total)))
		default:
			in.Amount = amount
		}
	}
	return in
}

// issueNewViewOf is the form of reporting a problem with part p of o.
func (sf *Storefront) issueNewViewOf(ctx context.Context, o order.Order, p order.Part, f *web.Form) issueNewView {
	sp := sf.speechIn(ctx)
	v := issueNewView{ID: o.ID, OrderURL: orderURL(o.ID), Action: issuesURL(o.ID, p.ID), Platform: web.PlatformName(sf.site.PlatformNames(), p.Platform),
		Currency: p.Total.Currency, Total: sp.orderMoney(p.Total), Category: f.Field("category"),
		Description: f.Field("description"), Evidence: f.Field("evidence"), Remedy: f.Field("remedy"), Amount: f.Field("amount"), Form: f}
	v.Merchant = sp.t("ostatus.merchant_n", "ID", web.ShortID(p.Merchant))
	if len(p.Items) > 0 {
		if l, err := sf.deps.Listings.Listing(ctx, p.Items[0].ListingID); err == nil {
			v.Merchant = sf.merchantName(ctx, l)
		}
	}
	v.Categories = []web.Choice{{Value: "", Label: sp.t("report.choose_kind"), Selected: v.Category.Value == ""}}
	for _, c := range order.IssueCategories {
		v.Categories = append(v.Categories, web.Choice{Value: c, Label: sp.issue.Category(c), Selected: c == v.Category.Value})
	}
	for _, rm := range order.IssueRemedies {
		v.Remedies = append(v.Remedies, web.Choice{Value: rm, Label: sp.tOr("issue.remedy_"+rm, web.IssueRemedyText[rm]), Selected: rm == v.Remedy.Value})
	}
	t := sf.deps.Orders.ServiceTerms()
	v.FirstResponse, v.Resolution = sp.elapsed(t.FirstResponse), sp.elapsed(t.Resolution)
	return v
}

// shopperPart reads the order and the part of the request.
func (sf *Storefront) shopperPart(w http.ResponseWriter, r *http.Request, sv shopperVisit) (order.Order, order.Part, bool) {
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, r.PathValue("id"))
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return o, order.Part{}, false
	}
	for _, p := range o.Parts {
		if p.ID == r.PathValue("part") {
			return o, p, true
		}
	}
	sf.site.FailOrder(w, r, fmt.Errorf("%w: order %s has no part %s", order.ErrNotFound, o.ID, r.PathValue("part")))
	return o, order.Part{}, false
}
