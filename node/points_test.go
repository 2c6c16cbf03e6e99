package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// TestPointsAcrossThreeMembers: a shopper of Alpha earns points on a
// part homed on Gamma (funded half by Gamma, half by Alpha, its own
// storefront and issuer), returns one of the two items (a refund that
// takes half the points back, and half of Gamma's funding), and spends
// points on a part homed on Beta, over REST. Gamma and Alpha book the
// same points entries; once the periods close every pair agrees and
// the netting sums to zero.
func TestPointsAcrossThreeMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for one-minute settlement periods to end")
	}
	t.Parallel()
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "points-test", FederationName: "Points Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000},
		Loyalty: federation.Loyalty{EarnBPS: 10000, PointValue: 1, Funder: federation.FunderSplit, FunderHomeBPS: 5000,
			SpendableOn: federation.SpendableOnDelivered, Expiry: federation.Duration(365 * 24 * time.Hour), MaxShareBPS: 5000},
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	apron, tokG := listOn(t, c, 2, "Gamma Linen", "APRON-G", 2600, 10)
	pan, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4990, 10)
	sh := newShopper(t, a, "Grace Hopper")
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: apron, SKU: "APRON-G", Quantity: 2}), "k1", order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil {
		t.Fatalf("checkout: %d %s", s, body)
	}
	part := o.Parts[0].ID
	testwait.For(t, 15*time.Second, func() error {
		if got := partStatuses(sh.order(o.ID)); got != order.StatusAccepted {
			return fmt.Errorf("part %s", got)
		}
		return nil
	})
	shipAndDeliver(t, g, tokG, part)
	points := func() order.PointsView {
		t.Helper()
		s, b := req(t, "GET", a.APIURL()+"/v1/points", "/v1/points", sh.token, nil)
		var v order.PointsView
		if s != 200 || json.Unmarshal(b, &v) != nil {
			t.Fatalf("points: %d %s", s, b)
		}
		return v
	}
	testwait.For(t, 15*time.Second, func() error {
		if v := points(); v.Balance.Spendable != 52 {
			return fmt.Errorf("points %+v", v.Balance)
		}
		return nil
	})

	// One apron back: half the points, and half of Gamma's funding.
	route := "/v1/merchant/orders/{id}/refunds"
	if s, out := req(t, "POST", g.APIURL()+"/v1/merchant/orders/"+part+"/refunds", route, tokG,
		map[string]any{"lines": []order.Units{{ListingID: apron, SKU: "APRON-G", Quantity: 1}}, "restock": true}, "Idempotency-Key", "r1"); s != 200 {
		t.Fatalf("refund: %d %s", s, out)
	}
	testwait.For(t, 15*time.Second, func() error {
		if v := points(); v.Balance.Spendable != 26 || v.Reversed != 26 {
			return fmt.Errorf("points after the refund %+v", v)
		}
		return nil
	})

	// Points pay part of a pan from Beta; asking for more is refused.
	cart := sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 1})
	spend := func(key string, n int64) (int, []byte) {
		body := order.CheckoutRequest{ShippingAddress: testAddress, Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}, Points: n}
		return req(t, "POST", a.APIURL()+"/v1/carts/"+cart+"/checkout", "/v1/carts/{id}/checkout", sh.token, body, "Idempotency-Key", key)
	}
	if s, out := spend("k2", 27); s != 422 || !strings.Contains(string(out), `"points"`) {
		t.Fatalf("spending 27 of 26 points: %d %s", s, out)
	}
	s, body = spend("k3", 20)
	var o2 order.Order
	if s != 201 || json.Unmarshal(body, &o2) != nil || o2.Points == nil || o2.Payment.Amount.Amount != o2.Total.Amount-20 {
		t.Fatalf("spending 20 points: %d %s", s, body)
	}
	testwait.For(t, 15*time.Second, func() error {
		if v := points(); v.Spent != 20 || v.Balance.Spendable != 6 {
			return fmt.Errorf("points after spending %+v", v)
		}
		return nil
	})

	// Gamma and Alpha hold the same points entries: Gamma funded 26,
	// then gave back 13 (its half of the 26 points the refund took back).
	pointsWith := func(n, cp *Node) map[string]settlement.Entry {
		out := map[string]settlement.Entry{}
		periods, _ := n.Settlement().Periods(t.Context())
		for _, p := range periods {
			for id, e := range entriesWith(t, n, p.Period, cp.PeerID().String()) {
				if strings.HasPrefix(e.Kind, "points_") {
					out[id] = e
				}
			}
		}
		return out
	}
	testwait.For(t, 15*time.Second, func() error {
		ag, ga := pointsWith(a, g), pointsWith(g, a)
		var funded, back int64
		for id, e := range ga {
			if ag[id] != e {
				return fmt.Errorf("Alpha's entry %s differs from Gamma's %+v", id, e)
			}
			switch e.Kind {
			case settlement.EntryPointsFunding:
				funded += e.Amount.Amount
			case settlement.EntryPointsReversal:
				back += e.Amount.Amount
			}
		}
		if len(ag) != len(ga) || funded != 26 || back != 13 {
			return fmt.Errorf("Alpha holds %d points entries with Gamma, Gamma %d: funded %d, given back %d", len(ag), len(ga), funded, back)
		}
		return nil
	})
	// Alpha proves a points entry Gamma might lack with the statuses it
	// holds; Gamma derives the same event from the proof.
	for id, e := range pointsWith(a, g) {
		ev, err := a.Ledger().EntryEvent(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		proof, err := evidence{a.Orders(), a.pointsEvent}.Proof(t.Context(), ev)
		if err != nil {
			t.Fatalf("proving %s %s: %v", e.Kind, id, err)
		}
		if got, err := (evidence{g.Orders(), g.pointsEvent}).Verify(t.Context(), proof); err != nil || got != ev {
			t.Errorf("Gamma verifies %+v, %v; want %+v", got, err, ev)
		}
		forged := []byte(strings.Replace(string(proof), `"account":"`, `"account":"x`, 1))
		if string(forged) == string(proof) {
			t.Fatalf("the proof names no account: %s", proof)
		}
		if _, err := (evidence{g.Orders(), g.pointsEvent}).Verify(t.Context(), forged); err == nil {
			t.Error("a proof with its claim changed verifies")
		}
	}
	if n := len(pointsWith(a, b)); n != 0 {
		t.Errorf("Alpha holds %d points entries with Beta, whose shopper spent nothing there", n)
	}
	periodsAgree(t, c, clk)
}
