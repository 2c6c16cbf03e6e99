package main

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// arbiterLoop plays the operator of the charter's arbiter: every few
// seconds it decides the arbiter's open cases, as that operator would on
// the dashboard's "Escalated issues" page. The decision travels as a
// signed message to the home, which applies it (a refund decision as a
// refund status that settlement books), and to the storefront.
func arbiterLoop(ctx context.Context, c *node.Cluster, seed uint64, t *demoTally, say func(string, ...any)) error {
	arbiter := c.Charter.Charter.Service.Arbiter
	var n *node.Node
	for _, m := range c.Nodes {
		if m.PeerID().String() == arbiter {
			n = m
		}
	}
	if n == nil {
		return nil // the charter names no arbiter: escalations are refused, and the shoppers say so
	}
	rng := rand.New(rand.NewPCG(seed, 0xa4b1))
	for sleepCtx(ctx, 5*time.Second) {
		cases, err := n.Orders().Cases(ctx)
		if err != nil {
			if ctx.Err() == nil {
				say("%-14s the arbiter's cases: %v", n.Name(), err)
			}
			continue
		}
		for _, cs := range cases {
			if cs.State != order.CaseOpen {
				continue
			}
			d := arbiterDecision(rng, cs)
			if _, err := n.Orders().DecideCase(ctx, cs.ID, d); err != nil {
				if ctx.Err() == nil {
					say("%-14s the arbiter could not decide case %s: %v", n.Name(), cs.ID, err)
				}
				continue
			}
			t.decided.Add(1)
			say("%-14s the arbiter decided case %s (part %s): %s %s (%s)", n.Name(), cs.ID, cs.Part, d.Remedy, amountOf(d.Amount, cs.Refundable.Currency), d.Text)
		}
	}
	return nil
}

// arbiterDecision is the demo arbiter's judgement of case cs: mostly half
// of the refund asked (never more than is left to refund), a replacement
// when no amount was asked, and one time in four no remedy.
func arbiterDecision(rng *rand.Rand, cs order.Case) order.IssueDecision {
	switch half := min(cs.Issue.Amount/2, cs.Refundable.Amount); {
	case rng.IntN(4) == 0:
		return order.IssueDecision{Remedy: order.RemedyNone, Text: "The evidence does not show that anything is owed."}
	case half > 0:
		return order.IssueDecision{Remedy: order.RemedyRefund, Amount: half, Text: "Half of what was asked: the item is usable but not as described."}
	}
	return order.IssueDecision{Remedy: order.RemedyReplacement, Text: "The photos show the damage; the merchant sends a new one."}
}

// amountOf writes a decision's amount, or nothing when it has none.
func amountOf(amount int64, currency string) string {
	if amount == 0 {
		return ""
	}
	return order.Money{Amount: amount, Currency: currency}.String()
}
