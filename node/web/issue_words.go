package web

import (
	"net/http"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/locale"
)

// IssueViewOf and ArbiterViewOf write an issue in English; IssueWords
// says its words again in a page's language, from the shared messages
// (issue.*, arbiter.*, when.*): the category, the remedies with their
// amounts in the language's money, the steps, the deadlines and the
// arbiter's part. Each audience keeps the words only its side says (a
// state is "To answer" for the merchant, "Waiting for the merchant" for
// the shopper).

// IssueWords speaks an issue's words in one language.
type IssueWords struct {
	L *locale.Locale
	// Money writes a price as the language does (Site.Money's).
	Money func(amount int64, currency string) string
	Zone  *time.Location
}

// IssueWords are the words of an issue on r's page.
func (s *Site) IssueWords(r *http.Request) IssueWords {
	l := s.Locale(r)
	return IssueWords{L: l, Money: s.moneyFunc(l.Tag), Zone: s.Zone()}
}

// English is whether the words are English, which the views already
// speak.
func (w IssueWords) English() bool { return w.L.Tag == locale.English }

// Category names a category of order.IssueCategories.
func (w IssueWords) Category(c string) string {
	if _, ok := IssueCategoryText[c]; !ok {
		return c
	}
	return w.L.T("issue.category_" + c)
}

// Remedy is a remedy in words, a refund with its amount when said.
func (w IssueWords) Remedy(remedy string, amount int64, currency string) string {
	if remedy == order.RemedyRefund && amount > 0 {
		return w.L.T("issue.refund_of", "Amount", w.Money(amount, currency))
	}
	if _, ok := IssueRemedyText[remedy]; !ok {
		return remedy
	}
	return w.L.T("issue.remedy_" + remedy)
}

// When writes an instant in the site's zone, as the language does.
func (w IssueWords) When(t time.Time) string { return FormatTimeIn(w.L.Tag, t, w.Zone) }

// Elapsed says how long d is, in its largest whole unit, as Elapsed does
// in English: "2 days", "2 天".
func (w IssueWords) Elapsed(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Minute:
		return w.L.T("when.seconds", "Count", int64(d/time.Second))
	case d < time.Hour:
		return w.L.T("when.minutes", "Count", int64(d/time.Minute))
	case d < 48*time.Hour:
		return w.L.T("when.hours", "Count", int64(d/time.Hour))
	}
	return w.L.T("when.days", "Count", int64(d/(24*time.Hour)))
}

// Deadline says d's time and how long is left or has passed at now.
func (w IssueWords) Deadline(d *DeadlineView, now time.Time) {
	if d == nil {
		return
	}
	d.When = w.When(d.At)
	if d.Overdue {
		d.Left = w.L.T("issue.ago", "Elapsed", w.Elapsed(now.Sub(d.At)))
	} else {
		d.Left = w.L.T("issue.left", "Elapsed", w.Elapsed(d.At.Sub(now)))
	}
}

// Step says what step s did ("提出方案：退款 €5.00").
func (w IssueWords) Step(s order.IssueStep, currency string) string {
	switch s.Action {
	case order.IssueActOpen, order.IssueActInfo, order.IssueActAccept, order.IssueActReject, order.IssueActEscalate,
		order.IssueActAskInfo, order.IssueActOffer, order.IssueActRefuse, order.IssueActDenied, order.IssueActDecide:
		return w.L.T("issue.did_"+s.Action, "Remedy", w.Remedy(s.Remedy, s.Amount, currency))
	}
	return s.Action
}

// OfferLabel heads the remedy on the table of an issue in state.
func (w IssueWords) OfferLabel(state string) string {
	switch state {
	case order.IssueResolved:
		return w.L.T("issue.agreed")
	case order.IssueDecided:
		return w.L.T("issue.decided")
	}
	return w.L.T("issue.offer")
}

// Arbiter says v, the arbiter of an issue in currency as the reader on
// side reads it, in the words' language: what happens next, the
// decision and the notes' times. Nil stays nil.
func (w IssueWords) Arbiter(v *ArbiterView, side, currency string) {
	if v == nil || w.English() {
		return
	}
	for k := range v.Notes {
		v.Notes[k].When = w.When(v.Notes[k].At)
	}
	if d := v.Decision; d != nil {
		d.Remedy, d.When = w.Remedy(d.Kind, d.Amount, currency), w.When(d.At)
	}
	v.Next = w.L.T("arbiter.next_"+arbiterNextCase(v, side), "Name", v.Name)
}

// arbiterNextCase names the case of arbiterNext that v is in, for the
// reader on side: the arbiter.next_* message that says it.
func arbiterNextCase(v *ArbiterView, side string) string {
	who := "merchant"
	if side == order.ByShopper {
		who = "shopper"
	}
	switch {
	case v.Decision == nil:
		return "pending_" + who
	case v.Decision.Amount > 0:
		return "refund_" + who
	case v.Decision.Kind == order.RemedyNone:
		return "none_" + who
	}
	return "decided_" + who
}
