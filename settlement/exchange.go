package settlement

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// maxNaiveItems caps what NaiveExchange accepts from a peer.
const maxNaiveItems = 1 << 22

// Stats describes the traffic of one exchange, as seen by one side.
type Stats struct {
	// BytesSent counts bytes written, frame headers included.
	BytesSent int64 `json:"bytes_sent"`
	// BytesReceived counts bytes read, frame headers included.
	BytesReceived int64 `json:"bytes_received"`
	// Rounds is the number of messages the initiator sent, each answered
	// by at most one message: the same count on both sides.
	Rounds int `json:"rounds"`
}

// Reconcile runs the reconciliation protocol with default settings over
// rw, a stream to the peer. Exactly one side passes initiator=true. Both
// return the complete Diff. rw carries nothing else during the exchange;
// when it has SetDeadline (net.Conn, libp2p streams), ctx's deadline and
// cancellation interrupt blocked reads and writes. After an error the peer
// may still wait for a message: the caller resets the stream.
func Reconcile(ctx context.Context, rw io.ReadWriter, initiator bool, items ItemSet) (Diff, Stats, error) {
	return ReconcileWith(ctx, rw, initiator, items, DefaultReconcileConfig())
}

// ReconcileWith is Reconcile with explicit settings.
func ReconcileWith(ctx context.Context, rw io.ReadWriter, initiator bool, items ItemSet, cfg ReconcileConfig) (Diff, Stats, error) {
	r, err := NewReconciler(items, cfg)
	if err != nil {
		return Diff{}, Stats{}, err
	}
	c, stop := newConn(ctx, rw, initiator)
	defer stop()
	d, err := c.reconcile(r)
	return d, c.stats, err
}

// reconcile drives r over c until both sides are done.
func (c *conn) reconcile(r *Reconciler) (Diff, error) {
	if c.initiator {
		if err := c.sendMessage(r.Initiate()); err != nil {
			return Diff{}, c.fail(err)
		}
	}
	for !r.Done() {
		in, err := c.recvMessage()
		if err != nil {
			return Diff{}, c.fail(err)
		}
		out, send, err := r.Step(in)
		if err != nil {
			return Diff{}, err
		}
		if send {
			if err := c.sendMessage(out); err != nil {
				return Diff{}, c.fail(err)
			}
		}
	}
	return r.Diff(), nil
}

// NaiveExchange is the baseline Reconcile is measured against: the
// initiator sends every item, then the responder sends every item, and both
// compare the full lists. Traffic is proportional to the set sizes.
func NaiveExchange(ctx context.Context, rw io.ReadWriter, initiator bool, items ItemSet) (Diff, Stats, error) {
	if err := items.Validate(); err != nil {
		return Diff{}, Stats{}, err
	}
	c, stop := newConn(ctx, rw, initiator)
	defer stop()
	var theirs ItemSet
	var err error
	if initiator {
		if err = c.sendItems(items); err == nil {
			theirs, err = c.recvItems()
		}
	} else {
		if theirs, err = c.recvItems(); err == nil {
			err = c.sendItems(items)
		}
	}
	if err != nil {
		return Diff{}, c.stats, c.fail(err)
	}
	c.stats.Rounds = 1
	return compareSets(items, theirs), c.stats, nil
}

// compareSets computes the Diff of ours against theirs by merging.
func compareSets(ours, theirs ItemSet) Diff {
	var d Diff
	mergeItems(ours, theirs, func(o, t *Item, _ int) {
		switch {
		case t == nil:
			d.Have = append(d.Have, o.ID)
		case o == nil:
			d.Need = append(d.Need, t.ID)
		case o.Hash != t.Hash:
			d.Differ = append(d.Differ, o.ID)
		}
	})
	return d
}

// conn frames messages on a stream (4-byte big-endian length, then the
// payload) and counts traffic.
type conn struct {
	rw        io.ReadWriter
	initiator bool
	stats     Stats
	// ended is the error of the context the exchange runs under, once it
	// ended (set by newConn's hook, which also cuts the stream's deadline).
	ended atomic.Pointer[error]
}

// newConn wraps rw for an exchange under ctx: when ctx ends, blocked
// reads and writes fail (where rw has deadlines) and later ones at once;
// stop releases the hook.
func newConn(ctx context.Context, rw io.ReadWriter, initiator bool) (*conn, func()) {
	c := &conn{rw: rw, initiator: initiator}
	d, ok := rw.(interface{ SetDeadline(time.Time) error })
	if ok {
		if dl, has := ctx.Deadline(); has {
			_ = d.SetDeadline(dl)
		}
	}
	stop := context.AfterFunc(ctx, func() {
		err := ctx.Err()
		c.ended.Store(&err)
		if ok {
			_ = d.SetDeadline(time.Unix(1, 0))
		}
	})
	return c, func() { stop() }
}

// endedErr is the context's error once the exchange's context ended.
func (c *conn) endedErr() error {
	if e := c.ended.Load(); e != nil {
		return *e
	}
	return nil
}

// fail prefers the context's error over the I/O error it caused.
func (c *conn) fail(err error) error {
	if cerr := c.endedErr(); cerr != nil {
		return fmt.Errorf("settlement: reconcile: %w", cerr)
	}
	return err
}

func (c *conn) sendMessage(m Message) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if c.initiator {
		c.stats.Rounds++
	}
	return c.write(b)
}

func (c *conn) recvMessage() (Message, error) {
	b, err := c.read()
	if err != nil {
		return Message{}, err
	}
	if !c.initiator {
		c.stats.Rounds++
	}
	return DecodeMessage(b)
}

func (c *conn) write(payload []byte) error {
	if err := c.endedErr(); err != nil {
		return err
	}
	frame := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(payload)), uint32(len(payload)))
	frame = append(frame, payload...)
	n, err := c.rw.Write(frame)
	c.stats.BytesSent += int64(n)
	if err != nil {
		return fmt.Errorf("settlement: session write: %w", err)
	}
	return nil
}

func (c *conn) read() ([]byte, error) { return c.readMax(MaxMessageSize) }

// readMax reads one frame of at most limit bytes.
func (c *conn) readMax(limit uint32) ([]byte, error) {
	var hdr [4]byte
	n, err := io.ReadFull(c.rw, hdr[:])
	c.stats.BytesReceived += int64(n)
	if err != nil {
		return nil, fmt.Errorf("settlement: session read: %w", err)
	}
	size := binary.BigEndian.Uint32(hdr[:])
	if size > limit {
		return nil, fmt.Errorf("%w: frame of %d bytes exceeds %d", ErrProtocol, size, limit)
	}
	buf := make([]byte, size)
	n, err = io.ReadFull(c.rw, buf)
	c.stats.BytesReceived += int64(n)
	if err != nil {
		return nil, fmt.Errorf("settlement: session read: %w", err)
	}
	return buf, nil
}

// sendItems writes items in frames of at most MaxMessageSize, then an
// empty frame.
func (c *conn) sendItems(items ItemSet) error {
	per := (MaxMessageSize - 16) / itemSize
	for len(items) > 0 {
		chunk := items[:min(per, len(items))]
		items = items[len(chunk):]
		var e encoder
		e.uvarint(uint64(len(chunk)))
		for _, it := range chunk {
			e.raw(it.ID[:])
			e.raw(it.Hash[:])
		}
		if err := c.write(e.buf); err != nil {
			return err
		}
	}
	return c.write([]byte{0})
}

// recvItems reads frames until the empty one, checking that ids increase.
func (c *conn) recvItems() (ItemSet, error) {
	var out ItemSet
	for {
		b, err := c.read()
		if err != nil {
			return nil, err
		}
		d := newDecoder(b)
		chunk := decodeItems(d)
		if !d.done() {
			return nil, fmt.Errorf("%w: malformed item frame", ErrProtocol)
		}
		if len(chunk) == 0 {
			return out, nil
		}
		if len(out)+len(chunk) > maxNaiveItems {
			return nil, fmt.Errorf("%w: more than %d items", ErrProtocol, maxNaiveItems)
		}
		out = append(out, chunk...)
		if err := out[max(0, len(out)-len(chunk)-1):].Validate(); err != nil {
			return nil, errors.Join(ErrProtocol, err)
		}
	}
}
