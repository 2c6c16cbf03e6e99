package dashboard

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web"
)

// Mailbox is the node's outgoing e-mail as the operator reads it: every
// message queued for shoppers and merchants, and, when no SMTP server is
// configured, the local mailbox that keeps them; *mail.Queue satisfies
// it.
type Mailbox interface {
	// Messages pages through the messages, newest first, after cursor.
	Messages(ctx context.Context, cursor string, limit int) ([]mail.Summary, string, error)
	// Message returns one message with its bodies, or mail.ErrNotFound.
	Message(ctx context.Context, id string) (mail.Message, error)
}

// mailPageSize is how many messages a mailbox page lists.
const mailPageSize = 25

// mailStatuses say what each state means to the operator.
var mailStatuses = map[string]string{
	mail.StatusPending: "Waiting to be sent",
	mail.StatusSent:    "Sent",
	mail.StatusMailbox: "In the mailbox",
	mail.StatusFailed:  "Failed",
}

// mailKinds name the letters.
var mailKinds = map[string]string{
	mail.KindOrderConfirmation: "Order confirmation",
	mail.KindPartShipped:       "Part shipped",
	mail.KindNewPart:           "New order part",
}

// mailRow is one message as the mailbox lists and shows it.
type mailRow struct {
	mail.Summary
	URL, KindName, StatusName string
	// Created is when it was queued ("3m ago"), CreatedISO and
	// CreatedDate the same in full.
	Created, CreatedISO, CreatedDate string
}

// mailboxPage is what the mailbox template shows.
type mailboxPage struct {
	Messages []mailRow
	// NewestURL is the first page's, set on a later page; OlderURL the
	// next page's, set when there is one.
	NewestURL, OlderURL string
}

func (d *Dashboard) mailRow(s mail.Summary) mailRow {
	now, loc := d.site.Now(), d.site.Zone()
	r := mailRow{Summary: s, URL: "/operator/mail/" + url.PathEscape(s.ID), KindName: mailKinds[s.Kind], StatusName: mailStatuses[s.Status],
		Created: web.Ago(now, s.CreatedAt), CreatedISO: web.ISO(s.CreatedAt), CreatedDate: web.FormatTime(s.CreatedAt, loc)}
	if r.KindName == "" {
		r.KindName = s.Kind
	}
	if r.StatusName == "" {
		r.StatusName = s.Status
	}
	return r
}

// operatorMailbox lists the messages, newest first: GET /operator/mail.
func (d *Dashboard) operatorMailbox(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	cursor := r.URL.Query().Get("cursor")
	list, next, err := d.deps.Mail.Messages(r.Context(), cursor, mailPageSize)
	if errors.Is(err, mail.ErrInvalid) {
		d.site.NotFound(w, r)
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	v := mailboxPage{}
	for _, s := range list {
		v.Messages = append(v.Messages, d.mailRow(s))
	}
	if cursor != "" {
		v.NewestURL = "/operator/mail"
	}
	if next != "" {
		v.OlderURL = "/operator/mail?cursor=" + url.QueryEscape(next)
	}
	p := d.dashboardPage(sess, "Mailbox", "/operator/mail", v)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, http.StatusOK, "operator_mailbox", p)
}

// mailView is one message with its bodies.
type mailView struct {
	mailRow
	From, Text, HTML string
}

// operatorMail shows one message: its headers, its text body, and its
// HTML body in a sandboxed frame: GET /operator/mail/{id}.
func (d *Dashboard) operatorMail(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	m, err := d.deps.Mail.Message(r.Context(), r.PathValue("id"))
	if errors.Is(err, mail.ErrNotFound) {
		d.site.NotFound(w, r)
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	p := d.dashboardPage(sess, m.Subject, "/operator/mail", mailView{mailRow: d.mailRow(m.Summary), From: m.From, Text: m.Text, HTML: m.HTML})
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, http.StatusOK, "operator_mail", p)
}
