package storefront

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// An issue's page (GET /orders/{id}/parts/{part}/issues/{iid}) tells the
// shopper the thread in words, the state and the deadlines, with the
// forms the state allows: more information while the issue is under way;
// accept or reject the merchant's offer (accepting a refund states its
// amount on the button); and, when the charter names an arbiter and the
// issue allows it (a deadline passed, an offer rejected, the merchant
// refused), ask the arbiter to decide, saying why it is allowed. Each
// answer posts to .../reply or .../escalate and goes to the part's home
// through the outbox; the page shows it as sent until the home states it.
//
// Once escalated, the page names the arbiter and says what happens next,
// lists the arbiter's questions to this side and the answers sent, in time
// order, and shows the decision when there is one. While the arbiter has
// not decided, the shopper answers it here (POST .../arbiter): the arbiter
// deals with member platforms, so the storefront relays the shopper's
// words as its own note (order.Service.AnswerArbiter), and the page says
// so.

// issuePageView is what the issue template shows.
type issuePageView struct {
	Issue              web.IssueView
	ID, OrderURL       string
	Merchant, Platform string
	// InfoAction, when set, takes more information (Info).
	InfoAction string
	Info       web.Field
	// AcceptAction and RejectAction answer the offer on the table; Refund
	// is its refund in words, "" for a replacement or a return; Why is
	// the rejection's reason.
	AcceptAction, RejectAction string
	Refund                     string
	Why                        web.Field
	// EscalateAction takes the issue to the arbiter, Because says why
	// that is allowed now, Escalate the shopper's words. Later says when
	// it will be, NoArbiter that the charter names none.
	EscalateAction, Because string
	Escalate                web.Field
	Later                   string
	NoArbiter               bool
	// Arbiter is the arbiter of an escalated issue, nil before;
	// ArbiterAction, when set, takes the shopper's answer (ArbiterText)
	// that Site, this storefront, relays.
	Arbiter       *web.ArbiterView
	ArbiterAction string
	ArbiterText   web.Field
	Site          string
	Form          *web.Form
}

// issueNotices confirm a step, by "done".
var issueNotices = map[string]string{
	"issue-opened": "Your problem was sent to the merchant. The deadlines below are the alliance's: we e-mail you when the merchant answers.",
	"info":         "Your information was sent to the merchant.",
	"accept":       "You accepted the merchant's offer: it is sent to the merchant, and a refund shows on the order page once paid.",
	"reject":       "You rejected the offer. The merchant may make another; you may also ask the alliance's arbiter to decide.",
	"escalated":    "Your issue was sent to the alliance's arbiter, who sees the whole thread and decides.",
	"arbiter":      "Your answer was sent to the alliance's arbiter.",
}

// issuePage shows one issue: GET /orders/{id}/parts/{part}/issues/{iid}.
func (sf *Storefront) issuePage(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, i, ok := sf.shopperIssue(w, r, sv)
	if !ok {
		return
	}
	v, err := sf.issuePageViewOf(r, o, p, i, web.NewForm())
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	page := sf.shopperPage(sv, sf.site.T(r, "issue.title"), v)
	page.Notice = sf.noticeIn(r, issueNotices)
	sf.render(w, r, http.StatusOK, "issue", page)
}

// replyIssue sends the shopper's answer: POST .../issues/{iid}/reply,
// action info, accept or reject.
func (sf *Storefront) replyIssue(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, i, ok := sf.shopperIssue(w, r, sv)
	if !ok {
		return
	}
	f := web.NewForm()
	action := r.PostForm.Get("action")
	input := map[string]string{order.IssueActInfo: "info", order.IssueActReject: "why"}[action]
	text := ""
	if input != "" {
		text = strings.TrimSpace(r.PostForm.Get(input))
		f.Set(input, text)
		switch {
		case text == "" && action == order.IssueActInfo:
			f.Add(input, sf.site.T(r, "issue.write_info"))
		case text == "":
			f.Add(input, sf.site.T(r, "issue.say_why"))
		case len(text) > 2000:
			f.Add(input, sf.site.T(r, "issue.too_long", "N", len(text)))
		}
	} else if action != order.IssueActAccept {
		f.Add("", sf.site.T(r, "issue.choose_answer"))
	}
	if !f.OK() {
		sf.renderIssue(w, r, sv, http.StatusUnprocessableEntity, o, p, i, f)
		return
	}
	_, err := sf.deps.Orders.ReplyIssue(r.Context(), sv.shopper.ID, o.ID, p.ID, i.ID, order.IssueReplyInput{Action: action, Text: text})
	sf.afterIssue(w, r, sv, o, p, i, f, input, action, err)
}

// escalateIssue takes the issue to the arbiter: POST .../escalate.
func (sf *Storefront) escalateIssue(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, i, ok := sf.shopperIssue(w, r, sv)
	if !ok {
		return
	}
	f := web.NewForm()
	text := strings.TrimSpace(r.PostForm.Get("escalate"))
	f.Set("escalate", text)
	if len(text) > 2000 {
		f.Add("escalate", sf.site.T(r, "issue.too_long", "N", len(text)))
		sf.renderIssue(w, r, sv, http.StatusUnprocessableEntity, o, p, i, f)
		return
	}
	_, err := sf.deps.Orders.EscalateIssue(r.Context(), sv.shopper.ID, o.ID, p.ID, i.ID, text)
	sf.afterIssue(w, r, sv, o, p, i, f, "escalate", "escalated", err)
}

// answerArbiter relays the shopper's answer to the arbiter of an
// escalated issue as this storefront's note: POST .../arbiter.
func (sf *Storefront) answerArbiter(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, i, ok := sf.shopperIssue(w, r, sv)
	if !ok {
		return
	}
	f := web.NewForm()
	text := strings.TrimSpace(r.PostForm.Get("arbiter_text"))
	f.Set("arbiter_text", text)
	switch n := utf8.RuneCountInString(text); {
	case text == "":
		f.Add("arbiter_text", sf.site.T(r, "issue.write_arbiter"))
	case n > order.MaxNoteText:
		f.Add("arbiter_text", sf.site.T(r, "issue.answer_too_long", "N", n, "Max", order.MaxNoteText))
	}
	if !f.OK() {
		sf.renderIssue(w, r, sv, http.StatusUnprocessableEntity, o, p, i, f)
		return
	}
	_, err := sf.deps.Orders.AnswerArbiter(r.Context(), p.ID, i.ID, text)
	sf.afterIssue(w, r, sv, o, p, i, f, "arbiter_text", "arbiter", err)
}

// afterIssue answers a step: the issue's page with a notice; a problem
// with input next to it; a step the issue no longer allows said above
// the page (409).
func (sf *Storefront) afterIssue(w http.ResponseWriter, r *http.Request, sv shopperVisit, o order.Order, p order.Part, i order.Issue, f *web.Form, input, done string, err error) {
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, issueURL(o.ID, p.ID, i.ID)+"?done="+done)
	case errors.As(err, &fe):
		for _, e := range fe {
			f.Add(input, sf.site.T(r, "issue.text_problem", "Problem", e.Message))
		}
		sf.renderIssue(w, r, sv, http.StatusUnprocessableEntity, o, p, i, f)
	case errors.Is(err, order.ErrConflict):
		f.Add("", sf.site.T(r, "thread.conflict", "Why", conflictText(err)))
		sf.renderIssue(w, r, sv, http.StatusConflict, o, p, i, f)
	default:
		sf.site.FailOrder(w, r, err)
	}
}

func (sf *Storefront) renderIssue(w http.ResponseWriter, r *http.Request, sv shopperVisit, status int, o order.Order, p order.Part, i order.Issue, f *web.Form) {
	v, err := sf.issuePageViewOf(r, o, p, i, f)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	sf.render(w, r, status, "issue", sf.shopperPage(sv, sf.site.T(r, "issue.title"), v))
}

// shopperIssue reads the order, the part and the issue of the request.
func (sf *Storefront) shopperIssue(w http.ResponseWriter, r *http.Request, sv shopperVisit) (order.Order, order.Part, order.Issue, bool) {
	o, p, ok := sf.shopperPart(w, r, sv)
	if !ok {
		return o, p, order.Issue{}, false
	}
	for _, i := range p.Issues {
		if i.ID == r.PathValue("iid") {
			return o, p, i, true
		}
	}
	sf.site.FailOrder(w, r, fmt.Errorf("%w: part %s has no issue %s", order.ErrNotFound, p.ID, r.PathValue("iid")))
	return o, p, order.Issue{}, false
}

// issuePageViewOf is the page of issue i of part p of o, with f.
func (sf *Storefront) issuePageViewOf(r *http.Request, o order.Order, p order.Part, i order.Issue, f *web.Form) (issuePageView, error) {
	now, cur, sp := sf.site.Now(), p.Total.Currency, sf.speechOf(r)
	base := issueURL(o.ID, p.ID, i.ID)
	v := issuePageView{Issue: sp.issueView(i, cur, now), ID: o.ID, OrderURL: orderURL(o.ID),
		Merchant: sf.merchantNamer(r.Context())(p), Platform: web.PlatformName(sf.site.PlatformNames(), p.Platform),
		Info: f.Field("info"), Why: f.Field("why"), Escalate: f.Field("escalate"), ArbiterText: f.Field("arbiter_text"), Site: sf.site.Name(), Form: f}
	if i.Arbiter != "" {
		msgs, err := sf.deps.Orders.ArbiterMessages(r.Context(), p.ID, i.ID)
		if err != nil {
			return v, err
		}
		v.Arbiter = web.ArbiterViewOf(i, msgs, order.ByShopper, sp.t("issue.you_through", "Site", v.Site), cur, sf.site.PlatformNames(), sf.site.Zone())
		sf.site.IssueWords(r).Arbiter(v.Arbiter, order.ByShopper, cur)
		if i.State == order.IssueEscalated && v.Arbiter.Decision == nil {
			v.ArbiterAction = base + "/arbiter"
		}
	}
	pending := len(i.Steps) > 0 && i.Steps[len(i.Steps)-1].Seq == 0
	if i.Live() && i.Seq != 0 && !pending {
		v.InfoAction = base + "/reply"
		if i.State == order.IssueAwaitingShopper && i.Offer != nil {
			v.AcceptAction, v.RejectAction = base+"/reply", base+"/reply"
			if i.Offer.Remedy == order.RemedyRefund {
				v.Refund = sp.cash(i.Offer.Amount, cur)
			}
		}
	}
	if pending {
		return v, nil
	}
	arbiter := sf.deps.Orders.ServiceTerms().Arbiter
	why, err := i.Escalatable(now, "arbiter")
	switch {
	case err == nil && arbiter == "":
		v.NoArbiter = true
	case err == nil:
		v.EscalateAction, v.Because = base+"/escalate", sp.becauseText(why, i)
	case i.Live() && arbiter != "":
		v.Later = sp.laterText(i)
	case i.Live():
		v.NoArbiter = true
	}
	return v, nil
}

// becauseText says why issue i may go to the arbiter, from what
// order.Issue.Escalatable found.
func (sp speech) becauseText(why string, i order.Issue) string {
	switch {
	case strings.Contains(why, "refused"):
		return sp.t("issue.because_refused")
	case strings.Contains(why, "rejected"):
		return sp.t("issue.because_rejected")
	case strings.Contains(why, "first-response"):
		return sp.t("issue.because_no_answer", "When", sp.issueDay(i.RespondBy))
	case strings.Contains(why, "not resolved"):
		return sp.t("issue.because_unresolved", "When", sp.issueDay(i.ResolveBy))
	}
	return sp.t("issue.because_rules", "Why", why)
}

// issueDay writes a deadline in the site's zone: "1 Mar 2026, 12:00",
// "2026年3月1日 12:00".
func (sp speech) issueDay(t time.Time) string {
	if sp.tag == locale.Chinese {
		return t.In(sp.zone).Format("2006年1月2日 15:04")
	}
	return t.In(sp.zone).Format("2 Jan 2006, 15:04")
}

// laterText says when a live issue may go to the arbiter.
func (sp speech) laterText(i order.Issue) string {
	if i.FirstResponseAt.IsZero() {
		return sp.t("issue.later_both", "RespondBy", sp.issueDay(i.RespondBy), "ResolveBy", sp.issueDay(i.ResolveBy))
	}
	return sp.t("issue.later", "ResolveBy", sp.issueDay(i.ResolveBy))
}
