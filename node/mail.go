package node

import (
	"context"
	"errors"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web"
	"github.com/prometheus/client_golang/prometheus"
)

// openMail opens the mail queue: SMTP when mail.host is set, the local
// mailbox otherwise.
func (n *Node) openMail(reg prometheus.Registerer) error {
	opt := mail.Options{}
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
// transaction of the change: the shopper's order confirmation and
// shipped parts on the storefront, the merchant's new parts on the home.
// A letter that cannot be written (no address, a template error) is
// logged and skipped: mail never stops an order.
type mailer struct{ n *Node }

// Notify queues the letter a notice calls for, if any.
func (m mailer) Notify(txn *badger.Txn, no order.Notice) error {
	var out mail.Mail
	var data any
	switch {
	case no.Kind == order.NoticeOrderPlaced:
		out = mail.Mail{Kind: mail.KindOrderConfirmation, To: no.Shopper.Email, ToName: no.Shopper.Name}
		data = m.order(no.Order, no.Shopper)
	case no.Kind == order.NoticePartChanged && no.Part.Status == order.StatusShipped:
		out = mail.Mail{Kind: mail.KindPartShipped, To: no.Shopper.Email, ToName: no.Shopper.Name}
		data = mail.PartLetter{Order: m.order(no.Order, no.Shopper), Part: m.part(*no.Part)}
	case no.Kind == order.NoticePartChanged && no.Part.Status == order.StatusDelivered && len(no.Part.Returns) == 0 && len(no.Part.Refunds) == 0:
		// the delivery itself: later statuses of a delivered part are
		// return steps and refunds
		out = mail.Mail{Kind: mail.KindPartDelivered, To: no.Shopper.Email, ToName: no.Shopper.Name}
		data = mail.PartLetter{Order: m.order(no.Order, no.Shopper), Part: m.part(*no.Part)}
	case no.Kind == order.NoticePartChanged && (no.Part.Status == order.StatusRefunded || no.Part.Status == order.StatusCancelled) && no.Part.Refunded.Amount > 0:
		out = mail.Mail{Kind: mail.KindPartRefunded, To: no.Shopper.Email, ToName: no.Shopper.Name}
		data = mail.PartLetter{Order: m.order(no.Order, no.Shopper), Part: m.part(*no.Part)}
	case no.Kind == order.NoticeNoteToShopper || no.Kind == order.NoticeNoteToMerchant:
		out, data = m.note(no)
	case no.Kind == order.NoticeHomePart && no.Home.Status == order.StatusAccepted:
		var np mail.NewPart
		out, np = m.newPart(no.Home)
		data = np
	default:
		return nil
	}
	if out.To == "" {
		return nil // nobody to tell: a shopper or merchant without an address
	}
	letter, err := mail.Render(out.Kind, data)
	if err != nil {
		m.n.log.Warn("mail: a letter could not be written", "kind", out.Kind, "event", no.ID, "err", err)
		return nil
	}
	out.Key, out.Letter = no.ID+"/"+out.Kind, letter
	err = m.n.mail.Enqueue(txn, out)
	if errors.Is(err, mail.ErrInvalid) {
		m.n.log.Warn("mail: a letter was not queued", "kind", out.Kind, "event", no.ID, "err", err)
		return nil
	}
	return err
}

// order is o as the shopper's letters show it.
func (m mailer) order(o *order.Order, sh order.Shopper) mail.Order {
	out := mail.Order{Store: m.n.cfg.Name, StoreURL: m.n.apiURL + "/", ID: o.ID, URL: m.n.apiURL + "/orders/" + o.ID, Shopper: sh.Name,
		Shipping: money(o.Shipping.Amount, o.Total.Currency), Total: money(o.Total.Amount, o.Total.Currency), ShipTo: addressLines(o.ShipTo)}
	for _, p := range o.Parts {
		out.Parts = append(out.Parts, m.part(p))
	}
	return out
}

// part is a storefront's part as a letter shows it, its merchant named by
// the profile its home published.
func (m mailer) part(p order.Part) mail.Part {
	name := p.Merchant
	if prof, err := m.n.cat.MerchantProfile(context.Background(), p.Platform, p.Merchant); err == nil && prof.Name != "" {
		name = prof.Name
	}
	return mail.Part{ID: p.ID, Merchant: name, Status: p.Status, Items: items(p.Items), Shipping: money(p.Shipping.Amount, p.Total.Currency),
		ShippingRate: p.ShippingRate, Total: money(p.Total.Amount, p.Total.Currency), Carrier: p.Carrier, Tracking: p.Tracking, TrackingURL: p.TrackingURL,
		Refunded: refunded(p)}
}

// refunded is what went back for p, written out; "" for nothing.
func refunded(p order.Part) string {
	if p.Refunded.Amount == 0 {
		return ""
	}
	return money(p.Refunded.Amount, p.Refunded.Currency)
}

// newPart is the merchant's letter of a new part, to the e-mail address
// of its published profile (none without one).
func (m mailer) newPart(p *order.HomePart) (mail.Mail, mail.NewPart) {
	name, to := p.Merchant, ""
	if prof, err := m.n.cat.MerchantProfile(context.Background(), m.n.fed.Self().String(), p.Merchant); err == nil {
		name, to = prof.Name, prof.Email
	} else if mer, err := m.n.cat.Merchant(context.Background(), p.Merchant); err == nil {
		name = mer.Name
	}
	part := mail.Part{ID: p.ID, Merchant: name, Status: p.Status, Items: items(p.Lines), Shipping: money(p.Shipping.Amount, p.Total.Currency),
		ShippingRate: p.ShippingRate, Total: money(p.Total.Amount, p.Total.Currency)}
	return mail.Mail{Kind: mail.KindNewPart, To: to, ToName: name},
		mail.NewPart{Store: m.n.cfg.Name, ConsoleURL: m.n.apiURL + "/merchant/orders", Merchant: name, Order: p.Order, Part: part, ShipTo: addressLines(p.ShipTo)}
}

func items(lines []order.Line) []mail.Item {
	out := make([]mail.Item, len(lines))
	for i, l := range lines {
		out[i] = mail.Item{Title: l.Title, Quantity: l.Quantity, Price: money(l.UnitPrice.Amount, l.UnitPrice.Currency),
			Amount: money(l.Quantity*l.UnitPrice.Amount, l.UnitPrice.Currency)}
	}
	return out
}

func money(amount int64, currency string) string { return web.FormatMoney(amount, currency) }

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
