package order

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	badger "github.com/dgraph-io/badger/v4"
)

// Conversations. A part has one thread between its shopper, on the
// storefront, and its merchant, on the home node. Each message is a
// signed note: the storefront signs what its shopper writes and sends it
// to the home; the home signs what its merchant writes and sends it to the
// storefront; both go through the outbox, so a note reaches a node that is
// offline when it comes back. The storefront relays: a note carries the
// author's side, text and image links, never an address, e-mail or phone
// number of either side. Both sides keep the thread under the part
// (o/note/<part>/<time>/<from>/<id>), and each keeps when its own reader
// last read it (o/noteread/<side>/<part>), which gives unread counts.
// A receiver takes a note only on a part held between the two nodes, in
// the direction that part allows (a shopper's note to the part's home, a
// merchant's note to its storefront), under the part's cap, and once for
// each (From, ID).
const (
	// MaxNoteText is the most characters a note's text may have.
	MaxNoteText = 2000
	// MaxNoteAttachments is the most image links one note carries.
	MaxNoteAttachments = 4
	// MaxThreadNotes is the most notes one part's thread holds.
	MaxThreadNotes   = 500
	maxAttachmentURL = 2048
)

// Note is what a note message says.
type Note struct {
	// By is the author's side: ByShopper or ByMerchant.
	By string `json:"by"`
	// Text is plain text, trimmed, 1..MaxNoteText characters.
	Text string `json:"text"`
	// Attachments are https links to images.
	Attachments []string `json:"attachments,omitempty"`
}

// NoteInput is what a shopper or a merchant writes.
type NoteInput struct {
	Text        string   `json:"text"`
	Attachments []string `json:"attachments,omitempty"`
}

// ChatMessage is one message of a part's thread, as both sides show it.
type ChatMessage struct {
	ID          string    `json:"id"`
	Part        string    `json:"part_id"`
	By          string    `json:"by"`
	Text        string    `json:"text"`
	Attachments []string  `json:"attachments,omitempty"`
	At          time.Time `json:"at"`
}

// Thread is a part's conversation as one side sees it.
type Thread struct {
	Order    string        `json:"order_id"`
	Part     string        `json:"part_id"`
	Merchant string        `json:"merchant"`
	Messages []ChatMessage `json:"messages"`
	// Unread counts the other side's messages after ReadAt.
	Unread int       `json:"unread"`
	ReadAt time.Time `json:"read_at,omitzero"`
}

// Conversation is a thread in a merchant's list.
type Conversation struct {
	Order  string      `json:"order_id"`
	Part   string      `json:"part_id"`
	Count  int         `json:"count"`
	Unread int         `json:"unread"`
	Last   ChatMessage `json:"last"`
}

const (
	prefixNote     = "o/note/"
	prefixNoteRead = "o/noteread/"
	prefixHomeNote = "o/hnote/"
)

// check names the first bad field of a note.
func (n *Note) check(errs *FieldErrors) {
	if n.By != ByShopper && n.By != ByMerchant {
		errs.add("by", "must be shopper or merchant")
	}
	NoteInput{Text: n.Text, Attachments: n.Attachments}.check(errs)
	if n.Text != strings.TrimSpace(n.Text) {
		errs.add("text", "must be trimmed")
	}
}

// check names every bad field of what someone wrote.
func (in NoteInput) check(errs *FieldErrors) {
	switch n := utf8.RuneCountInString(in.Text); {
	case !utf8.ValidString(in.Text):
		errs.add("text", "must be UTF-8")
	case strings.TrimSpace(in.Text) == "":
		errs.add("text", "is required")
	case n > MaxNoteText:
		errs.add("text", "has %d characters, more than %d", n, MaxNoteText)
	case strings.ContainsFunc(in.Text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		errs.add("text", "must be plain text, without control characters")
	}
	if len(in.Attachments) > MaxNoteAttachments {
		errs.add("attachments", "has %d links, more than %d", len(in.Attachments), MaxNoteAttachments)
	}
	for i, a := range in.Attachments {
		if !imageURL(a) {
			errs.add(fmt.Sprintf("attachments[%d]", i), "must be an https URL of an image, at most %d bytes", maxAttachmentURL)
		}
	}
}

func imageURL(s string) bool {
	if len(s) > maxAttachmentURL || strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

// clean trims what someone wrote and checks it.
func (in NoteInput) clean() (NoteInput, error) {
	in.Text = strings.TrimSpace(in.Text)
	in.Attachments = slices.Clone(in.Attachments)
	for i := range in.Attachments {
		in.Attachments[i] = strings.TrimSpace(in.Attachments[i])
	}
	var errs FieldErrors
	in.check(&errs)
	return in, errs.err()
}

// WriteNote writes what a shopper says to the merchant of part of its
// order id. The note is stored in the thread and sent to the part's home
// through the outbox; it returns the note.
func (s *Service) WriteNote(ctx context.Context, shopper, id, part string, in NoteInput) (ChatMessage, error) {
	in, err := in.clean()
	if err != nil {
		return ChatMessage{}, err
	}
	o, err := s.GetOrder(ctx, shopper, id)
	if err != nil {
		return ChatMessage{}, err
	}
	p := o.partOf(part)
	if p == nil {
		return ChatMessage{}, fmt.Errorf("%w: order %s has no part %s", ErrNotFound, id, part)
	}
	return s.writeNote(ctx, p.Platform, part, "", Note{By: ByShopper, Text: in.Text, Attachments: in.Attachments})
}

// WriteMerchantNote writes what merchant says to the shopper of its part.
// The note goes to the part's storefront through the outbox.
func (s *Service) WriteMerchantNote(ctx context.Context, merchant, part string, in NoteInput) (ChatMessage, error) {
	in, err := in.clean()
	if err != nil {
		return ChatMessage{}, err
	}
	p, err := s.HomePartOf(ctx, merchant, part)
	if err != nil {
		return ChatMessage{}, err
	}
	return s.writeNote(ctx, p.Storefront, part, merchant, Note{By: ByMerchant, Text: in.Text, Attachments: in.Attachments})
}

// writeNote signs note n of part to member to, stores it and queues it,
// in one transaction; when to is this node (a part sold on the merchant's
// own storefront) the other side's effects happen in that transaction too.
// merchant, when set, is the home's merchant, whose conversations list the
// thread from now on.
func (s *Service) writeNote(ctx context.Context, to, part, merchant string, n Note) (ChatMessage, error) {
	m, raw, err := s.newSigned(KindNote, to, part, func(m *Message) { m.Note = &n })
	if err != nil {
		return ChatMessage{}, err
	}
	unlock := s.lockHome(part)
	var key string
	err = s.update(func(txn *badger.Txn) error {
		if err := s.storeNote(txn, m, raw); err != nil {
			return err
		}
		if merchant != "" {
			if err := txn.Set([]byte(prefixHomeNote+merchant+"/"+part), nil); err != nil {
				return err
			}
		}
		if to == s.self {
			return s.noteArrived(txn, m)
		}
		key = s.out.key(to)
		return txn.Set([]byte(key), raw)
	})
	unlock()
	if err != nil {
		return ChatMessage{}, err
	}
	s.notifyEmitter()
	if key != "" {
		s.confirmNow(ctx, []string{key})
	}
	return chatOf(m), nil
}

// storeNote adds note m to its part's thread, in txn, unless the thread is
// full.
func (s *Service) storeNote(txn *badger.Txn, m *Message, raw []byte) error {
	if n := len(keys(txn, prefixNote+m.Part+"/", "", 0)); n >= MaxThreadNotes {
		return fmt.Errorf("%w: part_id: the thread of part %s has %d messages, the most one part may have", ErrConflict, m.Part, n)
	}
	return txn.Set([]byte(prefixNote+m.Part+"/"+timeKey(m.At)+"/"+m.From+"/"+m.ID), raw)
}

// receiveNote takes a note another member sent: on a part held between
// the two, in the direction the part allows, once.
func (s *Service) receiveNote(m *Message, raw []byte) ([]byte, error) {
	unlock := s.lockHome(m.Part)
	defer unlock()
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	if m.From != s.self {
		if err := s.budget.admitNote(m.From, s.now()); err != nil {
			return nil, err
		}
	}
	if m.At.After(s.now().Add(maxClockSkew)) {
		return nil, fmt.Errorf("%w: message.at: %s is later than the receiver's clock", ErrInvalid, m.At.UTC().Format(time.RFC3339))
	}
	reply := mustJSON(Reply{Ack: true})
	err := s.update(func(txn *badger.Txn) error {
		if err := s.storeNote(txn, m, raw); err != nil {
			return err
		}
		if err := s.noteArrived(txn, m); err != nil {
			return err
		}
		return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), reply)
	})
	if err != nil {
		return nil, err
	}
	s.notifyEmitter()
	return reply, nil
}

// noteArrived does, in txn, what a note does on the side it is written
// to: it checks that the part is held between the two nodes, indexes the
// thread, tells the reader by mail and webhook.
func (s *Service) noteArrived(txn *badger.Txn, m *Message) error {
	cm := chatOf(m)
	if m.Note.By == ByShopper { // this node is the part's home
		p, err := loadHome(txn, m.Part)
		if err != nil {
			return err
		}
		if p.Storefront != m.From {
			return fmt.Errorf("%w: part_id: part %s was not sold by %s", ErrConflict, m.Part, shortPeer(m.From))
		}
		if p.Status == statusExpired || p.Status == statusReleased { // never an order: pruned with no thread
			return fmt.Errorf("%w: part_id: part %s is %s, not an order", ErrConflict, m.Part, p.Status)
		}
		if err := txn.Set([]byte(prefixHomeNote+p.Merchant+"/"+m.Part), nil); err != nil {
			return err
		}
		if s.notify != nil {
			if err := s.notify.Notify(txn, Notice{ID: "note/" + m.From + "/" + m.ID, Kind: NoticeNoteToMerchant, Home: p, Note: &cm}); err != nil {
				return err
			}
		}
		return s.emitEvent(txn, "order.message.received", map[string]any{"order": p.Order, "part_id": p.ID, "merchant": p.Merchant, "message": cm})
	}
	o, err := loadOrder(txn, orderOfPart(m.Part))
	if err != nil {
		return err
	}
	p := o.partOf(m.Part)
	switch {
	case p == nil:
		return fmt.Errorf("%w: part %s of order %s", ErrNotFound, m.Part, o.ID)
	case p.Platform != m.From:
		return fmt.Errorf("%w: part_id: %s is not the home of part %s", ErrConflict, shortPeer(m.From), m.Part)
	}
	if s.notify != nil {
		sh, err := shopperIn(txn, o.Shopper)
		if err != nil {
			return err
		}
		if err := s.notify.Notify(txn, Notice{ID: "note/" + m.From + "/" + m.ID, Kind: NoticeNoteToShopper, Order: o, Part: p, Shopper: sh, Note: &cm}); err != nil {
			return err
		}
	}
	return s.emitEvent(txn, "order.message.received", map[string]any{"order": o.ID, "part_id": p.ID, "merchant": p.Merchant, "message": cm})
}

func chatOf(m *Message) ChatMessage {
	return ChatMessage{ID: m.ID, Part: m.Part, By: m.Note.By, Text: m.Note.Text, Attachments: slices.Clone(m.Note.Attachments), At: m.At}
}

// ShopperThread returns the thread of part of a shopper's order id; read
// marks it read up to now.
func (s *Service) ShopperThread(ctx context.Context, shopper, id, part string, read bool) (Thread, error) {
	o, err := s.GetOrder(ctx, shopper, id)
	if err != nil {
		return Thread{}, err
	}
	p := o.partOf(part)
	if p == nil {
		return Thread{}, fmt.Errorf("%w: order %s has no part %s", ErrNotFound, id, part)
	}
	return s.thread(id, part, p.Merchant, ByShopper, read)
}

// MerchantThread returns the thread of merchant's part; read marks it
// read up to now.
func (s *Service) MerchantThread(ctx context.Context, merchant, part string, read bool) (Thread, error) {
	p, err := s.HomePartOf(ctx, merchant, part)
	if err != nil {
		return Thread{}, err
	}
	return s.thread(p.Order, part, p.Merchant, ByMerchant, read)
}

// thread reads a part's thread as side sees it.
func (s *Service) thread(id, part, merchant, side string, read bool) (Thread, error) {
	t := Thread{Order: id, Part: part, Merchant: merchant, Messages: []ChatMessage{}}
	now := s.now().UTC()
	err := s.db.View(func(txn *badger.Txn) (err error) {
		t.Messages, err = notesIn(txn, part)
		if err != nil {
			return err
		}
		t.ReadAt, err = readMark(txn, side, part)
		return err
	})
	if err != nil {
		return Thread{}, err
	}
	t.Unread = unread(t.Messages, side, t.ReadAt)
	if read && t.Unread > 0 {
		err := s.update(func(txn *badger.Txn) error { return putJSON(txn, prefixNoteRead+side+"/"+part, now) })
		if err != nil {
			return Thread{}, err
		}
	}
	return t, nil
}

// notesIn reads a part's thread, oldest first.
func notesIn(txn *badger.Txn, part string) ([]ChatMessage, error) {
	out := []ChatMessage{}
	for _, k := range keys(txn, prefixNote+part+"/", "", 0) {
		raw, err := getRaw(txn, k)
		if err != nil {
			return nil, err
		}
		var m Message
		if err := json.Unmarshal(raw, &m); err != nil || m.Note == nil { // checked when stored
			return nil, fmt.Errorf("order: stored %s: %v", k, err)
		}
		out = append(out, chatOf(&m))
	}
	return out, nil
}

func readMark(txn *badger.Txn, side, part string) (time.Time, error) {
	var at time.Time
	_, err := getJSON(txn, prefixNoteRead+side+"/"+part, &at)
	return at, err
}

// unread counts the messages of the side other than side after at.
func unread(ms []ChatMessage, side string, at time.Time) int {
	n := 0
	for _, m := range ms {
		if m.By != side && m.At.After(at) {
			n++
		}
	}
	return n
}

// Conversations lists the threads of merchant's parts, at most limit:
// those with unread messages first, then the rest, each newest first.
func (s *Service) Conversations(_ context.Context, merchant string, limit int) ([]Conversation, error) {
	var out []Conversation
	err := s.db.View(func(txn *badger.Txn) error {
		prefix := prefixHomeNote + merchant + "/"
		for _, k := range keys(txn, prefix, "", 0) {
			part := k[len(prefix):]
			ms, err := notesIn(txn, part)
			if err != nil || len(ms) == 0 {
				return err
			}
			at, err := readMark(txn, ByMerchant, part)
			if err != nil {
				return err
			}
			out = append(out, Conversation{Order: orderOfPart(part), Part: part, Count: len(ms), Unread: unread(ms, ByMerchant, at), Last: ms[len(ms)-1]})
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Conversation) int {
		if ua, ub := a.Unread > 0, b.Unread > 0; ua != ub {
			if ua {
				return -1
			}
			return 1
		}
		return b.Last.At.Compare(a.Last.At)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}
