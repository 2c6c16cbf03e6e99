package storefront

import (
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The words of an issue's page that web.IssueViewOf writes in English,
// said again in the shopper's language: its state, category, the remedy
// asked for and offered, who took each step and what it did, and when.

// issueView is issue i as the shopper reads it on side order.ByShopper,
// amounts in currency.
func (sp speech) issueView(i order.Issue, currency string, now time.Time) web.IssueView {
	v := web.IssueViewOf(i, order.ByShopper, currency, now, sp.zone)
	if sp.tag == locale.English {
		return v // web.IssueViewOf speaks English
	}
	v.StateText = sp.tOr("issue.state_"+i.State, v.StateText)
	v.Category = sp.issueCategory(i.Category)
	v.Asked = sp.remedy(i.Remedy, i.Amount, currency)
	v.OpenedBy, v.OpenedWhen = sp.issueWho(i.By), sp.when(i.OpenedAt)
	if i.Offer != nil {
		v.Offer = sp.remedy(i.Offer.Remedy, i.Offer.Amount, currency)
		v.OfferLabel = sp.t("issue.offer")
		switch i.State {
		case order.IssueResolved:
			v.OfferLabel = sp.t("issue.agreed")
		case order.IssueDecided:
			v.OfferLabel = sp.t("issue.decided")
		}
	}
	for _, d := range []*web.DeadlineView{v.RespondBy, v.ResolveBy, v.Next} {
		if d == nil {
			continue
		}
		d.When = sp.when(d.At)
		if d.Overdue {
			d.Left = sp.t("issue.ago", "Elapsed", sp.elapsed(now.Sub(d.At)))
		} else {
			d.Left = sp.t("issue.left", "Elapsed", sp.elapsed(d.At.Sub(now)))
		}
	}
	for k, s := range i.Steps {
		if k >= len(v.Steps) {
			break
		}
		st := &v.Steps[k]
		st.Who, st.When = sp.issueWho(s.By), sp.when(s.At)
		st.What = sp.tOr("issue.did_"+s.Action, st.What, "Remedy", sp.remedy(s.Remedy, s.Amount, currency))
	}
	return v
}

// remedy is a remedy in words, a refund with its amount when said.
func (sp speech) remedy(remedy string, amount int64, currency string) string {
	s := sp.tOr("issue.remedy_"+remedy, web.IssueRemedyText[remedy])
	if remedy == order.RemedyRefund && amount > 0 {
		return sp.t("issue.refund_of", "Amount", sp.cash(amount, currency))
	}
	return s
}

// issueWho names who took a step, for the shopper.
func (sp speech) issueWho(by string) string {
	if by == order.ByShopper {
		return sp.t("thread.you")
	}
	return sp.tOr("issue.by_"+by, by)
}

// when writes an instant in the site's zone, as the page's language
// does.
func (sp speech) when(t time.Time) string { return web.FormatTimeIn(sp.tag, t, sp.zone) }
