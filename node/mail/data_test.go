package mail

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/klauspost/compress/s2"
)

// A letter queued as data keeps what it says, not its bodies: the queue
// writes the subject at once and the bodies when the message is read or
// sent, the same bodies Render writes, with a notification's footer.
// A letter whose data can no longer be written fails without an attempt.
func TestLettersQueuedAsDataAreWrittenWhenSent(t *testing.T) {
	s := startSMTP(t, false)
	db := memDB(t)
	o := fast(s)
	o.Secret, o.UnsubscribeURL = []byte("test secret of the node"), func() string { return "https://alpha.example/mail/unsubscribe" }
	q := open(t, db, s.config(TLSStartTLS), o)

	pl, _ := afterSale()
	note := NoteLetter{Store: "Alpha Market", URL: "http://alpha.example/orders/ord_7", To: "Ada", From: "Beta Books", Order: "ord_7", Part: "ord_7-1", Text: "It ships tomorrow."}
	enqueue(t, db, q, Mail{Key: "k/zh", Kind: KindReturnApproved, To: "li@example.cn", ToName: "李雷", Lang: "zh", Data: pl})
	enqueue(t, db, q, Mail{Key: "k/note", Kind: KindNoteToShopper, To: "ada@example.org", ToName: "Ada", Lang: "en", Data: note})
	zh, err := Render(KindReturnApproved, "zh", pl)
	if err != nil {
		t.Fatal(err)
	}
	en, err := Render(KindNoteToShopper, "en", note)
	if err != nil {
		t.Fatal(err)
	}

	list, _, err := q.Messages(t.Context(), "", 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("messages %v, %v", list, err)
	}
	bySubject := map[string]string{} // subject -> id
	for _, m := range list {
		bySubject[m.Subject] = m.ID
	}
	zhID, noteID := bySubject[zh.Subject], bySubject[en.Subject]
	if zhID == "" || noteID == "" {
		t.Fatalf("listed subjects %v, want %q and %q", bySubject, zh.Subject, en.Subject)
	}
	for _, id := range []string{zhID, noteID} {
		r := storedRecord(t, db, id)
		if r.Text != "" || r.HTML != "" || len(r.Data) == 0 {
			t.Fatalf("message %s stored with %d bytes of bodies and %d of data", id, len(r.Text)+len(r.HTML), len(r.Data))
		}
	}
	// Stored written out, the letter would take more bytes.
	r := storedRecord(t, db, zhID)
	written, err := r.written()
	if err != nil {
		t.Fatal(err)
	}
	full, err := json.Marshal(written)
	if err != nil {
		t.Fatal(err)
	}
	if v, w := len(storedValue(t, db, zhID)), len(s2.Encode(nil, full)); v >= w {
		t.Errorf("stored in %d bytes, written out and compressed it takes %d", v, w)
	}
	if got := mustMessage(t, q, zhID); got.Text != zh.Text || got.HTML != zh.HTML {
		t.Fatalf("read before it was sent, the letter is not Render's:\n%s", got.Text)
	}
	read := mustMessage(t, q, noteID)
	if read.Unsubscribe == "" || !strings.HasPrefix(read.Text, strings.TrimRight(en.Text, "\n")) || !strings.Contains(read.Text, read.Unsubscribe) ||
		!strings.Contains(read.HTML, strings.ReplaceAll(read.Unsubscribe, "&", "&amp;")) {
		t.Fatalf("the notification read lacks its footer (link %q):\n%s", read.Unsubscribe, read.Text)
	}

	run(t, q)
	got := waitReceived(t, s, 2)
	for _, r := range got {
		p := parse(t, r.data)
		switch r.rcpts[0] {
		case "li@example.cn":
			if p.subject != zh.Subject || !strings.Contains(p.text, "退货运费由您承担") || !strings.Contains(p.html, "DROP-7731") || p.header.Get("List-Unsubscribe") != "" {
				t.Errorf("the Chinese letter as sent: %q\n%s", p.subject, p.text)
			}
		case "ada@example.org":
			if p.subject != en.Subject || !strings.Contains(p.text, "It ships tomorrow.") || p.header.Get("List-Unsubscribe") != "<"+read.Unsubscribe+">" {
				t.Errorf("the notification as sent: %q, List-Unsubscribe %q\n%s", p.subject, p.header.Get("List-Unsubscribe"), p.text)
			}
		default:
			t.Errorf("a letter to %v", r.rcpts)
		}
	}
	waitStatus(t, q, StatusSent)
	if r := storedRecord(t, db, zhID); r.Text != "" || len(r.Data) == 0 {
		t.Error("the sent letter was stored again with its bodies")
	}

	// Data that no longer makes a letter (a build's data type changed
	// under a queued letter) fails at once, naming why, and nothing is sent.
	now := time.Now().UTC()
	bad := &record{Message: Message{Summary: Summary{ID: newID(now, "k/broken"), Key: "k/broken", Kind: KindPartShipped, To: "ada@example.org",
		Subject: "Shipped", Status: StatusPending, CreatedAt: now, NextAttemptAt: now}, From: "fedmart@localhost"}, Lang: "en", Data: []byte(`{"Order":5}`)}
	if err := db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(timeKey(prefixPending, now, bad.ID), nil); err != nil {
			return err
		}
		return bad.put(txn)
	}); err != nil {
		t.Fatal(err)
	}
	q.Notify()
	testwait.For(t, 10*time.Second, func() error {
		if m := storedRecord(t, db, bad.ID); m.Status != StatusFailed || m.Attempts != 1 || !strings.Contains(m.LastError, "part_shipped letter's data") {
			return fmt.Errorf("the broken letter is %s after %d attempts (%q)", m.Status, m.Attempts, m.LastError)
		}
		return nil
	})
	if n := len(s.messages()); n != 2 {
		t.Errorf("the server holds %d messages, want the 2 that could be written", n)
	}
}

// storedRecord reads message id as the queue stores it.
func storedRecord(t *testing.T, db *badger.DB, id string) *record {
	t.Helper()
	var r *record
	if err := db.View(func(txn *badger.Txn) (err error) { r, err = loadMessage(txn, id); return err }); err != nil {
		t.Fatal(err)
	}
	return r
}

// Data of the wrong type, or given with bodies, is refused by name.
func TestEnqueueRefusesDataOfTheWrongKind(t *testing.T) {
	db := memDB(t)
	q := open(t, db, DefaultConfig(), fast(nil))
	pl, np := afterSale()
	for _, c := range []struct {
		m    Mail
		want string
	}{
		{Mail{Key: "a", Kind: KindNewPart, To: "ada@example.org", Data: pl}, "mail.data: a new_part letter is written from a NewPart, not a mail.PartLetter"},
		{Mail{Key: "b", Kind: "test", To: "ada@example.org", Data: np}, `mail.kind: no letter "test" is written from data`},
		{Mail{Key: "c", Kind: KindNewPart, To: "ada@example.org", Data: np, Letter: Letter{Text: "written"}}, "mail.data: set with written bodies"},
	} {
		err := db.Update(func(txn *badger.Txn) error { return q.Enqueue(txn, c.m) })
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.m.Key, err, c.want)
		}
	}
}

// Every letter can be queued as data: a kind missing from letterData
// would be refused by Enqueue, and the mailer would skip its letters.
func TestEveryLetterHasItsData(t *testing.T) {
	for kind := range letters {
		if kind == notice {
			continue
		}
		if _, ok := letterData[kind]; !ok {
			t.Errorf("letter %q has no data type in letterData", kind)
		}
	}
	for kind := range letterData {
		if _, ok := letters[kind]; !ok {
			t.Errorf("letterData names %q, which is not a letter", kind)
		}
	}
}
