package console

import (
	"net/http"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// The words of an issue that web.IssueViewOf writes in English, said
// again in the merchant's language: the words both sides share come from
// web.IssueWords, those only the merchant reads (its states, "You" and
// "The shopper") from the console's messages.

// issueStateIDs name an issue's states for the merchant: the messages'
// ids.
var issueStateIDs = map[string]string{
	order.IssueOpen:            "console.issues.state_open",
	order.IssueAwaitingShopper: "console.issues.state_awaiting_shopper",
	order.IssueResolved:        "console.issues.state_resolved",
	order.IssueRefused:         "console.issues.state_refused",
	order.IssueEscalated:       "console.issues.state_escalated",
	order.IssueDecided:         "console.issues.state_decided",
}

// issueViewIn is issue i of a part in currency as the merchant reads it
// on r's page.
func (c *Console) issueViewIn(r *http.Request, i order.Issue, currency string) web.IssueView {
	now := c.site.Now()
	v := web.IssueViewOf(i, order.ByMerchant, currency, now, c.site.Zone())
	w := c.site.IssueWords(r)
	if w.English() {
		return v // web.IssueViewOf speaks English
	}
	v.StateText = textOf(w.L, issueStateIDs, i.State)
	v.Category = w.Category(i.Category)
	v.Asked = w.Remedy(i.Remedy, i.Amount, currency)
	v.OpenedBy, v.OpenedWhen = merchantIssueWho(w, i.By), w.When(i.OpenedAt)
	if i.Offer != nil {
		v.Offer, v.OfferLabel = w.Remedy(i.Offer.Remedy, i.Offer.Amount, currency), w.OfferLabel(i.State)
	}
	for _, d := range []*web.DeadlineView{v.RespondBy, v.ResolveBy, v.Next} {
		w.Deadline(d, now)
	}
	for k, s := range i.Steps {
		if k < len(v.Steps) {
			v.Steps[k].Who, v.Steps[k].What, v.Steps[k].When = merchantIssueWho(w, s.By), w.Step(s, currency), w.When(s.At)
		}
	}
	return v
}

// merchantIssueWho names who took a step, for the merchant.
func merchantIssueWho(w web.IssueWords, by string) string {
	switch by {
	case order.ByMerchant:
		return w.L.T("console.issues.you")
	case order.ByShopper:
		return w.L.T("console.issues.by_shopper")
	case order.ByHome, order.ByOperator, order.ByArbiter:
		return w.L.T("issue.by_" + by)
	}
	return by
}
