package node

import (
	"context"
	"fmt"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/mail"
)

// shopperLetters are the letters a storefront's part change calls for:
// one per status the part reached (accepted, rejected, shipped,
// delivered, refunded in full), per refund or cancellation of some of it,
// and per return step (approved, refused, received), each keyed by its
// event.
func (m mailer) shopperLetters(no order.Notice) []letter {
	p, sh := no.Part, no.Shopper
	f := letterFmt(m.lang(sh.Lang))
	// Most changes call for no letter (a hold, a confirmation): the
	// letter's view of the order is built only for one that does.
	view := sync.OnceValue(func() mail.PartLetter {
		return mail.PartLetter{Order: m.order(f, no.Order, sh), Part: m.part(f, *p)}
	})
	var out []letter
	add := func(key, kind string, data mail.PartLetter) {
		out = append(out, letter{mail.Mail{Key: "part/" + p.ID + "/" + key, Kind: kind, To: sh.Email, ToName: sh.Name, Lang: m.lang(sh.Lang)}, data})
	}
	switch p.Status {
	case order.StatusAccepted:
		add("accepted", mail.KindPartAccepted, view())
	case order.StatusRejected:
		add("rejected", mail.KindPartRejected, view())
	case order.StatusShipped:
		add("shipped", mail.KindPartShipped, view())
	case order.StatusDelivered:
		add("delivered", mail.KindPartDelivered, view())
	}
	ending := endingRefund(p.Status, p.Refunds)
	if ending != nil && p.Refunded.Amount > 0 && returnOf(p.Returns, ending.ID) == nil && !issueRefund(p.Issues, ending.ID) {
		add("refunded", mail.KindPartRefunded, view())
	} else if ending == nil && (p.Status == order.StatusRefunded || p.Status == order.StatusCancelled) && p.Refunded.Amount > 0 {
		add("refunded", mail.KindPartRefunded, view())
	}
	for _, r := range p.Refunds {
		if returnOf(p.Returns, r.ID) != nil || (ending != nil && r.ID == ending.ID) || issueRefund(p.Issues, r.ID) {
			continue // the return's receipt, the full refund's or the issue's letter says it
		}
		d := view()
		d.Refund = refundOf(f, r, p.Items, ending != nil && r.ID == ending.ID)
		add("refund/"+r.ID, mail.KindPartPartlyRefunded, d)
	}
	for _, ret := range p.Returns {
		d := view()
		d.Return = returnLetter(f, ret, p.Items)
		switch ret.State {
		case order.ReturnApproved:
			add("return/"+ret.ID+"/approved", mail.KindReturnApproved, d)
		case order.ReturnRefused:
			add("return/"+ret.ID+"/refused", mail.KindReturnRefused, d)
		case order.ReturnReceived:
			r := refundByID(p.Refunds, ret.Refund)
			if r == nil {
				continue // its refund comes with the same status
			}
			d.Refund = refundOf(f, *r, p.Items, false)
			if ret.RestockingFee.Amount > 0 {
				d.Return.RestockingFee = f.money(ret.RestockingFee.Amount, ret.RestockingFee.Currency)
			} else {
				d.Return.RestockingFee = ""
			}
			add("return/"+ret.ID+"/received", mail.KindReturnReceived, d)
		}
	}
	return out
}

// merchantLetters are the letters a home part's change calls for, to the
// address of the merchant's profile: the new part, each cancellation by
// the shopper (of units, or of the whole part once the merchant was told
// of it), each return requested.
func (m mailer) merchantLetters(txn *badger.Txn, h *order.HomePart) []letter {
	f := letterFmt(m.n.cfg.Mail.Language)
	var name, to string
	view := sync.OnceValue(func() mail.NewPart { // built for the first letter (see shopperLetters)
		name, to = m.merchantOf(h.Merchant)
		return mail.NewPart{Store: m.n.cfg.Name, ConsoleURL: m.n.apiURL + "/merchant/orders", Merchant: name, Order: h.Order,
			Part: m.homePart(f, h, name), ShipTo: addressLines(h.ShipTo)}
	})
	var out []letter
	add := func(key, kind string, data mail.NewPart) {
		out = append(out, letter{mail.Mail{Key: "home/" + h.ID + "/" + key, Kind: kind, To: to, ToName: name, Lang: m.n.cfg.Mail.Language}, data})
	}
	if h.Status == order.StatusAccepted {
		add("new_part", mail.KindNewPart, view())
	}
	ending := endingRefund(h.Status, h.Refunds)
	for _, r := range h.Refunds {
		if r.Kind != order.RefundKindCancel {
			continue
		}
		d := view()
		d.Refund = refundOf(f, r, h.Lines, ending != nil && r.ID == ending.ID)
		add("cancel/"+r.ID, mail.KindPartCancelled, d)
	}
	if h.Status == order.StatusCancelled && (ending == nil || ending.Kind != order.RefundKindCancel) {
		// a whole part cancelled: only worth a letter if the merchant was
		// told of the part
		if told, err := m.n.mail.Queued(txn, "home/"+h.ID+"/new_part"); err == nil && told {
			add("cancelled", mail.KindPartCancelled, view())
		}
	}
	for _, ret := range h.Returns {
		if ret.State != order.ReturnRequested {
			continue
		}
		d := view()
		d.Return = returnLetter(f, ret, h.Lines)
		d.Return.URL = m.n.apiURL + "/merchant/returns/" + h.ID + "/" + ret.ID
		add("return/"+ret.ID+"/requested", mail.KindReturnRequested, d)
	}
	return out
}

// merchantOf names one of this node's merchants and the e-mail address
// of its published profile ("" without one).
func (m mailer) merchantOf(id string) (name, to string) {
	name = id
	if prof, err := m.n.cat.MerchantProfile(context.Background(), m.n.fed.Self().String(), id); err == nil {
		return prof.Name, prof.Email
	} else if mer, err := m.n.cat.Merchant(context.Background(), id); err == nil {
		name = mer.Name
	}
	return name, ""
}

// homePart is a home part as the merchant's letters show it.
func (m mailer) homePart(f letterFmt, p *order.HomePart, name string) mail.Part {
	return mail.Part{ID: p.ID, Merchant: name, Status: p.Status, Items: items(f, p.Lines), Shipping: f.money(p.Shipping.Amount, p.Total.Currency),
		ShippingRate: p.ShippingRate, Total: f.money(p.Total.Amount, p.Total.Currency), Reason: p.Reason}
}

// endingRefund is the refund that ended a part refunded or cancelled (the
// one stated last), or nil.
func endingRefund(status string, refunds []order.Refund) *order.Refund {
	if status != order.StatusRefunded && status != order.StatusCancelled {
		return nil
	}
	var last *order.Refund
	for i := range refunds {
		if last == nil || refunds[i].Seq > last.Seq {
			last = &refunds[i]
		}
	}
	return last
}

func refundByID(refunds []order.Refund, id string) *order.Refund {
	for i := range refunds {
		if refunds[i].ID == id {
			return &refunds[i]
		}
	}
	return nil
}

// returnOf is the return whose receipt made refund id, or nil.
func returnOf(returns []order.Return, id string) *order.Return {
	for i := range returns {
		if returns[i].Refund != "" && returns[i].Refund == id {
			return &returns[i]
		}
	}
	return nil
}

// refundOf is r as a letter shows it, its units named from lines.
func refundOf(f letterFmt, r order.Refund, lines []order.Line, whole bool) *mail.Refund {
	out := &mail.Refund{Cancel: r.Kind == order.RefundKindCancel, Whole: whole, Amount: f.money(r.Amount.Amount, r.Amount.Currency),
		Items: unitItems(f, r.Lines, lines), Reason: r.Reason}
	if r.Shipping.Amount > 0 {
		out.Shipping = f.money(r.Shipping.Amount, r.Shipping.Currency)
	}
	return out
}

// returnLetter is ret as a letter shows it.
func returnLetter(f letterFmt, ret order.Return, lines []order.Line) *mail.Return {
	out := &mail.Return{ID: ret.ID, Items: unitItems(f, ret.Lines, lines), Reason: ret.Reason, Note: ret.Note, Refusal: ret.Refusal,
		ShopperPays: ret.ShippingPaidBy == "shopper"}
	if in := ret.Instructions; in != nil {
		out.Address, out.LabelURL, out.DropOffCode = in.Address, in.LabelURL, in.DropOffCode
	}
	if ret.RestockingFeeBPS > 0 {
		out.RestockingFee = bpsPercent(ret.RestockingFeeBPS)
	}
	return out
}

// bpsPercent writes basis points as a percentage: 1000 is "10%", 250
// "2.5%".
func bpsPercent(bps int) string {
	if bps%100 == 0 {
		return fmt.Sprintf("%d%%", bps/100)
	}
	s := fmt.Sprintf("%d.%02d", bps/100, bps%100)
	if s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s + "%"
}

// unitItems are some units of a part's lines, titled and priced from
// lines (a unit of a line the part does not have keeps its SKU).
func unitItems(f letterFmt, units []order.Units, lines []order.Line) []mail.Item {
	out := make([]mail.Item, 0, len(units))
	for _, u := range units {
		it := mail.Item{Title: u.SKU, Quantity: u.Quantity}
		for _, l := range lines {
			if l.ListingID == u.ListingID && l.SKU == u.SKU {
				it.Title, it.Price = l.Title, f.money(l.UnitPrice.Amount, l.UnitPrice.Currency)
				it.Amount = f.money(u.Quantity*l.UnitPrice.Amount, l.UnitPrice.Currency)
			}
		}
		out = append(out, it)
	}
	return out
}
