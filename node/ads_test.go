package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// TestSponsoredSalesAcrossThreeMembers: a merchant of Beta runs a
// campaign over REST; shoppers of Gamma reach its pan through a
// sponsored slot and buy. Beta charges the fee per the charter (10 % of
// the gross, 60 % of it to Gamma, the rest to Alpha, the treasury), a
// sale without a click is not charged, the sale that spends the budget
// is charged what is left and exhausts the campaign everywhere, after
// which sales are not charged, nor is a sale claimed for a paused
// campaign. Gamma's dashboard counts the two sales and its share of
// their fees. Every pair holds the same ad entries; once the periods close
// every pair agrees and the netting sums to zero.
func TestSponsoredSalesAcrossThreeMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for one-minute settlement periods to end")
	}
	t.Parallel()
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "ads-test", FederationName: "Ads Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000, FederationFeeBPS: 100},
		Ads:    federation.Ads{MaxFeeBPS: 2000, StorefrontShareBPS: 6000},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	pan, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4990, 20)
	campaign := func(fee, budget int64) (int, []byte) {
		return req(t, "POST", b.APIURL()+"/v1/merchant/campaigns", "/v1/merchant/campaigns", tokB, catalog.CampaignInput{
			Name: "Pans", Listings: []string{pan}, TotalBudget: budget, FeeBPS: fee,
			Starts: time.Now().Add(-time.Hour), Ends: time.Now().Add(24 * time.Hour)})
	}
	if s, out := campaign(2001, 700); s != 422 || !strings.Contains(string(out), "fee_bps") {
		t.Fatalf("a campaign above the charter's cap: %d %s", s, out)
	}
	s, out := campaign(1000, 700)
	var cp catalog.Campaign
	if s != 201 || json.Unmarshal(out, &cp) != nil {
		t.Fatalf("campaign: %d %s", s, out)
	}
	_, out = campaign(1500, 100000)
	var paused catalog.Campaign
	_ = json.Unmarshal(out, &paused)
	if s, out := req(t, "POST", b.APIURL()+"/v1/merchant/campaigns/"+paused.ID+"/pause", "/v1/merchant/campaigns/{id}/pause", tokB, nil); s != 200 {
		t.Fatalf("pause: %d %s", s, out)
	}
	stateOn := func(n *Node, id, state string) {
		t.Helper()
		testwait.For(t, 30*time.Second, func() error {
			if got, err := n.Catalog().Campaign(t.Context(), id); err != nil || got.State != state {
				return fmt.Errorf("campaign on %s: %+v %v", n.Name(), got, err)
			}
			return nil
		})
	}
	stateOn(g, cp.ID, catalog.CampaignLive)
	stateOn(g, paused.ID, catalog.CampaignPaused)

	buy := func(key, clicked string) string {
		t.Helper()
		sh := newShopper(t, g, "Grace Hopper")
		if clicked != "" {
			if s, out := req(t, "POST", g.APIURL()+"/v1/sponsored/clicks", "/v1/sponsored/clicks", sh.token,
				map[string]string{"listing_id": pan, "campaign": clicked}); s != 204 {
				t.Fatalf("click: %d %s", s, out)
			}
		}
		return buyAccepted(t, sh, b, pan, "PAN-B")
	}
	feeOf := func(part string) int64 {
		t.Helper()
		p, err := b.Orders().HomePartOf(t.Context(), "", part)
		if err != nil {
			t.Fatal(err)
		}
		if p.Ad == nil {
			return 0
		}
		return p.Ad.Fee
	}
	first := buy("k1", cp.ID)
	plain := buy("k2", "")
	last := buy("k3", cp.ID)
	stateOn(g, cp.ID, catalog.CampaignExhausted)
	after := buy("k4", cp.ID)
	claimedPaused := buy("k5", paused.ID)
	for _, x := range []struct {
		name string
		part string
		fee  int64
	}{{"first", first, 499}, {"plain", plain, 0}, {"last", last, 201}, {"after exhaustion", after, 0}, {"paused", claimedPaused, 0}} {
		if got := feeOf(x.part); got != x.fee {
			t.Errorf("%s sale: fee %d, want %d", x.name, got, x.fee)
		}
	}
	var own struct {
		Items []struct {
			Spent, Sales int64
			CostPerSale  int64 `json:"cost_per_sale"`
		}
	}
	s, out = req(t, "GET", b.APIURL()+"/v1/merchant/campaigns", "/v1/merchant/campaigns", tokB, nil)
	if s != 200 || json.Unmarshal(out, &own) != nil || len(own.Items) != 2 || own.Items[0].Spent+own.Items[1].Spent != 700 ||
		own.Items[0].Sales+own.Items[1].Sales != 2 || max(own.Items[0].CostPerSale, own.Items[1].CostPerSale) != 350 {
		t.Fatalf("own campaigns: %d %s", s, out)
	}

	// Beta owes Gamma 60 % of each fee (299 + 121) and Alpha the rest
	// (200 + 80); each pair holds the same ad entries.
	adWith := func(n, cp *Node) map[string]settlement.Entry {
		out := map[string]settlement.Entry{}
		periods, _ := n.Settlement().Periods(t.Context())
		for _, p := range periods {
			for id, e := range entriesWith(t, n, p.Period, cp.PeerID().String()) {
				if strings.HasPrefix(e.Kind, "ad_") {
					out[id] = e
				}
			}
		}
		return out
	}
	samePair := func(other *Node, want int64) {
		t.Helper()
		testwait.For(t, 30*time.Second, func() error {
			bo, ob := adWith(b, other), adWith(other, b)
			var sum int64
			for id, e := range bo {
				if ob[id] != e {
					return fmt.Errorf("%s's entry %s differs from Beta's %+v", other.Name(), id, e)
				}
				if e.From != b.PeerID().String() || e.Kind != settlement.EntryAdFee {
					return fmt.Errorf("entry %+v", e)
				}
				sum += e.Amount.Amount
			}
			if len(bo) != len(ob) || sum != want {
				return fmt.Errorf("Beta holds %d ad entries with %s, which holds %d: %d, want %d", len(bo), other.Name(), len(ob), sum, want)
			}
			return nil
		})
	}
	samePair(g, 299+121)
	// Gamma's dashboard figures count the two sales its slots made and
	// its share of their fees; Beta's count none (its storefront showed
	// no slot).
	testwait.For(t, 30*time.Second, func() error {
		list, err := g.ads.Since(t.Context(), time.Now().Add(-time.Hour))
		if err != nil || len(list) != 1 || list[0].Campaign != cp.ID || list[0].Sales != 2 || list[0].Revenue != 299+121 {
			return fmt.Errorf("Gamma's figures %+v %v, want 2 sales and 4.20 of %s", list, err, cp.ID)
		}
		return nil
	})
	if list, err := b.ads.Since(t.Context(), time.Now().Add(-time.Hour)); err != nil || len(list) != 0 {
		t.Errorf("Beta's figures %+v %v, want none", list, err)
	}
	// Gamma proves an ad entry Alpha (the treasury) might lack with the
	// home's status it holds; Alpha derives the same event.
	for id := range adWith(g, b) {
		ev, err := g.Ledger().EntryEvent(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		proof, err := evidence{g.Orders(), g.pointsEvent}.Proof(t.Context(), ev)
		if err != nil {
			t.Fatalf("proving %s: %v", id, err)
		}
		if got, err := (evidence{a.Orders(), a.pointsEvent}).Verify(t.Context(), proof); err != nil || got != ev {
			t.Errorf("Alpha verifies %+v, %v; want %+v", got, err, ev)
		}
	}
	// The treasury learns what Beta owes it when the two reconcile a
	// closed period, from Beta's proofs.
	periodsAgree(t, c, clk)
	samePair(a, 200+80)
}
