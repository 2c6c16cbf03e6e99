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
)

// TestArbiterAcrossThreeMembers: a shopper on Alpha complains about a part
// homed on Beta, whose merchant lets the first-response deadline (10
// minutes in this charter) pass: every member's clock jumps 11 minutes
// ahead, a jump settlement's one-minute periods follow in a few seconds.
// The shopper escalates to
// Gamma, the charter's arbiter, which receives both sides' copies of the
// thread, asks Beta for more, is answered, and decides a refund over
// REST; Beta applies it as a refund status, the shopper's payment is
// refunded, every member computes Beta's service record alike, and once
// the periods close every pair agrees and the netting sums to zero.
func TestArbiterAcrossThreeMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for one-minute settlement periods to end")
	}
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "arbiter-test", FederationName: "Arbiter Test",
		Currency: "EUR", Period: time.Minute, Log: discard(), Clock: clk.Now, FirstResponse: 10 * time.Minute,
		Policy: federation.Policy{StorefrontCommissionBPS: 1000, FederationFeeBPS: 100},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	pan, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4990, 10)
	sh := newShopper(t, a, "Grace Hopper")
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 2}), "k1", order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil {
		t.Fatalf("checkout: %d %s", s, body)
	}
	part := o.Parts[0].ID
	testwait.For(t, 10*time.Second, func() error {
		if p, err := b.Orders().HomePartOf(t.Context(), "", part); err != nil || p.Status != order.StatusAccepted {
			return fmt.Errorf("part on Beta: %s %v", p.Status, err)
		}
		return nil
	})
	shipAndDeliver(t, b, tokB, part)

	route := "/v1/orders/{id}/parts/{part}/issues"
	url := a.APIURL() + "/v1/orders/" + o.ID + "/parts/" + part + "/issues"
	s, body = req(t, "POST", url, route, sh.token, map[string]any{"category": "damaged", "description": "One pan arrived dented.", "remedy": "refund", "amount": 2000})
	var iss order.Issue
	if s != 202 || json.Unmarshal(body, &iss) != nil {
		t.Fatalf("opening an issue: %d %s", s, body)
	}
	var mine struct{ Issues []order.Issue }
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "GET", url, route, sh.token, nil)
		if s != 200 || json.Unmarshal(body, &mine) != nil || len(mine.Issues) != 1 || mine.Issues[0].Seq == 0 {
			return fmt.Errorf("the issue on Alpha: %d %s", s, body)
		}
		return nil
	})

	// Beta's merchant never answers; a day later the shopper escalates.
	clk.Skip(11 * time.Minute)
	escRoute := route + "/{iid}/escalate"
	if s, body := req(t, "POST", url+"/"+iss.ID+"/escalate", escRoute, sh.token, map[string]string{"text": "No answer at all."}); s != 202 {
		t.Fatalf("escalating: %d %s", s, body)
	}

	// Gamma holds the case, with both copies.
	cases := g.APIURL() + "/v1/arbiter/cases"
	var list struct{ Cases []order.Case }
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "GET", cases, "/v1/arbiter/cases", c.Tokens[2], nil)
		if s != 200 || json.Unmarshal(body, &list) != nil || len(list.Cases) != 1 || len(list.Cases[0].Copies) != 2 {
			return fmt.Errorf("Gamma's cases: %d %s", s, body)
		}
		return nil
	})
	caseRoute := "/v1/arbiter/cases/{id}"
	var cs struct {
		order.Case
		Entries []order.CaseEntry
	}
	s, body = req(t, "GET", cases+"/"+iss.ID, caseRoute, c.Tokens[2], nil)
	if s != 200 || json.Unmarshal(body, &cs) != nil || cs.State != order.CaseOpen || len(cs.Entries) != 2 || !strings.Contains(cs.Why, "first-response deadline") {
		t.Fatalf("the case: %d %s", s, body)
	}
	if s, body := req(t, "GET", cases, "/v1/arbiter/cases", sh.token, nil); s != 401 && s != 403 {
		t.Errorf("a shopper reads the cases: %d %s", s, body)
	}

	// Gamma asks Beta; Beta's operator answers.
	if s, body := req(t, "POST", cases+"/"+iss.ID+"/notes", caseRoute+"/notes", c.Tokens[2], map[string]any{"to": []string{"nobody"}, "text": "?"}); s != 422 || !strings.Contains(string(body), `"to[0]"`) {
		t.Errorf("a note to nobody: %d %s", s, body)
	}
	if s, body := req(t, "POST", cases+"/"+iss.ID+"/notes", caseRoute+"/notes", c.Tokens[2], map[string]any{"to": []string{"home"}, "text": "Was it padded?"}); s != 202 {
		t.Fatalf("a note to Beta: %d %s", s, body)
	}
	sideRoute := "/v1/issues/{part}/{iid}/arbiter"
	side := b.APIURL() + "/v1/issues/" + part + "/" + iss.ID + "/arbiter"
	testwait.For(t, 15*time.Second, func() error {
		var ms struct{ Messages []order.ArbiterMessage }
		s, body := req(t, "GET", side, sideRoute, c.Tokens[1], nil)
		if s != 200 || json.Unmarshal(body, &ms) != nil || len(ms.Messages) != 1 {
			return fmt.Errorf("Beta's arbiter notes: %d %s", s, body)
		}
		return nil
	})
	if s, body := req(t, "POST", side, sideRoute, c.Tokens[1], map[string]string{"text": "In bubble wrap."}); s != 202 {
		t.Fatalf("Beta's answer: %d %s", s, body)
	}

	// Gamma decides: above the rest is refused, then a refund.
	decide := func(in any, want int) []byte {
		t.Helper()
		s, body := req(t, "POST", cases+"/"+iss.ID+"/decision", caseRoute+"/decision", c.Tokens[2], in)
		if s != want {
			t.Fatalf("deciding %v: %d %s", in, s, body)
		}
		return body
	}
	if body := decide(map[string]any{"remedy": "refund", "amount": 2*4990 + 1, "text": "dented"}, 422); !strings.Contains(string(body), `"amount"`) {
		t.Errorf("a refund above the rest: %s", body)
	}
	decide(map[string]any{"remedy": "refund", "amount": 2000, "text": "The merchant did not answer; the dent is plain."}, 202)
	decide(map[string]any{"remedy": "none", "text": "again"}, 409)

	testwait.For(t, 15*time.Second, func() error {
		if got := sh.order(o.ID).Payment.Refunded.Amount; got != 2000 {
			return fmt.Errorf("%d refunded, want 2000", got)
		}
		s, body := req(t, "GET", url, route, sh.token, nil)
		if s != 200 || json.Unmarshal(body, &mine) != nil || mine.Issues[0].State != order.IssueDecided {
			return fmt.Errorf("the issue on Alpha: %d %s", s, body)
		}
		return nil
	})
	hp, err := b.Orders().HomePartOf(t.Context(), "", part)
	if err != nil || hp.Refunded.Amount != 2000 || hp.Issues[0].State != order.IssueDecided {
		t.Fatalf("Beta's part: %+v %v", hp, err)
	}

	// Every member derives Beta's record alike.
	for k, n := range c.Nodes {
		testwait.For(t, 15*time.Second, func() error {
			var rs struct{ Records []order.ServiceRecord }
			s, body := req(t, "GET", n.APIURL()+"/v1/federation/service-records", "/v1/federation/service-records", c.Tokens[k], nil)
			if s != 200 || json.Unmarshal(body, &rs) != nil || len(rs.Records) != 1 {
				return fmt.Errorf("records on %s: %d %s", n.Name(), s, body)
			}
			r := rs.Records[0]
			if r.Member != b.PeerID().String() || r.Issues != 1 || r.Escalated != 1 || r.Decided != 1 || r.DecidedAgainst != 1 {
				return fmt.Errorf("records on %s: %+v", n.Name(), r)
			}
			return nil
		})
	}

	// The refund is booked alike on both sides, once; the periods agree.
	refundsBookedAlike(t, a, b, part, 1, "the decision")
	periodsAgree(t, c, clk)
}
