package storefront

import (
	"fmt"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// An order's status line is derived here from its parts, so that it never
// contradicts one of them: where the parts still on their way stand
// (waiting, being prepared, shipped, delivered, or partly so), then what
// ended without delivery (cancelled, not accepted, refunded) and what
// became of its money: refunded, a refund under way, or nothing to pay
// on an invoice not yet paid. "Partly shipped", "Delivered",
// "Cancelled, refunded 24.79 EUR", "Delivered; 1 part cancelled,
// refunded 24.79 EUR". A part the merchant refunded after shipping it
// was returned; before, it was cancelled.

// ended reports whether a part ended without delivery.
func ended(s string) bool {
	return s == order.StatusCancelled || s == order.StatusRejected || s == order.StatusRefunded
}

// summaryStatus is the status line of o.
func summaryStatus(o order.Order) string {
	var live, gone []order.Part
	for _, p := range o.Parts {
		if ended(p.Status) {
			gone = append(gone, p)
		} else {
			live = append(live, p)
		}
	}
	pay := o.Payment // what refunds gave back in points is refunded too
	pay.Refunded.Amount += pointsGivenBack(o)
	switch {
	case len(gone) == 0:
		return progressText(live)
	case len(live) == 0:
		return endedText(gone, pay)
	}
	return progressText(live) + "; " + partsEndedText(gone) + moneyClause(gone, pay, ", ")
}

// progressText says where parts still on their way stand.
func progressText(live []order.Part) string {
	n := map[string]int{}
	for _, p := range live {
		n[p.Status]++
	}
	moved := n[order.StatusShipped] + n[order.StatusDelivered]
	switch {
	case n[order.StatusDelivered] == len(live):
		return "Delivered"
	case moved == len(live) && n[order.StatusDelivered] > 0:
		return "Partly delivered"
	case moved == len(live):
		return "Shipped"
	case moved > 0:
		return "Partly shipped"
	case n[order.StatusAccepted] > 0:
		return "Being prepared"
	case len(live) == 1:
		return "Waiting for the merchant"
	}
	return "Waiting for the merchants"
}

// endedText says how an order whose parts all ended stands:
// "Cancelled, refunded 24.79 EUR".
func endedText(gone []order.Part, pay order.Payment) string {
	word := endKind(gone[0])
	for _, p := range gone[1:] {
		if endKind(p) != word {
			word = "cancelled"
		}
	}
	return strings.ToUpper(word[:1]) + word[1:] + moneyClause(gone, pay, ", ")
}

// endKind says how a part ended: cancelled (by the shopper, or refunded
// by the merchant before it shipped), not accepted, or returned
// (refunded after it shipped).
func endKind(p order.Part) string {
	switch {
	case p.Status == order.StatusRejected:
		return "not accepted"
	case p.Status == order.StatusRefunded && p.Carrier != "":
		return "returned"
	}
	return "cancelled"
}

// partsEndedText counts the parts that ended, by how: "1 part
// cancelled", "2 parts cancelled, 1 returned".
func partsEndedText(gone []order.Part) string {
	var out []string
	for _, kind := range []string{"cancelled", "not accepted", "returned"} {
		n := 0
		for _, p := range gone {
			if endKind(p) == kind {
				n++
			}
		}
		switch {
		case n == 0:
		case len(out) > 0:
			out = append(out, fmt.Sprintf("%d %s", n, kind))
		case n == 1:
			out = append(out, "1 part "+kind)
		default:
			out = append(out, fmt.Sprintf("%d parts %s", n, kind))
		}
	}
	return strings.Join(out, ", ")
}

// owed is what the parts that ended owe the shopper back (partDue).
func owed(gone []order.Part) order.Money {
	var m order.Money
	for _, p := range gone {
		m.Amount += partDue(p).Amount
		m.Currency = p.Total.Currency
	}
	return m
}

// partDue is what a part that ended gives back: what its home refunded,
// which may leave its shipping out, or else its whole total.
func partDue(p order.Part) order.Money {
	if p.Refunded.Amount > 0 {
		return p.Refunded
	}
	return p.Total
}

// shippingRefundText says whether a refunded part's shipping was
// refunded: "" when it paid none or nothing was refunded yet.
func shippingRefundText(p order.Part) string {
	if p.Shipping.Amount <= 0 || p.Refunded.Amount <= 0 {
		return ""
	}
	ship := web.FormatMoney(p.Shipping.Amount, p.Shipping.Currency)
	switch {
	case p.RefundedShipping.Amount >= p.Shipping.Amount:
		return "The refund includes the shipping (" + ship + ")."
	case p.RefundedShipping.Amount > 0:
		return web.FormatMoney(p.RefundedShipping.Amount, p.RefundedShipping.Currency) + " of the shipping (" + ship + ") was refunded."
	}
	return "The shipping (" + ship + ") was not refunded."
}

// moneyClause says what became of the money of the parts that ended,
// led by sep: "refunded 24.79 EUR", "refund of 24.79 EUR under way",
// "nothing to pay". "" when the payment is not known here.
func moneyClause(gone []order.Part, pay order.Payment, sep string) string {
	due := owed(gone)
	if due.Amount == 0 {
		return ""
	}
	amount := web.FormatMoney(due.Amount, due.Currency)
	switch {
	case pay.Status == order.PaymentPending:
		return sep + "nothing to pay"
	case pay.Status == order.PaymentRecovered || pay.Method == "":
		return ""
	case pay.Refunded.Amount >= due.Amount:
		return sep + "refunded " + amount
	}
	return sep + "refund of " + amount + " under way"
}

// refundWay says where a refund goes: "to the card ending in 4242", or
// for an invoice paid by transfer, "by bank transfer from <site>".
func refundWay(pay order.Payment, site string) string {
	switch {
	case pay.Method == order.MethodSandboxCard && pay.Last4 != "":
		return "to the card ending in " + pay.Last4
	case pay.Method == order.MethodManual:
		return "by bank transfer from " + site
	}
	return "to the payment you made"
}

// partRefunds says, for each part that ended, what became of its money:
// "24.79 EUR refunded to the card ending in 4242". The refunds paid so
// far (Payment.Refunded) are counted against the parts in the order they
// ended, as the order service pays them.
func partRefunds(o order.Order, site string) map[string]string {
	out := map[string]string{}
	left, inPoints := o.Payment.Refunded.Amount, pointsGivenBack(o)
	way := refundWay(o.Payment, site)
	for _, p := range endedInOrder(o.Parts) {
		due := partDue(p)
		amount := web.FormatMoney(due.Amount, due.Currency)
		switch {
		case p.Total.Amount == 0, o.Payment.Status == order.PaymentRecovered, o.Payment.Method == "":
		case o.Payment.Status == order.PaymentPending:
			out[p.ID] = "Nothing to pay for this part: the invoice is reduced by " + amount + "."
		case left >= due.Amount:
			out[p.ID] = amount + " refunded " + way + "."
			left -= due.Amount
		case left+inPoints >= due.Amount: // what points paid came back as points
			pts := due.Amount - left
			out[p.ID] = web.FormatMoney(left, due.Currency) + " refunded " + way + " and " + web.FormatMoney(pts, due.Currency) + " in points."
			if left == 0 {
				out[p.ID] = amount + " refunded in points."
			}
			left, inPoints = 0, inPoints-pts
		default:
			out[p.ID] = "A refund of " + amount + " " + way + " is under way."
			left = 0
		}
	}
	return out
}

// pointsGivenBack is the value of the points refunds of o gave back.
func pointsGivenBack(o order.Order) int64 {
	var n int64
	if o.Points != nil {
		for _, r := range o.Points.Returns {
			if r.Given {
				n += r.Value.Amount
			}
		}
	}
	return n
}

// endedInOrder are the parts that ended, the first to end first.
func endedInOrder(parts []order.Part) []order.Part {
	var out []order.Part
	for _, p := range parts {
		if ended(p.Status) {
			out = append(out, p)
		}
	}
	for i := 1; i < len(out); i++ { // few parts: insertion sort, stable
		for j := i; j > 0 && out[j].UpdatedAt.Before(out[j-1].UpdatedAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
