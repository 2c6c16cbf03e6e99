package order

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
// time, and a message that fails for a while holds back the ones after it
// (the receiver folds statuses by seq, so order is a courtesy, not a
// need); members are served concurrently, each with its own backoff. A
// message the receiver can never accept (forged, malformed, a conflict, or
// a part it still does not know after Config.ParkAfter) is parked: kept
// for the operator, who can send it again or drop it, and never retried
// by itself.
type outbox struct {
	s     *Service
	last  atomic.Int64 // the newest key's creation time (Unix ns)
	wakeC chan struct{}

	mu    sync.Mutex // guards peers, scanned and inflight
	peers map[string]*peerQueue
	// scanned is when the whole outbox was last read (for its metrics and
	// the members it holds messages for); between two reads, a wake
	// serves every member a message was ever queued for.
	scanned time.Time
	// inflight are the keys being sent now, each with a channel closed
	// when its send ends: a confirm sent at checkout is not sent a second
	// time by the background sender meanwhile.
	inflight map[string]chan struct{}
}

// scanEvery is how often, at most, the sender reads the whole outbox. A
// read walks every key deleted since Badger last flushed its memtable, so
// one per commit made a checkout storm read the outbox over and over.
const scanEvery = 500 * time.Millisecond

// peerQueue is the sending state of one member.
type peerQueue struct {
	busy  bool
	next  time.Time // no attempt before
	retry *backoff.ExponentialBackOff
	// clear is a time (Unix ns) at which a drain found the member's
	// outbox empty from where it started; full when a drain last read
	// it from its head.
	clear int64
	full  time.Time
}

// Where a drain starts reading a member's outbox. A sent message's key is
// deleted, and a read walks every deleted key until Badger's compaction
// drops it: drains that all started at the head walked a checkout storm's
// sent messages over and over. So a drain starts sentLag before the last
// time a drain found nothing left to send. A key's seq is its creation
// time, inside the transaction that commits it moments later; a message
// committed later than sentLag after that is sent by the drain from the
// head, one every fullEvery. A drain that fails leaves the time as it
// was, so that the drains after it start before the message that failed.
const (
	sentLag   = 5 * time.Second
	fullEvery = 30 * time.Second
)

// start is the key after which the next drain of member p reads; "" for
// the head. o.mu is held.
func (q *peerQueue) start(p string) string {
	if q.clear == 0 || time.Since(q.full) >= fullEvery {
		q.full = time.Now()
		return ""
	}
	return fmt.Sprintf("%s%s/%020d", prefixOutbox, p, max(0, q.clear-int64(sentLag)))
}

func newOutbox(s *Service) *outbox {
	return &outbox{s: s, wakeC: make(chan struct{}, 1), peers: map[string]*peerQueue{}, inflight: map[string]chan struct{}{}}
}

// put queues raw for member to in txn.
func (o *outbox) put(txn *badger.Txn, to string, raw []byte) error {
	return txn.Set([]byte(o.key(to)), raw)
}

// key is a new outbox key for member to, after every earlier one. Its seq
// is the creation time in Unix nanoseconds (one more than the previous key
// when the clock has not moved on), so the oldest key tells the outbox's
// age.
func (o *outbox) key(to string) string {
	o.mu.Lock()
	o.queue(to) // served at the next wake
	o.mu.Unlock()
	now := time.Now().UnixNano()
	for {
		last := o.last.Load()
		seq := max(now, last+1)
		if o.last.CompareAndSwap(last, seq) {
			return fmt.Sprintf("%s%s/%020d", prefixOutbox, to, seq)
		}
	}
}

// keyTime is the creation time a key's seq records.
func keyTime(key string) time.Time {
	n, _ := strconv.ParseInt(key[strings.LastIndexByte(key, '/')+1:], 10, 64)
	return time.Unix(0, n)
}

// wake makes the sender look at the outbox now.
func (o *outbox) wake() {
	select {
	case o.wakeC <- struct{}{}:
	default:
	}
}

// wakeGap is how long the sender waits after a wake before it reads.
// Every home status commit wakes it, though the status usually rode in
// the answer and left nothing to send, and each read walks the keys
// deleted since Badger last flushed its memtable: a checkout storm read
// the outbox hundreds of times a second for nothing. The wakes within the
// gap are served by one read; a confirm sent at checkout does not wait
// for it (confirmNow).
const wakeGap = 50 * time.Millisecond

// run sends until ctx ends: when woken (after wakeGap), and every half
// second for messages whose backoff has passed.
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
			gap := time.NewTimer(wakeGap)
			select {
			case <-ctx.Done():
				gap.Stop()
				return nil
			case <-gap.C:
			}
		case <-t.C:
		}
	}
}

// queue is member p's sending state, made when p is first seen; o.mu is
// held.
func (o *outbox) queue(p string) *peerQueue {
	q := o.peers[p]
	if q == nil {
		q = &peerQueue{retry: o.newBackoff()}
		o.peers[p] = q
	}
	return q
}

// ready claims the members that may have pending messages, are not being
// served and are not backing off. Every scanEvery it reads the whole
// outbox, which refreshes the outbox metrics and finds the members a
// previous run queued for; in between it claims every member a message
// was queued for since the start (a member with nothing left costs one
// short read).
func (o *outbox) ready() []string {
	o.mu.Lock()
	scan := time.Since(o.scanned) >= scanEvery
	if scan {
		o.scanned = time.Now()
	}
	o.mu.Unlock()
	var depth map[string]bool
	if scan {
		depth = o.s.observeOutbox()
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for p := range depth {
		o.queue(p)
	}
	now := time.Now()
	var out []string
	for p, q := range o.peers {
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

// drain sends member p's messages in order; a failure sets p's backoff,
// after which the failed message is tried again, then the ones after it.
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
	if ctx.Err() == nil {
		o.s.log.Warn("order: outbox delivery failed; retrying", "peer", p, "in", time.Until(q.next).Round(time.Millisecond), "err", err)
	}
}

func (o *outbox) sendAll(ctx context.Context, p string) error {
	o.mu.Lock()
	after := o.queue(p).start(p)
	o.mu.Unlock()
	for ctx.Err() == nil {
		var batch []string
		at := time.Now().UnixNano()
		_ = o.s.db.View(func(txn *badger.Txn) error {
			batch = keys(txn, prefixOutbox+p+"/", after, 64)
			return nil
		})
		if len(batch) == 0 {
			o.mu.Lock()
			q := o.queue(p)
			q.clear = max(q.clear, at)
			o.mu.Unlock()
			return nil
		}
		if err := o.sendKeys(ctx, batch); err != nil {
			return err
		}
		after = batch[len(batch)-1]
	}
	return ctx.Err()
}

// sendKey sends one queued message and, once it is acknowledged, applies
// the status the answer carries and removes it from the outbox. A message
// the receiver can never accept is parked instead.
func (o *outbox) sendKey(ctx context.Context, key string) error {
	return o.sendKeys(ctx, []string{key})
}

// sendKeys sends queued messages as sendKey does, one after another, and
// stops at the first that fails. The ones acknowledged leave the outbox
// together, in one commit: a drain of many status copies would otherwise
// commit once per copy. The removal is not synced (see send), and until
// it commits each of those keys stays claimed, so that no other sender
// sends it again meanwhile. Every other key is let go as soon as its send
// ends, and the removals are committed before sendKeys waits for a key
// another sender has: a confirm sent at checkout waits for no more than
// its own message.
func (o *outbox) sendKeys(ctx context.Context, keys []string) (err error) {
	var sent []string
	remove := func() error {
		if len(sent) == 0 {
			return nil
		}
		err := o.s.db.Update(func(txn *badger.Txn) error {
			for _, k := range sent {
				if err := txn.Delete([]byte(k)); err != nil {
					return err
				}
			}
			return nil
		})
		for _, k := range sent {
			o.release(k)
		}
		sent = sent[:0]
		return err
	}
	defer func() { err = errors.Join(err, remove()) }()
	for _, key := range keys {
		busy := o.claim(key)
		if busy != nil { // the other sender has it: wait for its end
			if err := remove(); err != nil {
				return err
			}
			select {
			case <-busy:
				continue // sent, or failed and woke the background sender
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		ok, err := o.sendOne(ctx, key)
		if !ok {
			o.release(key)
		} else {
			sent = append(sent, key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sendOne sends one claimed message and reports whether the receiver
// acknowledged it and it is still to be removed: one gone already,
// parked, or removed with the status its answer carried (see send) is
// not.
func (o *outbox) sendOne(ctx context.Context, key string) (bool, error) {
	var raw []byte
	err := o.s.db.View(func(txn *badger.Txn) (err error) { raw, err = getRaw(txn, key); return err })
	if err != nil || raw == nil {
		return false, err
	}
	m, err := decodeOwn(raw)
	if err != nil { // cannot happen for what this node signed; keep it for the operator
		return false, o.park(key, raw, CodeInvalid, err.Error())
	}
	removed, err := o.s.send(ctx, m, raw, key)
	var re *RemoteError
	switch {
	case err == nil:
		return !removed, nil
	case errors.As(err, &re) && (re.Code.permanent() || (re.Code == CodeNotFound && time.Since(keyTime(key)) > o.s.cfg.ParkAfter)):
		return false, o.park(key, raw, re.Code, re.Detail)
	}
	return false, err
}

// claim marks key as being sent by the caller and returns nil, or
// returns the channel that closes when the send already under way ends.
func (o *outbox) claim(key string) <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if busy, ok := o.inflight[key]; ok {
		return busy
	}
	o.inflight[key] = make(chan struct{})
	return nil
}

func (o *outbox) release(key string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	close(o.inflight[key])
	delete(o.inflight, key)
}

// send delivers m (already queued or logged under outbox key key) and
// applies the status the answer carries, removing key in the same
// commit; it reports whether it did. Removing the outbox entry need not
// be synced: a message sent twice is answered twice, with no second
// effect.
func (s *Service) send(ctx context.Context, m *Message, raw []byte, key string) (removed bool, err error) {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	answer, err := s.request(rctx, m.To, raw)
	if err != nil {
		return false, err
	}
	if m.Kind == KindPoints {
		return false, s.pointsAnswered(m, answer)
	}
	status, sraw, err := decodeReply(answer, m.To, m.Kind, m.Part)
	if err != nil || status == nil {
		return false, err
	}
	return s.takeAnswer(status, sraw, key)
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

// oldestStatus returns the stamp of the oldest status waiting for peer,
// parked or not; zero when there is none.
func (o *outbox) oldestStatus(ctx context.Context, peer string) (time.Time, error) {
	var oldest time.Time
	err := o.s.db.View(func(txn *badger.Txn) error {
		for _, prefix := range []string{prefixOutbox + peer + "/", prefixParked + peer + "/"} {
			for _, k := range keys(txn, prefix, "", 0) {
				if err := ctx.Err(); err != nil {
					return err
				}
				raw, err := queued(txn, k)
				if err != nil {
					return err
				}
				m, err := decodeOwn(raw)
				if err == nil && m.Kind == KindPoints { // a forwarded status states its points at its own time
					m, err = forwardedStatus(m)
				}
				if err != nil || m.Kind != KindStatus {
					continue
				}
				if oldest.IsZero() || m.At.Before(oldest) {
					oldest = m.At
				}
			}
		}
		return nil
	})
	return oldest, err
}
