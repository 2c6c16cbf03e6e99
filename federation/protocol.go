package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Handler serves one inbound stream of a fedmart protocol from the member
// remote. It returns nil when the exchange completed; the stream is then
// closed. Any error resets the stream.
type Handler func(ctx context.Context, remote peer.ID, s network.Stream) error

// Handle registers h for protocol id. Every stream is checked again for
// membership (the gate already checked the connection, but a charter may
// have changed since), attached to the fedmart resource scope, and bounded
// by the stream timeout.
func (f *Federation) Handle(id protocol.ID, h Handler) {
	f.host.SetStreamHandler(id, func(s network.Stream) { f.serve(id, h, s) })
}

func (f *Federation) serve(id protocol.ID, h Handler, s network.Stream) {
	remote := s.Conn().RemotePeer()
	if !f.IsMember(remote) {
		f.metrics.streams.WithLabelValues(string(id), "refused").Inc()
		_ = s.Reset()
		return
	}
	if err := s.Scope().SetService(ServiceName); err != nil {
		f.metrics.streams.WithLabelValues(string(id), "overload").Inc()
		f.log.Warn("stream refused: over the fedmart service's resource limits", "protocol", id, "peer", remote, "err", err)
		_ = s.Reset()
		return
	}
	timeout := f.cfg.StreamTimeout
	if t, ok := f.timeouts[id]; ok {
		timeout = t
	}
	ctx, done, ok := f.tasks.enter(timeout) // Close waits for it
	if !ok {
		_ = s.Reset() // closing
		return
	}
	defer done()
	_ = s.SetDeadline(time.Now().Add(timeout))
	f.seen(remote)
	if err := h(ctx, remote, s); err != nil {
		f.metrics.streams.WithLabelValues(string(id), "error").Inc()
		level := slog.LevelDebug // a stream that failed: the member's side says why
		if refused(err) {
			level = slog.LevelWarn // a member sent what this node refuses: the operator should know
		}
		f.log.Log(ctx, level, "stream failed", "protocol", id, "peer", remote, "err", err)
		_ = s.Reset()
		return
	}
	f.metrics.streams.WithLabelValues(string(id), "ok").Inc()
	_ = s.Close()
}

// Open opens a stream of protocol id to member p, attached to the fedmart
// resource scope with the stream timeout as its deadline. When the member
// does not speak id, the first of fallbacks it speaks is taken
// (Stream.Protocol says which). The caller must Close it on success and
// Reset it on error.
func (f *Federation) Open(ctx context.Context, p peer.ID, id protocol.ID, fallbacks ...protocol.ID) (network.Stream, error) {
	if !f.IsMember(p) {
		return nil, fmt.Errorf("federation: open %s to %s: %w", id, p, ErrNotMember)
	}
	s, err := f.host.NewStream(ctx, p, append([]protocol.ID{id}, fallbacks...)...)
	if err != nil {
		return nil, fmt.Errorf("federation: open %s to %s: %w", id, p, err)
	}
	if err := s.Scope().SetService(ServiceName); err != nil {
		_ = s.Reset()
		return nil, fmt.Errorf("federation: open %s to %s: %w", id, p, err)
	}
	deadline := time.Now().Add(f.cfg.StreamTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = s.SetDeadline(deadline)
	return s, nil
}

func (f *Federation) registerProtocols() {
	f.Handle(CharterProtocol, f.handleCharter)
	f.Handle(ProposalProtocol, f.handleProposal)
}

// refused reports whether err is this node refusing what a member sent
// (a charter or amendment that does not verify), rather than a stream
// that broke.
func refused(err error) bool {
	for _, target := range []error{ErrInvalid, ErrBadSignature, ErrForeignSigner, ErrTooFewSignatures, ErrVersion, ErrTooManyProposals} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
