package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/orderwire"
	"github.com/fedmart/fedmart/federation/settlewire"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestMaliciousMemberIsRefused plays Gamma, a member with its real key and
// its own node, against Alpha and Beta: it invents a sale in a settlement
// session, reserves one merchant's listing in another's name, floods a
// home with holds, and answers a netting with another period's agreed
// statements. Each attack is refused, changes nothing, and the honest
// pair's statements still agree.
func TestMaliciousMemberIsRefused(t *testing.T) {
	c := startClusterWith(t, func(cfg *Config) { cfg.Orders.MaxHolds = 5 }, "Alpha", "Beta", "Gamma")
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	ctx := t.Context()
	length := time.Hour
	p1 := settlement.PeriodOf(time.Now().Add(-3*time.Hour), length).Name
	p2 := settlement.PeriodOf(time.Now().Add(-2*time.Hour), length).Name
	p3 := settlement.PeriodOf(time.Now().Add(-4*time.Hour), length).Name

	t.Run("an invented sale in a settlement session", func(t *testing.T) {
		fake := settlement.Event{PartID: "ord_fakefakefakefake-1", Kind: settlement.EventDelivered, Storefront: a.PeerID().String(),
			Home: g.PeerID().String(), Merchant: "m", Category: "Home", Gross: settlement.Money{Amount: 5_000_000, Currency: "EUR"},
			PolicyVersion: 1, At: time.Now().Add(-3 * time.Hour)}
		if _, err := g.Ledger().Post(ctx, fake); err != nil {
			t.Fatal(err)
		}
		st, err := runAs(ctx, g, a, p1, length, forgedEvidence{g: g})
		if err != nil && !errors.Is(err, settlement.ErrForged) {
			t.Logf("session: %v", err)
		}
		if st.Status == settlement.StatusAgreed {
			t.Fatal("Alpha agreed to a statement with an invented sale")
		}
		for _, e := range entriesWith(t, a, p1, g.PeerID().String()) {
			t.Errorf("Alpha holds an entry from the invented sale: %+v", e)
		}
	})

	t.Run("a reserve naming another merchant", func(t *testing.T) {
		listing, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 50)
		other, _ := listOn(t, c, 1, "Bremen Linen", "APRON-B", 2500, 50)
		otherMerchant := mustMerchantOf(t, b, other)
		raw := order.SignedReserve(g.key, b.PeerID().String(), "ord_steal-1", otherMerchant, testAddress,
			[]order.Line{{ListingID: listing, SKU: "PAN-B", Quantity: 3, UnitPrice: order.Money{Amount: 4999, Currency: "EUR"}}})
		if code := askAs(t, g, b, raw); code != order.CodeInvalid {
			t.Errorf("a reserve of Bremen Forge's pan in Bremen Linen's name answered code %d", code)
		}
		if n := stockOf(t, b, listing); n != 50 {
			t.Errorf("stock %d after the refused reserve", n)
		}
		if _, err := b.Orders().HomePartOf(ctx, "", "ord_steal-1"); !errors.Is(err, order.ErrNotFound) {
			t.Errorf("Beta keeps the refused part: %v", err)
		}
	})

	t.Run("a flood of holds", func(t *testing.T) {
		listing, _ := listOn(t, c, 1, "Bremen Glass", "GLASS-B", 990, 100)
		merchant := mustMerchantOf(t, b, listing)
		refused := 0
		for i := range 12 {
			raw := order.SignedReserve(g.key, b.PeerID().String(), fmt.Sprintf("ord_flood%02d-1", i), merchant, testAddress,
				[]order.Line{{ListingID: listing, SKU: "GLASS-B", Quantity: 1, UnitPrice: order.Money{Amount: 990, Currency: "EUR"}}})
			if askAs(t, g, b, raw) == order.CodeBudget {
				refused++
			}
		}
		if refused != 7 || stockOf(t, b, listing) != 95 {
			t.Errorf("%d of 12 holds refused, stock %d; want 7 refused and 5 units held", refused, stockOf(t, b, listing))
		}
	})

	t.Run("another period's statements in a netting", func(t *testing.T) {
		for _, p := range []string{p2, p3} {
			settleAll(t, c, p)
		}
		g.fed.Handle(settlewire.StatementsProtocol, func(ctx context.Context, _ peer.ID, s network.Stream) error {
			var req struct {
				Period string `json:"period"`
			}
			if err := wire.NewReader(s).ReadJSON(1024, &req); err != nil {
				return err
			}
			list, err := g.settle.Statements(ctx, p2) // whatever was asked
			if err != nil {
				return err
			}
			return wire.WriteJSON(s, map[string]any{"statements": list})
		})
		_, _, err := a.settle.Netting(ctx, p3)
		if err == nil || !strings.Contains(err.Error(), "period "+p2) {
			t.Fatalf("netting with Gamma's statements of another period: %v", err)
		}
		sa, _ := a.Ledger().Statement(ctx, p2, b.PeerID().String())
		sb, _ := b.Ledger().Statement(ctx, p2, a.PeerID().String())
		if sa.Status != settlement.StatusAgreed || sa.Digest != sb.Digest {
			t.Errorf("the honest pair's statement: %s %s vs %s", sa.Status, sa.Digest, sb.Digest)
		}
	})
}

// forgedEvidence proves whatever it is asked with the attacker's own
// signed status and no reserve or confirm of the storefront's.
type forgedEvidence struct{ g *Node }

func (f forgedEvidence) Proof(_ context.Context, ev settlement.Event) ([]byte, error) {
	st := &order.Status{Seq: 4, Status: order.StatusDelivered, Merchant: ev.Merchant, Category: ev.Category,
		Total: order.Money{Amount: ev.Gross.Amount, Currency: ev.Gross.Currency}, Policy: ev.PolicyVersion}
	return json.Marshal(order.Proof{Status: order.SignedStatus(f.g.key, ev.Storefront, ev.PartID, ev.At, st)})
}

func (forgedEvidence) Verify(context.Context, []byte) (settlement.Event, error) {
	return settlement.Event{}, errors.New("the attacker accepts nothing")
}

// runAs runs a settlement session of period from attacker to victim with
// the attacker's evidence, and returns the victim's statement after it.
func runAs(ctx context.Context, attacker, victim *Node, period string, length time.Duration, ev settlement.Evidence) (settlement.Statement, error) {
	pub, _ := victim.PeerID().ExtractPublicKey()
	s, err := attacker.fed.Open(ctx, victim.PeerID(), settlewire.SessionProtocol)
	if err != nil {
		return settlement.Statement{}, err
	}
	_, err = attacker.Ledger().ReconcilePeriod(ctx, s, true, settlement.SessionParams{Period: period, Counterparty: victim.PeerID().String(),
		Self: attacker.key, Peer: pub, Evidence: ev, Length: length, Through: time.Now()})
	if err != nil {
		_ = s.Reset()
	} else {
		_ = s.Close()
	}
	st, serr := victim.Ledger().Statement(ctx, period, attacker.PeerID().String())
	return st, errors.Join(err, serr)
}

// askAs sends raw over the order protocol from one node's host to another
// and returns the refusal code (0 when accepted).
func askAs(t *testing.T, from, to *Node, raw []byte) order.Code {
	t.Helper()
	answer, err := orderwire.Transport{Fed: from.fed}.Request(t.Context(), to.PeerID().String(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var r order.Reply
	if err := json.Unmarshal(answer, &r); err != nil {
		t.Fatal(err)
	}
	return r.Code
}

// settleAll settles period between every pair of the cluster.
func settleAll(t *testing.T, c *Cluster, period string) {
	t.Helper()
	for i, n := range c.Nodes {
		for _, m := range c.Nodes[i+1:] {
			from, to := n, m
			if to.PeerID().String() < from.PeerID().String() {
				from, to = to, from
			}
			st, err := from.settle.Settle(t.Context(), to.PeerID().String(), period)
			if err != nil || st.Status != settlement.StatusAgreed {
				t.Fatalf("%s-%s %s: %s %v", from.Name(), to.Name(), period, st.Status, err)
			}
		}
	}
}
