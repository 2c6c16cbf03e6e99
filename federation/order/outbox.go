package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	badger "github.com/dgraph-io/badger/v4"
)

// outbox holds the messages this node owes other members, written in the
// transaction of the change that caused them, until the receiver
// acknowledges them. Messages to one member are sent in order, one at a
// time; members are served concurrently, each with its own backoff.
type outbox struct {
	s     *Service
	seq   atomic.Uint64
	wakeC chan struct{}

	mu    sync.Mutex // guards peers
	peers map[string]*peerQueue
}

// peerQueue is the sending state of one member.
type peerQueue struct {
	busy  bool
	next  time.Time // no attempt before
	retry *backoff.ExponentialBackOff
}

func newOutbox(s *Service) *outbox {
	o := &outbox{s: s, wakeC: make(chan struct{}, 1), peers: map[string]*peerQueue{}}
	o.seq.Store(uint64(time.Now().UnixNano()))
	return o
}

// put queues raw for member to in txn.
func (o *outbox) put(txn *badger.Txn, to string, raw []byte) error {
	return txn.Set([]byte(o.key(to)), raw)
}

// key is a new outbox key for member to, after every earlier one.
func (o *outbox) key(to string) string {
	return fmt.Sprintf("%s%s/%020d", prefixOutbox, to, o.seq.Add(1))
}

// wake makes the sender look at the outbox now.
func (o *outbox) wake() {
	select {
	case o.wakeC <- struct{}{}:
	default:
	}
}

// run sends until ctx ends: when woken, and every half second for
// messages whose backoff has passed.
func (o *outbox) run(ctx context.Context) error {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		for _, p := range o.ready() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o.drain(ctx, p)
			}()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-o.wakeC:
		case <-t.C:
		}
	}
}

// ready claims the members with pending messages that are not being
// served and not backing off.
func (o *outbox) ready() []string {
	pending := o.pendingPeers()
	o.s.metrics.outbox.Set(float64(len(pending)))
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	var out []string
	for p := range pending {
		q := o.peers[p]
		if q == nil {
			q = &peerQueue{retry: o.newBackoff()}
			o.peers[p] = q
		}
		if !q.busy && !now.Before(q.next) {
			q.busy = true
			out = append(out, p)
		}
	}
	return out
}

func (o *outbox) newBackoff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 50 * time.Millisecond
	b.MaxInterval = o.s.cfg.RetryMax
	b.MaxElapsedTime = 0
	b.Reset()
	return b
}

// pendingPeers lists the members with messages waiting.
func (o *outbox) pendingPeers() map[string]bool {
	out := map[string]bool{}
	_ = o.s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixOutbox, "", 0) {
			rest := strings.TrimPrefix(k, prefixOutbox)
			if i := strings.IndexByte(rest, '/'); i > 0 {
				out[rest[:i]] = true
			}
		}
		return nil
	})
	return out
}

// drain sends member p's messages in order, once each; any failure sets
// p's backoff, and the failed messages are tried again after it.
func (o *outbox) drain(ctx context.Context, p string) {
	err := o.sendAll(ctx, p)
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.peers[p]
	q.busy = false
	if err == nil {
		q.retry.Reset()
		return
	}
	q.next = time.Now().Add(q.retry.NextBackOff())
	o.s.log.Warn("order: outbox delivery failed; retrying", "peer", p, "in", time.Until(q.next).Round(time.Millisecond), "err", err)
}

func (o *outbox) sendAll(ctx context.Context, p string) error {
	var errs []error
	after := ""
	for ctx.Err() == nil {
		var batch []string
		_ = o.s.db.View(func(txn *badger.Txn) error {
			batch = keys(txn, prefixOutbox+p+"/", after, 64)
			return nil
		})
		if len(batch) == 0 {
			break
		}
		for _, k := range batch { // one failing message must not hold up the others
			if err := o.sendKey(ctx, k); err != nil {
				errs = append(errs, err)
			}
		}
		after = batch[len(batch)-1]
	}
	return errors.Join(append(errs, ctx.Err())...)
}

// sendKey sends one queued message and, once it is acknowledged, applies
// the status the answer carries and removes it from the outbox.
func (o *outbox) sendKey(ctx context.Context, key string) error {
	var raw []byte
	err := o.s.db.View(func(txn *badger.Txn) (err error) { raw, err = getRaw(txn, key); return err })
	if err != nil || raw == nil {
		return err
	}
	m, err := DecodeMessage(raw)
	if err != nil { // cannot happen for what this node signed; drop it rather than block the queue
		o.s.log.Error("order: dropping undecodable outbox message", "key", key, "err", err)
		return o.s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(key)) })
	}
	if err := o.s.send(ctx, m, raw); err != nil {
		return err
	}
	return o.s.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(key)) })
}

// send delivers m (already queued or logged) and applies the status the
// answer carries. Deleting the outbox entry afterwards need not be synced:
// a message sent twice is answered twice, with no second effect.
func (s *Service) send(ctx context.Context, m *Message, raw []byte) error {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	answer, err := s.request(rctx, m.To, raw)
	if err != nil {
		return err
	}
	status, sraw, err := decodeReply(answer, m.To, m.Part)
	if err != nil || status == nil {
		return err
	}
	_, err = s.receiveStatus(status, sraw)
	return err
}

// request sends raw to member to and returns the answer: in process when
// to is this node.
func (s *Service) request(ctx context.Context, to string, raw []byte) ([]byte, error) {
	if to == s.self {
		return s.Handle(ctx, s.self, raw), nil
	}
	answer, err := s.net.Request(ctx, to, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnavailable, shortPeer(to), err)
	}
	return answer, nil
}
