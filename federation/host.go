package federation

import (
	"fmt"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
)

// ServiceName is the resource-manager service every fedmart protocol handler
// attaches its streams to.
const ServiceName = "fedmart"

// newHost builds the libp2p host: TCP and QUIC, Noise and TLS, yamux, the
// membership gate, and a resource manager with explicit limits for the
// fedmart service and each of its protocols. Relay, NAT port mapping and
// hole punching stay off: members publish their addresses in the charter.
func newHost(cfg Config, key crypto.PrivKey, f *Federation, protocols []ProtocolLimit) (host.Host, error) {
	rm, err := newResourceManager(protocols)
	if err != nil {
		return nil, err
	}
	h, err := libp2p.New(
		libp2p.Identity(key),
		libp2p.ListenAddrStrings(cfg.Listen...),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		libp2p.Security(noise.ID, noise.New),
		libp2p.Security(libp2ptls.ID, libp2ptls.New),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ConnectionGater(gate{f: f}),
		libp2p.ResourceManager(rm),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
		libp2p.Ping(true),
	)
	if err != nil {
		return nil, fmt.Errorf("federation: starting libp2p host on %v: %w", cfg.Listen, err)
	}
	return h, nil
}

// ProtocolLimit bounds the streams of one fedmart protocol: how many may be
// open at once (half of them inbound at most) and the memory they may hold.
// Every protocol service states its limits, and New receives them all, so
// that the resource manager is built with one complete table. Who may open
// a stream is the same for every fedmart protocol: active members only.
type ProtocolLimit struct {
	ID      protocol.ID
	Streams int
	Memory  int64
}

// Limits are the federation package's own protocol limits.
var Limits = []ProtocolLimit{
	{ID: CharterProtocol, Streams: 64, Memory: 16 << 20},
	{ID: ProposalProtocol, Streams: 64, Memory: 16 << 20},
}

func newResourceManager(protocols []ProtocolLimit) (network.ResourceManager, error) {
	limits := rcmgr.DefaultLimits
	limits.AddServiceLimit(ServiceName, rcmgr.BaseLimit{Streams: 4096, StreamsInbound: 2048, StreamsOutbound: 2048, Memory: 256 << 20}, rcmgr.BaseLimitIncrease{})
	limits.AddServicePeerLimit(ServiceName, rcmgr.BaseLimit{Streams: 512, StreamsInbound: 256, StreamsOutbound: 256, Memory: 64 << 20}, rcmgr.BaseLimitIncrease{})
	for _, l := range append(append([]ProtocolLimit(nil), Limits...), protocols...) {
		limits.AddProtocolLimit(l.ID, rcmgr.BaseLimit{Streams: l.Streams, StreamsInbound: l.Streams / 2, StreamsOutbound: l.Streams / 2, Memory: l.Memory}, rcmgr.BaseLimitIncrease{})
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.AutoScale()))
	if err != nil {
		return nil, fmt.Errorf("federation: resource manager: %w", err)
	}
	return rm, nil
}
