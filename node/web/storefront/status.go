package storefront

import (
	"strings"

	"github.com/fedmart/fedmart/federation/order"
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
func (sp speech) summaryStatus(o order.Order) string {
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
		return sp.progressText(live)
	case len(live) == 0:
		return sp.endedText(gone, pay)
	}
	return sp.t("ostatus.and_ended", "Progress", sp.progressText(live), "Ended", sp.partsEndedText(gone)+sp.moneyClause(gone, pay))
}

// progressText says where parts still on their way stand.
func (sp speech) progressText(live []order.Part) string {
	n := map[string]int{}
	for _, p := range live {
		n[p.Status]++
	}
	moved := n[order.StatusShipped] + n[order.StatusDelivered]
	switch {
	case n[order.StatusDelivered] == len(live):
		return sp.t("ostatus.delivered")
	case moved == len(live) && n[order.StatusDelivered] > 0:
		return sp.t("ostatus.partly_delivered")
	case moved == len(live):
		return sp.t("ostatus.shipped")
	case moved > 0:
		return sp.t("ostatus.partly_shipped")
	case n[order.StatusAccepted] > 0:
		return sp.t("ostatus.preparing")
	case len(live) == 1:
		return sp.t("ostatus.waiting_merchant")
	}
	return sp.t("ostatus.waiting_merchants")
}

// endedText says how an order whose parts all ended stands:
// "Cancelled, refunded 24.79 EUR".
func (sp speech) endedText(gone []order.Part, pay order.Payment) string {
	word := endKind(gone[0])
	for _, p := range gone[1:] {
		if endKind(p) != word {
			word = "cancelled"
		}
	}
	return sp.t("ostatus.ended_"+strings.ReplaceAll(word, " ", "_")) + sp.moneyClause(gone, pay)
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
func (sp speech) partsEndedText(gone []order.Part) string {
	var out []string
	for _, kind := range []string{"cancelled", "not accepted", "returned"} {
		n := 0
		for _, p := range gone {
			if endKind(p) == kind {
				n++
			}
		}
		id := strings.ReplaceAll(kind, " ", "_")
		switch {
		case n == 0:
		case len(out) > 0:
			out = append(out, sp.t("ostatus.n_"+id, "Count", n))
		default:
			out = append(out, sp.t("ostatus.parts_"+id, "Count", n))
		}
	}
	return strings.Join(out, sp.t("ostatus.list_sep"))
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
func (sp speech) shippingRefundText(p order.Part) string {
	if p.Shipping.Amount <= 0 || p.Refunded.Amount <= 0 {
		return ""
	}
	ship := sp.orderMoney(p.Shipping)
	switch {
	case p.RefundedShipping.Amount >= p.Shipping.Amount:
		return sp.t("ostatus.ship_refunded", "Shipping", ship)
	case p.RefundedShipping.Amount > 0:
		return sp.t("ostatus.ship_partly_refunded", "Amount", sp.orderMoney(p.RefundedShipping), "Shipping", ship)
	}
	return sp.t("ostatus.ship_not_refunded", "Shipping", ship)
}

// moneyClause says what became of the money of the parts that ended,
// led by the list's separator: ", refunded 24.79 EUR", ", refund of
// 24.79 EUR under way", ", nothing to pay". "" when the payment is not
// known here.
func (sp speech) moneyClause(gone []order.Part, pay order.Payment) string {
	due := owed(gone)
	if due.Amount == 0 {
		return ""
	}
	amount, sep := sp.orderMoney(due), sp.t("ostatus.list_sep")
	switch {
	case pay.Status == order.PaymentPending:
		return sep + sp.t("ostatus.nothing_to_pay")
	case pay.Status == order.PaymentRecovered || pay.Method == "":
		return ""
	case pay.Refunded.Amount >= due.Amount:
		return sep + sp.t("ostatus.refunded", "Amount", amount)
	}
	return sep + sp.t("ostatus.refund_under_way", "Amount", amount)
}

// refundWay says where a refund goes: "to the card ending in 4242", or
// for an invoice paid by transfer, "by bank transfer from <site>".
func (sp speech) refundWay(pay order.Payment, site string) string {
	switch {
	case pay.Method == order.MethodSandboxCard && pay.Last4 != "":
		return sp.t("ostatus.way_card", "Last4", pay.Last4)
	case pay.Method == order.MethodManual:
		return sp.t("ostatus.way_transfer", "Site", site)
	}
	return sp.t("ostatus.way_payment")
}

// partRefunds says, for each part that ended, what became of its money:
// "24.79 EUR refunded to the card ending in 4242". The refunds paid so
// far (Payment.Refunded) are counted against the parts in the order they
// ended, as the order service pays them.
func (sp speech) partRefunds(o order.Order, site string) map[string]string {
	out := map[string]string{}
	left, inPoints := o.Payment.Refunded.Amount, pointsGivenBack(o)
	way := sp.refundWay(o.Payment, site)
	for _, p := range endedInOrder(o.Parts) {
		due := partDue(p)
		amount := sp.orderMoney(due)
		switch {
		case p.Total.Amount == 0, o.Payment.Status == order.PaymentRecovered, o.Payment.Method == "":
		case o.Payment.Status == order.PaymentPending:
			out[p.ID] = sp.t("ostatus.invoice_reduced", "Amount", amount)
		case left >= due.Amount:
			out[p.ID] = sp.t("ostatus.part_refunded", "Amount", amount, "Way", way)
			left -= due.Amount
		case left+inPoints >= due.Amount: // what points paid came back as points
			pts := due.Amount - left
			out[p.ID] = sp.t("ostatus.part_refunded_points", "Amount", sp.cash(left, due.Currency), "Way", way, "Points", sp.cash(pts, due.Currency))
			if left == 0 {
				out[p.ID] = sp.t("ostatus.refunded_in_points", "Amount", amount)
			}
			left, inPoints = 0, inPoints-pts
		default:
			out[p.ID] = sp.t("ostatus.part_refund_under_way", "Amount", amount, "Way", way)
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
