package dashboard

import (
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Test data of the dashboard tests: two settlement periods, a statement
// with a dispute, a netting, and a charter amendment.

// amendment is the charter's next version: Gamma Goods added, Beta Bazaar
// suspended, the storefront commission raised to 300 bps. Beta has signed;
// 2 of the 2 voters are needed.
func amendment(t *testing.T, h *harness) (federation.Proposal, peer.ID) {
	t.Helper()
	cur, _ := h.Fed.Charter()
	next := *cur
	next.Charter.Version = cur.Charter.Version + 1
	next.Charter.Previous = cur.Charter.Digest()
	next.Charter.Policy.StorefrontCommissionBPS = 300
	gamma := webtest.NewPeerID(t)
	next.Charter.Members = append([]federation.Member(nil), cur.Charter.Members...)
	next.Charter.Members[1].Status = federation.StatusSuspended
	next.Charter.Members = append(next.Charter.Members, federation.Member{PeerID: gamma.String(), Name: "Gamma Goods",
		API: "https://gamma.example", Addrs: []string{"/ip4/127.0.0.1/tcp/4003"}, Status: federation.StatusActive})
	next.Signatures = []federation.Signature{{PeerID: h.Other.ID.String(), Signature: "c2ln"}}
	return federation.Proposal{Charter: &next, Digest: next.Charter.Digest(), Signers: []string{h.Other.ID.String()},
		Voters: []string{h.Self.ID.String(), h.Other.ID.String()}, Needed: 2, ReceivedAt: h.Clock.Now().Add(-time.Hour)}, gamma
}

// operator returns a browser signed in as the operator.
func (h *harness) operator() *webtest.Browser {
	h.T.Helper()
	b := h.browser()
	if r := b.SignInOperator(webtest.Operator); r.Code != 303 {
		h.T.Fatalf("operator sign-in: %d", r.Code)
	}
	return b
}
