// Package mediawire carries pictures between members over libp2p: a
// member asks the home of a listing for a picture by its hash, and gets
// the canonical file back. It opens and answers streams and nothing
// else: which member to ask, the budgets and the check of the bytes
// against the hash are package media's (media.Service).
package mediawire

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Protocol asks a member for one picture, one stream per picture:
//
//	requester -> member: one frame, a request (JSON: {"hash": "<64 hex>"})
//	member -> requester: one frame, a reply (JSON: {"code": n, "bytes": n})
//	member -> requester: for code 0 only, one frame of that many bytes:
//	                     the picture's canonical file
//
// The requester checks the bytes against the hash before it keeps
// anything (media.Store.Adopt): a member can hand out only the picture
// asked for, or nothing.
const Protocol protocol.ID = "/fedmart/media/1.0.0"

// Limits are the protocol's stream limits, for federation.New. A picture
// of MaxCanonicalBytes over a slow link outlasts the federation's stream
// timeout, so streams get a minute.
var Limits = []federation.ProtocolLimit{
	{ID: Protocol, Streams: 64, Memory: 64 << 20, Timeout: time.Minute},
}

// Reply codes. They cross the wire: numbered, and only ever appended.
const (
	// CodeOK: the picture's canonical file follows.
	CodeOK = 0
	// CodeNotFound: the member does not hold the picture.
	CodeNotFound = 1
	// CodeBusy: the requester spent its budget with the member; ask later.
	CodeBusy = 2
	// CodeInvalid: the request did not read.
	CodeInvalid = 3
)

type request struct {
	Hash string `json:"hash"`
}

type reply struct {
	Code  int `json:"code"`
	Bytes int `json:"bytes,omitempty"`
}

// maxRequestBytes and maxReplyBytes bound the JSON frames.
const (
	maxRequestBytes = 256
	maxReplyBytes   = 256
)

// Transport fetches pictures from members over the federation's
// streams: the media service's Transport.
type Transport struct{ Fed *federation.Federation }

// Fetch asks member to for the canonical file of the picture with hash;
// an answer of more than max bytes is refused unread.
func (t Transport) Fetch(ctx context.Context, to, hash string, max int) ([]byte, error) {
	id, err := peer.Decode(to)
	if err != nil {
		return nil, fmt.Errorf("media: peer %q: %w", to, err)
	}
	s, err := t.Fed.Open(ctx, id, Protocol)
	if err != nil {
		return nil, err
	}
	b, err := exchange(s, hash, max)
	if err != nil {
		_ = s.Reset()
		return nil, err
	}
	_ = s.Close()
	return b, nil
}

func exchange(s network.Stream, hash string, max int) ([]byte, error) {
	if err := wire.WriteJSON(s, request{Hash: hash}); err != nil {
		return nil, err
	}
	_ = s.CloseWrite()
	r := wire.NewReader(s)
	var rep reply
	if err := r.ReadJSON(maxReplyBytes, &rep); err != nil {
		return nil, err
	}
	switch rep.Code {
	case CodeOK:
	case CodeNotFound:
		return nil, fmt.Errorf("%w: the member does not hold %s", media.ErrNotFound, hash)
	case CodeBusy:
		return nil, fmt.Errorf("%w: the member is busy; ask later", media.ErrBudget)
	default:
		return nil, fmt.Errorf("media: the member answered code %d", rep.Code)
	}
	if rep.Bytes > max {
		return nil, fmt.Errorf("%w: the member offers %d bytes, at most %d are taken", media.ErrTooLarge, rep.Bytes, max)
	}
	b, err := r.ReadFrame(max)
	if err != nil {
		return nil, err
	}
	if len(b) != rep.Bytes {
		return nil, fmt.Errorf("%w: %d bytes announced, %d sent", wire.ErrMalformed, rep.Bytes, len(b))
	}
	return b, nil
}

// Lender hands pictures out to members; *media.Service satisfies it.
type Lender interface {
	Lend(ctx context.Context, peer, hash string) ([]byte, error)
}

// Serve answers the members' requests for pictures with l's.
func Serve(fed *federation.Federation, l Lender) {
	fed.Handle(Protocol, func(ctx context.Context, remote peer.ID, s network.Stream) error {
		var req request
		if err := wire.NewReader(s).ReadJSON(maxRequestBytes, &req); err != nil {
			_ = wire.WriteJSON(s, reply{Code: CodeInvalid})
			return err
		}
		if !catalog.IsImageHash(req.Hash) {
			return wire.WriteJSON(s, reply{Code: CodeInvalid})
		}
		b, err := l.Lend(ctx, remote.String(), req.Hash)
		switch {
		case errors.Is(err, media.ErrNotFound):
			return wire.WriteJSON(s, reply{Code: CodeNotFound})
		case errors.Is(err, media.ErrBudget):
			return wire.WriteJSON(s, reply{Code: CodeBusy})
		case err != nil:
			return err
		}
		if err := wire.WriteJSON(s, reply{Code: CodeOK, Bytes: len(b)}); err != nil {
			return err
		}
		return wire.WriteFrame(s, b)
	})
}
