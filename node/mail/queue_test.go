package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func memDB(t *testing.T) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func diskDB(t *testing.T, dir string) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// fast are sender options for tests: short waits, the server's roots.
func fast(s *smtpServer) Options {
	o := Options{RetryMin: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond, Poll: 10 * time.Millisecond, Timeout: 10 * time.Second}
	if s != nil {
		o.TLSConfig = s.tlsConfig()
	}
	return o
}

func open(t *testing.T, db *badger.DB, cfg Config, o Options) *Queue {
	t.Helper()
	if err := cfg.Validate("mail"); err != nil {
		t.Fatal(err)
	}
	q, err := Open(db, cfg, o, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// fileQueued files the message queued for event key in the mailbox
// without taking its queue entry off, finished at the time finished
// gives: what a round's commit would write, but for that entry.
func fileQueued(t *testing.T, db *badger.DB, key string, finished func(*record) time.Time) {
	t.Helper()
	err := db.Update(func(txn *badger.Txn) error {
		id, err := txn.Get(keyOf(key))
		if err != nil {
			return err
		}
		v, _ := id.ValueCopy(nil)
		m, err := loadMessage(txn, string(v))
		if err != nil {
			return err
		}
		m.Status, m.FinishedAt, m.NextAttemptAt = StatusMailbox, finished(m), time.Time{}
		if err := txn.Set(timeKey(prefixFinished, m.FinishedAt, m.ID), nil); err != nil {
			return err
		}
		return m.put(txn)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// run runs q until the test ends or the returned stop is called.
func run(t *testing.T, q *Queue) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx) }()
	var stopped bool
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}
	t.Cleanup(stop)
	return stop
}

func enqueue(t *testing.T, db *badger.DB, q *Queue, m Mail) {
	t.Helper()
	if err := db.Update(func(txn *badger.Txn) error { return q.Enqueue(txn, m) }); err != nil {
		t.Fatal(err)
	}
	q.Notify()
}

func letter(key string) Mail {
	return Mail{Key: key, Kind: "test", To: "ada@example.org", ToName: "Ada", Letter: Letter{Subject: "Hello " + key, Text: "text of " + key + "\n", HTML: "<p>html of " + key + "</p>"}}
}

// waitDrained waits until q has no message pending.
func waitDrained(t *testing.T, q *Queue) {
	t.Helper()
	testwait.For(t, 10*time.Second, func() error {
		n, _, err := q.pendingStats()
		if err == nil && n > 0 {
			err = fmt.Errorf("%d pending", n)
		}
		return err
	})
}

// waitStatus waits until message key's status is want and returns it.
func waitStatus(t *testing.T, q *Queue, want string) Message {
	t.Helper()
	var m Message
	testwait.For(t, 10*time.Second, func() error {
		list, _, err := q.Messages(context.Background(), "", 10)
		if err != nil {
			return err
		}
		for _, s := range list {
			if s.Status != want {
				return fmt.Errorf("message %s is %s, want %s (last error %q)", s.ID, s.Status, want, s.LastError)
			}
		}
		if len(list) == 0 {
			return fmt.Errorf("no message")
		}
		m, err = q.Message(context.Background(), list[0].ID)
		return err
	})
	return m
}

// parsed is a received message read back: headers, the decoded subject
// and both bodies of its multipart/alternative.
type parsedMail struct {
	header     mail.Header
	subject    string
	text, html string
}

func parse(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("reading the message: %v\n%s", err, raw)
	}
	p := parsedMail{header: msg.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative (%v)", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var body io.Reader = part
		switch enc := part.Header.Get("Content-Transfer-Encoding"); {
		case strings.EqualFold(enc, "quoted-printable"):
			body = quotedprintable.NewReader(part)
		case strings.EqualFold(enc, "base64"):
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, _ := io.ReadAll(body)
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.text = string(b)
		case "text/html":
			p.html = string(b)
		default:
			t.Fatalf("unexpected part %s", ct)
		}
	}
	return p
}

// TestSendsOverSTARTTLSWithPassword delivers a letter whose merchant name
// and item title are hostile to a real SMTP server that requires STARTTLS
// and a password: one recipient, the subject on one line, both bodies, no
// header the name tried to add, the HTML escaped.
func TestSendsOverSTARTTLSWithPassword(t *testing.T) {
	s := startSMTP(t, false)
	s.user, s.pass = "alpha", "s3cret pass"
	cfg := s.config(TLSStartTLS)
	cfg.User, cfg.PasswordFile = "alpha", filepath.Join(t.TempDir(), "smtp.password")
	if err := os.WriteFile(cfg.PasswordFile, []byte(s.pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := memDB(t)
	q := open(t, db, cfg, fast(s))
	hostile := "Evil Shop\r\nBcc: victim@example.net\r\nX-Injected: yes"
	l, err := Render(KindPartShipped, "en", PartLetter{
		Order: Order{Store: "Alpha Market", StoreURL: "http://alpha.example", ID: "ord_1", URL: "http://alpha.example/orders/ord_1", Shopper: "Ada\r\nBcc: a@b.c"},
		Part: Part{ID: "ord_1-1", Merchant: hostile, Items: []Item{{Title: "<script>alert(1)</script>\r\nX-Title: injected", Quantity: 2, Price: "5.00 EUR", Amount: "10.00 EUR"}},
			Shipping: "4.90 EUR", Total: "14.90 EUR", Carrier: "DHL", Tracking: "JD0001", TrackingURL: "https://www.dhl.com/track?id=JD0001"},
	})
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, q, Mail{Key: "part/ord_1-1/3", Kind: KindPartShipped, To: "ada@example.org", ToName: "Ada\r\nBcc: victim@example.net", Letter: l})
	run(t, q)
	m := waitStatus(t, q, StatusSent)
	got := s.messages()
	if len(got) != 1 {
		t.Fatalf("server got %d messages, want 1", len(got))
	}
	r := got[0]
	if r.user != "alpha" || !r.tls {
		t.Errorf("authenticated as %q over TLS %v, want alpha over TLS", r.user, r.tls)
	}
	if len(r.rcpts) != 1 || r.rcpts[0] != "ada@example.org" || r.from != "shop@alpha.example" {
		t.Errorf("envelope from %q to %q, want shop@alpha.example to [ada@example.org]", r.from, r.rcpts)
	}
	p := parse(t, r.data)
	for _, h := range []string{"Bcc", "X-Injected", "X-Title"} {
		if v, ok := p.header[h]; ok {
			t.Errorf("header %s: %q was injected\n%s", h, v, r.data)
		}
	}
	if want := "Alpha Market: Evil Shop Bcc: victim@example.net X-Injected: yes shipped part ord_1-1 of your order"; p.subject != want {
		t.Errorf("subject %q, want %q", p.subject, want)
	}
	to, err := p.header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ada@example.org" {
		t.Errorf("To %v (%v), want ada@example.org only", to, err)
	}
	if p.header.Get("Message-Id") != "<"+m.ID+".fedmart@alpha.example>" {
		t.Errorf("Message-Id %q", p.header.Get("Message-Id"))
	}
	if !strings.Contains(p.text, "Tracking number: JD0001") || !strings.Contains(p.text, "https://www.dhl.com/track?id=JD0001") || !strings.Contains(p.text, "2 × <script>") {
		t.Errorf("text body:\n%s", p.text)
	}
	if strings.Contains(p.html, "<script>") || !strings.Contains(p.html, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(p.html, `href="https://www.dhl.com/track?id=JD0001"`) {
		t.Errorf("HTML body not escaped as it should be:\n%s", p.html)
	}
	crlf := strings.NewReplacer("\r\n", "\n")
	if crlf.Replace(p.text) != m.Text || crlf.Replace(p.html) != m.HTML {
		t.Errorf("bodies differ from what was queued:\n%q\n%q", p.text, m.Text)
	}
}

// TestSendsOverImplicitTLS reaches a server that speaks TLS from the
// first byte, without a password.
func TestSendsOverImplicitTLS(t *testing.T) {
	s := startSMTP(t, true)
	db := memDB(t)
	q := open(t, db, s.config(TLSImplicit), fast(s))
	enqueue(t, db, q, letter("one"))
	run(t, q)
	waitStatus(t, q, StatusSent)
	if got := s.messages(); len(got) != 1 || !got[0].tls {
		t.Fatalf("server got %+v, want one message over TLS", got)
	}
}

// TestRoundSyncsThroughItsOption checks that a round of mail is made
// durable through Options.Sync (the node's group commit), not the
// database's Sync behind the group's back.
func TestRoundSyncsThroughItsOption(t *testing.T) {
	s := startSMTP(t, true)
	db := memDB(t)
	o := fast(s)
	var syncs atomic.Int64
	o.Sync = func() error { syncs.Add(1); return db.Sync() }
	q := open(t, db, s.config(TLSImplicit), o)
	enqueue(t, db, q, letter("one"))
	run(t, q)
	waitStatus(t, q, StatusSent)
	testwait.For(t, 10*time.Second, func() error {
		if syncs.Load() == 0 {
			return errors.New("the round that sent the letter has not synced through Options.Sync")
		}
		return nil
	})
}

// TestRoundsFindAnEntryFiledBeforeTheirStart: rounds start reading the
// queue a little before the latest entry they passed, not at its head; an
// entry filed before that (its transaction committed late) waits for the
// round that reads from the head, and is delivered then.
func TestRoundsFindAnEntryFiledBeforeTheirStart(t *testing.T) {
	db := memDB(t)
	var clock atomic.Int64
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock.Store(t0.UnixNano())
	o := fast(nil)
	o.Now = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	q := open(t, db, DefaultConfig(), o)
	pending := func() int {
		n, _, err := q.pendingStats()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	enqueue(t, db, q, letter("first"))
	run(t, q)
	waitDrained(t, q)
	clock.Store(t0.Add(-2 * dueLag).UnixNano()) // filed before the rounds' start
	enqueue(t, db, q, letter("late"))
	clock.Store(t0.Add(time.Second).UnixNano())
	time.Sleep(100 * time.Millisecond) // ten rounds at fast's poll
	if n := pending(); n != 1 {
		t.Fatalf("%d pending, want the late entry still queued: rounds read from the head", n)
	}
	clock.Store(t0.Add(fullEvery + time.Second).UnixNano())
	q.Notify()
	testwait.For(t, 10*time.Second, func() error {
		if n := pending(); n > 0 {
			return fmt.Errorf("%d pending after a round from the head was due", n)
		}
		return nil
	})
}

// TestTrimsStartAtTheNewestTheyDeleted: trims of the log of finished
// messages start reading at the newest entry a trim deleted, not at the
// log's head; an entry filed before that stays until the trim that
// reads from the head, which deletes it as the oldest. The log holds
// Keep entries throughout.
func TestTrimsStartAtTheNewestTheyDeleted(t *testing.T) {
	db := memDB(t)
	var clock atomic.Int64
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) { clock.Store(t0.Add(d).UnixNano()) }
	o := fast(nil)
	o.Now = func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	cfg := DefaultConfig()
	cfg.Keep = 2
	q := open(t, db, cfg, o)
	stop := run(t, q)
	file := func(d time.Duration, k string) {
		t.Helper()
		at(d)
		enqueue(t, db, q, letter(k))
		q.Notify()
		waitDrained(t, q)
	}
	logHolds := func(want string) {
		t.Helper()
		page, _, err := q.Messages(context.Background(), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, m := range page {
			subjects = append(subjects, m.Subject)
		}
		if got := strings.Join(subjects, ","); got != want {
			t.Fatalf("the log holds %s, want %s", got, want)
		}
	}
	file(0, "a")
	file(time.Second, "b")
	file(2*time.Second, "c") // the first trim reads from the head: a goes
	logHolds("Hello c,Hello b")
	// A letter whose filing committed late: its entry sorts before where
	// trims now start, and the next trim deletes the oldest after that.
	stop()
	at(3 * time.Second)
	enqueue(t, db, q, letter("late"))
	fileQueued(t, db, "late", func(*record) time.Time { return t0.Add(-2 * dueLag) })
	if err := q.countFinished(StatusMailbox, 1); err != nil {
		t.Fatal(err)
	}
	logHolds("Hello late,Hello c") // newest first by the time each was queued
	run(t, q)
	file(2*time.Second+fullEvery, "d") // a trim from the head: the oldest goes
	logHolds("Hello d,Hello c")
}

// TestRoundAfterFullRoundsLooksBackToTheirStart follows where rounds
// start reading the queue: a round after full ones goes on from the last
// entry passed, and the first round after such a chain looks back to
// where the chain began, so that an entry committed late meanwhile is
// found then, not at the next round from the head.
func TestRoundAfterFullRoundsLooksBackToTheirStart(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ns := func(d time.Duration) uint64 { return uint64(t0.Add(d).UnixNano()) }
	key := func(at uint64) string { return fmt.Sprintf("%s%016x", prefixPending, at) }
	var f dueFloor
	step := func(now time.Duration, more bool, want string) {
		t.Helper()
		if got := string(f.start(t0.Add(now), more)); got != want {
			t.Fatalf("a round at t0+%s (more %v) starts at %q, want %q", now, more, got, want)
		}
	}
	step(0, false, prefixPending) // the first round reads from the head
	f.passed(ns(time.Second))
	step(2*time.Second, false, key(ns(time.Second)-uint64(dueLag))) // after a wait: dueLag back; it is full
	f.passed(ns(20 * time.Second))
	step(2*time.Second, true, key(ns(20*time.Second))) // full rounds go on from the last entry passed
	f.passed(ns(40 * time.Second))
	step(3*time.Second, true, key(ns(40*time.Second)))
	step(4*time.Second, false, key(ns(time.Second)-uint64(dueLag))) // the chain ended: back to where it began
	step(5*time.Second, false, key(ns(40*time.Second)-uint64(dueLag)))
	step(fullEvery, true, prefixPending) // from the head every fullEvery, chain or not
}

// TestRestartBetweenEnqueueAndSend queues a message on a node that stops
// before it sends; the next start sends it once, and the one after sends
// nothing again, even when the same event is queued once more.
func TestRestartBetweenEnqueueAndSend(t *testing.T) {
	s := startSMTP(t, false)
	cfg, dir := s.config(TLSStartTLS), t.TempDir()

	db := diskDB(t, dir)
	enqueue(t, db, open(t, db, cfg, fast(s)), letter("once"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = diskDB(t, dir)
	q := open(t, db, cfg, fast(s))
	stop := run(t, q)
	waitStatus(t, q, StatusSent)
	stop()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = diskDB(t, dir)
	defer db.Close()
	q = open(t, db, cfg, fast(s))
	enqueue(t, db, q, letter("once")) // the same event again: nothing new
	enqueue(t, db, q, letter("later"))
	run(t, q)
	testwait.For(t, 10*time.Second, func() error {
		if n := len(s.messages()); n < 2 {
			return fmt.Errorf("server has %d messages", n)
		}
		return nil
	})
	waitStatus(t, q, StatusSent)
	got := s.messages()
	if len(got) != 2 {
		t.Fatalf("server got %d messages, want 2 (once, later)", len(got))
	}
	if a, b := parse(t, got[0].data).subject, parse(t, got[1].data).subject; a != "Hello once" || b != "Hello later" {
		t.Errorf("subjects %q, %q; want Hello once, Hello later", a, b)
	}
}

// TestRetriesARefusingServer: a server that answers 451 twice gets the
// message once, on the third attempt, after backoff.
func TestRetriesARefusingServer(t *testing.T) {
	s := startSMTP(t, false)
	s.refuse = 2
	db := memDB(t)
	reg := prometheus.NewRegistry()
	q, err := Open(db, s.config(TLSStartTLS), fast(s), nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, q, letter("retry"))
	run(t, q)
	m := waitStatus(t, q, StatusSent)
	if got := s.messages(); len(got) != 1 {
		t.Fatalf("server accepted %d messages, want 1", len(got))
	}
	if m.Attempts != 3 || s.attempts() != 3 {
		t.Errorf("attempts %d (server saw %d), want 3", m.Attempts, s.attempts())
	}
	if v := testutil.ToFloat64(q.met.attempts.WithLabelValues("error")); v != 2 {
		t.Errorf("failed attempts metric %v, want 2", v)
	}
	if v := testutil.ToFloat64(q.met.finished.WithLabelValues(StatusSent)); v != 1 {
		t.Errorf("sent metric %v, want 1", v)
	}
	if n, err := testutil.GatherAndCount(reg, "fedmart_mail_queued", "fedmart_mail_oldest_queued_seconds"); err != nil || n != 2 {
		t.Errorf("gauges: %d, %v", n, err)
	}
}

// TestFailsAfterMaxAttempts: a server that refuses for good fails the
// message after Options.MaxAttempts, with its answer as the last error.
func TestFailsAfterMaxAttempts(t *testing.T) {
	s := startSMTP(t, false)
	s.fail = true
	db := memDB(t)
	o := fast(s)
	o.MaxAttempts = 2
	q := open(t, db, s.config(TLSStartTLS), o)
	enqueue(t, db, q, letter("doomed"))
	run(t, q)
	m := waitStatus(t, q, StatusFailed)
	if m.Attempts != 2 || !strings.Contains(m.LastError, "no such mailbox") {
		t.Errorf("attempts %d, last error %q", m.Attempts, m.LastError)
	}
}

// TestMailboxWithoutSMTP keeps messages in the local mailbox when no host
// is configured: one per event, listed newest first, paged, trimmed
// beyond Keep.
func TestMailboxWithoutSMTP(t *testing.T) {
	db := memDB(t)
	cfg := DefaultConfig()
	cfg.Keep = 3
	q := open(t, db, cfg, fast(nil))
	for _, k := range []string{"a", "b", "a", "c", "d"} {
		enqueue(t, db, q, letter(k))
	}
	run(t, q)
	waitDrained(t, q)
	page, next, err := q.Messages(context.Background(), "", 2)
	if err != nil || len(page) != 2 || next == "" {
		t.Fatalf("first page %v next %q err %v", page, next, err)
	}
	rest, next2, err := q.Messages(context.Background(), next, 2)
	if err != nil || len(rest) != 1 || next2 != "" {
		t.Fatalf("second page %v next %q err %v", rest, next2, err)
	}
	var subjects []string
	for _, s := range append(page, rest...) {
		if s.Status != StatusMailbox {
			t.Errorf("message %s is %s", s.ID, s.Status)
		}
		subjects = append(subjects, s.Subject)
	}
	if got := strings.Join(subjects, ","); got != "Hello d,Hello c,Hello b" {
		t.Errorf("mailbox %s, want the newest three: Hello d,Hello c,Hello b", got)
	}
	m, err := q.Message(context.Background(), page[0].ID)
	if err != nil || m.Text != "text of d\n" || m.HTML != "<p>html of d</p>" || m.From != "fedmart@localhost" {
		t.Errorf("message %+v, %v", m, err)
	}
	if _, err := q.Message(context.Background(), "nope"); err == nil {
		t.Error("an unknown id was found")
	}
	if _, _, err := q.Messages(context.Background(), "../x", 2); err == nil {
		t.Error("a bad cursor was taken")
	}
	enqueue(t, db, q, letter("a")) // trimmed from the log, but its event was mailed
	if n, _, _ := q.pendingStats(); n != 0 {
		t.Errorf("an event mailed before was queued again")
	}
}

// TestMailboxFilesARoundInOneTransaction queues more letters than a
// round takes, one of them with a stale queue entry, on a node without
// SMTP: every letter is filed, a round's letters share one commit, and
// the stale entry is dropped without being counted.
func TestMailboxFilesARoundInOneTransaction(t *testing.T) {
	db := memDB(t)
	q := open(t, db, DefaultConfig(), fast(nil))
	const letters = batch + 8
	for i := range letters {
		enqueue(t, db, q, letter(fmt.Sprintf("l%02d", i)))
	}
	// A message filed already whose queue entry stayed (a crash between
	// two writes of an older version could leave one).
	enqueue(t, db, q, letter("stale"))
	fileQueued(t, db, "stale", func(m *record) time.Time { return m.CreatedAt })
	run(t, q)
	waitDrained(t, q)
	commits := map[uint64]int{} // a finished entry's commit -> entries
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixFinished)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			commits[it.Item().Version()]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, n := range commits {
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	if want := []int{1, 8, batch}; !slices.Equal(sizes, want) { // the stale one, then two rounds
		t.Fatalf("finished entries per commit %v, want %v", sizes, want)
	}
	if got := testutil.ToFloat64(q.met.finished.WithLabelValues(StatusMailbox)); got != letters {
		t.Fatalf("%v letters counted filed, want %d", got, letters)
	}
}

// TestEnqueueRefusesBadMail names the bad field.
func TestEnqueueRefusesBadMail(t *testing.T) {
	db := memDB(t)
	q := open(t, db, DefaultConfig(), fast(nil))
	for field, m := range map[string]Mail{
		"mail.key":     {Kind: "k", To: "a@b.c", Letter: Letter{Subject: "s", Text: "t"}},
		"mail.to":      {Key: "k", Kind: "k", To: "Eve <a@b.c>\r\nBcc: x@y.z", Letter: Letter{Subject: "s", Text: "t"}},
		"mail.subject": {Key: "k", Kind: "k", To: "a@b.c", Letter: Letter{Subject: "\r\n", Text: "t"}},
		"mail.text":    {Key: "k", Kind: "k", To: "a@b.c", Letter: Letter{Subject: "s"}},
	} {
		err := db.Update(func(txn *badger.Txn) error { return q.Enqueue(txn, m) })
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.Host, ok.From, ok.User, ok.PasswordFile = "smtp.example.com", "Shop <shop@example.com>", "shop", "smtp.password"
	if err := ok.Validate("mail"); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	if err := DefaultConfig().Validate("mail"); err != nil {
		t.Fatalf("default config: %v", err)
	}
	for want, change := range map[string]func(*Config){
		"mail.tls":           func(c *Config) { c.TLS = "ssl" },
		"mail.port":          func(c *Config) { c.Port = 70000 },
		"mail.host":          func(c *Config) { c.Host = "smtp.example.com\r\nX: y" },
		"mail.password_file": func(c *Config) { c.PasswordFile = "" },
		"mail.user":          func(c *Config) { c.User = "" },
		"mail.from":          func(c *Config) { c.From = "not an address" },
		"mail.keep":          func(c *Config) { c.Keep = 0 },
		"mail.language":      func(c *Config) { c.Language = "fr" },
	} {
		c := ok
		change(&c)
		if err := c.Validate("mail"); err == nil || !strings.HasPrefix(err.Error(), want+":") {
			t.Errorf("%s: got %v", want, err)
		}
	}
	noFrom := ok
	noFrom.From = ""
	if err := noFrom.Validate("mail"); err == nil || !strings.HasPrefix(err.Error(), "mail.from:") {
		t.Errorf("a host without from: %v", err)
	}
	missing := DefaultConfig()
	missing.Host, missing.From, missing.User, missing.PasswordFile = "h", "a@b.c", "u", filepath.Join(t.TempDir(), "none")
	if _, err := Open(memDB(t), missing, Options{}, nil, nil); err == nil || !strings.Contains(err.Error(), "mail.password_file") {
		t.Errorf("a missing password file: %v", err)
	}
}
