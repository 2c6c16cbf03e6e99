package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// fastOptions shrink every wait so retries happen within milliseconds.
var fastOptions = Options{
	Timeout:        5 * time.Second,
	InitialBackoff: 10 * time.Millisecond,
	MaxBackoff:     40 * time.Millisecond,
	Poll:           20 * time.Millisecond,
}

func openDB(t *testing.T) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// received is one POST a receiver got.
type received struct {
	id, event string
	status    int
	body      []byte
	header    http.Header
}

// receiver is a back office: it verifies every POST and answers with
// respond(n), n counting its requests from 1 (200 when respond is nil).
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	respond func(n int) int

	mu  sync.Mutex // guards got
	got []received
}

func newReceiver(t *testing.T, respond func(n int) int) *receiver {
	rc := &receiver{t: t, respond: respond}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := Verify(testSecret, r.Header.Get(HeaderSignature), body, time.Now(), time.Minute); err != nil {
		rc.t.Errorf("receiver: %v", err)
	}
	rc.mu.Lock()
	status := http.StatusOK
	if rc.respond != nil {
		status = rc.respond(len(rc.got) + 1)
	}
	rc.got = append(rc.got, received{r.Header.Get(HeaderDelivery), r.Header.Get(HeaderEvent), status, body, r.Header})
	rc.mu.Unlock()
	w.WriteHeader(status)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func (rc *receiver) hook(events ...string) Config {
	return Config{URL: rc.srv.URL + "/fedmart", Secret: testSecret, Events: events}
}

// start runs d until the returned stop is called; stop returns Run's error.
func start(t *testing.T, d *Dispatcher) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// checkFor polls cond until it holds or the deadline passes.
func checkFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func enqueue(t *testing.T, d *Dispatcher, db *badger.DB, event string, payload any) {
	t.Helper()
	if err := db.Update(func(txn *badger.Txn) error { return d.Enqueue(txn, event, payload) }); err != nil {
		t.Fatal(err)
	}
	d.Notify()
}

func deliveries(t *testing.T, d *Dispatcher) []Delivery {
	t.Helper()
	out, _, err := d.Deliveries(context.Background(), "", maxPage)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// settled reports whether d's log holds n deliveries, all finished.
func settled(t *testing.T, d *Dispatcher, n int) func() bool {
	return func() bool {
		log := deliveries(t, d)
		for _, dl := range log {
			if dl.Status == StatusPending {
				return false
			}
		}
		return len(log) == n
	}
}

func TestRetriedUntilDeliveredOnce(t *testing.T) {
	db := openDB(t)
	rc := newReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	d, err := Open(db, []Config{rc.hook()}, fastOptions, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, d)
	enqueue(t, d, db, "order.accepted", map[string]any{"order": "o-1", "total": 1250})
	checkFor(t, "the delivery to settle", settled(t, d, 1))
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}

	log := deliveries(t, d)[0]
	if log.Status != StatusDelivered || log.Attempts != 3 || log.LastStatusCode != 204 || log.LastError != "" ||
		log.DeliveredAt.IsZero() || !log.NextAttemptAt.IsZero() || log.Event != "order.accepted" || log.URL != rc.hook().URL {
		t.Fatalf("log entry = %+v", log)
	}
	got := rc.requests()
	if len(got) != 3 {
		t.Fatalf("receiver got %d requests, want 3", len(got))
	}
	for i, r := range got {
		if r.id != log.ID || r.event != "order.accepted" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: id %q event %q content type %q", i, r.id, r.event, r.header.Get("Content-Type"))
		}
		if ok := r.status/100 == 2; ok != (i == 2) {
			t.Errorf("request %d answered %d", i, r.status)
		}
	}
	checkBody(t, got[2].body, log)
}

// checkBody checks the envelope of a delivery's body.
func checkBody(t *testing.T, body []byte, dl Delivery) {
	t.Helper()
	var env struct {
		ID        string         `json:"id"`
		Event     string         `json:"event"`
		CreatedAt time.Time      `json:"created_at"`
		Data      map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	if env.ID != dl.ID || env.Event != dl.Event || !env.CreatedAt.Equal(dl.CreatedAt) || env.Data["order"] != "o-1" {
		t.Fatalf("body = %s, delivery %+v", body, dl)
	}
}

func TestMaxAttemptsFails(t *testing.T) {
	db := openDB(t)
	rc := newReceiver(t, func(int) int { return http.StatusServiceUnavailable })
	opts := fastOptions
	opts.MaxAttempts = 3
	d, err := Open(db, []Config{rc.hook()}, opts, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, d)
	enqueue(t, d, db, "payout.sent", 42)
	checkFor(t, "the delivery to settle", settled(t, d, 1))
	stop()

	log := deliveries(t, d)[0]
	if log.Status != StatusFailed || log.Attempts != 3 || log.LastStatusCode != 503 ||
		!strings.HasPrefix(log.LastError, "503 Service Unavailable") || !log.DeliveredAt.IsZero() {
		t.Fatalf("log entry = %+v", log)
	}
	if n := len(rc.requests()); n != 3 {
		t.Fatalf("receiver got %d requests, want 3", n)
	}
}

func TestUnreachableHookFails(t *testing.T) {
	db := openDB(t)
	rc := newReceiver(t, nil)
	rc.srv.Close() // nothing listens any more
	opts := fastOptions
	opts.MaxAttempts = 2
	d, err := Open(db, []Config{rc.hook()}, opts, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, d)
	enqueue(t, d, db, "order.accepted", nil)
	checkFor(t, "the delivery to settle", settled(t, d, 1))
	if log := deliveries(t, d)[0]; log.Status != StatusFailed || log.LastStatusCode != 0 || log.LastError == "" {
		t.Fatalf("log entry = %+v", log)
	}
}

func TestEventFiltering(t *testing.T) {
	db := openDB(t)
	exact, prefix, all := newReceiver(t, nil), newReceiver(t, nil), newReceiver(t, nil)
	hooks := []Config{exact.hook("order.accepted"), prefix.hook("order.*"), all.hook()}
	d, err := Open(db, hooks, fastOptions, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, d)
	for _, ev := range []string{"order.accepted", "order.cancelled", "payout.sent"} {
		enqueue(t, d, db, ev, ev)
	}
	checkFor(t, "all deliveries to settle", settled(t, d, 6))
	want := map[*receiver][]string{
		exact:  {"order.accepted"},
		prefix: {"order.accepted", "order.cancelled"},
		all:    {"order.accepted", "order.cancelled", "payout.sent"},
	}
	for rc, events := range want {
		var got []string
		for _, r := range rc.requests() {
			got = append(got, r.event)
		}
		if strings.Join(got, " ") != strings.Join(events, " ") {
			t.Errorf("%s got %v, want %v", rc.srv.URL, got, events)
		}
	}
}

func TestEnqueueWithoutMatchingHookIsNoop(t *testing.T) {
	db := openDB(t)
	d, err := Open(db, []Config{newReceiver(t, nil).hook("order.accepted")}, fastOptions, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, d, db, "payout.sent", make(chan int)) // not encodable, but never encoded
	if log := deliveries(t, d); len(log) != 0 {
		t.Fatalf("log = %+v", log)
	}
	err = db.Update(func(txn *badger.Txn) error { return d.Enqueue(txn, "order.accepted", make(chan int)) })
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("unencodable payload: %v", err)
	}
	err = db.Update(func(txn *badger.Txn) error { return d.Enqueue(txn, "Order Accepted", nil) })
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad event name: %v", err)
	}
}

func TestDiscardedTransactionIsNeverSent(t *testing.T) {
	db := openDB(t)
	rc := newReceiver(t, nil)
	d, err := Open(db, []Config{rc.hook()}, fastOptions, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, d)
	txn := db.NewTransaction(true)
	if err := d.Enqueue(txn, "order.cancelled", "rolled back"); err != nil {
		t.Fatal(err)
	}
	txn.Discard()
	d.Notify()
	enqueue(t, d, db, "order.accepted", "committed")
	checkFor(t, "the committed delivery", settled(t, d, 1))
	got := rc.requests()
	if len(got) != 1 || got[0].event != "order.accepted" {
		t.Fatalf("receiver got %+v", got)
	}
}
