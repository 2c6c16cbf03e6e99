package federation

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	"github.com/libp2p/go-libp2p/core/sec"
	basichost "github.com/libp2p/go-libp2p/p2p/host/basic"
	"github.com/libp2p/go-libp2p/p2p/host/eventbus"
	"github.com/libp2p/go-libp2p/p2p/host/peerstore/pstoremem"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	cmgr "github.com/libp2p/go-libp2p/p2p/net/connmgr"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	tptu "github.com/libp2p/go-libp2p/p2p/net/upgrader"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	libp2ptls "github.com/libp2p/go-libp2p/p2p/security/tls"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/quicreuse"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	quicgo "github.com/quic-go/quic-go"
	"golang.org/x/crypto/hkdf"
)

// ServiceName is the resource-manager service every fedmart protocol handler
// attaches its streams to.
const ServiceName = "fedmart"

// newHost builds the libp2p host: TCP and QUIC, Noise and TLS, yamux, the
// membership gate, and a resource manager with explicit limits for the
// fedmart service and each of its protocols.
func newHost(cfg Config, key crypto.PrivKey, f *Federation, protocols []ProtocolLimit) (host.Host, error) {
	rm, err := newResourceManager(protocols)
	if err != nil {
		return nil, err
	}
	h, err := BuildHost(key, cfg.Listen, gate{f: f}, rm)
	if err != nil {
		return nil, fmt.Errorf("federation: starting libp2p host on %v: %w", cfg.Listen, err)
	}
	return h, nil
}

// BuildHost assembles a libp2p host from its parts rather than with
// libp2p.New, whose option set links every transport and service it can
// start (WebRTC, WebTransport, WebSocket, circuit relay) whether or not a
// host uses them. A member needs only what it uses: TCP and QUIC, Noise and
// TLS, yamux, identify and ping. Members publish their addresses in the
// charter, so no relay, NAT port mapping, hole punching or AutoNAT is
// started either. gater may be nil; rm nil is the default limits.
func BuildHost(key crypto.PrivKey, listen []string, gater connmgr.ConnectionGater, rm network.ResourceManager) (_ host.Host, err error) {
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, err
	}
	addrs := make([]ma.Multiaddr, len(listen))
	for i, a := range listen {
		if addrs[i], err = ma.NewMultiaddr(a); err != nil {
			return nil, fmt.Errorf("listen[%d]: %w", i, err)
		}
	}
	if rm == nil {
		if rm, err = rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(rcmgr.DefaultLimits.AutoScale())); err != nil {
			return nil, err
		}
	}
	ps, err := pstoremem.NewPeerstore()
	if err != nil {
		return nil, err
	}
	if err := ps.AddPrivKey(id, key); err != nil {
		return nil, err
	}
	if err := ps.AddPubKey(id, key.GetPublic()); err != nil {
		return nil, err
	}
	bus := eventbus.NewBus()
	opts := []swarm.Option{swarm.WithResourceManager(rm),
		swarm.WithUDPBlackHoleSuccessCounter(&swarm.BlackHoleSuccessCounter{N: 100, MinSuccesses: 5, Name: "UDP"}),
		swarm.WithIPv6BlackHoleSuccessCounter(&swarm.BlackHoleSuccessCounter{N: 100, MinSuccesses: 5, Name: "IPv6"})}
	if gater != nil {
		opts = append(opts, swarm.WithConnectionGater(gater))
	}
	sw, err := swarm.NewSwarm(id, ps, bus, opts...)
	if err != nil {
		return nil, err
	}
	quicConns, err := newQUICConnManager(key, rm)
	if err != nil {
		sw.Close()
		return nil, err
	}
	defer func() {
		if err != nil {
			sw.Close()
			quicConns.Close()
		}
	}()
	if err := addTransports(sw, key, gater, rm, quicConns); err != nil {
		return nil, err
	}
	conns, err := cmgr.NewConnManager(160, 192)
	if err != nil {
		return nil, err
	}
	bh, err := basichost.NewHost(sw, &basichost.HostOpts{EventBus: bus, ConnManager: conns, EnablePing: true, UserAgent: userAgent})
	if err != nil {
		return nil, err
	}
	if err := sw.Listen(addrs...); err != nil {
		bh.Close()
		return nil, err
	}
	bh.Start()
	return &builtHost{BasicHost: bh, quic: quicConns}, nil
}

// builtHost closes what the basic host does not own: QUIC's shared
// sockets, after the swarm that uses them.
type builtHost struct {
	*basichost.BasicHost
	quic      io.Closer
	closeOnce sync.Once
	closeErr  error // what the first Close returned
}

// Close closes the host, then the QUIC sockets; called again, it returns
// what the first call did.
func (h *builtHost) Close() error {
	h.closeOnce.Do(func() { h.closeErr = errors.Join(h.BasicHost.Close(), h.quic.Close()) })
	return h.closeErr
}

// addTransports gives the swarm TCP and QUIC.
func addTransports(sw *swarm.Swarm, key crypto.PrivKey, gater connmgr.ConnectionGater, rm network.ResourceManager, quicConns *quicreuse.ConnManager) error {
	muxers := []tptu.StreamMuxer{{ID: yamux.ID, Muxer: yamux.DefaultTransport}}
	nz, err := noise.New(noise.ID, key, muxers)
	if err != nil {
		return err
	}
	tl, err := libp2ptls.New(libp2ptls.ID, key, muxers)
	if err != nil {
		return err
	}
	up, err := tptu.New([]sec.SecureTransport{nz, tl}, muxers, nil, rm, gater)
	if err != nil {
		return err
	}
	t, err := tcp.NewTCPTransport(up, rm, nil)
	if err != nil {
		return err
	}
	if err := sw.AddTransport(t); err != nil {
		return err
	}
	q, err := quic.NewTransport(key, quicConns, nil, gater, rm)
	if err != nil {
		return err
	}
	return sw.AddTransport(q)
}

// newQUICConnManager shares QUIC's UDP sockets, with the keys libp2p
// derives from the node's identity and the resource manager's accounting
// of inbound connections before their handshake.
func newQUICConnManager(key crypto.PrivKey, rm network.ResourceManager) (*quicreuse.ConnManager, error) {
	raw, err := key.Raw()
	if err != nil {
		return nil, err
	}
	var reset quicgo.StatelessResetKey
	var token quicgo.TokenGeneratorKey
	if _, err := io.ReadFull(hkdf.New(sha256.New, raw, nil, []byte("libp2p quic stateless reset key")), reset[:]); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(hkdf.New(sha256.New, raw, nil, []byte("libp2p quic token generator key")), token[:]); err != nil {
		return nil, err
	}
	return quicreuse.NewConnManager(reset, token,
		quicreuse.ConnContext(func(ctx context.Context, ci *quicgo.ClientInfo) (context.Context, error) {
			addr, err := quicreuse.ToQuicMultiaddr(ci.RemoteAddr, quicgo.Version1)
			if err != nil {
				addr = nil
			}
			scope, err := rm.OpenConnection(network.DirInbound, false, addr)
			if err != nil {
				return ctx, err
			}
			ctx = network.WithConnManagementScope(ctx, scope)
			context.AfterFunc(ctx, scope.Done)
			return ctx, nil
		}),
		quicreuse.VerifySourceAddress(func(addr net.Addr) bool { return rm.VerifySourceAddress(addr) }))
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
	// PeerStreams, when set, bounds the streams of the protocol one member
	// may hold open with this node (half of them inbound at most), for a
	// protocol whose streams stay open: no member takes them all.
	PeerStreams int
	// Timeout bounds one inbound stream of the protocol, for protocols whose
	// exchanges outlast Config.StreamTimeout (a settlement session that
	// restores hundreds of entries); zero takes StreamTimeout.
	Timeout time.Duration
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
		if l.PeerStreams > 0 {
			limits.AddProtocolPeerLimit(l.ID, rcmgr.BaseLimit{Streams: l.PeerStreams, StreamsInbound: l.PeerStreams / 2, StreamsOutbound: l.PeerStreams / 2, Memory: l.Memory / 4}, rcmgr.BaseLimitIncrease{})
		}
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(limits.AutoScale()))
	if err != nil {
		return nil, fmt.Errorf("federation: resource manager: %w", err)
	}
	return rm, nil
}
