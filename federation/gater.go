package federation

import (
	"github.com/libp2p/go-libp2p/core/connmgr"
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// gate is the libp2p ConnectionGater that admits only active members of the
// current charter, in both directions. Inbound connections are judged at
// InterceptSecured, the first point where the remote peer's identity is
// proven by the security handshake; outbound dials are refused before any
// packet is sent.
type gate struct {
	f *Federation
}

var _ connmgr.ConnectionGater = gate{}

// InterceptPeerDial refuses to dial non-members.
func (g gate) InterceptPeerDial(p peer.ID) bool { return g.admit(p) }

// InterceptAddrDial refuses to dial non-members.
func (g gate) InterceptAddrDial(p peer.ID, _ ma.Multiaddr) bool { return g.admit(p) }

// InterceptAccept lets the handshake start: the peer is not known yet.
func (g gate) InterceptAccept(network.ConnMultiaddrs) bool { return true }

// InterceptSecured admits an authenticated connection only from or to a member.
func (g gate) InterceptSecured(_ network.Direction, p peer.ID, _ network.ConnMultiaddrs) bool {
	ok := g.admit(p)
	if !ok {
		g.f.metrics.refused.Inc()
		g.f.log.Debug("refused connection from non-member", "peer", p)
	}
	return ok
}

// InterceptUpgraded accepts: membership was checked at InterceptSecured.
func (g gate) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }

func (g gate) admit(p peer.ID) bool {
	return p != g.f.self && g.f.IsMember(p)
}
