package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// entriesWith lists node n's entries with counterparty in period, by id.
func entriesWith(t *testing.T, n *Node, period, counterparty string) map[string]settlement.Entry {
	t.Helper()
	out := map[string]settlement.Entry{}
	err := n.Ledger().Entries(t.Context(), period, counterparty, func(e settlement.Entry) error {
		out[e.ID] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeliveredPartIsBookedAlikeOnStorefrontAndHome(t *testing.T) {
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "settle-test", FederationName: "Settle Test",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000, FederationFeeBPS: 100},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 10000, 5)
	sh := newShopper(t, a, "Emmy Noether")
	part := buyAccepted(t, sh, b, onB, "PAN-B")
	delivered := shipAndDeliver(t, b, tokB, part)
	period := settlement.PeriodOf(delivered.UpdatedAt, time.Hour).Name
	aID, bID := a.PeerID().String(), b.PeerID().String()
	var onA, onBeta map[string]settlement.Entry
	testwait.For(t, 10*time.Second, func() error {
		onA, onBeta = entriesWith(t, a, period, bID), entriesWith(t, b, period, aID)
		if len(onA) != 1 || len(onBeta) != 1 {
			return fmt.Errorf("entries between Alpha and Beta: %d on Alpha, %d on Beta, want 1 each", len(onA), len(onBeta))
		}
		return nil
	})
	for id, e := range onA {
		got, ok := onBeta[id]
		// 10000 gross: 10% commission stays with Alpha, 1% fee goes to the
		// treasury (Alpha in this cluster), Beta is owed 8900.
		if !ok || got != e || e.Kind != settlement.EntrySale || e.From != aID || e.To != bID || e.Amount.Amount != 8900 {
			t.Fatalf("Alpha's entry %+v, Beta's %+v", e, got)
		}
	}
}

func TestSignedStatusesProveSettlementEvents(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 10000, 5)
	sh := newShopper(t, a, "Lise Meitner")
	part := buyAccepted(t, sh, b, onB, "PAN-B")
	p := shipAndDeliver(t, b, tokB, part)
	var ev settlement.Event
	testwait.For(t, 10*time.Second, func() error { // Alpha has heard of the delivery
		msgs, err := a.Orders().Messages(t.Context(), part)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Kind == order.KindStatus && m.Status.Status == order.StatusDelivered {
				ev, _ = settlementEvent(order.PartEvent{Part: part, Storefront: a.PeerID().String(), Home: b.PeerID().String(), Status: m.Status, At: m.At})
				return nil
			}
		}
		return fmt.Errorf("Alpha has no delivered status of %s (Beta says %s)", part, p.Status)
	})
	proof, err := evidence{a.Orders(), a.pointsEvent}.Proof(t.Context(), ev)
	if err != nil {
		t.Fatal(err)
	}
	got, err := evidence{b.Orders(), b.pointsEvent}.Verify(t.Context(), proof)
	if err != nil || got != ev {
		t.Fatalf("verified %+v (%v), want %+v", got, err, ev)
	}
	forged := []byte(strings.Replace(string(proof), `"amount":10000`, `"amount":1`, 1))
	if _, err := (evidence{}).Verify(t.Context(), forged); !errors.Is(err, settlement.ErrForged) {
		t.Fatalf("a proof with a changed amount: %v, want ErrForged", err)
	}
}

// TestPeriodClosesAndBothSidesAgree: after a single order between Alpha
// and Beta, the period settles by itself on every pair, Gamma's with no
// sales too, and its netting appears: the README's walk-through.
func TestPeriodClosesAndBothSidesAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a one-minute settlement period to end")
	}
	t.Parallel() // most of its time is spent waiting for periods to end
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "period-test", FederationName: "Period Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 10000, 5)
	sh := newShopper(t, a, "Ada Yonath")
	part := buyAccepted(t, sh, b, onB, "PAN-B")
	p := shipAndDeliver(t, b, tokB, part)
	period := settlement.PeriodOf(p.UpdatedAt, time.Minute).Name
	aID, bID := a.PeerID().String(), b.PeerID().String()
	clk.endPeriod()
	testwait.For(t, 2*time.Minute, func() error {
		sa, err := a.Ledger().Statement(t.Context(), period, bID)
		if err != nil {
			return err
		}
		sb, err := b.Ledger().Statement(t.Context(), period, aID)
		if err != nil {
			return err
		}
		if sa.Status != settlement.StatusAgreed || sb.Status != settlement.StatusAgreed || sa.Digest != sb.Digest || sa.Count != 1 || len(sa.Signatures) != 2 {
			return fmt.Errorf("Alpha's statement %s (%d entries, %d signatures), Beta's %s", sa.Status, sa.Count, len(sa.Signatures), sb.Status)
		}
		return nil
	})
	route := "/v1/settlement/periods"
	testwait.For(t, time.Minute, func() error { // the period is agreed once Alpha's pair with Gamma is too
		if s, body := req(t, "GET", a.APIURL()+route, route, c.Tokens[0], nil); s != 200 || !strings.Contains(string(body), `"agreed"`) {
			return fmt.Errorf("periods: %d %s", s, body)
		}
		return nil
	})
	route = "/v1/settlement/periods/{period}/statements"
	if s, body := req(t, "GET", b.APIURL()+"/v1/settlement/periods/"+period+"/statements", route, c.Tokens[1], nil); s != 200 || !strings.Contains(string(body), `"agreed"`) {
		t.Fatalf("statements: %d %s", s, body)
	}
	running := settlement.PeriodOf(clk.Now().Add(time.Minute), time.Minute).Name
	route = "/v1/settlement/periods/{period}/close"
	if s, body := req(t, "POST", a.APIURL()+"/v1/settlement/periods/"+running+"/close", route, c.Tokens[0], nil); s != 409 {
		t.Fatalf("closing a running period: %d %s", s, body)
	}
	route = "/v1/settlement/periods/{period}/netting"
	var s int
	var body []byte
	testwait.For(t, time.Minute, func() error { // Gamma's pairs, with no sales, settle too
		if s, body = req(t, "GET", a.APIURL()+"/v1/settlement/periods/"+period+"/netting", "", c.Tokens[0], nil); s != 200 {
			return fmt.Errorf("netting: %d %s", s, body)
		}
		return nil
	})
	s, body = req(t, "GET", a.APIURL()+"/v1/settlement/periods/"+period+"/netting", route, c.Tokens[0], nil)
	var net struct {
		Positions []struct {
			PeerID string `json:"peer_id"`
			Net    struct{ Amount int64 }
		}
		Transfers []struct {
			From, To string
			Amount   struct{ Amount int64 }
		}
	}
	if s != 200 || json.Unmarshal(body, &net) != nil || len(net.Positions) != 3 || len(net.Transfers) != 1 ||
		net.Positions[0].Net.Amount+net.Positions[1].Net.Amount+net.Positions[2].Net.Amount != 0 ||
		net.Transfers[0].From != aID || net.Transfers[0].Amount.Amount != 9000 {
		t.Fatalf("netting: %d %s, want Alpha to pay Beta 9000 and Gamma to be even", s, body)
	}
	route = "/v1/merchant/earnings"
	s, body = req(t, "GET", b.APIURL()+route+"?period="+period, route, tokB, nil)
	var e settlement.Earnings
	if s != 200 || json.Unmarshal(body, &e) != nil || e.Net.Amount != 9000 {
		t.Fatalf("earnings: %d %s, want a net of 9000 (10000 less 10%% commission)", s, body)
	}
}

// TestRandomOrdersSettleAcrossThreeMembers buys at random on three
// members from merchants on all three, delivers everything and refunds
// some; once the periods close, every pair agrees on every period and each
// period's net positions sum to zero.
func TestRandomOrdersSettleAcrossThreeMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for one-minute settlement periods to end")
	}
	t.Parallel() // most of its time is spent waiting for periods to end
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "random-settle", FederationName: "Random Settle",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1250, FederationFeeBPS: 75},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	var items []order.ItemInput
	for i := range c.Nodes {
		id, _ := listOn(t, c, i, fmt.Sprintf("Merchant %d", i), fmt.Sprintf("SKU-%d", i), 999+i*1337, 1000)
		items = append(items, order.ItemInput{ListingID: id, SKU: fmt.Sprintf("SKU-%d", i), Quantity: 1})
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var placed []order.Order
	for k := 0; k < 250; k++ {
		sf := c.Nodes[rng.IntN(3)]
		sh, _, err := sf.Orders().CreateShopper(t.Context(), order.ShopperInput{Name: "R", Email: fmt.Sprintf("r%d@example.org", k)})
		if err != nil {
			t.Fatal(err)
		}
		cart, _ := sf.Orders().CreateCart(t.Context(), sh.ID)
		for _, it := range items {
			if rng.IntN(2) == 0 {
				it.Quantity = int64(1 + rng.IntN(3))
				if _, err := sf.Orders().AddItem(t.Context(), sh.ID, cart.ID, it); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A home that misses the reserve deadline on this shared machine
		// makes the storefront refuse the checkout, which is right; the
		// shopper tries again, as the property here is the settlement.
		var o order.Order
		for try := 0; ; try++ {
			o, _, err = sf.Orders().Checkout(t.Context(), sh.ID, cart.ID, fmt.Sprintf("k%d", try), order.CheckoutRequest{ShippingAddress: testAddress,
				Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}})
			if !errors.Is(err, order.ErrUnavailable) || try == 4 {
				break
			}
			t.Logf("checkout %d, try %d: %v", k, try, err)
			time.Sleep(time.Second)
		}
		if errors.Is(err, order.ErrEmptyCart) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		placed = append(placed, o)
	}
	home := map[string]int{}
	for i, n := range c.Nodes {
		home[n.PeerID().String()] = i
	}
	for _, o := range placed {
		for _, p := range o.Parts {
			i := home[p.Platform]
			n, m := c.Nodes[i], mustMerchantOf(t, c.Nodes[i], items[i].ListingID)
			testwait.For(t, 10*time.Second, func() error {
				_, err := n.Orders().Ship(t.Context(), m, p.ID, "DHL", "1")
				return err
			})
			if _, err := n.Orders().Deliver(t.Context(), m, p.ID); err != nil {
				t.Fatal(err)
			}
			if rng.IntN(8) == 0 {
				if _, err := n.Orders().Refund(t.Context(), m, p.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	periodsAgree(t, c, clk) // every status is stated before
	t.Logf("%d orders settled across three members", len(placed))
}

// testClock is the clock a test cluster's members share (ClusterOptions.
// Clock) when the test waits for one-minute settlement periods: endPeriod
// moves it past the end of the running period, so the period closes and
// settles in seconds rather than at the next whole minute.
type testClock struct{ skew atomic.Int64 }

// Now is the wall clock moved forward by every Skip so far.
func (c *testClock) Now() time.Time { return time.Now().Add(time.Duration(c.skew.Load())) }

// Skip moves the clock forward by d.
func (c *testClock) Skip(d time.Duration) { c.skew.Add(int64(d)) }

// endPeriod moves the clock one minute on, and a little more than the
// settler's grace (settleGrace, 2s) after the end of the one-minute period
// that held the time before: its statuses are all stated, so the member
// that opens the pair's session settles it at its next look.
func (c *testClock) endPeriod() { c.Skip(time.Minute + 3*time.Second) }

// periodsAgree ends the running period on the cluster's clock (with a nil
// clk, the cluster's members read the wall clock, and it waits for the
// period to end), waits until every period before the current one is
// agreed, its netting summing to zero in at most one transfer fewer than
// there are members, then checks that every pair of members holds the
// same statements.
func periodsAgree(t *testing.T, c *Cluster, clk *testClock) {
	t.Helper()
	done := time.Now()
	if clk != nil {
		done = clk.Now()
		clk.endPeriod()
	}
	a := c.Nodes[0]
	var running time.Time // the start of the period running when all before it were agreed
	err := testwait.Until(3*time.Minute, 20*time.Millisecond, func() error {
		periods, err := a.Settlement().Periods(t.Context())
		if err != nil || len(periods) == 0 || !periods[len(periods)-1].Start.After(done) {
			return fmt.Errorf("periods: %v %v; waiting for the period of the last status to end", periods, err)
		}
		running = periods[len(periods)-1].Start
		for _, p := range periods[:len(periods)-1] {
			if p.Status != string(settlement.StatusAgreed) {
				return fmt.Errorf("period %s is %s", p.Period, p.Status)
			}
			net, err := a.Settlement().NettingReport(t.Context(), p.Period)
			if err != nil {
				return err
			}
			var sum int64
			for _, pos := range net.Positions {
				sum += pos.Net.Amount
			}
			if sum != 0 || len(net.Transfers) >= len(c.Nodes) {
				return fmt.Errorf("period %s: positions sum to %d with %d transfers", p.Period, sum, len(net.Transfers))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("after 3m0s: %v\n%s", err, settlementState(t, c))
	}
	for i, n := range c.Nodes {
		for j, m := range c.Nodes {
			if i >= j {
				continue
			}
			periods, _ := n.Settlement().Periods(t.Context())
			start, err := n.Ledger().Start(t.Context(), m.PeerID().String())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range periods {
				if p.End.After(running) {
					break // the clock runs on: a period that ended since is not settled yet
				}
				x, _ := n.Ledger().Statement(t.Context(), p.Period, m.PeerID().String())
				y, _ := m.Ledger().Statement(t.Context(), p.Period, n.PeerID().String())
				if !p.End.After(start) && x.Count+y.Count == 0 && x.Status == settlement.StatusOpen && y.Status == settlement.StatusOpen {
					continue // the pair began after it, with nothing in it
				}
				if x.Digest != y.Digest || x.Status != settlement.StatusAgreed || y.Status != settlement.StatusAgreed {
					t.Fatalf("%s/%s period %s: %s %s vs %s %s", n.Name(), m.Name(), p.Period, x.Status, x.Digest, y.Status, y.Digest)
				}
			}
		}
	}
}

// settlementState says, for a failing test, where every member stands
// with every other: each ended period's statement (with what a
// reconciling one waits for) and the pair's watermarks and last error.
func settlementState(t *testing.T, c *Cluster) string {
	var b strings.Builder
	for _, n := range c.Nodes {
		periods, err := n.Settlement().Periods(t.Context())
		if err != nil {
			fmt.Fprintf(&b, "%s: periods: %v\n", n.Name(), err)
			continue
		}
		for _, m := range c.Nodes {
			if m == n {
				continue
			}
			p, err := n.Ledger().Pair(t.Context(), m.PeerID().String())
			fmt.Fprintf(&b, "%s with %s: cursor %s, ours %s, theirs %s, contact %s, attempt %s, error %q %v\n",
				n.Name(), m.Name(), p.Cursor, p.Ours.Format(time.TimeOnly), p.Theirs.Format(time.TimeOnly),
				p.Contact.Format(time.TimeOnly), p.Attempt.Format(time.TimeOnly), p.Error, err)
		}
		for _, p := range periods {
			sts, err := n.Settlement().Statements(t.Context(), p.Period)
			for _, st := range sts {
				fmt.Fprintf(&b, "  %s %s %v: %s %s\n", n.Name(), p.Period, st.Parties, st.Status, st.Waiting)
			}
			if err != nil {
				fmt.Fprintf(&b, "  %s %s: %v\n", n.Name(), p.Period, err)
			}
		}
	}
	return b.String()
}

// refundsBookedAlike waits until storefront a and home b each hold want
// refund entries of part with the other, the same entries on both sides:
// every refund booked once, by its id, alike. what names the refunds in
// the error.
func refundsBookedAlike(t *testing.T, a, b *Node, part string, want int, what string) {
	t.Helper()
	refunds := func(n *Node, cp string) map[string]settlement.Entry {
		out := map[string]settlement.Entry{}
		periods, err := n.Settlement().Periods(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range periods {
			for id, e := range entriesWith(t, n, p.Period, cp) {
				if e.Kind == settlement.EntryRefund && e.PartID == part {
					out[id] = e
				}
			}
		}
		return out
	}
	testwait.For(t, 15*time.Second, func() error {
		onA, onB := refunds(a, b.PeerID().String()), refunds(b, a.PeerID().String())
		if len(onA) != want || len(onB) != want {
			return fmt.Errorf("refund entries of %s: %d on %s, %d on %s, want %d each", what, len(onA), a.Name(), len(onB), b.Name(), want)
		}
		for id, e := range onA {
			if onB[id] != e {
				return fmt.Errorf("refund entry %s: %s %+v, %s %+v", id, a.Name(), e, b.Name(), onB[id])
			}
		}
		return nil
	})
}
