package storefront

import (
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The words of an issue's page that web.IssueViewOf writes in English,
// said again in the shopper's language: the words both sides share come
// from web.IssueWords, those only the shopper reads (its states and
// "You") from the storefront's messages.

// issueView is issue i as the shopper reads it on side order.ByShopper,
// amounts in currency.
func (sp speech) issueView(i order.Issue, currency string, now time.Time) web.IssueView {
	v := web.IssueViewOf(i, order.ByShopper, currency, now, sp.zone)
	if sp.tag == locale.English {
		return v // web.IssueViewOf speaks English
	}
	w := sp.issue
	v.StateText = sp.tOr("issue.state_"+i.State, v.StateText)
	v.Category = w.Category(i.Category)
	v.Asked = w.Remedy(i.Remedy, i.Amount, currency)
	v.OpenedBy, v.OpenedWhen = sp.issueWho(i.By), w.When(i.OpenedAt)
	if i.Offer != nil {
		v.Offer, v.OfferLabel = w.Remedy(i.Offer.Remedy, i.Offer.Amount, currency), w.OfferLabel(i.State)
	}
	for _, d := range []*web.DeadlineView{v.RespondBy, v.ResolveBy, v.Next} {
		w.Deadline(d, now)
	}
	for k, s := range i.Steps {
		if k < len(v.Steps) {
			v.Steps[k].Who, v.Steps[k].What, v.Steps[k].When = sp.issueWho(s.By), w.Step(s, currency), w.When(s.At)
		}
	}
	return v
}

// issueWho names who took a step, for the shopper.
func (sp speech) issueWho(by string) string {
	if by == order.ByShopper {
		return sp.t("thread.you")
	}
	return sp.tOr("issue.by_"+by, by)
}
