package node

import (
	"strconv"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/mail"
)

// Letters of issues. A status that states an issue mails the step it
// took (the steps it states, those with the issue's seq): on the
// storefront to the shopper (opened with its deadlines, the merchant's
// question, offer or refusal, resolved, escalated, decided), on the home
// to the merchant (opened with its deadlines, the shopper's answer,
// escalated, decided). Each letter's key names the part, the issue and
// the status that stated the step, so a step mails once however often
// its status is received. A step that paid a refund (an accepted refund
// offer, an arbiter's refund) is told by the issue's letter, which is
// then transactional (mail.KindIssueRefund), not by a refund letter too.

// issueTime writes a deadline as the letters in f's language show it,
// in UTC: "Nov 25, 2026, 12:00 PM UTC", "2026年11月25日 12:00 UTC".
func issueTime(f letterFmt, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return f.time(t)
}

// stepOf is the step of issue i its last status took (the last of the
// steps stated with the issue's seq), and whether there is one.
func stepOf(i *order.Issue) (order.IssueStep, bool) {
	for k := len(i.Steps) - 1; k >= 0 && i.Seq != 0; k-- {
		if i.Steps[k].Seq == i.Seq {
			return i.Steps[k], true
		}
	}
	return order.IssueStep{}, false
}

// issueRefund reports whether refund id paid an issue's remedy.
func issueRefund(issues []order.Issue, id string) bool {
	for _, i := range issues {
		if i.Refund != "" && i.Refund == id {
			return true
		}
	}
	return false
}

// issueLetter is issue i at step s as letters show it, amounts in
// currency; refunds are the part's, to say what the issue paid.
func issueLetter(f letterFmt, i *order.Issue, s order.IssueStep, currency string, refunds []order.Refund) mail.IssueLetter {
	l := mail.IssueLetter{ID: i.ID, Category: i.Category, Description: i.Description, Remedy: i.Remedy,
		RespondBy: issueTime(f, i.RespondBy), ResolveBy: issueTime(f, i.ResolveBy), Text: s.Text}
	if i.Amount > 0 {
		l.Amount = f.money(i.Amount, currency)
	}
	switch {
	case s.Remedy != "":
		l.OfferRemedy, l.OfferAmount = s.Remedy, f.money(s.Amount, currency)
	case i.Offer != nil:
		l.OfferRemedy, l.OfferAmount = i.Offer.Remedy, f.money(i.Offer.Amount, currency)
	}
	if r := refundByID(refunds, i.Refund); r != nil && i.Refund != "" {
		l.Refund = f.money(r.Amount.Amount, r.Amount.Currency)
	}
	return l
}

// shopperIssueLetters are the shopper's letters of the issues a
// storefront's part change states.
func (m mailer) shopperIssueLetters(no order.Notice) []letter {
	p, sh := no.Part, no.Shopper
	var out []letter
	for k := range p.Issues {
		i := &p.Issues[k]
		s, ok := stepOf(i)
		if !ok {
			continue
		}
		f := letterFmt(m.lang(sh.Lang))
		l := issueLetter(f, i, s, p.Total.Currency, p.Refunds)
		switch s.Action {
		case order.IssueActOpen:
			l.Event = mail.IssueOpened
		case order.IssueActRefuse:
			l.Event, l.ByHome = mail.IssueRefused, s.By == order.ByHome
		case order.IssueActAskInfo:
			l.Event = mail.IssueInfoAsked
		case order.IssueActOffer:
			l.Event = mail.IssueOffered
		case order.IssueActAccept:
			l.Event = mail.IssueResolved
		case order.IssueActEscalate:
			l.Event = mail.IssueEscalated
		case order.IssueActDecide:
			l.Event = mail.IssueDecided
		default:
			continue // the shopper's own answers, the home's denials: the storefront said so when they were made
		}
		kind := mail.KindIssueUpdate
		if l.Refund != "" && (l.Event == mail.IssueResolved || l.Event == mail.IssueDecided) {
			kind = mail.KindIssueRefund
		}
		l.Store, l.URL, l.To, l.Merchant, l.Order, l.Part = m.n.cfg.Name, m.n.apiURL+"/orders/"+no.Order.ID, sh.Name, m.part(f, *p).Merchant, no.Order.ID, p.ID
		out = append(out, letter{mail.Mail{Key: "part/" + p.ID + "/issue/" + i.ID + "/" + strconv.FormatUint(i.Seq, 10), Kind: kind,
			To: sh.Email, ToName: sh.Name, Lang: m.lang(sh.Lang)}, l})
	}
	return out
}

// merchantIssueLetters are the merchant's letters of the issues a home
// part's change states.
func (m mailer) merchantIssueLetters(h *order.HomePart) []letter {
	var out []letter
	for k := range h.Issues {
		i := &h.Issues[k]
		s, ok := stepOf(i)
		if !ok {
			continue
		}
		l := issueLetter(letterFmt(m.n.cfg.Mail.Language), i, s, h.Total.Currency, h.Refunds)
		switch {
		case s.Action == order.IssueActOpen && i.State == order.IssueOpen:
			l.Event = mail.IssueOpened
		case s.Action == order.IssueActInfo || s.Action == order.IssueActAccept || s.Action == order.IssueActReject:
			l.Event, l.Action = mail.IssueReplied, s.Action
		case s.Action == order.IssueActEscalate:
			l.Event = mail.IssueEscalated
		case s.Action == order.IssueActDecide:
			l.Event = mail.IssueDecided
		default:
			continue // the merchant's own steps; an issue the home refused to open
		}
		out = append(out, m.toMerchant(h, "home/"+h.ID+"/issue/"+i.ID+"/"+strconv.FormatUint(i.Seq, 10), mail.KindMerchantIssue, l))
	}
	return out
}

// issueDue is the merchant's reminder of a deadline of an issue close to
// expiry.
func (m mailer) issueDue(no order.Notice) letter {
	i := no.Issue
	f := letterFmt(m.n.cfg.Mail.Language)
	l := issueLetter(f, i, order.IssueStep{}, no.Home.Total.Currency, no.Home.Refunds)
	l.Due, l.Deadline = no.Due, issueTime(f, i.ResolveBy)
	if no.Due == order.DueRespond {
		l.Deadline = issueTime(f, i.RespondBy)
	}
	return m.toMerchant(no.Home, no.ID, mail.KindIssueDue, l)
}

// toMerchant addresses issue letter l of home part h to its merchant.
func (m mailer) toMerchant(h *order.HomePart, key, kind string, l mail.IssueLetter) letter {
	name, to := m.merchantOf(h.Merchant)
	l.Store, l.URL, l.To, l.Merchant, l.Order, l.Part = m.n.cfg.Name, m.n.apiURL+"/merchant/issues", name, name, h.Order, h.ID
	return letter{mail.Mail{Key: key, Kind: kind, To: to, ToName: name, Lang: m.n.cfg.Mail.Language}, l}
}
