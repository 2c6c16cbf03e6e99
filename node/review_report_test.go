package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web"
)

// TestReviewReportReachesSigner: Alpha's operator names reviewers
// "Verified buyer"; a shopper on Alpha buys from Beta and reviews it, and
// Alpha signs the review under that name. A shopper on Gamma reports the
// review: Gamma keeps its report, and Alpha, which signed the review and
// alone can take it down, receives it through the outbox and lists it
// with Gamma named; Beta, which neither signed it nor saw the report,
// holds none. Alpha takes it down and it leaves Gamma too.
func TestReviewReportReachesSigner(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta", "Gamma")
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	if err := a.web.SetReviewerNames("nobody"); err == nil || !strings.Contains(err.Error(), "reviewer_names") {
		t.Fatalf("an unknown naming: %v", err)
	}
	if err := a.web.SetReviewerNames(web.ReviewerVerifiedBuyer); err != nil {
		t.Fatal(err)
	}
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	sh := newShopper(t, a, "Ada Lovelace")
	orderID, part := buyDelivered(t, sh, b, tokB, onB, "PAN-B")
	in := catalog.ReviewInput{Part: part, ListingID: onB, SKU: "PAN-B", Rating: 2, Title: "Warped", Text: "Rocks on the hob."}
	s, body := req(t, "POST", a.APIURL()+"/v1/orders/"+orderID+"/reviews", "/v1/orders/{id}/reviews", sh.token, in)
	var rv catalog.Review
	if s != 201 || json.Unmarshal(body, &rv) != nil {
		t.Fatalf("review: %d %s", s, body)
	}
	if rv.Reviewer != "Verified buyer" {
		t.Errorf("reviewer named %q under Alpha's verified_buyer setting", rv.Reviewer)
	}
	testwait.For(t, 15*time.Second, func() error {
		_, err := g.Catalog().Review(t.Context(), rv.ID)
		return err
	})

	if s, body := req(t, "POST", g.APIURL()+"/v1/reviews/"+rv.ID+"/reports", "/v1/reviews/{id}/reports", "", map[string]string{"reason": "fake", "note": "Never <b>bought</b> it"}); s != 201 {
		t.Fatalf("report on Gamma: %d %s", s, body)
	}
	reported := func(n *Node) []catalog.ReportedReview {
		t.Helper()
		s, body := req(t, "GET", n.APIURL()+"/v1/operator/reviews/reported", "/v1/operator/reviews/reported", c.Tokens[nodeIndex(c, n)], nil)
		var page struct{ Items []catalog.ReportedReview }
		if s != 200 || json.Unmarshal(body, &page) != nil {
			t.Fatalf("reported on %s: %d %s", n.Name(), s, body)
		}
		return page.Items
	}
	testwait.For(t, 15*time.Second, func() error {
		got := reported(a)
		if len(got) != 1 || got[0].ID != rv.ID || len(got[0].Reports) != 1 {
			return fmt.Errorf("Alpha's reported reviews: %+v", got)
		}
		r := got[0].Reports[0]
		if r.From != g.PeerID().String() || r.Reason != "fake" || r.Note != "Never <b>bought</b> it" {
			return fmt.Errorf("the report as Alpha keeps it: %+v", r)
		}
		return nil
	})
	if got := reported(g); len(got) != 1 || got[0].Reports[0].From != "" {
		t.Errorf("Gamma's own report: %+v", got)
	}
	c.drainOutboxes(t)
	if got := reported(b); len(got) != 0 {
		t.Errorf("Beta holds reports it was never sent: %+v", got)
	}
	// A repeat of the message keeps nothing more: Gamma's outbox is
	// empty and Alpha still holds one report.
	if got := reported(a); len(got) != 1 || len(got[0].Reports) != 1 {
		t.Errorf("Alpha's reports after the outbox drained: %+v", got)
	}

	if s, body := req(t, "DELETE", a.APIURL()+"/v1/operator/reviews/"+rv.ID, "/v1/operator/reviews/{id}", c.Tokens[0], nil); s != 204 {
		t.Fatalf("take down on Alpha: %d %s", s, body)
	}
	testwait.For(t, 15*time.Second, func() error {
		if _, err := g.Catalog().Review(t.Context(), rv.ID); err == nil {
			return fmt.Errorf("the review still lives on Gamma")
		}
		return nil
	})
}

// nodeIndex is n's index in c.
func nodeIndex(c *Cluster, n *Node) int {
	for i, x := range c.Nodes {
		if x == n {
			return i
		}
	}
	return -1
}

// drainOutboxes waits until no member owes another an order message.
func (c *Cluster) drainOutboxes(t *testing.T) {
	t.Helper()
	testwait.For(t, 15*time.Second, func() error {
		for _, n := range c.Nodes {
			d, err := n.Orders().Outbox(t.Context())
			if err != nil {
				return err
			}
			for _, x := range d {
				if x.Messages > 0 {
					return fmt.Errorf("%s still owes %s %d messages", n.Name(), x.Peer, x.Messages)
				}
			}
		}
		return nil
	})
}
