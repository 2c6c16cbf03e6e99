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
func (m mailer) note(no order.Notice) (mail.Mail, any) {
	n := no.Note
	letter := mail.NoteLetter{Store: m.n.cfg.Name, Part: n.Part, Text: n.Text, Attachments: n.Attachments}
	if no.Kind == order.NoticeNoteToShopper {
		letter.URL = m.n.apiURL + "/orders/" + no.Order.ID + "#messages-" + n.Part
		letter.To, letter.From, letter.Order = no.Shopper.Name, m.part(*no.Part).Merchant, no.Order.ID
		return mail.Mail{Kind: mail.KindNoteToShopper, To: no.Shopper.Email, ToName: no.Shopper.Name}, letter
	}
	name, to := no.Home.Merchant, ""
	if prof, err := m.n.cat.MerchantProfile(context.Background(), m.n.fed.Self().String(), no.Home.Merchant); err == nil {
		name, to = prof.Name, prof.Email
	}
	letter.URL = m.n.apiURL + "/merchant/orders/" + n.Part + "/messages"
	letter.To, letter.From, letter.Order = name, "the shopper", no.Home.Order
	return mail.Mail{Kind: mail.KindNoteToMerchant, To: to, ToName: name}, letter
}
