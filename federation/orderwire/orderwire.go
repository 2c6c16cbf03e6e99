// Package orderwire carries the order protocol (package order) between
// members over libp2p: messages on streams kept open (SessionProtocol,
// session.go), or one stream per message on Protocol with a member that
// predates sessions, one page of a catch-up per stream on SyncProtocol, and a catch-up with every member
// that connects. It is the only part of the order flow that touches
// streams; the order service sees its Transport and SyncTransport.
package orderwire

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Protocol is the order protocol: one stream per message. Version 2
// added refusal codes to replies and the storefront's shopper id to
// reserves (version 1 decoders refuse unknown fields, so the two do not
// mix: members upgrade together).
//
//	sender -> receiver: one frame, a signed Message (JSON)
//	receiver -> sender: one frame, a Reply (JSON)
const Protocol protocol.ID = "/fedmart/order/2.0.0"

// SyncProtocol carries one page of a catch-up (see CatchUp):
//
//	requester -> member: one frame, a syncRequest (JSON)
//	member -> requester: one frame, a SyncPage (JSON)
const SyncProtocol protocol.ID = "/fedmart/order/sync/1.0.0"

// Limits are the order protocols' stream limits, for federation.New. A
// session's stream lives up to sessionLife; each of its messages has the
// stream timeout.
var Limits = []federation.ProtocolLimit{
	{ID: Protocol, Streams: 1024, Memory: 128 << 20},
	{ID: SessionProtocol, Streams: 512, PeerStreams: 256, Memory: 128 << 20, Timeout: sessionLife + time.Minute},
	{ID: SyncProtocol, Streams: 16, Memory: 64 << 20},
}

// syncRequest asks for the messages shared with the requester since a
// time, after a cursor.
type syncRequest struct {
	Since  time.Time `json:"since"`
	Cursor string    `json:"cursor,omitempty"`
}

// maxReplyBytes bounds a reply: a status message and its framing.
const maxReplyBytes = order.MaxMessageBytes + 4096

// Transport carries order messages and catch-up pages over the
// federation's libp2p streams: the order service's Transport and
// SyncTransport. Made by NewTransport, it sends messages on sessions;
// a Transport literal opens a stream per message.
type Transport struct {
	Fed      *federation.Federation
	sessions *sessions
}

// NewTransport returns a Transport over fed that keeps its streams open
// for the next message (session.go).
func NewTransport(fed *federation.Federation) Transport {
	return Transport{Fed: fed, sessions: &sessions{idle: map[peer.ID][]*session{}}}
}

// Request sends raw to member to and reads the reply.
func (t Transport) Request(ctx context.Context, to string, raw []byte) ([]byte, error) {
	id, err := peer.Decode(to)
	if err != nil {
		return nil, fmt.Errorf("order: peer %q: %w", to, err)
	}
	if t.sessions != nil {
		return t.request(ctx, id, raw)
	}
	s, err := t.Fed.Open(ctx, id, Protocol)
	if err != nil {
		return nil, err
	}
	return exchangeOnce(s, raw)
}

// Fetch asks member to for one page of the messages the two share.
func (t Transport) Fetch(ctx context.Context, to string, since time.Time, cursor string) (order.SyncPage, error) {
	id, err := peer.Decode(to)
	if err != nil {
		return order.SyncPage{}, fmt.Errorf("order: peer %q: %w", to, err)
	}
	s, err := t.Fed.Open(ctx, id, SyncProtocol)
	if err != nil {
		return order.SyncPage{}, err
	}
	if err := wire.WriteJSON(s, syncRequest{Since: since, Cursor: cursor}); err != nil {
		_ = s.Reset()
		return order.SyncPage{}, err
	}
	_ = s.CloseWrite()
	var page order.SyncPage
	if err := wire.NewReader(s).ReadJSON(order.MaxSyncPageBytes, &page); err != nil {
		_ = s.Reset()
		return order.SyncPage{}, err
	}
	_ = s.Close()
	return page, nil
}

// Serve registers svc as the handler of the order protocols.
func Serve(fed *federation.Federation, svc *order.Service) {
	fed.Handle(Protocol, func(ctx context.Context, remote peer.ID, s network.Stream) error {
		raw, err := wire.NewReader(s).ReadFrame(order.MaxMessageBytes)
		if err != nil {
			return err
		}
		return wire.WriteFrame(s, svc.Handle(ctx, remote.String(), raw))
	})
	fed.Handle(SessionProtocol, func(ctx context.Context, remote peer.ID, s network.Stream) error {
		return serveSession(ctx, svc, remote, s, fed.DefaultStreamTimeout())
	})
	fed.Handle(SyncProtocol, func(ctx context.Context, remote peer.ID, s network.Stream) error {
		var req syncRequest
		if err := wire.NewReader(s).ReadJSON(1024, &req); err != nil {
			return err
		}
		page, err := svc.SyncPageOf(ctx, remote.String(), req.Since, req.Cursor)
		if err != nil {
			return err
		}
		return wire.WriteJSON(s, page)
	})
}

// CatchUpOnConnect runs a catch-up with every member that connects, one
// member at a time, until ctx ends: what a member missed while apart
// arrives in seconds, without waiting for the senders' retries.
func CatchUpOnConnect(ctx context.Context, fed *federation.Federation, svc *order.Service, log *slog.Logger) error {
	sub, err := fed.Host().EventBus().Subscribe(new(event.EvtPeerConnectednessChanged))
	if err != nil {
		return fmt.Errorf("order: watching connections: %w", err)
	}
	defer sub.Close()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-sub.Out():
			if !ok {
				return nil
			}
			ev := e.(event.EvtPeerConnectednessChanged)
			if ev.Connectedness != network.Connected || !fed.IsMember(ev.Peer) {
				continue
			}
			if n, err := svc.CatchUp(ctx, ev.Peer.String()); err != nil && ctx.Err() == nil {
				log.Debug("order: catch-up failed", "peer", ev.Peer, "err", err)
			} else if n > 0 {
				log.Info("order: caught up with member", "peer", ev.Peer, "messages", n)
			}
		}
	}
}
