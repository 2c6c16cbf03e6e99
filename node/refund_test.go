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

// TestPartialCancelAndRefundsAcrossThreeMembers: a shopper on Alpha
// cancels one of three pans of a part homed on Beta (over REST; the pan
// goes back to Beta's stock), and Beta refunds pieces of another part (a
// pan back to stock, then 5.00 twice: two refunds); Gamma refunds part of
// its own. Each refund reaches the shopper's payment, is booked by its id
// on both sides, and once the periods close every pair agrees and the
// netting sums to zero.
func TestPartialCancelAndRefundsAcrossThreeMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for one-minute settlement periods to end")
	}
	t.Parallel() // most of its time is spent waiting for periods to end
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "refund-test", FederationName: "Refund Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000, FederationFeeBPS: 100},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	pan, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4990, 10)
	apron, tokG := listOn(t, c, 2, "Gamma Linen", "APRON-G", 2600, 10)
	sh := newShopper(t, a, "Grace Hopper")
	buy := func(key string, items ...order.ItemInput) order.Order {
		t.Helper()
		s, body := sh.checkout(sh.cart(items...), key, order.CardApprove)
		var o order.Order
		if s != 201 || json.Unmarshal(body, &o) != nil {
			t.Fatalf("checkout: %d %s", s, body)
		}
		testwait.For(t, 10*time.Second, func() error {
			if got := partStatuses(sh.order(o.ID)); strings.Trim(strings.ReplaceAll(got, "accepted", ""), ",") != "" {
				return fmt.Errorf("parts %s", got)
			}
			return nil
		})
		return sh.order(o.ID)
	}
	refundedOf := func(id string, want int64) {
		t.Helper()
		testwait.For(t, 15*time.Second, func() error {
			if got := sh.order(id).Payment.Refunded.Amount; got != want {
				return fmt.Errorf("order %s: %d refunded, want %d", id, got, want)
			}
			return nil
		})
	}

	// Alpha's shopper cancels one of three pans before Beta ships.
	o1 := buy("k1", order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 3})
	p1 := o1.Parts[0].ID
	route := "/v1/orders/{id}/parts/{part}/cancel"
	url := a.APIURL() + "/v1/orders/" + o1.ID + "/parts/" + p1 + "/cancel"
	if s, body := req(t, "POST", url, route, sh.token, map[string]any{"lines": []order.Units{{ListingID: pan, SKU: "PAN-B", Quantity: 4}}}); s != 422 || !strings.Contains(string(body), `"lines[0].quantity"`) {
		t.Fatalf("cancelling four of three pans: %d %s", s, body)
	}
	if s, body := req(t, "POST", url, route, sh.token, map[string]any{"lines": []order.Units{{ListingID: pan, SKU: "PAN-B", Quantity: 1}}}, "Idempotency-Key", "c1"); s != 200 {
		t.Fatalf("cancelling one pan: %d %s", s, body)
	}
	refundedOf(o1.ID, 4990)
	testwait.For(t, 15*time.Second, func() error {
		if n := stockOf(t, b, pan); n != 8 {
			return fmt.Errorf("Beta's stock %d, want 8", n)
		}
		return nil
	})
	shipAndDeliver(t, b, tokB, p1)
	testwait.For(t, 15*time.Second, func() error { // the storefront refuses at once what it knows shipped
		if got := partStatuses(sh.order(o1.ID)); got != order.StatusDelivered {
			return fmt.Errorf("Alpha sees the part %s", got)
		}
		return nil
	})
	route = "/v1/orders/{id}/parts/{part}/cancel"
	if s, body := req(t, "POST", url, route, sh.token, map[string]any{"lines": []order.Units{{ListingID: pan, SKU: "PAN-B", Quantity: 1}}}); s != 409 {
		t.Fatalf("cancelling a pan of a shipped part: %d %s", s, body)
	}

	// Beta refunds a second part in pieces; Gamma part of its own.
	o2 := buy("k2", order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 2}, order.ItemInput{ListingID: apron, SKU: "APRON-G", Quantity: 2})
	parts := map[string]string{}
	for _, p := range o2.Parts {
		parts[p.Platform] = p.ID
	}
	p2, p3 := parts[b.PeerID().String()], parts[g.PeerID().String()]
	shipAndDeliver(t, b, tokB, p2)
	shipAndDeliver(t, g, tokG, p3)
	refund := func(n *Node, tok, part string, body any, key string, want int) order.HomePart {
		t.Helper()
		route := "/v1/merchant/orders/{id}/refunds"
		s, out := req(t, "POST", n.APIURL()+"/v1/merchant/orders/"+part+"/refunds", route, tok, body, "Idempotency-Key", key)
		var p order.HomePart
		if s != want || (want == 200 && json.Unmarshal(out, &p) != nil) {
			t.Fatalf("refund %v of %s: %d %s", body, part, s, out)
		}
		return p
	}
	refund(b, tokB, p2, map[string]any{"amount": 2*4990 + 1}, "over", 422)
	refund(b, tokB, p2, map[string]any{"lines": []order.Units{{ListingID: pan, SKU: "PAN-B", Quantity: 1}}, "restock": true}, "r1", 200)
	refund(b, tokB, p2, map[string]any{"amount": 500}, "r2", 200)
	refund(b, tokB, p2, map[string]any{"amount": 500}, "r2", 200) // a retry: the same refund
	hp := refund(b, tokB, p2, map[string]any{"amount": 500, "reason": "late"}, "r3", 200)
	if len(hp.Refunds) != 3 || hp.Status != order.StatusDelivered || hp.Refunded.Amount != 4990+1000 {
		t.Fatalf("Beta's part after three refunds: %s, %+v", hp.Status, hp.Refunds)
	}
	refund(g, tokG, p3, map[string]any{"amount": 700}, "g1", 200)
	refundedOf(o2.ID, 4990+1000+700)
	if n := stockOf(t, b, pan); n != 7 { // 10 − 3 + 1 cancelled − 2 + 1 restocked
		t.Errorf("Beta's stock %d, want 7", n)
	}
	testwait.For(t, 15*time.Second, func() error {
		if got := sh.order(o2.ID).Parts; len(got[0].Refunds)+len(got[1].Refunds) != 4 {
			return fmt.Errorf("the storefront's parts hold %d and %d refunds", len(got[0].Refunds), len(got[1].Refunds))
		}
		return nil
	})

	// Every refund is booked by its id, alike on both sides.
	refundsBookedAlike(t, a, b, p2, 3, "Beta's part")

	periodsAgree(t, c, clk)
}

// TestRefundStatusesAreTheirOwnEvents: a status that states a refund is
// that refund, named by its id, whatever the part's state; one that ends
// the part by cancelling its last units is a cancellation; a status
// without one maps as before.
func TestRefundStatusesAreTheirOwnEvents(t *testing.T) {
	eur := func(n int64) order.Money { return order.Money{Amount: n, Currency: "EUR"} }
	base := order.Status{Seq: 6, Merchant: "m", Total: eur(10890), Shipping: eur(890), Refunded: eur(2990), RefundedShipping: eur(890), Policy: 1}
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		status, refund string
		kind           string
		gross, ship    int64
		of             string
	}{
		{order.StatusDelivered, "rf1", settlement.EventRefunded, 2990, 890, "rf1"},
		{order.StatusAccepted, "rf2", settlement.EventRefunded, 2990, 890, "rf2"},
		{order.StatusCancelled, "rf3", settlement.EventCancelled, 2990, 890, "rf3"},
		{order.StatusDelivered, "", settlement.EventDelivered, 10890, 890, ""},
		{order.StatusRefunded, "", settlement.EventRefunded, 2990, 890, ""},
	} {
		st := base
		st.Status = c.status
		if c.refund != "" {
			st.Refund = &order.Refund{ID: c.refund, Seq: 6, Kind: order.RefundKindRefund, Amount: eur(2990), Shipping: eur(890)}
		}
		ev, ok := settlementEvent(order.PartEvent{Part: "o-1", Storefront: "S", Home: "H", Status: &st, At: at})
		if !ok || ev.Kind != c.kind || ev.Gross.Amount != c.gross || ev.Shipping.Amount != c.ship || ev.RefundOf != c.of {
			t.Errorf("%s with refund %q: %+v (%v)", c.status, c.refund, ev, ok)
		}
	}
}
