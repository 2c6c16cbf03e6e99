package orderwire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Sessions: order messages on streams that stay open.
//
// Opening a libp2p stream costs both ends about three times what a
// request and its reply cost on a stream already open (QUIC on loopback:
// 120-127 µs of CPU against 40-41 µs; BENCHMARKS.md, "Order messages on
// streams kept open"), and a checkout storm sends two or three messages
// per sub-order. So a sender keeps the streams of SessionProtocol it has
// used, idle, one per message in flight to a member, and sends its next
// message to that member on one of them. Each message is still signed,
// checked, budgeted and answered on its own, exactly as on Protocol:
// a session changes how messages travel, never what a member trusts.
//
// A member whose build predates sessions speaks only Protocol; the
// stream negotiates down to it and carries one message, as before.
// A stream kept idle may end under the sender (the receiver's idle time
// or lifetime ran out, or it restarted): a message that fails on a
// reused stream is sent once more on a new one. That is safe because a
// member answers a message it has seen with the reply it stored, and
// does nothing else (order.Service.Handle).

// SessionProtocol is the order protocol on a stream that stays open:
//
//	sender -> receiver: one frame, a signed Message (JSON)
//	receiver -> sender: one frame, a Reply (JSON)
//	... again, until either side closes the stream
//
// Its messages and replies are those of Protocol, version 2.
const SessionProtocol = Protocol + "/session"

// Time limits of a session, variables for the tests.
var (
	// sessionIdle is how long a receiver waits for a session's next
	// message before it closes the stream.
	sessionIdle = 30 * time.Second
	// sessionLife is how long a receiver keeps one session: past it, the
	// stream is closed after its next reply, so that no stream (and its
	// resource scope) lives for ever.
	sessionLife = 10 * time.Minute
	// keepIdle is how long a sender keeps an idle stream: under
	// sessionIdle, so that it seldom sends on a stream the receiver is
	// closing.
	keepIdle = 20 * time.Second
)

// maxIdle is the most idle streams a sender keeps per member: the
// messages it usually has in flight to one member at once.
const maxIdle = 16

// sessions are a sender's idle session streams, per member.
type sessions struct {
	mu   sync.Mutex
	idle map[peer.ID][]*session
}

// session is one stream of SessionProtocol (or, to a member that predates
// it, of Protocol) with its frame reader.
type session struct {
	s     network.Stream
	r     *wire.Reader
	since time.Time // idle since
}

// take returns an idle stream to p, newest first, or nil. Streams idle
// for longer than keepIdle are closed.
func (ss *sessions) take(p peer.ID) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for q := ss.idle[p]; len(q) > 0; q = ss.idle[p] {
		x := q[len(q)-1]
		ss.idle[p] = q[:len(q)-1]
		if time.Since(x.since) < keepIdle {
			return x
		}
		_ = x.s.Close()
	}
	return nil
}

// put keeps x idle, or closes it when p has maxIdle idle streams.
func (ss *sessions) put(p peer.ID, x *session) {
	x.since = time.Now()
	ss.mu.Lock()
	if len(ss.idle[p]) < maxIdle {
		ss.idle[p] = append(ss.idle[p], x)
		x = nil
	}
	ss.mu.Unlock()
	if x != nil {
		_ = x.s.Close()
	}
}

// request sends raw to member p on a session and returns the reply.
func (t Transport) request(ctx context.Context, p peer.ID, raw []byte) ([]byte, error) {
	for {
		x := t.sessions.take(p)
		reused := x != nil
		if !reused {
			s, err := t.Fed.Open(ctx, p, SessionProtocol, Protocol)
			if err != nil {
				return nil, err
			}
			if s.Protocol() == Protocol { // a member that predates sessions
				return exchangeOnce(s, raw)
			}
			x = &session{s: s, r: wire.NewReader(s)}
		}
		answer, err := x.exchange(ctx, raw, t.Fed.DefaultStreamTimeout())
		if err == nil {
			t.sessions.put(p, x)
			return answer, nil
		}
		_ = x.s.Reset()
		if !reused || ctx.Err() != nil {
			return nil, err
		}
		// The idle stream ended meanwhile: send again on a new one.
	}
}

// exchange sends raw on the session and reads its reply, within ctx's
// deadline, or within timeout (the node's stream timeout) when ctx has
// none.
func (x *session) exchange(ctx context.Context, raw []byte, timeout time.Duration) ([]byte, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(timeout)
	}
	_ = x.s.SetDeadline(deadline)
	if err := wire.WriteFrame(x.s, raw); err != nil {
		return nil, err
	}
	return x.r.ReadFrame(maxReplyBytes)
}

// exchangeOnce sends raw on s, a stream of Protocol, reads the reply and
// closes s.
func exchangeOnce(s network.Stream, raw []byte) ([]byte, error) {
	if err := wire.WriteFrame(s, raw); err != nil {
		_ = s.Reset()
		return nil, err
	}
	_ = s.CloseWrite()
	answer, err := wire.NewReader(s).ReadFrame(maxReplyBytes)
	if err != nil {
		_ = s.Reset()
		return nil, err
	}
	_ = s.Close()
	return answer, nil
}

// serveSession answers the messages of one session in turn until the
// sender closes it, it idles for sessionIdle, its sessionLife is over or
// the node closes. Each message has the stream timeout to be answered in.
func serveSession(ctx context.Context, svc *order.Service, remote peer.ID, s network.Stream, timeout time.Duration) error {
	stop := context.AfterFunc(ctx, func() { _ = s.Reset() }) // the node closes
	defer stop()
	r := wire.NewReader(s)
	for start := time.Now(); time.Since(start) < sessionLife; {
		_ = s.SetDeadline(time.Now().Add(sessionIdle))
		raw, err := r.ReadFrame(order.MaxMessageBytes)
		var idle net.Error
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &idle) && idle.Timeout():
			return nil // the sender is done, or idle too long (QUIC and yamux say so differently)
		case err != nil:
			return err
		}
		_ = s.SetDeadline(time.Now().Add(timeout))
		mctx, cancel := context.WithTimeout(ctx, timeout)
		reply := svc.Handle(mctx, remote.String(), raw)
		cancel()
		if err := wire.WriteFrame(s, reply); err != nil {
			return fmt.Errorf("order session: %w", err)
		}
	}
	return nil
}
