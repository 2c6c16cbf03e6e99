package web

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fedmart/fedmart/federation/order"
)

// The conversation of an order part between its shopper and its
// merchant, as the shopper's order page and the merchant's console show
// it: the messages oldest first, the reader's own on one side and the
// other side's, those not read before marked new, then a form to write.
// The "thread" partial of the layout renders a ThreadView.

// ThreadView is a part's conversation with the form to write in it.
type ThreadView struct {
	// ID is the section's id, the anchor pages and letters link to.
	ID string
	// Other names the other side ("Bremen Forge", "the shopper").
	Other    string
	Messages []MessageView
	// Unread counts the other side's messages the reader had not read.
	Unread int
	// Action is where the form posts; CSRF its token.
	Action, CSRF string
	// Text and Picture are the form's inputs; Problems what is wrong
	// with the form as a whole.
	Text, Picture Field
	Problems      []string
	// Full is true when the thread takes no more messages.
	Full bool
}

// MessageView is one message of a thread.
type MessageView struct {
	ID string
	// Mine is true for the reader's own messages; Who names the author.
	Mine bool
	Who  string
	Text string
	At   time.Time
	// When is At written in the site's zone: "3 Dec 2026, 14:05".
	When string
	// New is true for the other side's messages the reader had not read.
	New      bool
	Pictures []string
}

// ThreadViewOf is thread t as the reader on side (order.ByShopper or
// order.ByMerchant) sees it, the other side named other; n numbers the
// thread's inputs when a page shows several.
func ThreadViewOf(t order.Thread, side, other string, n int, zone *time.Location, f *Form) ThreadView {
	v := ThreadView{ID: "messages-" + t.Part, Other: other, Unread: t.Unread, Full: len(t.Messages) >= order.MaxThreadNotes}
	for _, m := range t.Messages {
		mv := MessageView{ID: m.ID, Mine: m.By == side, Who: upperFirst(other), Text: m.Text, At: m.At, When: m.At.In(zone).Format("2 Jan 2006, 15:04"),
			New: m.By != side && m.At.After(t.ReadAt), Pictures: m.Attachments}
		if mv.Mine {
			mv.Who = "You"
		}
		v.Messages = append(v.Messages, mv)
	}
	if f == nil {
		f = NewForm()
	}
	v.Text, v.Picture = f.Field("text"), f.Field("picture")
	v.Text.ID, v.Text.ErrID = fmt.Sprintf("f-text-%d", n), fmt.Sprintf("f-text-%d-error", n)
	v.Picture.ID, v.Picture.ErrID = fmt.Sprintf("f-picture-%d", n), fmt.Sprintf("f-picture-%d-error", n)
	v.Problems = f.General()
	return v
}

// upperFirst starts s with a capital letter: "the shopper" heads a
// message as "The shopper".
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// ReadNote reads a thread's form into f: the text and at most one
// picture link. It returns what to write.
func ReadNote(text, picture string, f *Form) order.NoteInput {
	f.Set("text", text)
	f.Set("picture", picture)
	in := order.NoteInput{Text: text}
	if picture != "" {
		in.Attachments = []string{picture}
	}
	return in
}

// NoteProblems puts the field errors of a refused message into f, in
// sentences next to their inputs.
func NoteProblems(fe order.FieldErrors, f *Form) {
	for _, e := range fe {
		switch e.Field {
		case "text":
			f.Add("text", "The message "+e.Message+".")
		case "attachments", "attachments[0]":
			f.Add("picture", "The picture link must start with https:// and be the address of an image.")
		default:
			f.Add("", e.Field+": "+e.Message+".")
		}
	}
}
