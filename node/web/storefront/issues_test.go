package storefront

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestShopperReportsAProblemAndAcceptsARefund: a shopper reports a
// damaged lamp; bad input is said at its input and nothing is sent; the
// issue is followed on its page with the merchant's deadlines; the
// merchant offers a refund, the accept button states its amount, and
// the refund shows on the order page. The charter of the test names no
// arbiter, and the page says so once the merchant refuses another issue.
func TestShopperReportsAProblemAndAcceptsARefund(t *testing.T) {
	h := newHarness(t)
	h.opts.SessionTTL = 30 * 24 * time.Hour // the shopper comes back days later
	h.rebuild()
	b, at, part := h.deliveredPart(2, 1500)
	p := partOf(b.Get(at).Body, part)
	link := at + "/parts/" + part + "/issues"
	wantAll(t, "the part", p, `<a href="`+link+`/new" class="report-problem button secondary">Report a problem`)
	form := b.Get(link + "/new")
	webtest.WantStatus(t, form, http.StatusOK)
	wantAll(t, "the form", form.Body, `<option value="damaged">It arrived damaged</option>`, "at most the part&#39;s total, €30.00",
		"The merchant answers within 2 days and resolves the problem within 14 days")
	token, key := webtest.CSRF(t, form), regexpValue(form.Body, "key")
	bad := url.Values{"csrf": {token}, "key": {key}, "category": {"bored"}, "description": {" "}, "evidence": {"http://pics.example/a.jpg"},
		"remedy": {"refund"}, "amount": {"31"}}
	r := b.Post(link, bad)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "category", "Choose what kind of problem it is.")
	webtest.HasFieldError(t, r.Body, "description", "Say what is wrong, in a few words.")
	webtest.HasFieldError(t, r.Body, "evidence", `&#34;http://pics.example/a.jpg&#34; is not a picture address: give https:// addresses, one a line.`)
	webtest.HasFieldError(t, r.Body, "amount", "€31.00 is more than the part&#39;s total €30.00.")
	r = b.Post(link, url.Values{"csrf": {token}, "key": {key}, "category": {"damaged"}, "description": {"Cracked"}, "remedy": {"return"}, "amount": {"5"}})
	webtest.HasFieldError(t, r.Body, "amount", "An amount is only asked with a refund: leave it empty, or ask for a refund.")
	if strings.Contains(partOf(b.Get(at).Body, part), "issue-summary") {
		t.Fatal("a refused issue was sent")
	}
	good := url.Values{"csrf": {token}, "key": {key}, "category": {"damaged"}, "description": {"The shade is cracked."},
		"evidence": {"https://pics.example/shade.jpg\n"}, "remedy": {"refund"}, "amount": {"15"}}
	r = b.Post(link, good)
	if r.Code != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), link+"/") {
		t.Fatalf("opening: %d %s", r.Code, r.Header.Get("Location"))
	}
	issue := strings.TrimSuffix(r.Header.Get("Location"), "?done=issue-opened")
	webtest.WantRedirect(t, b.Post(link, good), issue+"?done=issue-opened") // the same key opens once
	page := b.Get(issue + "?done=issue-opened")
	webtest.WantText(t, page, issueNotices["issue-opened"])
	wantAll(t, "the issue", page.Body, `<dd class="issue-category">It arrived damaged</dd>`, `<dd class="issue-asked">a refund of €15.00</dd>`,
		`The merchant answers by <time datetime="2026-03-03T12:00:00Z">3 Mar 2026, 12:00</time> (in 2 days)`,
		`Resolved by <time datetime="2026-03-15T12:00:00Z">15 Mar 2026, 12:00</time>`,
		`<strong>You</strong> reported the problem and asked for a refund of €15.00`, `<blockquote class="issue-text">The shade is cracked.</blockquote>`,
		`href="https://pics.example/shade.jpg"`, "The alliance&#39;s charter names no arbiter")
	if strings.Contains(page.Body, `id="accept-offer"`) {
		t.Error("an accept button before any offer")
	}
	if n := strings.Count(partOf(b.Get(at).Body, part), `class="issue-summary"`); n != 1 {
		t.Fatalf("%d issues on the part after one opened twice", n)
	}
	iid := issue[strings.LastIndexByte(issue, '/')+1:]

	// The merchant is late: the order page marks the deadline overdue.
	h.Clock.Advance(49 * time.Hour)
	wantAll(t, "the late part", partOf(b.Get(at).Body, part), `class="small issue-deadline overdue">The merchant answers by`, "(overdue)")
	// It offers €12.00; the shopper accepts, the button saying how much.
	if _, err := h.Self.Orders.AnswerIssue(t.Context(), h.Merchant.ID, part, iid, order.IssueAnswer{Action: order.IssueActOffer, Remedy: order.RemedyRefund, Amount: 1200, Text: "Sorry about that."}); err != nil {
		t.Fatal(err)
	}
	page = b.Get(issue)
	wantAll(t, "the offer", page.Body, `<dd class="issue-offer">a refund of €12.00</dd>`, `<strong>The merchant</strong> offered a refund of €12.00`,
		`refund of <strong id="offer-refund">€12.00</strong>`, `<button type="submit" id="accept-offer">Accept the refund of €12.00</button>`)
	token = webtest.CSRF(t, page)
	r = b.Post(issue+"/reply", url.Values{"csrf": {token}, "action": {"reject"}})
	webtest.HasFieldError(t, r.Body, "why", "Say why you reject the offer: the merchant and, later, the arbiter read it.")
	webtest.WantRedirect(t, b.Post(issue+"/reply", url.Values{"csrf": {token}, "action": {"accept"}}), issue+"?done=accept")
	page = b.Get(issue)
	wantAll(t, "the resolved issue", page.Body, `<span class="issue-state status-resolved">Resolved</span>`, `<strong>You</strong> accepted the offer`)
	if strings.Contains(page.Body, "escalate-form") || strings.Contains(page.Body, "info-form") {
		t.Error("a resolved issue offers more steps")
	}
	wantAll(t, "the refunded part", partOf(b.Get(at).Body, part), "<strong>Refunded €12.00</strong>")
	// A conflicting answer (the offer is gone) says why.
	r = b.Post(issue+"/reply", url.Values{"csrf": {token}, "action": {"accept"}})
	webtest.WantStatus(t, r, http.StatusConflict)
	webtest.WantText(t, r, "Nothing was sent: ")
}

// TestShopperEscalatesARefusedIssue: with an arbiter in the charter, an
// issue the merchant has not answered says when it may go to the
// arbiter; once the merchant refuses it, the page says why it may now,
// and the shopper's escalation is stated back by the home.
func TestShopperEscalatesARefusedIssue(t *testing.T) {
	h := newHarness(t)
	h.SetTerms(order.ServiceTerms{FirstResponse: 24 * time.Hour, Resolution: 7 * 24 * time.Hour, Arbiter: h.Other.ID.String()})
	b, at, part := h.deliveredPart(1, 2500)
	link := at + "/parts/" + part + "/issues"
	form := b.Get(link + "/new")
	webtest.WantText(t, form, "The merchant answers within 24 h and resolves the problem within 7 days")
	r := b.Post(link, url.Values{"csrf": {webtest.CSRF(t, form)}, "key": {regexpValue(form.Body, "key")}, "category": {"not_received"},
		"description": {"Nothing came."}, "remedy": {"replacement"}})
	issue := strings.TrimSuffix(r.Header.Get("Location"), "?done=issue-opened")
	page := b.Get(issue)
	wantAll(t, "the open issue", page.Body, `<p class="muted small escalate-later">If the merchant does not answer by 2 Mar 2026, 12:00, or the issue is not resolved by 8 Mar 2026, 12:00, or you reject an offer, you may ask the alliance&#39;s arbiter to decide.</p>`)
	if strings.Contains(page.Body, "escalate-form") {
		t.Fatal("an issue the merchant may still answer can be escalated")
	}
	iid := issue[strings.LastIndexByte(issue, '/')+1:]
	if _, err := h.Self.Orders.AnswerIssue(t.Context(), h.Merchant.ID, part, iid, order.IssueAnswer{Action: order.IssueActRefuse, Text: "The carrier says it was delivered."}); err != nil {
		t.Fatal(err)
	}
	page = b.Get(issue)
	wantAll(t, "the refused issue", page.Body, `<span class="issue-state status-refused">Refused by the merchant</span>`,
		`<strong>The merchant</strong> refused the complaint`, "The carrier says it was delivered.",
		`<p class="escalate-because">The merchant refused your complaint. So the alliance&#39;s rules let you take the problem to its arbiter`,
		`<button type="submit" id="escalate">Ask the alliance&#39;s arbiter to decide</button>`)
	if strings.Contains(page.Body, "info-form") {
		t.Error("a refused issue takes more information")
	}
	webtest.WantRedirect(t, b.Post(issue+"/escalate", url.Values{"csrf": {webtest.CSRF(t, page)}, "escalate": {"I never got it."}}), issue+"?done=escalated")
	page = b.Get(issue + "?done=escalated")
	webtest.WantText(t, page, issueNotices["escalated"])
	wantAll(t, "the escalated issue", page.Body, `<span class="issue-state status-escalated">With the alliance&#39;s arbiter</span>`,
		`<strong>You</strong> asked the alliance&#39;s arbiter to decide`, "I never got it.")
	if strings.Contains(page.Body, "escalate-form") {
		t.Error("an escalated issue can be escalated again")
	}
}
