// Package mail tells shoppers and merchants by e-mail what happened to
// their orders: a durable queue in the node's Badger, a sender that
// delivers it over SMTP, and the templates the letters are written from.
//
// # Model
//
// The code that changes state calls Queue.Enqueue with its own Badger
// transaction, so a message exists if and only if the change that caused
// it committed (a transactional outbox). Every message carries a key,
// the id of the event that caused it; a second Enqueue with a key already
// seen queues nothing, so one event never mails twice, even when the
// change is replayed (a status received again, a restore's catch-up).
// Keys are kept after their message is trimmed from the log.
//
// A message moves pending -> sent (an SMTP server accepted it), pending
// -> mailbox (no SMTP server is configured: the node keeps it in its
// local mailbox, which the operator reads in the dashboard and over
// REST), or pending -> failed (Options.MaxAttempts attempts were
// refused). Between attempts it waits an exponential backoff (1s doubling
// to an hour by default), its next attempt stored with it, so a restarted
// node carries on where it stopped and never loses a message. A message
// recorded as sent is never sent again; a crash between the server's
// acceptance and that record (or a power loss before the round of
// deliveries is synced) sends it once more, with the same Message-ID
// header, which receivers may dedupe on.
//
// # Letters
//
// Render writes a letter (subject, text and HTML bodies) in a language
// (Languages: English and Chinese) from the templates embedded in the
// package, one folder per language (templates/en, templates/zh; a
// letter is translated whole, its words in their order): text/template
// for the subject and the text body, html/template for the HTML body,
// so that every name and title another member chose is escaped. Codes
// (a part's status, a rejection or return reason) are put in words by
// each language's words.tmpl.
//
// A letter is queued as what it says (Mail.Data: the order, the part,
// the note, the step, with every amount written out), not as its
// bodies: Enqueue writes the subject, which the mailbox lists, and keeps
// the data; the bodies are written when the message is sent or read.
// Letters are queued in the transaction of an order's change, so what
// that transaction carries and writes is a subject and a small record,
// not two bodies; a node without SMTP writes a letter only when someone
// opens it. A letter whose data no longer makes a letter (a newer build
// changed its type under a queued letter) fails without an attempt,
// saying why. Letters queued written out (Mail.Letter), and those stored
// by earlier builds, are sent as they are.
//
// Each kind of letter has a class (the letters table in render.go):
// Transactional letters tell of the recipient's own orders and are
// always queued; Notification letters (new messages, issue updates,
// reminders) may be turned off by their recipient. Enqueue gives a
// notification a List-Unsubscribe header with List-Unsubscribe-Post
// (RFC 8058 one-click) and a footer link in its language, both to the
// storefront's unsubscribe page with the address and its HMAC under the
// node's secret (no sign-in needed). An address that unsubscribed
// (e/u/, per address) gets no notification: Enqueue does not queue it,
// in the transaction of the change, so nothing is held for it and the
// mailbox does not fill with letters no one will get; the
// fedmart_mail_suppressed_total counter counts them. Subjects and recipients'
// names lose their line breaks, and addresses go through go-mail's
// address handling, so that no hostile name can add a header.
//
// # Storage and lifecycle
//
// Everything lives under "e/" in the node's Badger: the log of messages
// by creation time (e/l/), the idempotency keys (e/k/), the addresses that
// unsubscribed from notifications (e/u/), the pending
// messages by next attempt time (e/p/) and the finished ones by finish
// time (e/f/), from which the oldest are trimmed beyond Config.Keep.
// Open on the shared Badger handle, Enqueue from any goroutine, Run(ctx)
// once until the node stops; there is nothing to close.
package mail
