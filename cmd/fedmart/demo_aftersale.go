package main

import (
	"context"
	"math/rand/v2"
	"slices"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// After the sale, the simulated shoppers write to merchants and complain,
// and the merchants answer: the shopper's side runs in its own loop (on its
// storefront), the merchant's in its member's merchant loop (on the home),
// so every message crosses members through the outbox as it would between
// real ones.

// demoQuestions are what the shoppers ask a merchant about a part, with the
// merchant's answer.
var demoQuestions = []struct{ Ask, Answer string }{
	{"Could you gift-wrap it, please?", "Of course, it will go out gift-wrapped."},
	{"When will it ship?", "It leaves our warehouse within two working days."},
	{"Does it come with a manual in French?", "Yes, the manual is in English, French and German."},
	{"Can you send it to my office instead?", "We ship to the address on the order; your storefront can change it before shipping."},
	{"Is the colour as dark as in the photo?", "It is a little lighter than the photo, a warm grey."},
}

// demoComplaints are what the shoppers complain about: a category for a
// delivered part, the description and the remedy asked.
var demoComplaints = []struct{ Category, Description, Remedy string }{
	{"damaged", "The box was crushed and the item is dented.", order.RemedyRefund},
	{"wrong_item", "I received a different colour than the one I ordered.", order.RemedyReplacement},
	{"missing_parts", "The screws to assemble it are missing.", order.RemedyReplacement},
	{"not_as_described", "The material feels nothing like the description.", order.RemedyReturn},
}

// demoInfo is what a shopper answers when the merchant asks for more.
var demoInfo = []string{
	"Here is a photo of the box as it arrived: https://example.org/photo.jpg",
	"It is the second item of the order; the label on it says B-42.",
	"I noticed it when I unpacked it, the day it arrived.",
}

// writeOne asks the merchant of one of the shopper's latest parts a
// question from demoQuestions.
func writeOne(ctx context.Context, home *node.Node, shopper, who string, rng *rand.Rand, t *demoTally, say func(string, ...any)) {
	orders, _, err := home.Orders().Orders(ctx, shopper, "", 5)
	if err != nil || len(orders) == 0 {
		return
	}
	o := orders[rng.IntN(len(orders))]
	if len(o.Parts) == 0 {
		return
	}
	p := o.Parts[rng.IntN(len(o.Parts))]
	q := demoQuestions[rng.IntN(len(demoQuestions))]
	if _, err := home.Orders().WriteNote(ctx, shopper, o.ID, p.ID, order.NoteInput{Text: q.Ask}); err == nil {
		t.asked.Add(1)
		say("%-14s %s wrote to the merchant of part %s: %q", home.Name(), who, p.ID, q.Ask)
	}
}

// complainOne opens an issue on one of the shopper's latest parts that
// has none: "not received" on a part shipped but not delivered yet (it is
// late, to the shopper), one of demoComplaints on a delivered one.
func complainOne(ctx context.Context, home *node.Node, shopper, who string, rng *rand.Rand, t *demoTally, say func(string, ...any)) {
	orders, _, err := home.Orders().Orders(ctx, shopper, "", 20)
	if err != nil {
		return
	}
	for _, o := range orders {
		for _, p := range o.Parts {
			if len(p.Issues) > 0 || (p.Status != order.StatusDelivered && p.Status != order.StatusShipped) {
				continue
			}
			c := demoComplaints[rng.IntN(len(demoComplaints))]
			in := order.IssueInput{Category: c.Category, Description: c.Description, Remedy: c.Remedy}
			if p.Status == order.StatusShipped {
				in = order.IssueInput{Category: "not_received", Description: "The parcel has not arrived and the tracking has not moved.", Remedy: order.RemedyRefund}
			}
			if in.Remedy == order.RemedyRefund {
				in.Amount = p.Left().Items.Amount / 2
			}
			i, err := home.Orders().OpenIssue(ctx, shopper, o.ID, p.ID, in, "demo-issue")
			if err == nil {
				t.opened.Add(1)
				say("%-14s %s opened an issue on part %s (%s): %q, asking for a %s", home.Name(), who, p.ID, i.Category, i.Description, i.Remedy)
			}
			return
		}
	}
}

// followIssues answers the merchants on the shopper's issues: more
// information when asked, an offered refund accepted (the home books it),
// a refusal escalated to the charter's arbiter; and tells the arbiter's
// decisions once.
func followIssues(ctx context.Context, home *node.Node, shopper, who string, rng *rand.Rand, told map[string]bool, t *demoTally, say func(string, ...any)) {
	svc := home.Orders()
	orders, _, err := svc.Orders(ctx, shopper, "", 20)
	if err != nil {
		return
	}
	for _, o := range orders {
		for _, p := range o.Parts {
			for _, i := range p.Issues {
				if pending(i) {
					continue // the home has not stated the shopper's last step yet
				}
				switch {
				case i.State == order.IssueAwaitingShopper && i.Offer == nil:
					text := demoInfo[rng.IntN(len(demoInfo))]
					if _, err := svc.ReplyIssue(ctx, shopper, o.ID, p.ID, i.ID, order.IssueReplyInput{Action: order.IssueActInfo, Text: text}); err == nil {
						t.informed.Add(1)
						say("%-14s %s answered the merchant on the issue of part %s: %q", home.Name(), who, p.ID, text)
					}
				case i.State == order.IssueAwaitingShopper:
					if _, err := svc.ReplyIssue(ctx, shopper, o.ID, p.ID, i.ID, order.IssueReplyInput{Action: order.IssueActAccept}); err == nil {
						t.accepted.Add(1)
						say("%-14s %s accepted the merchant's %s of %s on part %s", home.Name(), who, i.Offer.Remedy, order.Money{Amount: i.Offer.Amount, Currency: p.Total.Currency}, p.ID)
					}
				case i.State == order.IssueRefused:
					if _, err := svc.EscalateIssue(ctx, shopper, o.ID, p.ID, i.ID, "The merchant refused; I ask the alliance's arbiter to decide."); err == nil {
						t.escalated.Add(1)
						say("%-14s %s escalated the refused issue of part %s to the charter's arbiter", home.Name(), who, p.ID)
					} else if !told[i.ID] {
						told[i.ID] = true
						say("%-14s %s cannot escalate the issue of part %s: %v", home.Name(), who, p.ID, err)
					}
				case i.State == order.IssueDecided && !told[i.ID]:
					told[i.ID] = true
					say("%-14s %s: the arbiter decided the issue of part %s: %s %s", home.Name(), who, p.ID, i.Offer.Remedy, amountOf(i.Offer.Amount, p.Total.Currency))
				}
			}
		}
	}
}

// pending reports whether the shopper's last step of issue i is not yet
// stated by its home.
func pending(i order.Issue) bool {
	return len(i.Steps) > 0 && i.Steps[len(i.Steps)-1].Seq == 0
}

// answerNotes answers each shopper's question in the merchant's
// conversations with demoQuestions' answer.
func answerNotes(ctx context.Context, n *node.Node, merchant, name string, t *demoTally, say func(string, ...any)) {
	svc := n.Orders()
	convs, err := svc.Conversations(ctx, merchant, 20)
	if err != nil {
		return
	}
	for _, c := range convs {
		if c.Unread == 0 || c.Last.By != order.ByShopper {
			continue
		}
		if _, err := svc.MerchantThread(ctx, merchant, c.Part, true); err != nil {
			continue
		}
		answer := "Thank you for your message, we will look into it."
		if k := slices.IndexFunc(demoQuestions, func(q struct{ Ask, Answer string }) bool { return q.Ask == c.Last.Text }); k >= 0 {
			answer = demoQuestions[k].Answer
		}
		if _, err := svc.WriteMerchantNote(ctx, merchant, c.Part, order.NoteInput{Text: answer}); err == nil {
			t.answered.Add(1)
			say("%-14s %s answered the shopper of part %s: %q", n.Name(), name, c.Part, answer)
		}
	}
}

// answerIssues answers the merchant's open issues: at first it asks for
// more, offers a refund or refuses, at random; once the shopper gave more
// information, it offers a refund or refuses.
func answerIssues(ctx context.Context, n *node.Node, merchant, name string, rng *rand.Rand, t *demoTally, say func(string, ...any)) {
	svc := n.Orders()
	open, err := svc.MerchantIssues(ctx, merchant, order.IssueOpen, 20)
	if err != nil {
		return
	}
	for _, mi := range open {
		i := mi.Issue
		p, err := svc.HomePartOf(ctx, merchant, mi.Part)
		if err != nil {
			continue
		}
		choice := rng.IntN(3)
		if slices.ContainsFunc(i.Steps, func(s order.IssueStep) bool { return s.Action == order.IssueActInfo }) {
			choice = 1 + rng.IntN(2)
		}
		left := p.Left().Items
		a := order.IssueAnswer{Action: order.IssueActRefuse, Text: "The item left our warehouse in perfect condition."}
		switch {
		case choice == 0:
			a = order.IssueAnswer{Action: order.IssueActAskInfo, Text: "Could you send a photo and tell us which item it is?"}
		case choice == 1 && left.Amount >= 4:
			amount := left.Amount / 4
			if i.Remedy == order.RemedyRefund && i.Amount > 0 {
				amount = min(i.Amount, left.Amount)
			}
			a = order.IssueAnswer{Action: order.IssueActOffer, Remedy: order.RemedyRefund, Amount: amount, Text: "We are sorry; we offer a refund."}
		}
		if _, err := svc.AnswerIssue(ctx, merchant, mi.Part, i.ID, a); err != nil {
			continue
		}
		switch a.Action {
		case order.IssueActAskInfo:
			t.askedMore.Add(1)
			say("%-14s %s asked the shopper for more on the issue of part %s", n.Name(), name, mi.Part)
		case order.IssueActOffer:
			t.offered.Add(1)
			say("%-14s %s offered a refund of %s on the issue of part %s", n.Name(), name, order.Money{Amount: a.Amount, Currency: left.Currency}, mi.Part)
		default:
			t.refused.Add(1)
			say("%-14s %s refused the issue of part %s: %q", n.Name(), name, mi.Part, a.Text)
		}
	}
}
