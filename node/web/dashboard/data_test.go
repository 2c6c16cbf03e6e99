package dashboard

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Test data of the dashboard tests: two settlement periods, a statement
// with a dispute, a netting, and a charter amendment.

const (
	closedPeriod = "2026-02-28T00:00:00Z"
	openPeriod   = "2026-03-01T00:00:00Z"
)

// newPeerID makes the peer ID of a fresh Ed25519 key.
func newPeerID(t *testing.T) peer.ID {
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

// periodStatus is the period named start, a day long.
func periodStatus(t *testing.T, start, status string) settlement.PeriodStatus {
	t.Helper()
	s, err := time.Parse(time.RFC3339, start)
	if err != nil {
		t.Fatal(err)
	}
	return settlement.PeriodStatus{Period: start, Start: s, End: s.Add(24 * time.Hour), Status: status}
}

// withSettlement gives the harness a closed, agreed period with a
// statement (Beta owes Alpha merchant shares, one entry disputed) and its
// netting, and an open period after it.
func withSettlement(t *testing.T, h *harness) {
	t.Helper()
	self, other := h.self.id.String(), h.other.id.String()
	h.settle.setPeriods(periodStatus(t, closedPeriod, "agreed"), periodStatus(t, openPeriod, "open"))
	eur := func(a int64) settlement.Money { return settlement.Money{Amount: a, Currency: "EUR"} }
	h.settle.setStatements(closedPeriod, settlement.Statement{Period: closedPeriod, Parties: [2]string{min(self, other), max(self, other)},
		Currency: "EUR", Count: 3, Digest: strings.Repeat("d1", 32), Status: settlement.StatusDisputed,
		Totals: []settlement.Total{
			{Kind: settlement.EntryFee, From: other, To: self, Amount: eur(75), Count: 1},
			{Kind: settlement.EntrySale, From: other, To: self, Amount: eur(4250), Count: 2},
		},
		Disputes:   []settlement.Dispute{{EntryID: strings.Repeat("e7", 32), Reason: settlement.DisputeMissingThere}},
		Signatures: []settlement.Signature{{PublicKey: []byte("k1"), Signature: []byte("s1")}}})
	h.settle.setStatements(openPeriod, settlement.Statement{Period: openPeriod, Parties: [2]string{min(self, other), max(self, other)},
		Status: settlement.StatusOpen, Digest: strings.Repeat("0f", 32)})
	h.settle.setNetting(settlement.Netting{Period: closedPeriod,
		Positions: []settlement.NamedPosition{{PeerID: self, Name: "Alpha Market", Net: eur(4325)}, {PeerID: other, Name: "Beta Bazaar", Net: eur(-4325)}},
		Transfers: []settlement.Transfer{{From: other, To: self, Amount: eur(4325)}}})
}

// amendment is the charter's next version: Gamma Goods added, Beta Bazaar
// suspended, the storefront commission raised to 300 bps. Beta has signed;
// 2 of the 2 voters are needed.
func amendment(t *testing.T, h *harness) (federation.Proposal, peer.ID) {
	t.Helper()
	cur, _ := h.fed.Charter()
	next := *cur
	next.Charter.Version = cur.Charter.Version + 1
	next.Charter.Previous = cur.Charter.Digest()
	next.Charter.Policy.StorefrontCommissionBPS = 300
	gamma := newPeerID(t)
	next.Charter.Members = append([]federation.Member(nil), cur.Charter.Members...)
	next.Charter.Members[1].Status = federation.StatusSuspended
	next.Charter.Members = append(next.Charter.Members, federation.Member{PeerID: gamma.String(), Name: "Gamma Goods",
		API: "https://gamma.example", Addrs: []string{"/ip4/127.0.0.1/tcp/4003"}, Status: federation.StatusActive})
	next.Signatures = []federation.Signature{{PeerID: h.other.id.String(), Signature: "c2ln"}}
	return federation.Proposal{Charter: &next, Digest: next.Charter.Digest(), Signers: []string{h.other.id.String()},
		Voters: []string{h.self.id.String(), h.other.id.String()}, Needed: 2, ReceivedAt: h.clock.Now().Add(-time.Hour)}, gamma
}

// operator returns a browser signed in as the operator.
func (h *harness) operator() *browser {
	h.t.Helper()
	b := h.browser()
	if r := b.signInOperator(testOperator); r.Code != 303 {
		h.t.Fatalf("operator sign-in: %d", r.Code)
	}
	return b
}
