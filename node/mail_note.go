package node

import (
	"context"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/mail"
)

// note is the letter of a message written in a part's conversation: to
// the shopper on the storefront (the merchant wrote), or to the merchant
// at its profile's address on the home (the shopper wrote). Both are
// notifications (mail.Notification), which an unsubscribe preference
// may stop.
func (m mailer) note(no order.Notice) letter {
	n := no.Note
	l := mail.NoteLetter{Store: m.n.cfg.Name, Part: n.Part, Text: n.Text, Attachments: n.Attachments}
	if no.Kind == order.NoticeNoteToShopper {
		l.URL = m.n.apiURL + "/orders/" + no.Order.ID + "#messages-" + n.Part
		l.To, l.From, l.Order = no.Shopper.Name, m.part(letterFmt(m.lang(no.Shopper.Lang)), *no.Part).Merchant, no.Order.ID
		return letter{mail.Mail{Key: no.ID, Kind: mail.KindNoteToShopper, To: no.Shopper.Email, ToName: no.Shopper.Name, Lang: m.lang(no.Shopper.Lang)}, l}
	}
	name, to := no.Home.Merchant, ""
	if prof, err := m.n.cat.MerchantProfile(context.Background(), m.n.fed.Self().String(), no.Home.Merchant); err == nil {
		name, to = prof.Name, prof.Email
	}
	l.URL = m.n.apiURL + "/merchant/orders/" + n.Part + "/messages"
	l.To, l.From, l.Order = name, "the shopper", no.Home.Order
	return letter{mail.Mail{Key: no.ID, Kind: mail.KindNoteToMerchant, To: to, ToName: name, Lang: m.lang("")}, l}
}
