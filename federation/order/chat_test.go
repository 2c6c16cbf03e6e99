package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
)

// notices records what a service would have e-mailed, by notice id.
type notices struct {
	mu   sync.Mutex // guards byID
	byID map[string]Notice
}

func (n *notices) Notify(_ *badger.Txn, no Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.byID == nil {
		n.byID = map[string]Notice{}
	}
	n.byID[no.ID] = no
	return nil
}

func (n *notices) of(kind string) []Notice {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Notice
	for _, no := range n.byID {
		if no.Kind == kind {
			out = append(out, no)
		}
	}
	return out
}

// hooks counts the webhooks a service queued, by event.
type hooks struct {
	mu sync.Mutex // guards n
	n  map[string]int
}

func (h *hooks) Enqueue(_ *badger.Txn, event string, _ any) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n == nil {
		h.n = map[string]int{}
	}
	h.n[event]++
	return nil
}

func (h *hooks) Notify() {}

func (h *hooks) count(event string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[event]
}

// threadOn waits until side's thread of part on m holds n messages.
func threadOn(t *testing.T, get func() (Thread, error), n int) Thread {
	t.Helper()
	var th Thread
	testwait.For(t, 10*time.Second, func() (err error) {
		th, err = get()
		if err == nil && len(th.Messages) != n {
			err = fmt.Errorf("thread has %d messages, want %d", len(th.Messages), n)
		}
		return err
	})
	return th
}

// TestConversation: a shopper on storefront a writes to the merchant on
// b; the merchant reads and answers while a is cut off; the answer waits
// in b's outbox and arrives when a is back. Both sides keep the same
// thread, each with its own unread count, and each reader is told once.
func TestConversation(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	shopMail, homeMail := &notices{}, &notices{}
	a.svc.notify, b.svc.notify = shopMail, homeMail
	shopHooks, homeHooks := &hooks{}, &hooks{}
	a.svc.emit, b.svc.emit = shopHooks, homeHooks
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)

	pic := "https://img.example/pan.jpg"
	n, err := a.svc.WriteNote(ctx, o.Shopper, o.ID, part, NoteInput{Text: "  Is it cast iron?\nThanks  ", Attachments: []string{pic}})
	if err != nil {
		t.Fatal(err)
	}
	if n.Text != "Is it cast iron?\nThanks" || n.By != ByShopper || len(n.Attachments) != 1 {
		t.Errorf("written: %+v", n)
	}
	merchant := func() (Thread, error) { return b.svc.MerchantThread(ctx, "forge", part, false) }
	th := threadOn(t, merchant, 1)
	if m := th.Messages[0]; m.ID != n.ID || m.Text != n.Text || m.Attachments[0] != pic || th.Unread != 1 {
		t.Errorf("merchant's thread: %+v", th)
	}
	cs, err := b.svc.Conversations(ctx, "forge", 10)
	if err != nil || len(cs) != 1 || cs[0].Part != part || cs[0].Unread != 1 || cs[0].Order != o.ID {
		t.Fatalf("merchant's conversations: %+v %v", cs, err)
	}
	if cs, _ := b.svc.Conversations(ctx, "other", 10); len(cs) != 0 {
		t.Errorf("another merchant's conversations: %+v", cs)
	}
	if th, _ := b.svc.MerchantThread(ctx, "forge", part, true); th.Unread != 1 {
		t.Errorf("unread when read: %d", th.Unread)
	}
	if th, _ := merchant(); th.Unread != 0 {
		t.Errorf("unread after reading: %d", th.Unread)
	}
	if got := homeMail.of(NoticeNoteToMerchant); len(got) != 1 || got[0].Note.ID != n.ID || got[0].Home.Merchant != "forge" {
		t.Errorf("merchant told: %+v", got)
	}
	// Nothing of the shopper's contact data travels.
	sh, _ := a.svc.Shopper(ctx, o.Shopper)
	if raw := noteRaw(t, b, part, n.ID); strings.Contains(raw, sh.Email) || strings.Contains(raw, testShipTo.Name) || strings.Contains(raw, "@") {
		t.Errorf("the note carries the shopper's contact data: %s", raw)
	}

	// The merchant answers while the storefront is cut off.
	f.drained()
	f.net.partition(a.id, b.id, true)
	f.clk.add(time.Minute)
	answer, err := b.svc.WriteMerchantNote(ctx, "forge", part, NoteInput{Text: "Yes, cast iron."})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := b.svc.Outbox(ctx); len(d) != 1 || d[0].Messages != 1 {
		t.Errorf("b's outbox while a is away: %+v", d)
	}
	f.net.partition(a.id, b.id, false)
	shopper := func() (Thread, error) { return a.svc.ShopperThread(ctx, o.Shopper, o.ID, part, false) }
	th = threadOn(t, shopper, 2)
	if th.Messages[1].ID != answer.ID || th.Messages[1].By != ByMerchant || th.Unread != 1 || th.Messages[0].ID != n.ID {
		t.Errorf("shopper's thread: %+v", th)
	}
	f.drained()
	if got := shopMail.of(NoticeNoteToShopper); len(got) != 1 || got[0].Note.ID != answer.ID || got[0].Shopper.ID != o.Shopper || got[0].Part.ID != part {
		t.Errorf("shopper told: %+v", got)
	}
	if th := threadOn(t, merchant, 2); th.Unread != 0 {
		t.Errorf("the merchant's own answer counts as unread: %d", th.Unread)
	}

	// A replay is answered as before and adds nothing.
	raw := noteRaw(t, a, part, answer.ID)
	first := a.svc.Handle(ctx, b.id, []byte(raw))
	if string(first) != `{"ack":true}` {
		t.Errorf("replay answered %s", first)
	}
	if th, _ := shopper(); len(th.Messages) != 2 || len(shopMail.of(NoticeNoteToShopper)) != 1 {
		t.Errorf("a replay added a message or a mail")
	}
	if a, b := shopHooks.count("order.message.received"), homeHooks.count("order.message.received"); a != 1 || b != 1 {
		t.Errorf("order.message.received: %d on the storefront, %d on the home; want 1 each", a, b)
	}
	// An altered note does not verify.
	altered := strings.Replace(raw, "cast iron", "bronze", 1)
	if reply := string(a.svc.Handle(ctx, b.id, []byte(altered))); !strings.Contains(reply, fmt.Sprintf(`"code":%d`, CodeForged)) {
		t.Errorf("altered note answered %s", reply)
	}
	if th, _ := shopper(); len(th.Messages) != 2 {
		t.Errorf("an altered note was stored")
	}
}

// noteRaw is the signed note id of part as m keeps it.
func noteRaw(t *testing.T, m *member, part, id string) string {
	t.Helper()
	var raw []byte
	_ = m.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixNote+part+"/", "", 0) {
			if strings.HasSuffix(k, "/"+id) {
				raw, _ = getRaw(txn, k)
			}
		}
		return nil
	})
	if raw == nil {
		t.Fatalf("no note %s of part %s", id, part)
	}
	return string(raw)
}

// TestConversationRefusals: bad text and links are refused naming the
// field, a note on someone else's part and a note in the wrong direction
// are refused by the receiver, and a full thread takes no more; none of
// it changes a thread.
func TestConversationRefusals(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)

	for _, tc := range []struct {
		in    NoteInput
		field string
	}{
		{NoteInput{Text: "   "}, "text"},
		{NoteInput{Text: strings.Repeat("é", MaxNoteText+1)}, "text"},
		{NoteInput{Text: "bell\a"}, "text"},
		{NoteInput{Text: "see", Attachments: []string{"http://img.example/a.jpg"}}, "attachments[0]"},
		{NoteInput{Text: "see", Attachments: []string{"https://u:p@img.example/a.jpg"}}, "attachments[0]"},
		{NoteInput{Text: "see", Attachments: strings.Split("https://i.example/1 https://i.example/2 https://i.example/3 https://i.example/4 https://i.example/5", " ")}, "attachments"},
	} {
		_, err := a.svc.WriteNote(ctx, o.Shopper, o.ID, part, tc.in)
		var fe FieldErrors
		if !errors.As(err, &fe) || fe[0].Field != tc.field || !errors.Is(err, ErrInvalid) {
			t.Errorf("%.40q: %v, want a field error on %s", tc.in.Text, err, tc.field)
		}
		if _, err := b.svc.WriteMerchantNote(ctx, "forge", part, tc.in); !errors.As(err, &fe) || fe[0].Field != tc.field {
			t.Errorf("merchant %.40q: %v, want a field error on %s", tc.in.Text, err, tc.field)
		}
	}
	if _, err := a.svc.WriteNote(ctx, o.Shopper, o.ID, part, NoteInput{Text: strings.Repeat("é", MaxNoteText)}); err != nil {
		t.Errorf("a note of exactly %d characters: %v", MaxNoteText, err)
	}
	// Someone else's order or part.
	if _, err := a.svc.WriteNote(ctx, "someone", o.ID, part, NoteInput{Text: "hi"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another shopper's order: %v", err)
	}
	if _, err := b.svc.WriteMerchantNote(ctx, "other", part, NoteInput{Text: "hi"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another merchant's part: %v", err)
	}
	if _, err := b.svc.MerchantThread(ctx, "other", part, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("another merchant's thread: %v", err)
	}
	threadOn(t, func() (Thread, error) { return b.svc.MerchantThread(ctx, "forge", part, false) }, 1)

	// c signs a shopper's note on a's part, and a merchant's note as if
	// it were the home: both refused, nothing stored.
	refused := func(to *member, by string, want Code) {
		t.Helper()
		_, raw, _ := c.svc.newSigned(KindNote, to.id, part, func(m *Message) { m.Note = &Note{By: by, Text: "pay me elsewhere"} })
		if reply := string(to.svc.Handle(ctx, c.id, raw)); !strings.Contains(reply, fmt.Sprintf(`"code":%d`, want)) {
			t.Errorf("c's %s note to %s answered %s", by, shortPeer(to.id), reply)
		}
	}
	refused(b, ByShopper, CodeConflict)
	refused(a, ByMerchant, CodeConflict)
	// A note of c's about a part c has nothing to do with, not even known.
	_, raw, _ := c.svc.newSigned(KindNote, b.id, "nope-1", func(m *Message) { m.Note = &Note{By: ByShopper, Text: "hi"} })
	if reply := string(b.svc.Handle(ctx, c.id, raw)); !strings.Contains(reply, fmt.Sprintf(`"code":%d`, CodeNotFound)) {
		t.Errorf("a note on an unknown part answered %s", reply)
	}
	// A note on a part a's shopper never bought (its hold released).
	_, rel, _ := a.svc.newSigned(KindRelease, b.id, "gone-1", func(m *Message) { m.Reason = "payment failed" })
	b.svc.Handle(ctx, a.id, rel)
	_, raw, _ = a.svc.newSigned(KindNote, b.id, "gone-1", func(m *Message) { m.Note = &Note{By: ByShopper, Text: "hi"} })
	if reply := string(b.svc.Handle(ctx, a.id, raw)); !strings.Contains(reply, fmt.Sprintf(`"code":%d`, CodeConflict)) {
		t.Errorf("a note on a released part answered %s", reply)
	}
	// A note that reaches the home in the merchant's direction.
	_, raw, _ = a.svc.newSigned(KindNote, b.id, part, func(m *Message) { m.Note = &Note{By: ByMerchant, Text: "I am the merchant"} })
	if reply := string(b.svc.Handle(ctx, a.id, raw)); !strings.Contains(reply, `"code"`) {
		t.Errorf("a storefront's merchant note answered %s", reply)
	}
	// One from a's key, handed over by c.
	_, raw, _ = a.svc.newSigned(KindNote, b.id, part, func(m *Message) { m.Note = &Note{By: ByShopper, Text: "relayed"} })
	if reply := string(b.svc.Handle(ctx, c.id, raw)); !strings.Contains(reply, fmt.Sprintf(`"code":%d`, CodeForged)) {
		t.Errorf("a's note from c answered %s", reply)
	}
	if th, _ := b.svc.MerchantThread(ctx, "forge", part, false); len(th.Messages) != 1 {
		t.Errorf("refused notes were stored: %d messages", len(th.Messages))
	}

	// A full thread takes no more, on either side.
	err = b.db.Update(func(txn *badger.Txn) error {
		for i := range MaxThreadNotes {
			if err := txn.Set(fmt.Appendf(nil, "%s%s/%020d/x/%d", prefixNote, part, i, i), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.WriteMerchantNote(ctx, "forge", part, NoteInput{Text: "one more"}); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "part_id") {
		t.Errorf("a note on a full thread: %v", err)
	}
	_, raw, _ = a.svc.newSigned(KindNote, b.id, part, func(m *Message) { m.Note = &Note{By: ByShopper, Text: "one more"} })
	if reply := string(b.svc.Handle(ctx, a.id, raw)); !strings.Contains(reply, fmt.Sprintf(`"code":%d`, CodeConflict)) {
		t.Errorf("a received note on a full thread answered %s", reply)
	}
}

// TestConversationOnOwnStorefront: a part sold on its merchant's own
// platform has one thread, written and read on the one node.
func TestConversationOnOwnStorefront(t *testing.T) {
	f := newCluster(t, 1)
	a := f.members[0]
	ctx := context.Background()
	mail := &notices{}
	a.svc.notify = mail
	pan := f.list(a, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	if _, err := a.svc.WriteNote(ctx, o.Shopper, o.ID, part, NoteInput{Text: "When does it ship?"}); err != nil {
		t.Fatal(err)
	}
	f.clk.add(time.Second)
	if _, err := a.svc.WriteMerchantNote(ctx, "forge", part, NoteInput{Text: "Tomorrow."}); err != nil {
		t.Fatal(err)
	}
	th, err := a.svc.ShopperThread(ctx, o.Shopper, o.ID, part, true)
	if err != nil || len(th.Messages) != 2 || th.Unread != 1 || th.Messages[1].By != ByMerchant {
		t.Fatalf("shopper's thread: %+v %v", th, err)
	}
	if mt, _ := a.svc.MerchantThread(ctx, "forge", part, false); mt.Unread != 1 || len(mt.Messages) != 2 {
		t.Errorf("merchant's thread: %+v", mt)
	}
	if len(mail.of(NoticeNoteToMerchant)) != 1 || len(mail.of(NoticeNoteToShopper)) != 1 {
		t.Errorf("notices: %+v", mail.byID)
	}
}
