package replication

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// SyncProtocol is the catalog catch-up protocol.
//
//	requester -> responder: one JSON frame {"marks": {origin: seq}}
//	responder -> requester: frames 'r'+record, ..., then 'e'+JSON {"marks": {...}}
const SyncProtocol protocol.ID = "/fedmart/catalog-sync/1.0.0"

// Limits are replication's stream limits, for federation.New.
var Limits = []federation.ProtocolLimit{{ID: SyncProtocol, Streams: 64, Memory: 64 << 20}}

// settleDelay is how long after a connection the follow-up catch-up runs:
// two GossipSub heartbeats.
const settleDelay = 2 * time.Second

const (
	frameRecord = 'r'
	frameEnd    = 'e'
	maxMarksMsg = 4 << 20
)

type syncRequest struct {
	Marks map[string]uint64 `json:"marks"`
}

type syncEnd struct {
	Marks map[string]uint64 `json:"marks"`
}

// Stats describes one catch-up run as requester.
type Stats struct {
	Records int   // records received
	Bytes   int64 // bytes received, framing included
	Applied int   // records newly stored
}

// serveSync answers a catch-up request.
func (r *Replicator) serveSync(_ context.Context, _ peer.ID, s network.Stream) error {
	var req syncRequest
	if err := wire.NewReader(s).ReadJSON(maxMarksMsg, &req); err != nil {
		return err
	}
	marks := r.store.Vouched() // read before iterating: they must not claim more than is sent
	err := r.store.Since(req.Marks, r.cfg.SyncBatch, func(batch [][]byte) error {
		_ = s.SetDeadline(time.Now().Add(r.fed.DefaultStreamTimeout()))
		for _, raw := range batch {
			if err := wire.WriteFrame(s, append([]byte{frameRecord}, raw...)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	end, err := json.Marshal(syncEnd{Marks: marks})
	if err != nil {
		return err
	}
	return wire.WriteFrame(s, append([]byte{frameEnd}, end...))
}

// SyncWith runs catch-up against member p.
func (r *Replicator) SyncWith(ctx context.Context, p peer.ID) (Stats, error) {
	s, err := r.fed.Open(ctx, p, SyncProtocol)
	if err != nil {
		return Stats{}, err
	}
	st, err := r.requestSync(s)
	r.totalsMu.Lock()
	r.totals.Records, r.totals.Bytes, r.totals.Applied = r.totals.Records+st.Records, r.totals.Bytes+st.Bytes, r.totals.Applied+st.Applied
	r.totalsMu.Unlock()
	if err != nil {
		_ = s.Reset()
		r.metrics.syncs.WithLabelValues("error").Inc()
		return st, fmt.Errorf("catch-up from %s: %w", p, err)
	}
	r.metrics.syncs.WithLabelValues("ok").Inc()
	r.progress.synced(p, time.Now())
	_ = s.Close() // the end frame is read: nothing the close says changes that
	return st, nil
}

func (r *Replicator) requestSync(s network.Stream) (Stats, error) {
	var st Stats
	if err := wire.WriteJSON(s, syncRequest{Marks: r.store.Marks()}); err != nil {
		return st, err
	}
	// Nothing more to send: half-close. Its error is not ours to return:
	// a responder that has read the request may already have answered
	// and closed, which stops our send side, and its answer is still
	// there to read. A request it did not read shows as a stream that
	// ends before its end frame.
	_ = s.CloseWrite()
	rd := wire.NewReader(s)
	pipe := r.newSyncPipe()
	var pending [][]byte
	for {
		if err := pipe.failed(); err != nil {
			return st, pipe.finish(&st)
		}
		_ = s.SetDeadline(time.Now().Add(r.fed.DefaultStreamTimeout()))
		f, err := rd.ReadFrame(r.cfg.MaxRecordBytes + 1)
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("stream ended before its end frame")
		} else if err == nil && len(f) == 0 {
			err = fmt.Errorf("%w: empty frame", wire.ErrMalformed)
		}
		if err != nil {
			_ = pipe.finish(&st)
			return st, err
		}
		st.Bytes += int64(len(f)) + int64(varintLen(len(f)))
		r.metrics.syncBytes.Add(float64(len(f) + varintLen(len(f))))
		switch f[0] {
		case frameRecord:
			st.Records++
			r.metrics.syncRecords.Inc()
			if pending = append(pending, f[1:]); len(pending) == r.cfg.SyncBatch {
				pipe.add(pending)
				pending = nil
			}
		case frameEnd:
			if len(pending) > 0 {
				pipe.add(pending)
			}
			if err := pipe.finish(&st); err != nil {
				return st, err
			}
			var end syncEnd
			if err := wire.DecodeJSON(f[1:], &end); err != nil {
				return st, err
			}
			r.progress.heard(end.Marks, r.isMemberID)
			return st, r.raiseMarks(end.Marks)
		default:
			_ = pipe.finish(&st)
			return st, fmt.Errorf("%w: unknown frame type %q", wire.ErrMalformed, f[0])
		}
	}
}

// raiseMarks adopts the responder's marks where they are ahead of ours.
func (r *Replicator) raiseMarks(theirs map[string]uint64) error {
	mine := r.store.Marks()
	for origin, m := range theirs {
		if m > mine[origin] {
			if err := r.store.AdvanceMark(origin, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// gapSeen hands the sync loop a gap that a record of origin forwarded by
// from revealed, without blocking: when the loop is behind, the periodic
// round closes the gap instead.
func (r *Replicator) gapSeen(origin string, from peer.ID) {
	select {
	case r.gaps <- gapNotice{origin: origin, from: from}:
	default:
	}
}

// want asks the sync loop for a catch-up with p, without blocking.
func (r *Replicator) want(p peer.ID) {
	select {
	case r.wanted <- p:
	default:
	}
}

func (r *Replicator) watchConnections() (event.Subscription, error) {
	return r.fed.Host().EventBus().Subscribe(new(event.EvtPeerConnectednessChanged))
}

// syncLoop runs catch-ups one at a time: with each member that connects,
// with the sender of a record that revealed a gap still open gapGrace
// later, and with every connected member every SyncInterval (with
// jitter). The periodic round closes a gap gossip left between two
// members that stay connected (a record lost on a lossy link, a mesh that
// lost a peer) within one interval; with nothing missing, each costs one
// exchange of marks.
func (r *Replicator) syncLoop(ctx context.Context, conns event.Subscription) error {
	timer := time.NewTimer(jitter(r.cfg.SyncInterval))
	defer timer.Stop()
	var gaps gapWatch
	graceOver := time.NewTimer(time.Hour)
	graceOver.Stop()
	defer graceOver.Stop()
	// Members this node connected to before it watched connections (while
	// it opened its stores, or waited for the charter) said so to no one:
	// the first round visits them at once, rather than after an interval.
	round := r.connectedMembers() // members the round has still to visit
	for {
		var p peer.ID
		if len(round) > 0 {
			p, round = round[0], round[1:]
			r.syncOnce(ctx, p)
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case e := <-conns.Out():
			ev := e.(event.EvtPeerConnectednessChanged)
			if ev.Connectedness != network.Connected || !r.fed.IsMember(ev.Peer) {
				continue
			}
			p = ev.Peer
			// Topic subscriptions cross in flight just after a connection:
			// what either side publishes meanwhile can miss the other. A
			// second catch-up once they have surely been exchanged closes
			// that window; when nothing was missed it costs one marks exchange.
			time.AfterFunc(settleDelay, func() { r.want(p) })
		case p = <-r.wanted:
		case n := <-r.gaps:
			_, top := r.store.Origin(n.origin)
			gaps.seen(n.origin, n.from, top, time.Now())
			if at, ok := gaps.next(); ok {
				graceOver.Reset(time.Until(at))
			}
			continue
		case <-graceOver.C:
			round = append(round, gaps.expire(time.Now(), r.store.Origin)...)
			if at, ok := gaps.next(); ok {
				graceOver.Reset(time.Until(at))
			}
			continue
		case <-timer.C:
			timer.Reset(jitter(r.cfg.SyncInterval))
			round = r.connectedMembers()
			continue
		}
		r.syncOnce(ctx, p)
	}
}

// syncOnce runs one catch-up with p and logs what it brought.
func (r *Replicator) syncOnce(ctx context.Context, p peer.ID) {
	if st, err := r.SyncWith(ctx, p); err != nil {
		r.log.Debug("catch-up failed", "peer", p, "err", err)
	} else if st.Records > 0 {
		r.log.Info("caught up", "peer", p, "records", st.Records, "stored", st.Applied, "bytes", st.Bytes)
	}
}

// connectedMembers lists the members this node is connected to.
func (r *Replicator) connectedMembers() []peer.ID {
	var ps []peer.ID
	for _, p := range r.fed.Host().Network().Peers() {
		if r.fed.IsMember(p) {
			ps = append(ps, p)
		}
	}
	return ps
}

func varintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}
