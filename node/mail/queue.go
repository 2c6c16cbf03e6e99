package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// Queue is the node's outgoing mail: Enqueue inside the transaction of
// the change that causes a message, Run to deliver.
type Queue struct {
	cfg      Config
	opt      Options
	password string
	db       *badger.DB
	log      *slog.Logger
	met      *metrics
	wakeup   chan struct{}

	// mu guards finished, the count of finished messages in the log,
	// and trim.
	mu       sync.Mutex
	finished int
	trim     trimFloor
}

// Open returns the queue over db, reading the password file when
// cfg asks for one; cfg must have been validated.
func Open(db *badger.DB, cfg Config, opt Options, log *slog.Logger, reg prometheus.Registerer) (*Queue, error) {
	q := &Queue{cfg: cfg, opt: opt.withDefaults(), db: db, log: log, wakeup: make(chan struct{}, 1)}
	if q.opt.Sync == nil {
		q.opt.Sync = db.Sync
	}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
	if cfg.PasswordFile != "" {
		path := opt.PasswordPath
		if path == "" {
			path = cfg.PasswordFile
		}
		pw, err := readPassword("mail.password_file", path)
		if err != nil {
			return nil, err
		}
		q.password = pw
	}
	err := db.View(func(txn *badger.Txn) error {
		q.finished = countKeys(txn, prefixFinished)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mail: counting finished messages: %w", err)
	}
	if q.met, err = newMetrics(reg, q); err != nil {
		return nil, err
	}
	return q, nil
}

// Enqueue queues m in txn, unless a message with its key was queued
// before: one event, one message. The subject and the recipient's name
// lose their line breaks. A letter given as Data has its subject written
// now and its bodies when it is sent or read. The sender finds it within
// Options.Poll of the commit, or at once after Notify.
func (q *Queue) Enqueue(txn *badger.Txn, m Mail) error {
	var data []byte
	if m.Data != nil {
		if err := checkData(m.Kind, m.Data); err != nil {
			return err
		}
		s, err := renderSubject(m.Kind, m.Lang, m.Data)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		if data, err = json.Marshal(m.Data); err != nil {
			return fmt.Errorf("%w: mail.data: %w", ErrInvalid, err)
		}
		m.Subject = s
	}
	m.Subject, m.ToName = oneLine(m.Subject), oneLine(m.ToName)
	if err := m.validate(); err != nil {
		return err
	}
	k := keyOf(m.Key)
	switch _, err := txn.Get(k); err {
	case nil:
		return nil // queued before
	case badger.ErrKeyNotFound:
	default:
		return err
	}
	now := q.opt.Now().UTC()
	r := &record{Message: Message{Summary: Summary{ID: newID(now, m.Key), Key: m.Key, Kind: m.Kind, To: m.To, ToName: m.ToName, Subject: m.Subject,
		Status: StatusPending, CreatedAt: now, NextAttemptAt: now}, From: q.cfg.from(), Text: m.Text, HTML: m.HTML}, Lang: m.Lang, Data: data}
	if IsNotification(m.Kind) {
		switch off, err := unsubscribedIn(txn, m.To); {
		case err != nil:
			return err
		case off:
			q.met.suppressed.Inc()
			return nil // the recipient turned notifications off
		}
		// The link goes in the header; the footer goes at the end of
		// the bodies, now or when they are written.
		r.Unsubscribe = q.UnsubscribeURL(m.To, m.Lang)
		if r.Unsubscribe != "" && data == nil {
			if err := withFooter(&r.Message, m.Lang); err != nil {
				return err
			}
		}
	}
	if err := txn.Set(k, []byte(r.ID)); err != nil {
		return err
	}
	if err := txn.Set(timeKey(prefixPending, now, r.ID), nil); err != nil {
		return err
	}
	return r.put(txn)
}

// withFooter puts the unsubscribe footer in lang at the end of both
// bodies of notification msg, whose link it carries.
func withFooter(msg *Message, lang string) error {
	text, html, err := footer(lang, msg.Unsubscribe)
	if err != nil {
		return fmt.Errorf("mail: footer: %w", err)
	}
	msg.Text = strings.TrimRight(msg.Text, "\n") + "\n" + text
	if i := strings.LastIndex(msg.HTML, "</body>"); i >= 0 {
		msg.HTML = msg.HTML[:i] + html + "\n" + msg.HTML[i:]
	} else if msg.HTML != "" {
		msg.HTML += html
	}
	return nil
}

// Notify wakes the sender after a commit that queued messages.
func (q *Queue) Notify() {
	select {
	case q.wakeup <- struct{}{}:
	default:
	}
}

// Page sizes of Messages.
const (
	defaultPage = 50
	maxPage     = 500
)

// Messages lists the log newest first, limit at a time, after cursor
// (the last id of the previous page); the next cursor is empty on the
// last page.
func (q *Queue) Messages(ctx context.Context, cursor string, limit int) ([]Summary, string, error) {
	if cursor != "" && !validID(cursor) {
		return nil, "", fmt.Errorf("%w: cursor: not one this mailbox gave, %q", ErrInvalid, clip(cursor))
	}
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	var out []Summary
	next := ""
	err := q.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixLog), Reverse: true, PrefetchValues: true, PrefetchSize: min(limit+1, 100)})
		defer it.Close()
		seek := []byte(prefixLog + "\xff")
		if cursor != "" {
			seek = []byte(prefixLog + cursor)
		}
		for it.Seek(seek); it.Valid() && ctx.Err() == nil; it.Next() {
			if string(it.Item().Key()[len(prefixLog):]) == cursor {
				continue
			}
			if len(out) == limit {
				next = out[len(out)-1].ID
				break
			}
			m, err := loadMessage(txn, string(it.Item().Key()[len(prefixLog):]))
			if err != nil {
				return err
			}
			out = append(out, m.Summary)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// Message returns one message with its bodies, written now when it was
// queued as data.
func (q *Queue) Message(_ context.Context, id string) (Message, error) {
	if !validID(id) {
		return Message{}, fmt.Errorf("%w: message %s", ErrNotFound, clip(id))
	}
	var r *record
	err := q.db.View(func(txn *badger.Txn) (err error) { r, err = loadMessage(txn, id); return err })
	if err != nil {
		return Message{}, err
	}
	return r.written()
}

// pendingStats counts the pending messages and finds the oldest one's
// creation time, from the keys alone (an id starts with its creation
// time).
func (q *Queue) pendingStats() (n int, oldest time.Time, err error) {
	minID := ""
	err = q.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixPending)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
			_, id, _ := bytes.Cut(it.Item().Key()[len(prefixPending):], []byte("/"))
			if minID == "" || string(id) < minID {
				minID = string(id)
			}
		}
		return nil
	})
	if minID != "" {
		oldest = idTime(minID)
	}
	return n, oldest, err
}

func countKeys(txn *badger.Txn, prefix string) int {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		n++
	}
	return n
}
