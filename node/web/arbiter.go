package web

import (
	"cmp"
	"slices"
	"time"

	"github.com/fedmart/fedmart/federation/order"
)

// An escalated issue, as a side of it (the shopper on the storefront, the
// merchant on the console) reads its arbiter: which member it is and what
// happens next, the arbiter's questions to this side and the answers
// sent back, in time order, and the decision once there is one. The
// notes are those this node holds (order.Service.ArbiterMessages): when
// one node is both the storefront and the home of a part, both pages
// show the notes of both sides, since the node cannot tell them apart.

// ArbiterView is the arbiter of an escalated issue in words.
type ArbiterView struct {
	// Name is the arbiter member's name.
	Name string
	// Next says what happens next.
	Next string
	// Notes are the arbiter's questions and this side's answers, oldest
	// first; Asked is whether any is a question.
	Notes []ArbiterNoteView
	Asked bool
	// Decision is the arbiter's decision, nil until there is one.
	Decision *DecisionView
}

// ArbiterNoteView is one note between the arbiter and this side.
type ArbiterNoteView struct {
	// Who names the writer: the arbiter, or this side (Mine).
	Who, Text, When string
	Mine            bool
	At              time.Time
}

// DecisionView is the arbiter's decision in words.
type DecisionView struct {
	// Remedy is what was decided ("a refund of 12.00 EUR", "no remedy"),
	// Kind the order.Remedy* it is, Amount the refund in minor units (0
	// for others).
	Remedy, Kind string
	Amount       int64
	Reasons      string
	At           time.Time
	When         string
}

// ArbiterViewOf is the arbiter of issue i of a part in currency, with the
// arbiter messages this node holds about it, as the reader on side
// (order.ByShopper or order.ByMerchant) sees it; mine names this side's
// notes ("You"). Nil when the issue was never escalated.
func ArbiterViewOf(i order.Issue, msgs []order.ArbiterMessage, side, mine, currency string, names map[string]string, zone *time.Location) *ArbiterView {
	if i.Arbiter == "" {
		return nil
	}
	when := func(t time.Time) string { return t.In(zone).Format("2 Jan 2006, 15:04") }
	v := &ArbiterView{Name: PlatformName(names, i.Arbiter)}
	for _, m := range msgs {
		if m.Decision != nil {
			v.Decision = decisionView(m.Decision.Remedy, m.Decision.Amount, m.Decision.Text, currency, m.At, when)
			continue
		}
		n := ArbiterNoteView{Who: v.Name, Text: m.Text, At: m.At, When: when(m.At), Mine: m.By != order.ByArbiter}
		if n.Mine {
			n.Who = mine
		} else {
			v.Asked = true
		}
		v.Notes = append(v.Notes, n)
	}
	// Notes are kept by their signed time, then by sender: within one
	// time, the arbiter's question comes before the answer to it.
	slices.SortStableFunc(v.Notes, func(a, b ArbiterNoteView) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(b2i(a.Mine), b2i(b.Mine))
	})
	if v.Decision == nil && i.State == order.IssueDecided {
		for _, s := range i.Steps {
			if s.Action == order.IssueActDecide {
				v.Decision = decisionView(s.Remedy, s.Amount, s.Text, currency, s.At, when)
			}
		}
	}
	v.Next = arbiterNext(v, side)
	return v
}

func decisionView(remedy string, amount int64, reasons, currency string, at time.Time, when func(time.Time) string) *DecisionView {
	d := &DecisionView{Remedy: lowerFirst(remedyText(remedy, amount, currency)), Kind: remedy, Reasons: reasons, At: at, When: when(at)}
	if remedy == order.RemedyRefund {
		d.Amount = amount
	}
	return d
}

// arbiterNext says what happens next, for the reader on side.
func arbiterNext(v *ArbiterView, side string) string {
	shopper := side == order.ByShopper
	switch {
	case v.Decision == nil && shopper:
		return v.Name + ", the member of the alliance its charter names as arbiter, reads the whole signed thread of this problem, " +
			"may ask you or the merchant for more (its questions to you show below, and you answer them here), and then decides: " +
			"a refund, a replacement, or no remedy. The merchant's platform applies the decision, and it shows on this page."
	case v.Decision == nil:
		return v.Name + ", the member of the alliance its charter names as arbiter, reads the whole signed thread of this issue, " +
			"may ask you or the shopper for more (its questions to you show below, and you answer them here), and then decides: " +
			"a refund, a replacement, or no remedy. By joining the charter your platform agreed to apply the decision: " +
			"a refund decision is refunded at once and booked by settlement like any refund."
	case v.Decision.Amount > 0 && shopper:
		return v.Name + " decided. The merchant's platform applies the decision: the refund is paid to how you paid, and the order page shows it."
	case v.Decision.Amount > 0:
		return v.Name + " decided. Your platform applies the decision: the refund is paid to the shopper at once and booked by settlement like any refund."
	case v.Decision.Kind == order.RemedyNone && shopper:
		return v.Name + " decided that the merchant owes no remedy. The decision ends the problem."
	case v.Decision.Kind == order.RemedyNone:
		return v.Name + " decided that you owe no remedy. The decision ends the issue."
	case shopper:
		return v.Name + " decided. The merchant's platform applies the decision, and the merchant tells you the next steps in its messages."
	}
	return v.Name + " decided. By the charter you apply the decision: tell the shopper the next steps in your messages."
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
