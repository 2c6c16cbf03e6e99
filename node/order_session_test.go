package node

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/orderwire"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// TestOrderMessagesShareStreams sends order messages from Gamma, a member
// with its real key, to Beta over the session protocol: one after another
// they travel on one stream, and each is still checked and budgeted on
// its own (a flood of holds on one stream is refused past the budget). A
// stream the receiver ends between two messages costs the sender
// nothing but a new one, and a member that predates sessions gets a
// stream per message.
func TestOrderMessagesShareStreams(t *testing.T) {
	c := startClusterWith(t, func(cfg *Config) { cfg.Orders.MaxHolds = 5 }, "Alpha", "Beta", "Gamma")
	b, g := c.Nodes[1], c.Nodes[2]
	listing, _ := listOn(t, c, 1, "Bremen Glass", "GLASS-B", 990, 100)
	merchant := mustMerchantOf(t, b, listing)
	tr := orderwire.NewTransport(g.fed)
	send := func(part string) order.Code {
		t.Helper()
		raw := order.SignedReserve(g.key, b.PeerID().String(), part, merchant, testAddress,
			[]order.Line{{ListingID: listing, SKU: "GLASS-B", Quantity: 1, UnitPrice: order.Money{Amount: 990, Currency: "EUR"}}})
		answer, err := tr.Request(t.Context(), b.PeerID().String(), raw)
		if err != nil {
			t.Fatalf("part %s: %v", part, err)
		}
		var r order.Reply
		if err := json.Unmarshal(answer, &r); err != nil {
			t.Fatal(err)
		}
		return r.Code
	}

	refused := 0
	for i := range 12 {
		if send(fmt.Sprintf("ord_sess%02d-1", i)) == order.CodeBudget {
			refused++
		}
	}
	if refused != 7 || stockOf(t, b, listing) != 95 {
		t.Errorf("%d of 12 holds refused, stock %d; want 7 refused and 5 units held", refused, stockOf(t, b, listing))
	}
	if n := streamsFrom(b, g, orderwire.SessionProtocol); n != 1 {
		t.Errorf("Beta holds %d session streams from Gamma after 12 messages in turn, want 1", n)
	}

	// Beta ends the idle stream (its idle time ran out, or it restarted
	// its side): the next message goes through on a new one.
	resetSessions(b, g)
	if code := send("ord_sess12-1"); code != order.CodeBudget {
		t.Errorf("after Beta ended the stream, a hold past the budget answered code %d", code)
	}

	// A member that predates sessions: one stream per message, as before.
	// Gamma learns what Beta speaks from identify, as it would from a
	// member of an earlier build.
	b.fed.Host().RemoveStreamHandler(orderwire.SessionProtocol)
	testwait.For(t, 10*time.Second, func() error {
		if ps, _ := g.fed.Host().Peerstore().SupportsProtocols(b.PeerID(), orderwire.SessionProtocol); len(ps) > 0 {
			return fmt.Errorf("Gamma still thinks Beta speaks %v", ps)
		}
		return nil
	})
	resetSessions(b, g)
	if code := send("ord_sess13-1"); code != order.CodeBudget {
		t.Errorf("over the protocol without sessions, a hold past the budget answered code %d", code)
	}
	// A stream Beta reset stays in its connection's list until its
	// handler has returned, which a loaded machine may not have run yet;
	// so the count waits for that, and a stream kept open still fails it.
	testwait.For(t, 10*time.Second, func() error {
		if n := streamsFrom(b, g, orderwire.SessionProtocol); n != 0 {
			return fmt.Errorf("Beta, without sessions, holds %d session streams", n)
		}
		return nil
	})
}

// resetSessions ends, on n's side, the session streams member from holds
// open with it.
func resetSessions(n, from *Node) {
	for _, conn := range n.fed.Host().Network().ConnsToPeer(from.PeerID()) {
		for _, s := range conn.GetStreams() {
			if s.Protocol() == orderwire.SessionProtocol {
				_ = s.Reset()
			}
		}
	}
}

// streamsFrom counts the streams of protocol id that member from holds
// open with n.
func streamsFrom(n, from *Node, id protocol.ID) int {
	count := 0
	for _, conn := range n.fed.Host().Network().ConnsToPeer(from.PeerID()) {
		for _, s := range conn.GetStreams() {
			if s.Protocol() == id {
				count++
			}
		}
	}
	return count
}
