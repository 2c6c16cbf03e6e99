package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The posting queue. The orders layer hands each event to Enqueue inside
// the Badger transaction that commits the order status stating it, so the
// status and its booking commit together or not at all; Run (and every
// session, before it counts) posts what is queued, in order, in the
// transaction that removes it from the queue: a drain's round of events
// in one, or each event in its own when one of the round fails. An event
// the ledger refuses (a conflict, an unknown policy) is kept under
// "s/qx/" with the reason, for the operator, and never blocks the events
// behind it.
const (
	prefixQueue   = "s/q/"  // + seq (Unix ns) -> Event (JSON)
	prefixRefused = "s/qx/" // + seq -> RefusedEvent (JSON)
)

// RefusedEvent is a queued event the ledger refused to post.
type RefusedEvent struct {
	Event  Event     `json:"event"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Enqueue queues ev for posting in txn, the transaction that commits the
// status stating it. It never fails on the event's content: Post judges it.
func (l *Ledger) Enqueue(txn *badger.Txn, ev Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("settlement: queueing %s of part %q: %w", ev.Kind, ev.PartID, err)
	}
	return txn.Set([]byte(prefixQueue+l.queueSeq()), b)
}

// queueSeq is a new queue key suffix after every earlier one.
func (l *Ledger) queueSeq() string {
	now := time.Now().UnixNano()
	for {
		last := l.qlast.Load()
		seq := max(now, last+1)
		if l.qlast.CompareAndSwap(last, seq) {
			return fmt.Sprintf("%020d", seq)
		}
	}
}

// Notify tells Run that events were queued.
func (l *Ledger) Notify() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// drainGap is the least time between two drains that Notify wakes. A
// drain reads the queue from its start, through every entry earlier
// drains deleted until Badger flushes them, so a drain per commit made a
// checkout storm read the queue over and over; the events queued within
// the gap are posted by one drain. The queue is durable: the gap delays
// the books, never an order; a session drains before it counts.
const drainGap = 250 * time.Millisecond

// Run posts queued events until ctx ends: when notified (at most every
// drainGap), and every second.
func (l *Ledger) Run(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if err := l.drain(ctx, l.drainStart()); err != nil && ctx.Err() == nil {
			l.log.Warn("settlement: posting queued events failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-l.wake:
			gap := time.NewTimer(drainGap)
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

// Drain posts every queued event, oldest first.
func (l *Ledger) Drain(ctx context.Context) error {
	l.dmu.Lock()
	l.dfull = l.now()
	l.dmu.Unlock()
	return l.drain(ctx, []byte(prefixQueue))
}

// drain posts the queued events from key start on, oldest first.
func (l *Ledger) drain(ctx context.Context, start []byte) error {
	for {
		var keys [][]byte
		var events []Event
		err := l.db.View(func(txn *badger.Txn) error {
			return scanLimitFrom(ctx, txn, []byte(prefixQueue), start, 256, func(k, v []byte) error {
				var ev Event
				if err := json.Unmarshal(v, &ev); err != nil {
					ev = Event{PartID: "undecodable queue entry " + string(k)}
				}
				keys, events = append(keys, k), append(events, ev)
				return nil
			})
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		if err := l.postRound(ctx, keys, events); err != nil {
			return err
		}
		start = append(keys[len(keys)-1], 0) // after the last one posted
	}
}

// postRound posts a drain's round of queued events in one transaction,
// each removed from the queue in it: one commit for the round, where each
// event took one of its own (most of the ledger's work in a checkout
// storm). When one of them fails (refused, unfit to post, or the round
// does not fit one transaction), nothing of the round is written and its
// events are posted one at a time, each refusal kept for the operator,
// the drain stopping at an event that fails otherwise, as it always did.
func (l *Ledger) postRound(ctx context.Context, keys [][]byte, events []Event) error {
	pols := make([]Policy, len(events))
	for i, ev := range events {
		pol, err := l.admit(ctx, ev)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return l.postEach(ctx, keys, events)
		}
		pols[i] = pol
	}
	created := make([][]Entry, len(events))
	err := l.posting(func(txn *badger.Txn) error {
		for i, ev := range events {
			if err := txn.Delete(keys[i]); err != nil {
				return err
			}
			var err error
			if created[i], err = l.postIn(txn, ev, pols[i], nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// A refusal, a round too big, or an event that cannot be posted
		// for now (a stored part that does not decode): the events ahead
		// of the one at fault are posted, as when each had its own.
		return l.postEach(ctx, keys, events)
	}
	for _, c := range created {
		l.logCreated(c)
	}
	l.drained(keys[len(keys)-1])
	return nil
}

// postEach posts queued events one at a time, in order.
func (l *Ledger) postEach(ctx context.Context, keys [][]byte, events []Event) error {
	for i, k := range keys {
		if err := l.postQueued(ctx, k, events[i]); err != nil {
			return err
		}
		l.drained(k)
	}
	return nil
}

// Where a drain starts reading the queue. Posted events are deleted from
// it, and a read walks every deleted key until Badger's compaction drops
// it: drains that all started at the queue's head walked a checkout
// storm's posted events over and over, 2% of the storm's CPU. So Run's
// drains start floorLag before the newest event drains have posted. An
// event's key is the time of its Enqueue, inside the transaction that
// commits it moments later; one committed later than floorLag after its
// Enqueue is posted by the drain that reads from the head, one every
// fullDrainEvery. Drain, which a session calls before it counts, always
// reads from the head.
const (
	floorLag       = 5 * time.Second
	fullDrainEvery = 30 * time.Second
)

// drainStart is the key Run's next drain starts reading the queue at.
func (l *Ledger) drainStart() []byte {
	l.dmu.Lock()
	defer l.dmu.Unlock()
	now := l.now()
	if l.dfloor == 0 || now.Sub(l.dfull) >= fullDrainEvery {
		l.dfull = now
		return []byte(prefixQueue)
	}
	return fmt.Appendf(nil, "%s%020d", prefixQueue, max(0, l.dfloor-int64(floorLag)))
}

// drained records that the event queued under key was posted.
func (l *Ledger) drained(key []byte) {
	var seq int64
	if _, err := fmt.Sscanf(string(key[len(prefixQueue):]), "%d", &seq); err != nil {
		return
	}
	l.dmu.Lock()
	l.dfloor = max(l.dfloor, seq)
	l.dmu.Unlock()
}

// postQueued posts one queued event and removes it from the queue in the
// same transaction; a refused event moves to the refused ones.
func (l *Ledger) postQueued(ctx context.Context, key []byte, ev Event) error {
	created, err := l.postWith(ctx, ev, nil, func(txn *badger.Txn) error { return txn.Delete(key) })
	if err == nil {
		l.logCreated(created)
		return nil
	}
	if !refusal(err) {
		return err
	}
	l.log.Error("settlement: queued event refused; kept for the operator", "part", ev.PartID, "kind", ev.Kind, "err", err)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.db.Update(func(txn *badger.Txn) error {
		seq := key[len(prefixQueue):]
		if err := putJSON(txn, append([]byte(prefixRefused), seq...), RefusedEvent{Event: ev, Reason: err.Error(), At: l.now().UTC()}); err != nil {
			return err
		}
		return txn.Delete(key)
	})
}

// Refused lists the queued events the ledger refused, oldest first.
func (l *Ledger) Refused(ctx context.Context) ([]RefusedEvent, error) {
	var out []RefusedEvent
	err := l.db.View(func(txn *badger.Txn) error {
		return scan(ctx, txn, []byte(prefixRefused), func(_, v []byte) error {
			var r RefusedEvent
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// Queued counts the events waiting to be posted.
func (l *Ledger) Queued(ctx context.Context) (int, error) {
	n := 0
	err := l.db.View(func(txn *badger.Txn) error {
		return scanLimit(ctx, txn, []byte(prefixQueue), 0, func(_, _ []byte) error { n++; return nil })
	})
	return n, err
}

// scanLimit is scan, stopping after limit items (0: no limit).
func scanLimit(ctx context.Context, txn *badger.Txn, prefix []byte, limit int, fn func(k, v []byte) error) error {
	return scanLimitFrom(ctx, txn, prefix, prefix, limit, fn)
}

// scanLimitFrom is scanLimit from key start (under prefix) on.
func scanLimitFrom(ctx context.Context, txn *badger.Txn, prefix, start []byte, limit int, fn func(k, v []byte) error) error {
	n := 0
	errStop := errors.New("stop")
	err := scanFrom(ctx, txn, prefix, start, func(k, v []byte) error {
		if limit > 0 && n == limit {
			return errStop
		}
		n++
		return fn(k, v)
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}
