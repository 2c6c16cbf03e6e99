package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// Dispatcher queues deliveries in Badger, inside the transactions that
// cause them, and sends them to the configured hooks: one sender (a lane)
// per hook, so a slow hook only delays itself.
type Dispatcher struct {
	db        *badger.DB
	lanes     []*lane
	opts      Options
	client    *http.Client
	transport *http.Transport
	log       *slog.Logger
	now       func() time.Time
	met       *metrics
	running   atomic.Bool

	// mu guards finished, the number of finished deliveries in the log,
	// and serializes trimming the log.
	mu       sync.Mutex
	finished int
}

// Open returns the dispatcher of hooks whose deliveries live in db under
// "w/". Zero fields of opts take their defaults; log may be nil; reg may be
// nil (the metrics then go to a private registry); now defaults to
// time.Now.
func Open(db *badger.DB, hooks []Config, opts Options, log *slog.Logger, reg prometheus.Registerer, now func() time.Time) (*Dispatcher, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: webhook.Open: nil database", ErrInvalid)
	}
	if err := ValidateAll("webhooks", hooks); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	met, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	d := &Dispatcher{db: db, opts: opts, log: log, now: now, met: met}
	d.transport = http.DefaultTransport.(*http.Transport).Clone()
	d.client = &http.Client{Transport: d.transport, CheckRedirect: noRedirects}
	for _, h := range hooks {
		d.lanes = append(d.lanes, &lane{d: d, hook: h, key: hookKey(h.URL), wake: make(chan struct{}, 1)})
	}
	if d.finished, err = d.countFinished(); err != nil {
		return nil, fmt.Errorf("webhook.Open: %w", err)
	}
	return d, nil
}

// noRedirects makes a 3xx answer final: a redirect would turn the POST into
// a GET, and a receiver that moved updates its configuration instead.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Enqueue writes, inside txn, one pending delivery of event per hook that
// subscribes to it, each with its own id; with no such hook it does nothing.
// The deliveries exist if and only if txn commits; call Notify after the
// commit to send them without waiting for the next poll. payload becomes
// the body's "data" and must encode as JSON.
func (d *Dispatcher) Enqueue(txn *badger.Txn, event string, payload any) error {
	if !validEvent(event) {
		return fmt.Errorf("%w: event name %q: want [a-z._]", ErrInvalid, event)
	}
	var data json.RawMessage
	now := d.now()
	for _, l := range d.lanes {
		if !l.hook.wants(event) {
			continue
		}
		if data == nil {
			enc, err := json.Marshal(payload)
			if err != nil {
				return fmt.Errorf("%w: event %s: payload: %v", ErrInvalid, event, err)
			}
			data = enc
		}
		r := newRecord(l.hook, event, data, now)
		if err := r.put(txn); err != nil {
			return fmt.Errorf("webhook: enqueueing %s for %s: %w", event, l.hook.URL, err)
		}
	}
	return nil
}

// Notify wakes every hook's sender; it never blocks. Call it after
// committing a transaction that enqueued deliveries.
func (d *Dispatcher) Notify() {
	for _, l := range d.lanes {
		l.notify()
	}
}

// Run sends deliveries until ctx ends, and returns nil then; it returns
// early only when Badger fails. It first fails the pending deliveries of
// hooks no longer configured and trims the log, then runs one sender per
// hook, which starts with whatever was pending (from before a restart, too).
// Run may not be called twice at once, and one database has one running
// Dispatcher.
func (d *Dispatcher) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("webhook: Run called twice")
	}
	defer d.running.Store(false)
	defer d.transport.CloseIdleConnections()
	if err := d.prepare(); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	if len(d.lanes) == 0 {
		<-ctx.Done()
		return nil
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, l := range d.lanes {
		g.Go(func() error { return l.run(ctx) })
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

// prepare fails the deliveries of removed hooks and trims the log, which
// may be over a KeepFinished lowered since the last run.
func (d *Dispatcher) prepare() error {
	if err := d.failOrphans(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.trimLocked()
}
