package storefront

import (
	"context"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// partReturnView is one return of a part on the order page.
type partReturnView struct {
	ID, State, StateText string
	Items, Reason, Note  string
	Steps                []returnStepView
}

// returnStepView is one step of a return, in words: "Requested 3 Dec
// 2026", "Approved 4 Dec 2026" with how to send the units back,
// "Received 9 Dec 2026: 40.50 EUR refunded".
type returnStepView struct {
	State, Text string
	At          time.Time
	Day         string
	// Address, LabelURL (https only) and Code are the approval's
	// instructions; PaidBy says who pays the return shipping.
	Address, LabelURL, Code, PaidBy string
	// Refund is what the receipt refunded, Fee the restocking fee kept.
	Refund, Fee string
	// Why is a refusal's reason.
	Why string
}

// returnsOf adds to pv the returns of p and, while its merchant's window
// is open and units are left to return, the link to return some.
func (sf *Storefront) returnsOf(ctx context.Context, o order.Order, p order.Part, pv *partView) {
	sp := sf.speechIn(ctx)
	for _, r := range p.Returns {
		pv.Returns = append(pv.Returns, sp.partReturnViewOf(p, r))
	}
	win, ok := sf.windowOf(ctx, p)
	if !ok || !sf.site.Now().Before(win.ends) {
		return
	}
	var left int64
	for _, u := range returnableUnits(p) {
		left += max(u.Quantity, 0)
	}
	if left == 0 {
		return
	}
	pv.ReturnURL, pv.ReturnUntil, pv.ReturnPolicy = returnURL(o.ID, p.ID), sp.day(win.ends), sp.returnPolicyText(win.policies)
}

// partReturnViewOf is return r of part p in words.
func (sp speech) partReturnViewOf(p order.Part, r order.Return) partReturnView {
	v := partReturnView{ID: r.ID, State: r.State, StateText: sp.returnState(r.State), Items: web.UnitsText(r.Lines, p.Items),
		Reason: sp.returnReason(r.Reason), Note: r.Note}
	for _, st := range r.Steps {
		sv := returnStepView{State: st.State, Text: sp.returnState(st.State), At: st.At, Day: sp.day(st.At)}
		switch st.State {
		case order.ReturnApproved:
			if in := r.Instructions; in != nil {
				sv.Address, sv.Code = in.Address, in.DropOffCode
				if shipping.CheckTrackingURL(in.LabelURL) == nil {
					sv.LabelURL = in.LabelURL
				}
			}
			sv.PaidBy = sp.t("returns.you_pay")
			if r.ShippingPaidBy == "merchant" {
				sv.PaidBy = sp.t("returns.merchant_pays")
			}
		case order.ReturnRefused:
			sv.Why = st.Note
			if sv.Why == "" {
				sv.Why = r.Refusal
			}
		case order.ReturnReceived:
			for _, rf := range p.Refunds {
				if rf.ID == r.Refund {
					sv.Refund = sp.orderMoney(rf.Amount)
				}
			}
			if r.RestockingFee.Amount > 0 {
				sv.Fee = sp.orderMoney(r.RestockingFee)
			}
		}
		v.Steps = append(v.Steps, sv)
	}
	return v
}
