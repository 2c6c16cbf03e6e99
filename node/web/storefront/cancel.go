package storefront

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A cancel is confirmed on a page of its own (GET /orders/{id}/cancel)
// that lists the parts not yet shipped, each with its lines and total,
// ticked (all of them, or the one the order page's link named), says
// what will be refunded and how (to the card ending in 4242, by bank
// transfer, or nothing to pay on an invoice not yet paid), and names the
// parts that can no longer be cancelled. Only its form cancels, and only
// the parts ticked (Orders.CancelParts). The order page then follows each
// part to its cancellation and its refund.

// cancelView is what the cancel confirmation shows.
type cancelView struct {
	ID, OrderURL, Action string
	Parts                []cancelPart // those that can be cancelled
	Kept                 []partView   // those that can no longer be
	// Total is the refund for the parts ticked; Way says how it is paid,
	// and Unpaid is true when nothing was paid yet (an invoice).
	Total, Way string
	Unpaid     bool
	Form       *web.Form
	// Problem says why the cancel was refused.
	Problem string
}

// cancelPart is one part the shopper may cancel.
type cancelPart struct {
	partView
	InputID string
	Amount  int64 // minor units, for the script that sums the ticks
	Checked bool
}

// cancelURL is the confirmation of a cancel of part ("" for every part
// not yet shipped) of order id.
func cancelURL(id, part string) string {
	u := orderURL(id) + "/cancel"
	if part != "" {
		u += "?" + url.Values{"part": {part}}.Encode()
	}
	return u
}

// cancelForm confirms a cancel: GET /orders/{id}/cancel?part=. An order
// with nothing left to cancel goes back to its page.
func (sf *Storefront) cancelForm(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, r.PathValue("id"))
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	ticked := r.URL.Query()["part"]
	v := sf.cancelViewOf(r.Context(), o, ticked, web.NewForm())
	if len(v.Parts) == 0 {
		web.SeeOther(w, r, orderURL(o.ID))
		return
	}
	sf.render(w, r, http.StatusOK, "cancel", sf.shopperPage(sv, sf.site.T(r, "cancel.title"), v))
}

// cancelParts cancels the parts ticked: POST /orders/{id}/cancel. None
// ticked, or one that shipped since the page was shown, shows the page
// again with why, and cancels nothing.
func (sf *Storefront) cancelParts(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	id := r.PathValue("id")
	parts := nonBlank(r.PostForm["part"])
	f := web.NewForm()
	status := http.StatusUnprocessableEntity
	if len(parts) == 0 {
		f.Add("part", sf.site.T(r, "cancel.tick_one"))
	} else {
		_, err := sf.deps.Orders.CancelParts(r.Context(), sv.shopper.ID, id, parts)
		switch {
		case err == nil:
			web.SeeOther(w, r, orderURL(id)+"?done=cancelled")
			return
		case errors.Is(err, order.ErrConflict):
			status = http.StatusConflict
		default:
			sf.site.FailOrder(w, r, err)
			return
		}
	}
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, id)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	v := sf.cancelViewOf(r.Context(), o, parts, f)
	if status == http.StatusConflict {
		v.Problem = sf.site.T(r, "cancel.conflict_some")
	}
	if len(v.Parts) == 0 {
		ov := sf.orderViewOf(r.Context(), o)
		ov.Problem = sf.site.T(r, "cancel.conflict_all")
		sf.render(w, r, http.StatusConflict, "order", sf.shopperPage(sv, sf.site.T(r, "orders.order_title", "ID", o.ID), ov))
		return
	}
	sf.render(w, r, status, "cancel", sf.shopperPage(sv, sf.site.T(r, "cancel.title"), v))
}

// cancelViewOf is the confirmation of o's cancel with the parts in
// ticked checked (every part that can be cancelled when none is named,
// or none of those named can).
func (sf *Storefront) cancelViewOf(ctx context.Context, o order.Order, ticked []string, f *web.Form) cancelView {
	ov := sf.orderViewOf(ctx, o)
	v := cancelView{ID: o.ID, OrderURL: orderURL(o.ID), Action: orderURL(o.ID) + "/cancel", Form: f,
		Way: sf.speechIn(ctx).refundWay(o.Payment, sf.site.Name()), Unpaid: o.Payment.Status == order.PaymentPending}
	named := slices.ContainsFunc(o.Parts, func(p order.Part) bool { return order.Cancellable(p.Status) && slices.Contains(ticked, p.ID) })
	var total order.Money
	for i, p := range o.Parts {
		if !order.Cancellable(p.Status) {
			if !ended(p.Status) {
				v.Kept = append(v.Kept, ov.Parts[i])
			}
			continue
		}
		cp := cancelPart{partView: ov.Parts[i], InputID: fmt.Sprintf("cancel-part-%d", i), Amount: p.Total.Amount,
			Checked: !named || slices.Contains(ticked, p.ID)}
		if cp.Checked {
			total.Amount += p.Total.Amount
			total.Currency = p.Total.Currency
		}
		v.Parts = append(v.Parts, cp)
	}
	v.Total = web.FormatMoney(total.Amount, total.Currency)
	if total.Currency == "" {
		v.Total = web.FormatMoney(0, o.Total.Currency)
	}
	return v
}
