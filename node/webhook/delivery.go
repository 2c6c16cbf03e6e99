package webhook

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Delivery states. A delivery is created pending and ends delivered or
// failed; it never leaves either.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Badger keys, all under the package prefix "w/". Times are 16 hex digits
// of Unix nanoseconds, so keys sort by time.
const (
	prefixLog      = "w/l/" // + created/id -> record (JSON)
	prefixPending  = "w/p/" // + hook/next attempt/id -> created/id
	prefixFinished = "w/f/" // + finished/id -> created/id
)

// Delivery is one event's journey to one hook, as the operator sees it.
type Delivery struct {
	// ID is "dlv_" and 32 hex digits; the body's "id" and the
	// Fedmart-Delivery header carry it, and receivers dedupe on it.
	ID string `json:"id"`
	// Event is the event name, such as "order.accepted".
	Event string `json:"event"`
	// URL is the hook the delivery goes to.
	URL string `json:"url"`
	// Status is StatusPending, StatusDelivered or StatusFailed.
	Status string `json:"status"`
	// Attempts counts the POSTs made so far.
	Attempts int `json:"attempts"`
	// LastStatusCode is the HTTP status of the last attempt; 0 when it got
	// no response.
	LastStatusCode int `json:"last_status_code"`
	// LastError says why the last attempt failed; empty after a success.
	LastError string `json:"last_error"`
	// CreatedAt is when the delivery was enqueued.
	CreatedAt time.Time `json:"created_at"`
	// LastAttemptAt is when the last attempt started.
	LastAttemptAt time.Time `json:"last_attempt_at,omitzero"`
	// NextAttemptAt is when a pending delivery is tried next.
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	// DeliveredAt is when a receiver answered 2xx.
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
}

// record is a Delivery as stored: with the hook key, the body it signs and
// when it finished.
type record struct {
	Delivery
	Hook       string    `json:"hook"`
	Body       []byte    `json:"body"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// envelope is the JSON body POSTed to the hook.
type envelope struct {
	ID        string          `json:"id"`
	Event     string          `json:"event"`
	CreatedAt string          `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// newRecord builds the pending delivery of event to hook, created at now,
// with data (JSON) as the body's "data".
func newRecord(hook Config, event string, data json.RawMessage, now time.Time) *record {
	r := &record{Hook: hookKey(hook.URL), Delivery: Delivery{
		ID: newID(), Event: event, URL: hook.URL, Status: StatusPending,
		CreatedAt: now, NextAttemptAt: now,
	}}
	// An envelope of strings and valid JSON always encodes.
	r.Body, _ = json.Marshal(envelope{ID: r.ID, Event: event, CreatedAt: now.UTC().Format(time.RFC3339Nano), Data: data})
	return r
}

// newID returns "dlv_" and 128 random bits in hex.
func newID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand crashes the program instead)
	return "dlv_" + hex.EncodeToString(b[:])
}

// hookKey names a hook in pending keys: the first 8 bytes of its URL's
// SHA-256, in hex.
func hookKey(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:8])
}

// timeKey renders t as 16 hex digits of Unix nanoseconds (0 before 1970).
func timeKey(t time.Time) string {
	return fmt.Sprintf("%016x", uint64(max(t.UnixNano(), 0)))
}

// logID is the delivery's place in the log: created/id. It is the cursor
// Deliveries hands out.
func (r *Delivery) logID() string { return timeKey(r.CreatedAt) + "/" + r.ID }

// pendingKey is the record's key in its hook's queue.
func (r *record) pendingKey() []byte {
	return []byte(prefixPending + r.Hook + "/" + timeKey(r.NextAttemptAt) + "/" + r.ID)
}

// validLogID reports whether s has the shape of a logID.
func validLogID(s string) bool {
	ts, id, ok := strings.Cut(s, "/")
	if !ok || len(ts) != 16 || len(id) != 36 || !strings.HasPrefix(id, "dlv_") {
		return false
	}
	_, err1 := hex.DecodeString(ts)
	_, err2 := hex.DecodeString(id[4:])
	return err1 == nil && err2 == nil
}

// finishedKey is the record's key in the finished index, which trimming
// reads oldest first.
func (r *record) finishedKey() []byte {
	return []byte(prefixFinished + timeKey(r.FinishedAt) + "/" + r.ID)
}

// put writes the record and its index key: pending or finished.
func (r *record) put(txn *badger.Txn) error {
	enc, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := txn.Set([]byte(prefixLog+r.logID()), enc); err != nil {
		return err
	}
	if r.Status == StatusPending {
		return txn.Set(r.pendingKey(), []byte(r.logID()))
	}
	return txn.Set(r.finishedKey(), []byte(r.logID()))
}

// loadRecord reads the record at a logID; nil when it is gone.
func loadRecord(txn *badger.Txn, logID []byte) (*record, error) {
	item, err := txn.Get(append([]byte(prefixLog), logID...))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeRecord(item)
}

// decodeRecord decodes the record an item of the log holds.
func decodeRecord(item *badger.Item) (*record, error) {
	r := new(record)
	err := item.Value(func(v []byte) error { return json.Unmarshal(v, r) })
	if err != nil {
		return nil, fmt.Errorf("webhook: delivery %s: %w", item.Key(), err)
	}
	return r, nil
}
