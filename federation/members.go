package federation

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// MemberState is what this node currently knows of another member.
type MemberState struct {
	PeerID    peer.ID
	Name      string
	API       string
	Status    string // charter status: active or suspended
	Connected bool
	// Reachable is Connected and answering: false from the moment a member
	// misses two pings in a row until it answers again.
	Reachable bool
	LastSeen  time.Time     // last connect, stream or ping answer; zero if never
	RTT       time.Duration // last measured round trip; zero if never measured
	// Protocol is the highest protocol level the member's build speaks
	// (ProtocolLevel), as it told this node on connecting: 1 for a build
	// from before protocol levels; 0 when not known (it is not connected).
	Protocol int
}

// protocolOf is the highest protocol level p's build speaks, from what
// its host told this one; 0 when it has told nothing (it is not
// connected: libp2p forgets what a peer said a while after it leaves).
func (f *Federation) protocolOf(p peer.ID) int {
	v, err := f.host.Peerstore().Get(p, "AgentVersion")
	if err != nil {
		return 0
	}
	agent, _ := v.(string)
	return levelOfAgent(agent)
}

// liveness is the measured part of a member's state.
type liveness struct {
	lastSeen time.Time
	rtt      time.Duration
	down     bool // missed two pings in a row since it last answered
}

// memberStates tracks liveness per peer.
type memberStates struct {
	mu sync.Mutex // guards m
	m  map[peer.ID]liveness
}

func newMemberStates() *memberStates { return &memberStates{m: make(map[peer.ID]liveness)} }

func (s *memberStates) update(p peer.ID, fn func(*liveness)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.m[p]
	fn(&l)
	s.m[p] = l
}

func (s *memberStates) get(p peer.ID) liveness {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[p]
}

// Members lists every other member of the current charter with its
// connection state, in charter order. Self is excluded.
func (f *Federation) Members() []MemberState {
	sc := f.charter.Load()
	if sc == nil {
		return nil
	}
	var out []MemberState
	for _, m := range sc.Charter.Members {
		id, err := peer.Decode(m.PeerID)
		if err != nil || id == f.self {
			continue
		}
		l := f.states.get(id)
		connected := f.host.Network().Connectedness(id) == network.Connected
		out = append(out, MemberState{
			PeerID: id, Name: m.Name, API: m.API, Status: m.Status,
			Connected: connected, Reachable: connected && !l.down,
			LastSeen: l.lastSeen, RTT: l.rtt, Protocol: f.protocolOf(id),
		})
	}
	return out
}

// seen records that p just showed it is alive.
func (f *Federation) seen(p peer.ID) {
	now := time.Now()
	f.states.update(p, func(l *liveness) { l.lastSeen, l.down = now, false })
}

// Reachable reports whether member p is connected and answering now.
func (f *Federation) Reachable(p peer.ID) bool {
	return f.host.Network().Connectedness(p) == network.Connected && !f.states.get(p).down
}
