package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/mail"
	"strings"
	"time"

	"github.com/fedmart/fedmart/internal/storedjson"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/klauspost/compress/s2"
)

// Message states.
const (
	// StatusPending: not delivered yet; retried until it is, or fails.
	StatusPending = "pending"
	// StatusSent: the SMTP server accepted it.
	StatusSent = "sent"
	// StatusMailbox: no SMTP server is configured; it is kept in the
	// node's local mailbox.
	StatusMailbox = "mailbox"
	// StatusFailed: every attempt was refused.
	StatusFailed = "failed"
)

// Mail is a message to queue.
type Mail struct {
	// Key identifies the event that causes the message: a second message
	// with a key already queued is not queued.
	Key string
	// Kind names the letter, such as "order_confirmation".
	Kind string
	// To is the recipient's address; ToName the name shown with it.
	To, ToName string
	// Lang is the language the letter is written in ("en", "zh"): its
	// unsubscribe footer is written in it too.
	Lang string
	// Letter is what the message says, written out. Leave it empty and
	// set Data instead to have the queue write it.
	Letter
	// Data is what a letter of Kind says, of the type Kind's
	// documentation names (Order, PartLetter, NewPart, NoteLetter or
	// IssueLetter). The queue writes the subject when it queues the
	// message and keeps Data in place of the bodies, which Render writes
	// when the message is sent or read: queueing a letter in an order's
	// transaction costs the subject, not the whole letter.
	Data any
}

// Letter is a message's subject and its text and HTML bodies.
type Letter struct {
	Subject string
	Text    string
	HTML    string
}

// Limits of one message.
const (
	maxKey  = 512
	maxBody = 256 << 10
)

// validate names the first bad field of m.
func (m Mail) validate() error {
	switch {
	case m.Key == "" || len(m.Key) > maxKey:
		return fmt.Errorf("%w: mail.key: must be 1..%d bytes", ErrInvalid, maxKey)
	case m.Kind == "" || len(m.Kind) > 64:
		return fmt.Errorf("%w: mail.kind: must be 1..64 bytes", ErrInvalid)
	case strings.TrimSpace(m.Subject) == "":
		return fmt.Errorf("%w: mail.subject: must be set", ErrInvalid)
	case m.Data != nil && (m.Text != "" || m.HTML != ""):
		return fmt.Errorf("%w: mail.data: set with written bodies; a message has one or the other", ErrInvalid)
	case m.Data == nil && (m.Text == "" || len(m.Text) > maxBody || len(m.HTML) > maxBody):
		return fmt.Errorf("%w: mail.text: must be 1..%d bytes, and the HTML body at most that", ErrInvalid, maxBody)
	}
	if a, err := mail.ParseAddress(m.To); err != nil || a.Address != m.To {
		return fmt.Errorf("%w: mail.to: must be a plain address such as ada@example.org, not %q", ErrInvalid, clip(m.To))
	}
	return nil
}

// Summary is a message as the mailbox lists it.
type Summary struct {
	ID        string    `json:"id"`
	Key       string    `json:"key"`
	Kind      string    `json:"kind"`
	To        string    `json:"to"`
	ToName    string    `json:"to_name,omitempty"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// NextAttemptAt is when a pending message is tried next.
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	FinishedAt    time.Time `json:"finished_at,omitzero"`
}

// Message is a queued message with its bodies.
type Message struct {
	Summary
	From string `json:"from"`
	// Unsubscribe is the link of a notification's List-Unsubscribe
	// header; "" for a transactional letter.
	Unsubscribe string `json:"unsubscribe,omitempty"`
	Text        string `json:"text"`
	HTML        string `json:"html,omitempty"`
}

// Keys under "e/".
const (
	prefixLog      = "e/l/" // + id -> Message (JSON); ids sort by creation
	prefixKey      = "e/k/" // + sha256(key) hex -> id
	prefixPending  = "e/p/" // + next attempt (16 hex ns) / id -> nil
	prefixFinished = "e/f/" // + finished (16 hex ns) / id -> nil
)

// newID is a message id that sorts by creation: the time in nanoseconds
// and a hash of its key, both in fixed-width hex.
func newID(at time.Time, key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	return fmt.Sprintf("%016x%08x", uint64(at.UnixNano()), h.Sum32())
}

// validID reports whether s could be an id newID made.
func validID(s string) bool {
	if len(s) != 24 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func keyOf(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return []byte(prefixKey + hex.EncodeToString(sum[:]))
}

func timeKey(prefix string, at time.Time, id string) []byte {
	return fmt.Appendf(nil, "%s%016x/%s", prefix, uint64(at.UnixNano()), id)
}

// record is a message as the queue stores it. A letter queued with
// Mail.Data keeps what it says (Lang and Data) in place of its bodies,
// which written writes when the message is sent or read.
type record struct {
	Message
	Lang string          `json:"lang,omitempty"`
	Data json.RawMessage `json:"data,omitempty"`
}

// written is the message with its bodies: those it was queued with, or
// those Render writes now from its data, with a notification's
// unsubscribe footer.
func (r *record) written() (Message, error) {
	m := r.Message
	if r.Data == nil {
		return m, nil
	}
	data, err := decodeData(r.Kind, r.Data)
	if err != nil {
		return m, err
	}
	l, err := Render(r.Kind, r.Lang, data)
	if err != nil {
		return m, err
	}
	m.Text, m.HTML = l.Text, l.HTML
	if m.Unsubscribe != "" {
		if err := withFooter(&m, r.Lang); err != nil {
			return m, err
		}
	}
	return m, nil
}

// put stores r compressed: a letter's bodies are HTML and text that S2
// writes in about a third of the bytes, and the letters were two thirds
// of what a checkout storm wrote (BENCHMARKS.md, "What a sub-order is
// made of"). S2 (klauspost/compress, which Badger already uses) takes
// about 3 µs for a 5 KB letter, where zstd's fastest level took 17 µs
// for a 3.6x ratio instead of 2.7x: a letter is written in the order's
// transaction, so its cost is an order's.
func (m *record) put(txn *badger.Txn) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return txn.Set([]byte(prefixLog+m.ID), append([]byte(compressed), s2.Encode(nil, b)...))
}

// compressed starts a message stored compressed; one stored before they
// were is JSON, which starts with '{'.
const compressed = "\xffs2"

// decodeStored reads a stored message, compressed or, as messages were
// stored before, not.
func decodeStored(v []byte, m *record) error {
	if rest, ok := bytes.CutPrefix(v, []byte(compressed)); ok {
		plain, err := s2.Decode(nil, rest)
		if err != nil {
			return fmt.Errorf("mail: stored message: %w", err)
		}
		v = plain
	}
	return storedjson.Unmarshal(v, m)
}

func loadMessage(txn *badger.Txn, id string) (*record, error) {
	item, err := txn.Get([]byte(prefixLog + id))
	if err == badger.ErrKeyNotFound {
		return nil, fmt.Errorf("%w: message %s", ErrNotFound, clip(id))
	}
	if err != nil {
		return nil, err
	}
	var m record
	err = item.Value(func(v []byte) error { return decodeStored(v, &m) })
	return &m, err
}

// oneLine replaces line breaks (and other control characters) with
// spaces: what goes into a header is one line.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' || r == '\t' || r == 0 || r == '\v' || r == '\f' }), " ")
}

// idTime is the creation time an id carries.
func idTime(id string) time.Time {
	var ns uint64
	if _, err := fmt.Sscanf(id[:min(16, len(id))], "%016x", &ns); err != nil {
		return time.Time{}
	}
	return time.Unix(0, int64(ns)).UTC()
}
