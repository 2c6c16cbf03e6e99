package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// afterSale is one part sold on storefront a for a merchant homed on b,
// followed through its after-sale life while the nodes are killed.
type afterSale struct {
	t                 *testing.T
	a, b              *procNode
	nodes             []*procNode
	shopper, merchant string // tokens
	listing, sku      string
	order, part       string
}

// TestAfterSaleSurvivesKill9 follows a part sold on alpha's storefront
// for a merchant homed on beta (gamma is the federation's treasury)
// through a partial cancellation, a partial refund and a return, killing
// alpha and beta with SIGKILL where a step is half done:
//
//  1. alpha right after it acknowledged a cancellation of some units,
//     with the cancellation still in its outbox (beta is down);
//  2. beta right after it acknowledged a partial refund, with the refund's
//     status still in its outbox (alpha is down);
//  3. alpha right after it acknowledged a return request;
//  4. beta between its merchant approving the return and alpha receiving
//     the approval (alpha is down, the status waits in beta's outbox);
//  5. beta while its merchant marks the returned units received (the
//     request in flight), then alpha soon after it reconnects, while it
//     takes the receipt's status and pays the refund;
//  6. alpha right after it acknowledged the shopper's note to the
//     merchant (beta is down), then beta right after it acknowledged the
//     merchant's answer (alpha is down): each note is in both threads
//     exactly once;
//  7. alpha right after it acknowledged the shopper's accepting the
//     merchant's refund offer on an issue (beta is down): the issue ends
//     resolved, the same on both sides, paid by one refund.
//
// Each restart uses the same data folder. The retries a client would make
// (same Idempotency-Key, or the same step again) change nothing. In the
// end the units went back to stock exactly once, both sides hold the same
// refunds (ids, kinds, amounts) and the same return step by step, the
// shopper was refunded exactly their sum, and once the periods end (every
// node restarted with its clock moved past them) every pair agrees on
// every period and the netting sums to zero.
func TestAfterSaleSurvivesKill9(t *testing.T) {
	began := time.Now()
	nodes := formFederationWith(t, func(n *procNode) {
		// Members that were killed are dialled again within seconds.
		tuneConfig(t, n.dir, [][2]string{{"max_backoff: 30s", "max_backoff: 2s"}})
	}, func(ns []*procNode) []string {
		return []string{"--period", settlementPeriod.String(), "--federation-fee-bps", "100", "--treasury", ns[2].peer}
	}, "alpha", "beta", "gamma")
	s := &afterSale{t: t, a: nodes[0], b: nodes[1], nodes: nodes, sku: "PAN-B"}
	s.setUp()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 16))
	const price, stock = 2990, 7 // listingInput's

	// 1. The cancellation of one unit waits in alpha's outbox for beta.
	s.b.kill9()
	s.a.must(t, "POST", "/v1/orders/"+s.order+"/parts/"+s.part+"/cancel", s.shopper, s.units(1), 200, "Idempotency-Key", "cancel-1")
	s.queued(s.a, s.b)
	s.a.kill9()
	s.up(s.a)
	s.up(s.b)
	s.connected()
	s.a.must(t, "POST", "/v1/orders/"+s.order+"/parts/"+s.part+"/cancel", s.shopper, s.units(1), 200, "Idempotency-Key", "cancel-1")
	s.agree(1)
	if n := s.stock(); n != stock-4+1 {
		t.Errorf("beta's stock after the cancellation is %d, want %d", n, stock-4+1)
	}

	// 2. A refund of an amount waits in beta's outbox for alpha.
	s.a.kill9()
	refund := map[string]any{"amount": 500, "reason": "scratched lid"}
	s.b.must(t, "POST", "/v1/merchant/orders/"+s.part+"/refunds", s.merchant, refund, 200, "Idempotency-Key", "refund-1")
	s.queued(s.b, s.a)
	s.b.kill9()
	s.up(s.b)
	s.b.must(t, "POST", "/v1/merchant/orders/"+s.part+"/refunds", s.merchant, refund, 200, "Idempotency-Key", "refund-1")
	s.up(s.a)
	s.connected()
	s.agree(2)

	s.b.must(t, "POST", "/v1/merchant/orders/"+s.part+"/ship", s.merchant, map[string]string{"carrier": "DHL", "tracking": "T1"}, 200)
	s.b.must(t, "POST", "/v1/merchant/orders/"+s.part+"/deliver", s.merchant, nil, 200)
	s.storefrontSees("the delivery", func(p order.Part) bool { return p.Status == order.StatusDelivered })

	// 3. Alpha dies as soon as it acknowledged the return request.
	ret := s.units(2)
	ret["reason"] = "damaged"
	var r order.Return
	decode(t, s.a.must(t, "POST", "/v1/orders/"+s.order+"/parts/"+s.part+"/returns", s.shopper, ret, 202, "Idempotency-Key", "return-1"), &r)
	s.a.kill9()
	s.up(s.a)
	s.connected()
	s.a.must(t, "POST", "/v1/orders/"+s.order+"/parts/"+s.part+"/returns", s.shopper, ret, 202, "Idempotency-Key", "return-1")
	s.returnIs(r.ID, order.ReturnRequested)

	// 4. Beta approves while alpha is down and dies with the approval in
	// its outbox.
	s.a.kill9()
	s.b.must(t, "POST", "/v1/merchant/orders/"+s.part+"/returns/"+r.ID+"/approve", s.merchant, map[string]string{"label_url": "https://labels.example/r1.pdf"}, 200)
	s.queued(s.b, s.a)
	s.b.kill9()
	s.up(s.b)
	s.up(s.a)
	s.connected()
	s.returnIs(r.ID, order.ReturnApproved)

	// 5. Beta dies while its merchant marks the units received, again and
	// again, a little later each time, until the receipt took (alpha is
	// down meanwhile, so that the receipt's status waits for it); then
	// alpha soon after it comes back.
	s.a.kill9()
	cuts := s.receiveUnderKills(r.ID)
	s.b.must(t, "POST", "/v1/merchant/orders/"+s.part+"/returns/"+r.ID+"/received", s.merchant, nil, 409)
	s.up(s.a)
	s.connected()
	time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
	s.a.kill9()
	s.up(s.a)
	s.connected()

	// 6. The shopper writes while beta is down and alpha dies with the
	// note in its outbox; the merchant answers while alpha is down and
	// beta dies with the answer in its outbox.
	s.talkThroughKills()

	// 7. The merchant offers a refund on the shopper's issue; the shopper
	// accepts while beta is down and alpha dies with the accept in its
	// outbox.
	const offered = 400
	issue := s.issueRefundThroughKills(offered)

	fee := int64(2 * price * 500 / 10000)
	refunds := s.agree(4)
	want := []struct {
		kind   string
		amount int64
	}{{order.RefundKindCancel, price}, {order.RefundKindRefund, 500}, {order.RefundKindRefund, 2*price - fee}, {order.RefundKindRefund, offered}}
	for i, w := range want {
		if got := refunds[i]; got.Kind != w.kind || got.Amount.Amount != w.amount {
			t.Errorf("refund %d: %s of %d, want %s of %d", i, got.Kind, got.Amount.Amount, w.kind, w.amount)
		}
	}
	if issue.Refund == "" || issue.Refund != refunds[3].ID {
		t.Errorf("issue %s was paid by refund %q, want the last refund %s on both sides", issue.ID, issue.Refund, refunds[3].ID)
	}
	s.returnIs(r.ID, order.ReturnReceived)
	if n := s.stock(); n != stock-4+1+2 {
		t.Errorf("beta's stock is %d, want %d: 4 sold, 1 cancelled and 2 returned, each restocked once", n, stock-4+1+2)
	}
	entries := s.settled(began)
	t.Logf("refunds %+v; receipts cut by kills: %s; %d entries settled between alpha and beta; %s in all",
		refunds, strings.Join(cuts, ", "), entries, time.Since(began).Round(time.Second))
}

// receiveUnderKills marks return rid received on beta and kills beta
// while the request is in flight, a little later each round, restarting
// it on the same folder, until the receipt took; a receipt beta answered
// 200 must have taken. It returns what each round saw.
func (s *afterSale) receiveUnderKills(rid string) []string {
	s.t.Helper()
	received := "/v1/merchant/orders/" + s.part + "/returns/" + rid + "/received"
	var cuts []string
	for delay := time.Duration(0); ; delay += 2 * time.Millisecond {
		answered := make(chan int, 1)
		go func() {
			code, _, _ := s.b.do("POST", received, s.merchant, nil)
			answered <- code
		}()
		time.Sleep(delay)
		s.b.kill9()
		code := <-answered
		s.up(s.b)
		hp, err := s.home()
		if err != nil || len(hp.Returns) != 1 {
			s.t.Fatalf("beta's part after its restart: %+v %v", hp.Returns, err)
		}
		state := hp.Returns[0].State
		cuts = append(cuts, fmt.Sprintf("killed after %s: answered %d, %s", delay, code, state))
		switch {
		case code == 200 && state != order.ReturnReceived:
			s.t.Fatalf("beta answered 200 to the receipt and lost it in a kill: %s", strings.Join(cuts, ", "))
		case state == order.ReturnReceived:
			return cuts
		case delay > 100*time.Millisecond:
			s.b.must(s.t, "POST", received, s.merchant, nil, 200)
			return append(cuts, "then received without a kill")
		}
	}
}

// settlementPeriod is the charter's: the shortest a charter allows.
const settlementPeriod = time.Minute

// setUp gives beta a merchant with a listing and a return policy, waits
// until alpha knows both, and has a shopper on alpha buy four units.
func (s *afterSale) setUp() {
	t := s.t
	s.merchant = addMerchant(t, s.b, "Bremen Forge")
	s.listing = createListing(t, s.b, s.merchant, "Skillet", s.sku)
	profile := map[string]any{"name": "Bremen Forge", "country": "DE",
		"policies": map[string]any{"return_days": 14, "return_shipping": "shopper", "restocking_fee_bps": 500, "handling_days": 1}}
	var mp struct{ ID string }
	decode(t, s.b.must(t, "PUT", "/v1/merchant/profile", s.merchant, profile, 200), &mp)
	testwait.For(t, 60*time.Second, func() error {
		if c, b, err := s.a.do("GET", "/v1/catalog/listings/"+s.listing, "", nil); err != nil || c != 200 {
			return fmt.Errorf("alpha does not have the listing yet: %d %s %v", c, b, err)
		}
		var m struct {
			Profile struct {
				Policies struct {
					ReturnDays int `json:"return_days"`
				}
			}
		}
		c, b, err := s.a.do("GET", "/v1/catalog/merchants/"+url.PathEscape(mp.ID), "", nil)
		if err != nil || c != 200 || json.Unmarshal(b, &m) != nil || m.Profile.Policies.ReturnDays != 14 {
			return fmt.Errorf("alpha does not have the merchant's return policy yet: %d %s %v", c, b, err)
		}
		return nil
	})
	var sh struct{ Token string }
	decode(t, s.a.must(t, "POST", "/v1/shoppers", "", map[string]string{"name": "Grace", "email": "grace@example.org"}, 201), &sh)
	s.shopper = sh.Token
	if s.order = checkoutOnce(s.a, s.shopper, "order-1", map[string]any{"listing_id": s.listing, "sku": s.sku, "quantity": 4}); s.order == "" {
		t.Fatal("the checkout of four units failed")
	}
	var o order.Order
	decode(t, s.a.must(t, "GET", "/v1/orders/"+s.order, s.shopper, nil, 200), &o)
	if len(o.Parts) != 1 {
		t.Fatalf("the order has %d parts, want 1", len(o.Parts))
	}
	s.part = o.Parts[0].ID
	testwait.For(t, 30*time.Second, func() error {
		if p, err := s.home(); err != nil || p.Status != order.StatusAccepted {
			return fmt.Errorf("beta's part: %s %v", p.Status, err)
		}
		return nil
	})
}

func decode(t *testing.T, b []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

// units is a request body naming n units of the part's one line.
func (s *afterSale) units(n int) map[string]any {
	return map[string]any{"lines": []order.Units{{ListingID: s.listing, SKU: s.sku, Quantity: int64(n)}}}
}

// up starts n again on its data folder and waits until its API answers.
func (s *afterSale) up(n *procNode) {
	s.t.Helper()
	n.start(s.t)
	testwait.For(s.t, 30*time.Second, func() error {
		if c, _, err := n.do("GET", "/healthz", "", nil); err != nil || c != 200 {
			return fmt.Errorf("%s does not answer yet: %d %v", n.name, c, err)
		}
		return nil
	})
}

func (s *afterSale) connected() {
	s.t.Helper()
	testwait.For(s.t, 60*time.Second, allConnected(s.nodes...))
}

// queued checks that n's order outbox holds a message for to, which is
// down: what the step just acknowledged waits there.
func (s *afterSale) queued(n, to *procNode) {
	s.t.Helper()
	var box struct {
		Members []struct {
			Peer     string
			Messages int
		}
	}
	if err := getJSON(n, "/v1/orders/outbox", n.token, &box); err != nil {
		s.t.Fatal(err)
	}
	for _, m := range box.Members {
		if m.Peer == to.peer && m.Messages > 0 {
			return
		}
	}
	s.t.Fatalf("%s's order outbox holds nothing for %s (%+v), want the step just acknowledged", n.name, to.name, box.Members)
}

// home is the part as beta's merchant sees it.
func (s *afterSale) home() (order.HomePart, error) {
	var page struct{ Parts []order.HomePart }
	if err := getJSON(s.b, "/v1/merchant/orders?limit=200", s.merchant, &page); err != nil {
		return order.HomePart{}, err
	}
	for _, p := range page.Parts {
		if p.ID == s.part {
			return p, nil
		}
	}
	return order.HomePart{}, fmt.Errorf("beta's merchant has no part %s", s.part)
}

// storefront is the order and the part's returns as alpha's shopper sees
// them.
func (s *afterSale) storefront() (order.Order, []order.Return, error) {
	var o order.Order
	if err := getJSON(s.a, "/v1/orders/"+s.order, s.shopper, &o); err != nil {
		return o, nil, err
	}
	var rs struct{ Returns []order.Return }
	if err := getJSON(s.a, "/v1/orders/"+s.order+"/parts/"+s.part+"/returns", s.shopper, &rs); err != nil {
		return o, nil, err
	}
	if len(o.Parts) != 1 {
		return o, nil, fmt.Errorf("alpha's order has %d parts", len(o.Parts))
	}
	return o, rs.Returns, nil
}

func (s *afterSale) storefrontSees(what string, ok func(order.Part) bool) {
	s.t.Helper()
	s.bothSides(func(_ order.HomePart, o order.Order, _ []order.Return) error {
		if !ok(o.Parts[0]) {
			return fmt.Errorf("alpha has not seen %s: part %s", what, o.Parts[0].Status)
		}
		return nil
	})
}

// bothSides waits until check holds of the part as beta's merchant and
// alpha's shopper see it.
func (s *afterSale) bothSides(check func(order.HomePart, order.Order, []order.Return) error) {
	s.t.Helper()
	testwait.For(s.t, 30*time.Second, func() error {
		hp, err := s.home()
		if err != nil {
			return err
		}
		o, rs, err := s.storefront()
		if err != nil {
			return err
		}
		return check(hp, o, rs)
	})
}

// agree waits until both sides hold the same n refunds of the part (ids,
// kinds, amounts, units, in the order beta stated them) and alpha has
// given the shopper back exactly their sum, and returns them.
func (s *afterSale) agree(n int) []order.Refund {
	s.t.Helper()
	var refunds []order.Refund
	s.bothSides(func(hp order.HomePart, o order.Order, _ []order.Return) error {
		onA, _ := json.Marshal(o.Parts[0].Refunds)
		onB, _ := json.Marshal(hp.Refunds)
		if len(hp.Refunds) != n || string(onA) != string(onB) {
			return fmt.Errorf("refunds, want %d on both sides:\nalpha %s\nbeta  %s", n, onA, onB)
		}
		var sum int64
		ids := map[string]bool{}
		for _, r := range hp.Refunds {
			sum += r.Amount.Amount
			ids[r.ID] = true
		}
		if len(ids) != n {
			return fmt.Errorf("beta's refunds repeat an id: %s", onB)
		}
		if o.Payment.Refunded.Amount != sum || o.Parts[0].Refunded.Amount != sum || hp.Refunded.Amount != sum {
			return fmt.Errorf("refunds sum to %d; the shopper's payment has %d back, alpha's part %d, beta's %d",
				sum, o.Payment.Refunded.Amount, o.Parts[0].Refunded.Amount, hp.Refunded.Amount)
		}
		refunds = hp.Refunds
		return nil
	})
	return refunds
}

// returnIs waits until both sides hold return id in state, identical
// step by step, each step taken once.
func (s *afterSale) returnIs(id, state string) {
	s.t.Helper()
	want := []string{order.ReturnRequested, order.ReturnApproved, order.ReturnReceived}
	want = want[:slices.Index(want, state)+1]
	s.bothSides(func(hp order.HomePart, _ order.Order, rs []order.Return) error {
		if len(rs) != 1 || len(hp.Returns) != 1 {
			return fmt.Errorf("%d returns on alpha, %d on beta, want 1", len(rs), len(hp.Returns))
		}
		onA, _ := json.Marshal(rs[0])
		onB, _ := json.Marshal(hp.Returns[0])
		if string(onA) != string(onB) {
			return fmt.Errorf("the return differs:\nalpha %s\nbeta  %s", onA, onB)
		}
		var steps []string
		for _, st := range rs[0].Steps {
			steps = append(steps, st.State)
		}
		if rs[0].ID != id || rs[0].State != state || !slices.Equal(steps, want) {
			return fmt.Errorf("return %s is %s with steps %v, want %s %s with steps %v", rs[0].ID, rs[0].State, steps, id, state, want)
		}
		return nil
	})
}

// stock is what beta's merchant has left of the listing.
func (s *afterSale) stock() int {
	s.t.Helper()
	var l struct{ Variants []struct{ Stock int } }
	if err := getJSON(s.b, "/v1/listings/"+s.listing, s.merchant, &l); err != nil || len(l.Variants) != 1 {
		s.t.Fatalf("beta's listing: %+v %v", l, err)
	}
	return l.Variants[0].Stock
}

// settled kills every node and starts it again with its clock moved past
// the end of the last period the test's statuses fall in, closes those
// periods on every node, and waits until every pair agrees on each and
// the netting sums to zero; alpha and beta must have settled entries,
// which it returns the number of.
func (s *afterSale) settled(began time.Time) int {
	t := s.t
	stop := time.Now()
	periods := periodsBetween(began, stop)
	end := settlement.PeriodOf(stop, settlementPeriod).Next().Start
	offset := time.Until(end).Truncate(time.Second) + 2*time.Second
	for _, n := range s.nodes {
		n.kill9()
		n.env = []string{"FEDMART_CLOCK_OFFSET=" + offset.String()}
	}
	for _, n := range s.nodes {
		s.up(n)
	}
	s.connected()
	for _, n := range s.nodes {
		for _, p := range periods {
			n.must(t, "POST", "/v1/settlement/periods/"+url.PathEscape(p)+"/close", n.token, nil, 202)
		}
	}
	// Each pair settles its periods oldest first, one session at a time,
	// and a session that fails is tried again 15-30 s later (a disputed
	// statement after up to a minute): on a loaded machine two periods in
	// turn have taken longer than a minute.
	testwait.For(t, 2*time.Minute, func() error {
		if err := periodsAgreed(s.nodes, periods); err != nil {
			return err
		}
		return nettingSumsToZero(s.nodes, periods)
	})
	entries := 0
	for _, p := range periods {
		sts, err := statements(s.a, p)
		if err != nil {
			t.Fatal(err)
		}
		entries += sts[s.b.peer].Count
	}
	if entries == 0 {
		t.Errorf("alpha and beta agree on no entry in %v: the sale and its refunds were not settled", periods)
	}
	return entries
}
