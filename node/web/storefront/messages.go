package storefront

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// Each part of the order page carries its conversation with the part's
// merchant (Orders.ShopperThread): the messages, those not read before
// marked new, and a form that posts to
// POST /orders/{id}/parts/{part}/messages. The storefront relays the
// message to the merchant's platform, which may be offline: it arrives
// when it comes back. Showing the page marks every thread read.

// messagesURL is where the shopper writes about part of order id.
func messagesURL(id, part string) string {
	return orderURL(id) + "/parts/" + url.PathEscape(part) + "/messages"
}

// threadsOf adds each part's thread to v, marking them read; the thread
// of part form shows f (a message refused, with what was typed).
func (sf *Storefront) threadsOf(ctx context.Context, sv shopperVisit, o order.Order, v orderView, form string, f *web.Form) orderView {
	csrf, sp := sf.sessions.CSRFToken(sv.sess), sf.speechIn(ctx)
	for i := range v.Parts {
		pv := &v.Parts[i]
		t, err := sf.deps.Orders.ShopperThread(ctx, sv.shopper.ID, o.ID, pv.ID, true)
		if err != nil {
			continue // the order page shows without it
		}
		var pf *web.Form
		if pv.ID == form {
			pf = f
		}
		tv := web.ThreadViewOf(t, order.ByShopper, pv.Merchant, i, sf.site.Zone(), pf)
		tv.Action, tv.CSRF = messagesURL(o.ID, pv.ID), csrf
		for k := range tv.Messages {
			if m := &tv.Messages[k]; m.Mine {
				m.Who = sp.t("thread.you")
			}
			if sp.tag == locale.Chinese {
				tv.Messages[k].When = tv.Messages[k].At.In(sf.site.Zone()).Format("2006年1月2日 15:04")
			}
		}
		pv.Thread = &tv
	}
	return v
}

// writeMessage sends what the shopper wrote to the part's merchant:
// POST /orders/{id}/parts/{part}/messages. A problem shows the order page
// again with it next to the input and what was typed kept.
func (sf *Storefront) writeMessage(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, r.PathValue("id"))
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	part := r.PathValue("part")
	f := web.NewForm()
	in := web.ReadNote(r.PostForm.Get("text"), r.PostForm.Get("picture"), f)
	_, err = sf.deps.Orders.WriteNote(r.Context(), sv.shopper.ID, o.ID, part, in)
	var fe order.FieldErrors
	status := http.StatusUnprocessableEntity
	switch {
	case err == nil:
		web.SeeOther(w, r, orderURL(o.ID)+"?done=message-sent#messages-"+part)
		return
	case errors.As(err, &fe):
		sf.noteProblems(r, fe, f)
	case errors.Is(err, order.ErrConflict):
		status = http.StatusConflict
		f.Add("", sf.site.T(r, "thread.conflict", "Why", conflictText(err)))
	default:
		sf.site.FailOrder(w, r, err)
		return
	}
	p := sf.shopperPage(sv, sf.site.T(r, "orders.order_title", "ID", o.ID), sf.threadsOf(r.Context(), sv, o, sf.orderViewOf(r.Context(), o), part, f))
	sf.render(w, r, status, "order", p)
}

// noteProblems puts the field errors of a refused message into f, in
// the page's language (web.NoteProblems writes them in English).
func (sf *Storefront) noteProblems(r *http.Request, fe order.FieldErrors, f *web.Form) {
	for _, e := range fe {
		switch e.Field {
		case "text":
			f.Add("text", sf.site.T(r, "thread.text_problem", "Problem", e.Message))
		case "attachments", "attachments[0]":
			f.Add("picture", sf.site.T(r, "thread.picture_problem"))
		default:
			f.Add("", e.Field+": "+e.Message+".")
		}
	}
}
