package node

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/prometheus/client_golang/prometheus"
)

// openMail opens the mail queue: SMTP when mail.host is set, the local
// mailbox otherwise. Notifications link to the storefront's unsubscribe
// page, signed with a key derived from the node's identity.
func (n *Node) openMail(key crypto.PrivKey, reg prometheus.Registerer) error {
	raw, err := key.Raw()
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte("fedmart/mail/unsubscribe/v1"))
	opt := mail.Options{Secret: mac.Sum(nil), UnsubscribeURL: func() string { return n.apiURL + "/mail/unsubscribe" },
		Sync: n.durable.Sync}
	if n.cfg.Mail.PasswordFile != "" {
		opt.PasswordPath = n.cfg.path(n.cfg.Mail.PasswordFile)
	}
	q, err := mail.Open(n.db, n.cfg.Mail, opt, n.log.With("component", "mail"), reg)
	if err != nil {
		return err
	}
	n.mail = q
	return nil
}

// Mail exposes the mail queue to in-process tools (demo) and tests.
func (n *Node) Mail() *mail.Queue { return n.mail }

// mailer turns the order service's notices into letters, queued in the
// transaction of the change: on the storefront, the shopper's (order
// confirmation, each part accepted, rejected, shipped, delivered,
// refunded in part or in full, each return step), in the language the
// shopper used; on the home, the merchant's (new part, cancellation by the
// shopper, return requested), in the node's language (mail.language);
// on both, the letters of issues' steps and the merchant's reminders of
// issues' deadlines (mail_issue.go).
// A letter that cannot be written (no address, a template error) is
// logged and skipped: mail never stops an order.
//
// Each letter's key names its event, not the notice: a status, a refund
// or a return step mails once however many notices see it (a later
// status of the same part, a status received twice or out of order).
type mailer struct{ n *Node }

// letter is one letter a notice calls for.
type letter struct {
	mail.Mail
	data any
}

// Notify queues the letters a notice calls for, if any.
func (m mailer) Notify(txn *badger.Txn, no order.Notice) error {
	var out []letter
	switch no.Kind {
	case order.NoticeOrderPlaced:
		f := letterFmt(m.lang(no.Shopper.Lang))
		out = append(out, letter{mail.Mail{Key: no.ID + "/" + mail.KindOrderConfirmation, Kind: mail.KindOrderConfirmation}, m.order(f, no.Order, no.Shopper)})
		for i := range out {
			out[i].To, out[i].ToName, out[i].Lang = no.Shopper.Email, no.Shopper.Name, m.lang(no.Shopper.Lang)
		}
	case order.NoticePartChanged:
		if no.Issue == nil { // a step of an issue leaves the part as it was: no part letter again
			out = m.shopperLetters(no)
		}
		out = append(out, m.shopperIssueLetters(no)...)
	case order.NoticeHomePart:
		if no.Issue == nil {
			out = m.merchantLetters(txn, no.Home)
		}
		out = append(out, m.merchantIssueLetters(no.Home)...)
	case order.NoticeIssueDue:
		out = append(out, m.issueDue(no))
	case order.NoticeNoteToShopper, order.NoticeNoteToMerchant:
		out = append(out, m.note(no))
	}
	for _, l := range out {
		if err := m.queue(txn, no.ID, l); err != nil {
			return err
		}
	}
	return nil
}

// queue queues l unless it was queued before. The queue writes the
// letter's subject now and its bodies when it is sent or read: the
// order's transaction carries what the letter says, not the letter.
func (m mailer) queue(txn *badger.Txn, event string, l letter) error {
	if l.To == "" {
		return nil // nobody to tell: a shopper or merchant without an address
	}
	if done, err := m.n.mail.Queued(txn, l.Key); err != nil || done {
		return err // queued before: its subject is not written again
	}
	l.Data = l.data
	err := m.n.mail.Enqueue(txn, l.Mail)
	if errors.Is(err, mail.ErrInvalid) {
		m.n.log.Warn("mail: a letter was not queued", "kind", l.Kind, "event", event, "err", err)
		return nil
	}
	return err
}

// lang is the language of a shopper's letters: the one they used on the
// storefront, else the node's.
func (m mailer) lang(shopper string) string {
	if l := mail.Language(shopper); l != "" {
		return l
	}
	return m.n.cfg.Mail.Language
}

// order is o as the shopper's letters show it.
func (m mailer) order(f letterFmt, o *order.Order, sh order.Shopper) mail.Order {
	out := mail.Order{Store: m.n.cfg.Name, StoreURL: m.n.apiURL + "/", ID: o.ID, URL: m.n.apiURL + "/orders/" + o.ID, Shopper: sh.Name,
		Shipping: f.money(o.Shipping.Amount, o.Total.Currency), Total: f.money(o.Total.Amount, o.Total.Currency), ShipTo: addressLines(o.ShipTo)}
	for _, p := range o.Parts {
		out.Parts = append(out.Parts, m.part(f, p))
	}
	return out
}

// part is a storefront's part as a letter shows it, its merchant named by
// the profile its home published.
func (m mailer) part(f letterFmt, p order.Part) mail.Part {
	name := p.Merchant
	if prof, err := m.n.cat.MerchantProfile(context.Background(), p.Platform, p.Merchant); err == nil && prof.Name != "" {
		name = prof.Name
	}
	return mail.Part{ID: p.ID, Merchant: name, Status: p.Status, Items: items(f, p.Items), Shipping: f.money(p.Shipping.Amount, p.Total.Currency),
		ShippingRate: p.ShippingRate, Total: f.money(p.Total.Amount, p.Total.Currency), Carrier: p.Carrier, Tracking: p.Tracking, TrackingURL: p.TrackingURL,
		Refunded: refunded(f, p), Reason: p.Reason}
}

// refunded is what went back for p, written out; "" for nothing.
func refunded(f letterFmt, p order.Part) string {
	if p.Refunded.Amount == 0 {
		return ""
	}
	return f.money(p.Refunded.Amount, p.Refunded.Currency)
}

func items(f letterFmt, lines []order.Line) []mail.Item {
	out := make([]mail.Item, len(lines))
	for i, l := range lines {
		out[i] = mail.Item{Title: l.Title, Quantity: l.Quantity, Price: f.money(l.UnitPrice.Amount, l.UnitPrice.Currency),
			Amount: f.money(l.Quantity*l.UnitPrice.Amount, l.UnitPrice.Currency)}
	}
	return out
}

// addressLines writes a shipping address one line each.
func addressLines(a order.Address) []string {
	city := strings.TrimSpace(a.PostalCode + " " + a.City)
	var out []string
	for _, l := range []string{a.Name, a.Line1, city, a.Region, a.Country} {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
