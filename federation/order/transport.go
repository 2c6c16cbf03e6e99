package order

import (
	"context"
	"fmt"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Protocol is the order protocol: one stream per message.
//
//	sender -> receiver: one frame, a signed Message (JSON)
//	receiver -> sender: one frame, a Reply (JSON)
const Protocol protocol.ID = "/fedmart/order/1.0.0"

// Limits are the order protocol's stream limits, for federation.New.
var Limits = []federation.ProtocolLimit{{ID: Protocol, Streams: 1024, Memory: 128 << 20}}

// maxReplyBytes bounds a reply: a status message and its framing.
const maxReplyBytes = MaxMessageBytes + 4096

// P2P carries order messages over the federation's libp2p streams.
type P2P struct{ Fed *federation.Federation }

// Request opens a stream to member to, sends raw and reads the reply.
func (t P2P) Request(ctx context.Context, to string, raw []byte) ([]byte, error) {
	id, err := peer.Decode(to)
	if err != nil {
		return nil, fmt.Errorf("order: peer %q: %w", to, err)
	}
	s, err := t.Fed.Open(ctx, id, Protocol)
	if err != nil {
		return nil, err
	}
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

// Serve registers svc as the handler of the order protocol.
func Serve(fed *federation.Federation, svc *Service) {
	fed.Handle(Protocol, func(ctx context.Context, remote peer.ID, s network.Stream) error {
		raw, err := wire.NewReader(s).ReadFrame(MaxMessageBytes)
		if err != nil {
			return err
		}
		return wire.WriteFrame(s, svc.Handle(ctx, remote.String(), raw))
	})
}
