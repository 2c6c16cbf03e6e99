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
func newHost(cfg Config, key crypto.PrivKey, f *Federation) (host.Host, error) {
	rm, err := newResourceManager()
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

// Protocols lists every fedmart stream protocol with its resource limits.
// Protocol services in other packages of the federation tree add theirs here
// so that one table shows who may open what, and how many at once.
var Protocols = map[protocol.ID]rcmgr.BaseLimit{
	CharterProtocol: {Streams: 64, StreamsInbound: 32, StreamsOutbound: 32, Memory: 16 << 20},
}

func newResourceManager() (network.ResourceManager, error) {
	limits := rcmgr.DefaultLimits
	limits.AddServiceLimit(ServiceName, rcmgr.BaseLimit{Streams: 4096, StreamsInbound: 2048, StreamsOutbound: 2048, Memory: 256 << 20}, rcmgr.BaseLimitIncrease{})
	limits.AddServicePeerLimit(ServiceName, rcmgr.BaseLimit{Streams: 512, StreamsInbound: 256, StreamsOutbound: 256, Memory: 64 << 20}, rcmgr.BaseLimitIncrease{})
	for id, l := range Protocols {
		limits.AddProtocolLimit(id, l, rcmgr.BaseLimitIncrease{})
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.AutoScale()))
	if err != nil {
		return nil, fmt.Errorf("federation: resource manager: %w", err)
	}
	return rm, nil
}
