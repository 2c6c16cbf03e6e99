package web

import (
	"time"

	"github.com/fedmart/fedmart/federation/order"
)

// A complaint (order.Issue) about an order part, as the shopper's
// storefront and the merchant's console show it: what it is about and
// the remedy asked, its state, its deadlines with the one that passed
// marked, and its steps in words (who did what, when), the reader's own
// named "You". The pages add the forms the state allows.

// IssueCategoryText names the categories of order.IssueCategories, in
// the order a select offers them.
var IssueCategoryText = map[string]string{
	"not_received":     "It never arrived",
	"damaged":          "It arrived damaged",
	"wrong_item":       "Wrong item",
	"not_as_described": "Not as described",
	"missing_parts":    "Parts are missing",
	"billing":          "A billing problem",
	"other":            "Something else",
}

// IssueRemedyText names the remedies asked for or offered.
var IssueRemedyText = map[string]string{
	order.RemedyRefund:      "A refund",
	order.RemedyReplacement: "A replacement",
	order.RemedyReturn:      "A return of the items",
	order.RemedyNone:        "No remedy",
}

// issueStateText names an issue's states for a reader on a side.
var issueStateText = map[string][2]string{ // shopper's, merchant's
	order.IssueOpen:            {"Waiting for the merchant", "To answer"},
	order.IssueAwaitingShopper: {"Waiting for you", "Waiting for the shopper"},
	order.IssueResolved:        {"Resolved", "Resolved"},
	order.IssueRefused:         {"Refused by the merchant", "Refused"},
	order.IssueEscalated:       {"With the alliance's arbiter", "With the alliance's arbiter"},
	order.IssueDecided:         {"Decided by the arbiter", "Decided by the arbiter"},
}

// IssueView is an issue in words.
type IssueView struct {
	ID, State, StateText  string
	Category, Description string
	Evidence              []string
	// Asked is the remedy asked for, in words ("a refund of 12.00 EUR").
	Asked  string
	Opened time.Time
	// OpenedBy is who opened it ("You", "The shopper", "The storefront's
	// operator").
	OpenedBy string
	// RespondBy is the first answer's deadline while it is due; ResolveBy
	// the resolution's while the issue is live. Overdue marks the one that
	// passed.
	RespondBy, ResolveBy *DeadlineView
	// Next is the nearest deadline still running or passed, nil when none
	// is: what a list sorts and marks by.
	Next *DeadlineView
	// Offer is the remedy on the table, agreed or decided, in words ("a
	// replacement");
	// OfferAmount its refund in minor units (0 for others).
	Offer       string
	OfferAmount int64
	// OfferLabel heads Offer: "Offer", "Agreed" or "Decided".
	OfferLabel string
	// OpenedWhen is Opened in the site's zone.
	OpenedWhen string
	Refusal    string
	Steps      []IssueStepView
}

// DeadlineView is one deadline of an issue.
type DeadlineView struct {
	At time.Time
	// When is At in the site's zone ("4 Dec 2026, 15:04"), Left how long
	// until it ("in 5 h") or since ("3 h ago").
	When, Left string
	Overdue    bool
}

// IssueStepView is one step of an issue.
type IssueStepView struct {
	Who, What, Text string
	Mine            bool
	At              time.Time
	When            string
	// Pending is a step the merchant's platform has not recorded yet.
	Pending bool
}

// IssueViewOf is issue i of a part in currency as the reader on side
// (order.ByShopper or order.ByMerchant) sees it at now.
func IssueViewOf(i order.Issue, side, currency string, now time.Time, zone *time.Location) IssueView {
	col := 0
	if side == order.ByMerchant {
		col = 1
	}
	when := func(t time.Time) string { return t.In(zone).Format("2 Jan 2006, 15:04") }
	deadline := func(t time.Time) *DeadlineView {
		if t.IsZero() {
			return nil
		}
		d := &DeadlineView{At: t, When: when(t), Left: Until(now, t), Overdue: now.After(t)}
		if d.Overdue {
			d.Left = Ago(now, t)
		}
		return d
	}
	v := IssueView{ID: i.ID, State: i.State, StateText: issueStateText[i.State][col], Category: IssueCategoryText[i.Category],
		Description: i.Description, Evidence: i.Evidence, Asked: lowerFirst(remedyText(i.Remedy, i.Amount, currency)), Opened: i.OpenedAt,
		OpenedBy: issueWho(i.By, side), OpenedWhen: when(i.OpenedAt), Refusal: i.Refusal}
	if i.Live() {
		if i.FirstResponseAt.IsZero() {
			v.RespondBy = deadline(i.RespondBy)
		}
		v.ResolveBy = deadline(i.ResolveBy)
		v.Next = deadline(i.Deadline())
	}
	if i.Offer != nil {
		v.Offer = lowerFirst(remedyText(i.Offer.Remedy, i.Offer.Amount, currency))
		v.OfferLabel = map[string]string{order.IssueResolved: "Agreed", order.IssueDecided: "Decided"}[i.State]
		if v.OfferLabel == "" {
			v.OfferLabel = "Offer"
		}
		if i.Offer.Remedy == order.RemedyRefund {
			v.OfferAmount = i.Offer.Amount
		}
	}
	for _, s := range i.Steps {
		v.Steps = append(v.Steps, IssueStepView{Who: issueWho(s.By, side), What: issueStepText(s, currency), Text: s.Text,
			Mine: s.By == side, At: s.At, When: when(s.At), Pending: s.Seq == 0})
	}
	return v
}

// remedyText is a remedy in words, a refund with its amount when said.
func remedyText(remedy string, amount int64, currency string) string {
	s := IssueRemedyText[remedy]
	if remedy == order.RemedyRefund && amount > 0 {
		s += " of " + FormatMoney(amount, currency)
	}
	return s
}

// issueWho names who took a step, for a reader on side.
func issueWho(by, side string) string {
	switch {
	case by == side:
		return "You"
	case by == order.ByShopper:
		return "The shopper"
	case by == order.ByOperator:
		return "The storefront's operator"
	case by == order.ByMerchant:
		return "The merchant"
	case by == order.ByHome:
		return "The merchant's platform"
	case by == order.ByArbiter:
		return "The alliance's arbiter"
	}
	return by
}

// issueStepText says what a step did.
func issueStepText(s order.IssueStep, currency string) string {
	switch s.Action {
	case order.IssueActOpen:
		return "reported the problem and asked for " + lowerFirst(remedyText(s.Remedy, s.Amount, currency))
	case order.IssueActInfo:
		return "gave more information"
	case order.IssueActAccept:
		return "accepted the offer"
	case order.IssueActReject:
		return "rejected the offer"
	case order.IssueActEscalate:
		return "asked the alliance's arbiter to decide"
	case order.IssueActAskInfo:
		return "asked for more information"
	case order.IssueActOffer:
		return "offered " + lowerFirst(remedyText(s.Remedy, s.Amount, currency))
	case order.IssueActRefuse:
		return "refused the complaint"
	case order.IssueActDenied:
		return "could not take the last step"
	case order.IssueActDecide:
		return "decided: " + lowerFirst(remedyText(s.Remedy, s.Amount, currency))
	}
	return s.Action
}

// lowerFirst lowers the first letter of s.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}
