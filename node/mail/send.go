package mail

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	gomail "github.com/wneessen/go-mail"
)

// batch is how many due messages one round of the sender takes.
const batch = 32

// Run delivers due messages until ctx ends: over SMTP, one at a time,
// when a host is configured; to the local mailbox otherwise, a round's
// messages in one transaction. It never holds a Badger transaction while
// it talks to the server.
func (q *Queue) Run(ctx context.Context) error {
	var floor dueFloor
	for more := false; ; {
		ids, next, err := q.due(floor.start(q.opt.Now(), more))
		if err != nil && ctx.Err() == nil {
			q.log.Warn("mail: reading the queue failed", "err", err)
		}
		n := len(ids)
		if n > 0 && !q.cfg.SMTP() {
			if err := q.file(ids); err == nil {
				floor.passed(ids[n-1].at)
				ids = nil
			} else if ctx.Err() == nil {
				q.log.Warn("mail: filing a round in the mailbox failed; filing each letter alone", "err", err)
			}
		}
		for _, d := range ids {
			if ctx.Err() != nil {
				return nil
			}
			if err := q.deliver(ctx, d); err != nil && ctx.Err() == nil {
				q.log.Warn("mail: recording a delivery failed", "id", d.id, "err", err)
			}
			floor.passed(d.at)
		}
		// One sync for the round's outcomes, not one per message: a
		// message recorded sent is then never sent again, even after a
		// power loss. Until the sync, a power loss (not a crash of the
		// process: the record is in the page cache) sends it once more,
		// as a crash between the server's acceptance and the record does.
		// A message kept in the local mailbox is only filed again.
		if len(ids) > 0 && q.cfg.SMTP() {
			if err := q.opt.Sync(); err != nil && ctx.Err() == nil {
				q.log.Warn("mail: syncing the queue failed", "err", err)
			}
		}
		if more = n == batch; more {
			continue
		}
		wait := q.opt.Poll
		if !next.IsZero() {
			wait = min(wait, max(0, next.Sub(q.opt.Now())))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-q.wakeup:
		case <-t.C:
		}
		t.Stop()
	}
}

// dueMessage is a message due, and the time its queue entry is filed at.
type dueMessage struct {
	at uint64 // nanoseconds
	id string
}

// key is d's queue entry.
func (d dueMessage) key() []byte { return timeKey(prefixPending, time.Unix(0, int64(d.at)), d.id) }

// due returns up to batch messages due now, from the queue entry start
// on, and the time of the next attempt not due yet (zero for none).
func (q *Queue) due(start []byte) (ids []dueMessage, next time.Time, err error) {
	now := uint64(q.opt.Now().UnixNano())
	err = q.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixPending)})
		defer it.Close()
		for it.Seek(start); it.Valid() && len(ids) < batch; it.Next() {
			at, id, _ := bytes.Cut(it.Item().Key()[len(prefixPending):], []byte("/"))
			ns, err := strconv.ParseUint(string(at), 16, 64)
			if err != nil {
				continue
			}
			if ns > now {
				next = time.Unix(0, int64(ns))
				break
			}
			ids = append(ids, dueMessage{at: ns, id: string(id)})
		}
		return nil
	})
	return ids, next, err
}

// Where a round starts reading the queue. A delivered message's entry is
// deleted, and a read walks every deleted key until Badger's compaction
// drops it: rounds that all started at the queue's head walked a busy
// storefront's letters over and over. So a round starts dueLag before
// the latest entry a round has passed. An entry is filed at the time of
// its Enqueue (or of its next attempt, later than that), inside the
// transaction that commits it moments later; one committed more than
// dueLag after that time is found by the round that reads from the head,
// one every fullEvery. A round that follows a full one goes on from
// the last entry that one passed: the next round after a wait looks
// back for what committed late.
const (
	dueLag = 5 * time.Second
	// fullEvery is how often a round, and a trim of the finished
	// messages (trimFloor), reads from the head.
	fullEvery = 30 * time.Second
)

// dueFloor is where Run's next round starts reading the queue.
type dueFloor struct {
	at   uint64    // the latest entry passed, nanoseconds; 0 for none
	full time.Time // when a round last read from the head
	// last is where the last round that looked back started, and from
	// where the first of a chain of full rounds started (0: the head):
	// the round after the chain looks back to it, so that an entry
	// committed late while the chain went on is found then, not at the
	// next round from the head.
	last, from uint64
	chained    bool
}

// start is where the next round starts: more when the last round was
// full.
func (f *dueFloor) start(now time.Time, more bool) []byte {
	if f.at == 0 || now.Sub(f.full) >= fullEvery {
		f.full, f.last, f.chained = now, 0, false
		return []byte(prefixPending)
	}
	if more {
		if !f.chained {
			f.chained, f.from = true, f.last
		}
		return fmt.Appendf(nil, "%s%016x", prefixPending, f.at)
	}
	s := f.at - min(f.at, uint64(dueLag))
	if f.chained {
		s, f.chained = min(s, f.from), false
	}
	f.last = s
	if s == 0 {
		return []byte(prefixPending)
	}
	return fmt.Appendf(nil, "%s%016x", prefixPending, s)
}

func (f *dueFloor) passed(at uint64) { f.at = max(f.at, at) }

// deliver makes one attempt at due message d and records its outcome.
func (q *Queue) deliver(ctx context.Context, d dueMessage) error {
	var m *record
	if err := q.db.View(func(txn *badger.Txn) (err error) { m, err = loadMessage(txn, d.id); return err }); err != nil {
		return err
	}
	queued := d.key()
	if m.Status != StatusPending { // a stale queue entry
		return q.db.Update(func(txn *badger.Txn) error { return txn.Delete(queued) })
	}
	now := q.opt.Now().UTC()
	if !q.cfg.SMTP() {
		m.Status, m.FinishedAt, m.NextAttemptAt = StatusMailbox, now, time.Time{}
		return q.finish(m, queued)
	}
	m.Attempts++
	w, err := m.written()
	if err != nil { // the letter cannot be written: no attempt would succeed
		q.met.attempts.WithLabelValues("error").Inc()
		m.Status, m.FinishedAt, m.NextAttemptAt, m.LastError = StatusFailed, now, time.Time{}, clipError(err)
		q.log.Warn("mail: a letter could not be written", "id", m.ID, "kind", m.Kind, "err", err)
		return q.finish(m, queued)
	}
	err = q.send(ctx, &w)
	if ctx.Err() != nil {
		return nil // stopped mid-attempt: the message stays as it was
	}
	now = q.opt.Now().UTC()
	switch {
	case err == nil:
		q.met.attempts.WithLabelValues("ok").Inc()
		m.Status, m.FinishedAt, m.NextAttemptAt, m.LastError = StatusSent, now, time.Time{}, ""
		return q.finish(m, queued)
	case m.Attempts >= q.opt.MaxAttempts:
		q.met.attempts.WithLabelValues("error").Inc()
		m.Status, m.FinishedAt, m.NextAttemptAt, m.LastError = StatusFailed, now, time.Time{}, clipError(err)
		q.log.Warn("mail: a message failed for good", "id", m.ID, "kind", m.Kind, "attempts", m.Attempts, "err", err)
		return q.finish(m, queued)
	}
	q.met.attempts.WithLabelValues("error").Inc()
	m.NextAttemptAt, m.LastError = now.Add(q.backoff(m.Attempts)), clipError(err)
	return q.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete(queued); err != nil {
			return err
		}
		if err := txn.Set(timeKey(prefixPending, m.NextAttemptAt, m.ID), nil); err != nil {
			return err
		}
		return m.put(txn)
	})
}

// backoff is the wait after the attempts-th failed attempt: RetryMin,
// doubling, at most RetryMax.
func (q *Queue) backoff(attempts int) time.Duration {
	d := q.opt.RetryMin
	for i := 1; i < attempts && d < q.opt.RetryMax; i++ {
		d *= 2
	}
	return min(d, q.opt.RetryMax)
}

// finish records a finished message (Run syncs the round's records) and
// trims the oldest finished beyond Config.Keep.
func (q *Queue) finish(m *record, queued []byte) error {
	if err := q.db.Update(func(txn *badger.Txn) error { return putFinished(txn, m, queued) }); err != nil {
		return err
	}
	return q.countFinished(m.Status, 1)
}

// file keeps the due messages ids in the local mailbox, all in one
// transaction: without an SMTP server there is no attempt that could
// fail for one letter and not another, and filing a letter again files
// the same. One transaction a round instead of two a letter: a busy
// storefront files a letter for every order and part that changes.
func (q *Queue) file(ids []dueMessage) error {
	now := q.opt.Now().UTC()
	var filed int
	err := q.db.Update(func(txn *badger.Txn) error {
		filed = 0
		for _, d := range ids {
			m, err := loadMessage(txn, d.id)
			if err != nil {
				return err
			}
			queued := d.key()
			if m.Status != StatusPending { // a stale queue entry
				if err := txn.Delete(queued); err != nil {
					return err
				}
				continue
			}
			m.Status, m.FinishedAt, m.NextAttemptAt = StatusMailbox, now, time.Time{}
			if err := putFinished(txn, m, queued); err != nil {
				return err
			}
			filed++
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := q.countFinished(StatusMailbox, filed); err != nil { // filed all the same
		q.log.Warn("mail: trimming the log failed", "err", err)
	}
	return nil
}

// putFinished stores finished message m and takes its entry queued off
// the queue.
func putFinished(txn *badger.Txn, m *record, queued []byte) error {
	if err := txn.Delete(queued); err != nil {
		return err
	}
	if err := txn.Set(timeKey(prefixFinished, m.FinishedAt, m.ID), nil); err != nil {
		return err
	}
	return m.put(txn)
}

// countFinished counts n messages committed finished with status and trims
// the oldest beyond Config.Keep.
func (q *Queue) countFinished(status string, n int) error {
	q.met.finished.WithLabelValues(status).Add(float64(n))
	q.mu.Lock()
	defer q.mu.Unlock()
	q.finished += n
	return q.trimLocked()
}

// trimLocked deletes the oldest finished messages beyond Config.Keep
// (their idempotency keys stay). Called with mu held.
func (q *Queue) trimLocked() error {
	over := q.finished - q.cfg.Keep
	if over <= 0 {
		return nil
	}
	var keys [][]byte
	err := q.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixFinished)})
		defer it.Close()
		for it.Seek(q.trim.start(q.opt.Now())); it.Valid() && len(keys) < over; it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = q.db.Update(func(txn *badger.Txn) error {
		for _, k := range keys {
			_, id, _ := bytes.Cut(k[len(prefixFinished):], []byte("/"))
			if err := txn.Delete(k); err != nil {
				return err
			}
			if err := txn.Delete([]byte(prefixLog + string(id))); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		q.finished -= len(keys)
		if len(keys) > 0 {
			q.trim.deleted(keys[len(keys)-1])
		}
	}
	return err
}

// Where a trim starts reading the log of finished messages. A trim
// deletes the oldest entries, and a read walks every deleted key until
// Badger's compaction drops it: trims that all started at the log's
// head walked every entry trimmed before, once for each letter filed,
// and a busy storefront files a few letters for every checkout. So a
// trim starts at the newest entry a trim deleted. An entry is filed at
// the time its transaction takes, moments before it commits; one that
// sorts before a trim's start (committed after a later one was trimmed,
// or filed while the clock was set back) is among the oldest that the
// trim reading from the head, one every fullEvery, deletes. Until
// then the log holds Keep entries all the same, one of them older than
// it would.
type trimFloor struct {
	after []byte    // the newest entry a trim deleted; nil for none
	full  time.Time // when a trim last read from the head
}

// start is where the next trim starts reading.
func (f *trimFloor) start(now time.Time) []byte {
	if f.after == nil || now.Sub(f.full) >= fullEvery {
		f.full = now
		return []byte(prefixFinished)
	}
	return f.after
}

// deleted notes the newest entry a trim deleted, key.
func (f *trimFloor) deleted(key []byte) {
	if bytes.Compare(key, f.after) > 0 {
		f.after = key
	}
}

// send makes one SMTP attempt with go-mail.
func (q *Queue) send(ctx context.Context, m *Message) error {
	msg, err := q.compose(m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(q.cfg.Host, q.clientOptions()...)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, q.opt.Timeout)
	defer cancel()
	return c.DialAndSendWithContext(ctx, msg)
}

func (q *Queue) clientOptions() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(q.cfg.port()), gomail.WithTimeout(q.opt.Timeout)}
	switch q.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if q.opt.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(q.opt.TLSConfig))
	}
	if q.cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(q.cfg.User), gomail.WithPassword(q.password))
	}
	return opts
}

// compose builds the MIME message: multipart/alternative with the text
// and the HTML body, addresses through go-mail's address handling.
func (q *Queue) compose(m *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("mail: from %q: %w", clip(m.From), err)
	}
	// net/mail quotes or encodes the name, whatever it holds.
	msg.AddToMailAddress(&mail.Address{Name: oneLine(m.ToName), Address: m.To})
	msg.Subject(oneLine(m.Subject))
	msg.SetMessageIDWithValue(m.ID + ".fedmart@" + messageIDHost(m.From))
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.Unsubscribe != "" { // RFC 2369 and RFC 8058: one-click unsubscribe
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+m.Unsubscribe+">")
		msg.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageIDHost is the domain of the sender's address, for Message-ID.
func messageIDHost(from string) string {
	if i := bytes.LastIndexByte([]byte(from), '@'); i >= 0 {
		h := from[i+1:]
		if j := bytes.IndexByte([]byte(h), '>'); j >= 0 {
			h = h[:j]
		}
		if h != "" {
			return h
		}
	}
	return "localhost"
}

func clipError(err error) string {
	s := oneLine(err.Error())
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}
