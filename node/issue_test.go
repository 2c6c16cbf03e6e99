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
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/settlement"
)

// TestIssueAcrossThreeMembers: a shopper on Alpha complains (over REST)
// about a part homed on Beta; Beta's merchant sees it with its deadline
// under the charter's terms and offers a partial refund; the shopper
// accepts it and the refund reaches the shopper's payment, booked alike on
// both sides; once the periods close every pair agrees and the netting
// sums to zero. The demo charter names Gamma as arbiter.
func TestIssueAcrossThreeMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for one-minute settlement periods to end")
	}
	t.Parallel() // most of its time is spent waiting for periods to end
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "issue-test", FederationName: "Issue Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000, FederationFeeBPS: 100},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	if terms := a.serviceTerms(); terms.Arbiter != g.PeerID().String() || terms.FirstResponse != 24*time.Hour || terms.Resolution != 7*24*time.Hour {
		t.Fatalf("the demo charter's service terms: %+v", terms)
	}
	pan, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4990, 10)
	apron, _ := listOn(t, c, 2, "Gamma Linen", "APRON-G", 2600, 10)

	sh := newShopper(t, a, "Grace Hopper")
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 2}, order.ItemInput{ListingID: apron, SKU: "APRON-G", Quantity: 1}), "k1", order.CardApprove)
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
	shipAndDeliver(t, b, tokB, part)

	route := "/v1/orders/{id}/parts/{part}/issues"
	url := a.APIURL() + "/v1/orders/" + o.ID + "/parts/" + part + "/issues"
	bad := map[string]any{"category": "damaged", "description": "dented", "remedy": "refund", "evidence": []string{"http://img.example/1.jpg"}}
	if s, body := req(t, "POST", url, route, sh.token, bad); s != 422 || !strings.Contains(string(body), `"evidence[0]"`) {
		t.Fatalf("an issue with http evidence: %d %s", s, body)
	}
	in := map[string]any{"category": "damaged", "description": "One pan arrived dented.", "evidence": []string{"https://img.example/1.jpg"}, "remedy": "refund", "amount": 1500}
	s, body = req(t, "POST", url, route, sh.token, in, "Idempotency-Key", "iss1")
	var iss order.Issue
	if s != 202 || json.Unmarshal(body, &iss) != nil || iss.State != order.IssueOpen {
		t.Fatalf("opening an issue: %d %s", s, body)
	}
	escRoute := route + "/{iid}/escalate"
	if s, body := req(t, "POST", url+"/"+iss.ID+"/escalate", escRoute, sh.token, nil); s != 409 {
		t.Fatalf("escalating a fresh issue: %d %s", s, body)
	}

	// Beta's merchant sees it with its deadline and offers a refund.
	var list struct{ Issues []order.MerchantIssue }
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "GET", b.APIURL()+"/v1/merchant/issues", "/v1/merchant/issues", tokB, nil)
		if s != 200 || json.Unmarshal(body, &list) != nil || len(list.Issues) != 1 || list.Issues[0].Issue.ID != iss.ID {
			return fmt.Errorf("Beta's issues: %d %s", s, body)
		}
		return nil
	})
	if got := list.Issues[0].Issue; !got.RespondBy.Equal(got.OpenedAt.Add(24 * time.Hour)) {
		t.Errorf("the first-response deadline: opened %s, respond by %s", got.OpenedAt, got.RespondBy)
	}
	answer := func(in any, want int) {
		t.Helper()
		s, body := req(t, "POST", b.APIURL()+"/v1/merchant/issues/"+iss.ID+"/answer", "/v1/merchant/issues/{iid}/answer", tokB, in)
		if s != want {
			t.Fatalf("answer %v: %d %s", in, s, body)
		}
	}
	answer(map[string]any{"action": "offer", "remedy": "refund", "amount": 2*4990 + 1}, 422)
	answer(map[string]any{"action": "offer", "remedy": "refund", "amount": 1500, "text": "Sorry about the dent."}, 200)

	// The shopper accepts; the refund follows.
	replyRoute := route + "/{iid}/reply"
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "POST", url+"/"+iss.ID+"/reply", replyRoute, sh.token, map[string]string{"action": "accept"})
		if s != 202 {
			return fmt.Errorf("accepting: %d %s", s, body)
		}
		return nil
	})
	testwait.For(t, 15*time.Second, func() error {
		if got := sh.order(o.ID).Payment.Refunded.Amount; got != 1500 {
			return fmt.Errorf("%d refunded, want 1500", got)
		}
		return nil
	})
	var mine struct{ Issues []order.Issue }
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "GET", url, route, sh.token, nil)
		if s != 200 || json.Unmarshal(body, &mine) != nil || len(mine.Issues) != 1 || mine.Issues[0].State != order.IssueResolved {
			return fmt.Errorf("the part's issues on Alpha: %d %s", s, body)
		}
		return nil
	})
	hp, err := b.Orders().HomePartOf(t.Context(), "", part)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(mine.Issues[0])
	jb, _ := json.Marshal(hp.Issues[0])
	if string(ja) != string(jb) {
		t.Errorf("the issue differs:\nAlpha %s\nBeta  %s", ja, jb)
	}

	// The issue's steps sent no second delivery letter: the shopper was
	// told of the delivery once.
	if n := len(mailbox(t, c, 0, mail.KindPartDelivered)); n != 1 {
		t.Errorf("%d delivery letters, want 1", n)
	}

	// Alpha's operator opens one on Gamma's part of the same order.
	var apronPart string
	for _, p := range o.Parts {
		if p.Platform == g.PeerID().String() {
			apronPart = p.ID
		}
	}
	opRoute := "/v1/storefront/orders/{id}/parts/{part}/issues"
	opURL := a.APIURL() + "/v1/storefront/orders/" + o.ID + "/parts/" + apronPart + "/issues"
	if s, body := req(t, "POST", opURL, opRoute, sh.token, in); s != 401 && s != 403 {
		t.Errorf("a shopper on the operator's route: %d %s", s, body)
	}
	s, body = req(t, "POST", opURL, opRoute, c.Tokens[0], map[string]any{"category": "not_received", "description": "The shopper called: nothing came.", "remedy": "replacement"})
	if s != 202 || json.Unmarshal(body, &iss) != nil || iss.By != order.ByOperator {
		t.Fatalf("the operator's issue: %d %s", s, body)
	}
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "GET", opURL, opRoute, c.Tokens[0], nil)
		if s != 200 || json.Unmarshal(body, &mine) != nil || len(mine.Issues) != 1 || mine.Issues[0].Seq == 0 {
			return fmt.Errorf("the operator's issues on Alpha: %d %s", s, body)
		}
		return nil
	})

	// The refund is booked alike on both sides, once; the periods agree.
	refundsBookedAlike(t, a, b, part, 1, "the issue")
	periodsAgree(t, c, clk)
}

// TestIssueStatusesMoveNoMoneyButTheirRefund: a status that states a step
// of an issue is no settlement event, even on a refunded part; the one
// that pays an accepted refund is that refund.
func TestIssueStatusesMoveNoMoneyButTheirRefund(t *testing.T) {
	eur := func(n int64) order.Money { return order.Money{Amount: n, Currency: "EUR"} }
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, status := range []string{order.StatusDelivered, order.StatusRefunded, order.StatusCancelled} {
		st := order.Status{Seq: 5, Status: status, Merchant: "m", Total: eur(10890), Refunded: eur(10890), Policy: 1,
			Issue: &order.Issue{ID: "i1", Seq: 5, State: order.IssueOpen}}
		if ev, ok := settlementEvent(order.PartEvent{Part: "o-1", Storefront: "S", Home: "H", Status: &st, At: at}); ok {
			t.Errorf("an issue step on a %s part is booked: %+v", status, ev)
		}
	}
	st := order.Status{Seq: 6, Status: order.StatusDelivered, Merchant: "m", Total: eur(10890), Refunded: eur(1500), Policy: 1,
		Issue:  &order.Issue{ID: "i1", Seq: 6, State: order.IssueResolved},
		Refund: &order.Refund{ID: "rf1", Seq: 6, Kind: order.RefundKindRefund, Amount: eur(1500)}}
	ev, ok := settlementEvent(order.PartEvent{Part: "o-1", Storefront: "S", Home: "H", Status: &st, At: at})
	if !ok || ev.Kind != settlement.EventRefunded || ev.RefundOf != "rf1" || ev.Gross.Amount != 1500 {
		t.Errorf("an accepted refund: %+v (%v)", ev, ok)
	}
}
