package webtest

import (
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Federation is the federation as the pages see it: the charter and the
// other members' connection state, which a test sets. It is a fake
// because a real federation's member states come from libp2p
// connections and pings, which these tests do not open.
type Federation struct {
	mu      sync.Mutex // guards charter and states
	charter *federation.SignedCharter
	states  []federation.MemberState
}

// Members lists the other members with the state the test set.
func (f *Federation) Members() []federation.MemberState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]federation.MemberState(nil), f.states...)
}

// Charter returns the charter the test set, or federation.ErrNoCharter.
func (f *Federation) Charter() (*federation.SignedCharter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.charter == nil {
		return nil, federation.ErrNoCharter
	}
	return f.charter, nil
}

// Edit lets change set the charter (nil: none yet) and the members'
// states, under the fake's lock.
func (f *Federation) Edit(change func(charter **federation.SignedCharter, states *[]federation.MemberState)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.charter, &f.states)
}

// Members' names in the test federation.
const (
	SelfName  = "Alpha Market"
	OtherName = "Beta Bazaar"
)

// testCharter is a charter of the two members, version 2.
func testCharter(self, other peer.ID) *federation.SignedCharter {
	return &federation.SignedCharter{
		Charter: federation.Charter{FederationID: "test-fed", Name: "Test Federation", Version: 2,
			Previous: strings.Repeat("ab", 32), Currency: "EUR", Period: federation.Duration(24 * time.Hour),
			Policy: federation.Policy{StorefrontCommissionBPS: 250, FederationFeeBPS: 50, Treasury: self.String(),
				PayableOn: federation.PayableOnDelivered},
			Members: []federation.Member{
				{PeerID: self.String(), Name: SelfName, API: BaseURL, Addrs: []string{"/dns4/p2p.alpha.example/tcp/4001"}, Status: federation.StatusActive},
				{PeerID: other.String(), Name: OtherName, API: "https://beta.example", Addrs: []string{"/dns4/p2p.beta.example/tcp/4001"}, Status: federation.StatusActive},
			}},
		Signatures: []federation.Signature{{PeerID: self.String(), Signature: "c2lnbmF0dXJlLW9mLWFscGhh"}},
	}
}

// NewPeerID makes the peer ID of a fresh Ed25519 key: a platform no
// member knows.
func NewPeerID(t *testing.T) peer.ID {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
