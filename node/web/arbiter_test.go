package web

import (
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
)

// TestArbiterViewOf: the notes come in time order, a question before the
// answer signed at the same time; a decision is said in words with its
// reasons and is no note; an issue never escalated has no arbiter.
func TestArbiterViewOf(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	i := order.Issue{ID: "i1", State: order.IssueDecided, Arbiter: "peer-c"}
	msgs := []order.ArbiterMessage{
		{By: "self", Text: "Yes, under the skillet.", At: at},
		{By: order.ByArbiter, Text: "Was a care card in the box?", At: at},
		{By: order.ByArbiter, Text: "Anything else?", At: at.Add(-time.Hour)},
		{By: order.ByArbiter, Text: "Half of it.", At: at.Add(time.Hour), Decision: &order.IssueDecision{Remedy: order.RemedyRefund, Amount: 2500, Text: "Half of it."}},
	}
	v := ArbiterViewOf(i, msgs, order.ByMerchant, "You", "EUR", map[string]string{"peer-c": "Gamma Goods"}, time.UTC)
	var got []string
	for _, n := range v.Notes {
		got = append(got, n.Who+": "+n.Text)
	}
	want := []string{"Gamma Goods: Anything else?", "Gamma Goods: Was a care card in the box?", "You: Yes, under the skillet."}
	if len(got) != len(want) {
		t.Fatalf("notes %q, want %q", got, want)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("note %d is %q, want %q", k, got[k], want[k])
		}
	}
	if !v.Asked || v.Name != "Gamma Goods" {
		t.Errorf("asked %v, name %q", v.Asked, v.Name)
	}
	if d := v.Decision; d == nil || d.Remedy != "a refund of €25.00" || d.Amount != 2500 || d.Reasons != "Half of it." || d.When != "1 Mar 2026, 13:00" {
		t.Errorf("decision %+v", d)
	}
	if v := ArbiterViewOf(order.Issue{State: order.IssueRefused}, nil, order.ByShopper, "You", "EUR", nil, time.UTC); v != nil {
		t.Errorf("an issue never escalated has an arbiter: %+v", v)
	}
}
