package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// TestReturnAcrossThreeMembers: a shopper on Alpha returns two of three
// pans of a part homed on Beta (over REST); Beta's merchant sees the
// request, approves it with a label and marks the pans received; the
// refund of their worth less Beta's 5% restocking fee reaches the
// shopper's payment and Beta's stock, both sides hold the same return, and
// once the periods close every pair agrees and the netting sums to zero.
func TestReturnAcrossThreeMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for one-minute settlement periods to end")
	}
	t.Parallel() // most of its time is spent waiting for periods to end
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "return-test", FederationName: "Return Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000, FederationFeeBPS: 100},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	pan, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4990, 10)
	apron, _ := listOn(t, c, 2, "Gamma Linen", "APRON-G", 2600, 10)
	profile := catalog.MerchantProfileInput{Name: "Bremen Forge", Country: "DE",
		Policies: catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper, RestockingFeeBPS: 500, HandlingDays: 1}}
	s, body := req(t, "PUT", b.APIURL()+"/v1/merchant/profile", "/v1/merchant/profile", tokB, profile)
	var mp catalog.MerchantProfile
	if s != 200 || json.Unmarshal(body, &mp) != nil {
		t.Fatalf("merchant profile: %d %s", s, body)
	}
	testwait.For(t, 45*time.Second, func() error { // the storefront reads the policy from its own catalog
		p, err := a.Catalog().MerchantProfile(t.Context(), b.PeerID().String(), mp.Merchant)
		if err != nil || p.Policies.ReturnDays != 14 {
			return fmt.Errorf("Beta's merchant on Alpha: %+v %v", p.Policies, err)
		}
		return nil
	})

	sh := newShopper(t, a, "Grace Hopper")
	s, body = sh.checkout(sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 3}, order.ItemInput{ListingID: apron, SKU: "APRON-G", Quantity: 1}), "k1", order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil {
		t.Fatalf("checkout: %d %s", s, body)
	}
	var part string
	for _, p := range o.Parts {
		if p.Platform == b.PeerID().String() {
			part = p.ID
		}
	}
	testwait.For(t, 10*time.Second, func() error {
		if p, err := b.Orders().HomePartOf(t.Context(), "", part); err != nil || p.Status != order.StatusAccepted {
			return fmt.Errorf("part on Beta: %s %v", p.Status, err)
		}
		return nil
	})
	partOf := func() order.Part {
		for _, p := range sh.order(o.ID).Parts {
			if p.ID == part {
				return p
			}
		}
		t.Fatalf("order %s has no part %s", o.ID, part)
		return order.Part{}
	}
	route := "/v1/orders/{id}/parts/{part}/returns"
	url := a.APIURL() + "/v1/orders/" + o.ID + "/parts/" + part + "/returns"
	twoPans := map[string]any{"lines": []order.Units{{ListingID: pan, SKU: "PAN-B", Quantity: 2}}, "reason": "damaged", "note": "Both arrived dented."}
	if s, body := req(t, "POST", url, route, sh.token, twoPans); s != 409 || !strings.Contains(string(body), "delivered") {
		t.Fatalf("returning pans not delivered: %d %s", s, body)
	}
	shipAndDeliver(t, b, tokB, part)
	testwait.For(t, 10*time.Second, func() error {
		if p := partOf(); p.Status != order.StatusDelivered {
			return fmt.Errorf("part on Alpha: %s", p.Status)
		}
		return nil
	})

	fourPans := map[string]any{"lines": []order.Units{{ListingID: pan, SKU: "PAN-B", Quantity: 4}}, "reason": "damaged"}
	if s, body := req(t, "POST", url, route, sh.token, fourPans); s != 422 || !strings.Contains(string(body), `"lines[0].quantity"`) {
		t.Fatalf("returning four of three pans: %d %s", s, body)
	}
	s, body = req(t, "POST", url, route, sh.token, twoPans, "Idempotency-Key", "ret1")
	var r order.Return
	if s != 202 || json.Unmarshal(body, &r) != nil || r.State != order.ReturnRequested {
		t.Fatalf("returning two pans: %d %s", s, body)
	}

	// Beta's merchant sees it, approves it and receives the pans.
	var list struct{ Returns []order.MerchantReturn }
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "GET", b.APIURL()+"/v1/merchant/returns", "/v1/merchant/returns", tokB, nil)
		if s != 200 || json.Unmarshal(body, &list) != nil || len(list.Returns) != 1 || list.Returns[0].Return.ID != r.ID {
			return fmt.Errorf("Beta's returns: %d %s", s, body)
		}
		return nil
	})
	step := func(action string, in any, want int) order.HomePart {
		t.Helper()
		route := "/v1/merchant/orders/{id}/returns/{rid}/" + action
		s, body := req(t, "POST", b.APIURL()+"/v1/merchant/orders/"+part+"/returns/"+r.ID+"/"+action, route, tokB, in)
		var hp order.HomePart
		if s != want || (want == 200 && json.Unmarshal(body, &hp) != nil) {
			t.Fatalf("%s return: %d %s", action, s, body)
		}
		return hp
	}
	step("approve", map[string]string{"label_url": "http://labels.example/1"}, 422)
	step("received", nil, 409)
	step("approve", map[string]string{"label_url": "https://labels.example/1.pdf"}, 200)
	step("approve", map[string]string{"drop_off_code": "X"}, 409)
	hp := step("received", nil, 200)
	fee := int64(2 * 4990 * 500 / 10000)
	if len(hp.Refunds) != 1 || hp.Refunds[0].Amount.Amount != 2*4990-fee || !hp.Refunds[0].Restock {
		t.Fatalf("Beta's part after the return: %+v", hp.Refunds)
	}
	testwait.For(t, 15*time.Second, func() error {
		if got := sh.order(o.ID).Payment.Refunded.Amount; got != 2*4990-fee {
			return fmt.Errorf("%d refunded, want %d", got, 2*4990-fee)
		}
		return nil
	})
	if n := stockOf(t, b, pan); n != 9 {
		t.Errorf("Beta's stock %d, want 9", n)
	}
	var mine struct{ Returns []order.Return }
	if s, body := req(t, "GET", url, route, sh.token, nil); s != 200 || json.Unmarshal(body, &mine) != nil || len(mine.Returns) != 1 {
		t.Fatalf("the part's returns on Alpha: %d %s", s, body)
	}
	got := mine.Returns[0]
	if got.State != order.ReturnReceived || got.RestockingFee.Amount != fee || len(got.Steps) != 3 || got.Instructions == nil {
		t.Fatalf("the return on Alpha: %+v", got)
	}
	ja, _ := json.Marshal(got)
	jb, _ := json.Marshal(hp.Returns[0])
	if string(ja) != string(jb) {
		t.Errorf("the return differs:\nAlpha %s\nBeta  %s", ja, jb)
	}

	// The refund is booked alike on both sides; the periods agree.
	refundsBookedAlike(t, a, b, part, 1, "the returned pans")
	periodsAgree(t, c, clk)
}

// TestReturnStatusesMoveNoMoneyButTheirRefund: a status that states a
// return's request, approval or refusal is no settlement event (the part
// stays booked as delivered); the one that states its receipt is its
// refund.
func TestReturnStatusesMoveNoMoneyButTheirRefund(t *testing.T) {
	eur := func(n int64) order.Money { return order.Money{Amount: n, Currency: "EUR"} }
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, state := range []string{order.ReturnRequested, order.ReturnApproved, order.ReturnRefused} {
		st := order.Status{Seq: 5, Status: order.StatusDelivered, Merchant: "m", Total: eur(10890), Policy: 1,
			Return: &order.Return{ID: "r1", Seq: 5, State: state}}
		if ev, ok := settlementEvent(order.PartEvent{Part: "o-1", Storefront: "S", Home: "H", Status: &st, At: at}); ok {
			t.Errorf("a %s return is booked: %+v", state, ev)
		}
	}
	st := order.Status{Seq: 6, Status: order.StatusDelivered, Merchant: "m", Total: eur(10890), Refunded: eur(9481), Policy: 1,
		Return: &order.Return{ID: "r1", Seq: 6, State: order.ReturnReceived},
		Refund: &order.Refund{ID: "rf1", Seq: 6, Kind: order.RefundKindRefund, Amount: eur(9481)}}
	ev, ok := settlementEvent(order.PartEvent{Part: "o-1", Storefront: "S", Home: "H", Status: &st, At: at})
	if !ok || ev.Kind != settlement.EventRefunded || ev.RefundOf != "rf1" || ev.Gross.Amount != 9481 {
		t.Errorf("a received return: %+v (%v)", ev, ok)
	}
}
