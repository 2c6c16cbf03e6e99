package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// Loyalty terms of the points kill test's charter: 10 points per euro,
// a point is worth one cent, the home funds them, they are spendable once
// delivered and never expire; points pay at most half a cart.
const (
	killEarnBPS    = 100000
	killPointValue = 1
	killLampPrice  = 150000 // what the shopper buys to earn points
	killCandlePay  = 500    // what each checkout that spends points buys
)

// pointsKill is the points kill test's federation: the issuer keeps the
// shopper's points, the storefront (also the merchant's home) takes the
// checkouts that spend them.
type pointsKill struct {
	t               *testing.T
	issuer, shop    *procNode
	nodes           []*procNode
	merchant        string   // its token, on shop
	lamp, candle    string   // listing ids
	email, password string   // the shopper's, on the issuer
	home            *browser // the shopper's, signed in on the issuer

	mu sync.Mutex // guards asked and refused
	// asked is the points each checkout a browser was answered with its
	// order for asked, by order id.
	asked map[string]int64
	// refused counts the checkouts that placed nothing, by what they saw.
	refused map[string]int

	issuerKills int
	shopKills   int
}

// TestPointsHoldsSurviveKill9 spends loyalty points held at another
// member while both members are killed with SIGKILL.
//
// A shopper signs up on alpha (the issuer of its points) and earns them
// there through a delivered order of a merchant homed on beta. Two
// browsers of the shopper sign in on beta's storefront with "Sign in
// with alpha" (OpenID Connect through the pages, with a cookie jar) and
// check out again and again on beta, each checkout paying part of the
// order with points held at alpha, while alpha and beta are killed in
// turn at random moments and restarted on the same folders; a checkout
// whose answer a kill cut is submitted again with the same form, as a
// browser would. Once the outboxes are empty, both nodes are restarted
// with their clocks past the holds' deadline and the short grace
// (orders.points_hold_grace), so that the issuer sweeps the holds of
// checkouts a kill cut short. Then no points are held any more, the
// account's balance is earned − spent − expired − reversed, what was
// spent is exactly the points of the orders beta lists (each order's
// total less what the card paid), every order a shopper was answered
// for is among them, and both members derive the same points entries:
// the issuer owes beta the value of exactly those points.
func TestPointsHoldsSurviveKill9(t *testing.T) {
	began := time.Now()
	nodes := formFederationWith(t, func(n *procNode) {
		tuneConfig(t, n.dir, [][2]string{
			{"max_backoff: 30s", "max_backoff: 2s"},  // members that were killed are dialled again within seconds
			{"checkouts: 60/1h", `checkouts: "off"`}, // the browsers all check out from loopback, as one client
			{"points_hold_grace: 0s", "points_hold_grace: 2s"},
		})
	}, func([]*procNode) []string {
		return []string{"--period", "1h", "--loyalty-earn-bps", strconv.Itoa(killEarnBPS), "--loyalty-point-value", strconv.Itoa(killPointValue),
			"--loyalty-funder", "home", "--loyalty-spendable-on", "delivered", "--loyalty-max-share-bps", "5000"}
	}, "alpha", "beta")
	k := &pointsKill{t: t, issuer: nodes[0], shop: nodes[1], nodes: nodes, email: "ada@example.org", password: "correct horse battery",
		asked: map[string]int64{}, refused: map[string]int{}}
	earned := k.earn()

	browsers := []*browser{newBrowser(t), newBrowser(t)}
	for _, b := range browsers {
		k.signInOnShop(b)
	}
	k.checkoutsUnderKills(browsers)

	k.drained()
	spent, orders := k.listed(browsers[0])
	before, err := k.home.points(k.issuer)
	if err != nil {
		t.Fatal(err)
	}
	k.pastDeadlines()
	pts := k.settledPoints()
	if pts.earned != earned || pts.expired != 0 || pts.reversed != 0 {
		t.Errorf("the account earned %d, expired %d, reversed %d; want %d, 0, 0", pts.earned, pts.expired, pts.reversed, earned)
	}
	if pts.spent != spent {
		t.Errorf("alpha counts %d points spent; the %d orders beta lists paid %d", pts.spent, orders, spent)
	}
	if pts.spendable+pts.pending != pts.earned-pts.spent-pts.expired-pts.reversed {
		t.Errorf("balance %d spendable + %d pending != %d earned − %d spent − %d expired − %d reversed",
			pts.spendable, pts.pending, pts.earned, pts.spent, pts.expired, pts.reversed)
	}
	k.ledgersAgree(began, earned, spent, orders)
	t.Logf("%d orders on beta spent %d of %d points through %d kills of the issuer and %d of the storefront; "+
		"%d points were held by checkouts a kill cut short until the sweep; %s in all; checkouts that placed nothing: %s",
		orders, spent, earned, k.issuerKills, k.shopKills, before.held, time.Since(began).Round(time.Second), tally(k.refused))
}

// earn gives beta a merchant with two listings, signs the shopper up on
// alpha's pages and has them buy the lamp there; the merchant ships and
// delivers it, and earn waits until alpha credited the points it earned,
// which it returns.
func (k *pointsKill) earn() int64 {
	t := k.t
	k.merchant = addMerchant(t, k.shop, "Lübeck Lights")
	k.lamp = k.listing("Brass lamp", "LAMP-1", killLampPrice, 5)
	k.candle = k.listing("Beeswax candle", "CANDLE-1", killCandlePay, 100000)
	testwait.For(t, 60*time.Second, func() error {
		if s, b, err := k.issuer.do("GET", "/v1/catalog/listings/"+k.lamp, "", nil); err != nil || s != 200 {
			return fmt.Errorf("alpha does not have the lamp yet: %d %s %v", s, b, err)
		}
		return nil
	})

	k.home = newBrowser(t)
	p, err := k.home.get(k.issuer, "/signup")
	if err == nil {
		p, err = k.home.post(k.issuer, "/signup", url.Values{"csrf": {p.input("csrf")}, "name": {"Ada Lovelace"},
			"email": {k.email}, "password": {k.password}})
	}
	if err != nil || p.code != 200 {
		t.Fatalf("sign-up on alpha: %v %s", err, p)
	}
	if _, err := k.home.checkout(k.issuer, k.lamp, "LAMP-1", 0); err != nil {
		t.Fatalf("buying the lamp on alpha: %v", err)
	}

	var part string
	testwait.For(t, 30*time.Second, func() error {
		var page struct{ Parts []procPart }
		if err := getJSON(k.shop, "/v1/merchant/orders", k.merchant, &page); err != nil || len(page.Parts) != 1 || page.Parts[0].Status != "accepted" {
			return fmt.Errorf("beta's merchant orders: %+v %v", page.Parts, err)
		}
		part = page.Parts[0].ID
		return nil
	})
	k.shop.must(t, "POST", "/v1/merchant/orders/"+part+"/ship", k.merchant, map[string]string{"carrier": "DHL", "tracking": "L1"}, 200)
	k.shop.must(t, "POST", "/v1/merchant/orders/"+part+"/deliver", k.merchant, nil, 200)
	want := int64(killLampPrice) * killEarnBPS / 1_000_000
	testwait.For(t, 30*time.Second, func() error {
		pts, err := k.home.points(k.issuer)
		if err != nil || pts.spendable != want {
			return fmt.Errorf("alpha's points of the shopper: %+v %v, want %d spendable", pts, err, want)
		}
		return nil
	})
	return want
}

func (k *pointsKill) listing(title, sku string, price, stock int64) string {
	in := map[string]any{"title": title, "category": "Home > Lighting", "brand": "Hanse", "shipping_regions": []string{"DE"},
		"variants": []map[string]any{{"sku": sku, "price": map[string]any{"amount": price, "currency": "EUR"}, "stock": stock}}}
	var l struct{ ID string }
	decode(k.t, k.shop.must(k.t, "POST", "/v1/listings", k.merchant, in, 201), &l)
	return l.ID
}

// signInOnShop signs b in on beta's storefront through alpha: beta sends
// it to alpha, where the shopper signs in with their password (unless b
// is signed in there already) and lets beta know them; alpha sends it
// back to beta, signed in as the same person.
func (k *pointsKill) signInOnShop(b *browser) {
	t := k.t
	p, err := b.get(k.shop, "/signin/with/"+url.PathEscape(k.issuer.peer)+"?next=/points")
	if err == nil && p.at(k.issuer, "/signin/shopper") {
		p, err = b.post(k.issuer, "/signin/shopper", url.Values{"csrf": {p.input("csrf")}, "next": {p.input("next")},
			"email": {k.email}, "password": {k.password}})
	}
	if err != nil || !p.at(k.issuer, "/signin/alliance/approve") {
		t.Fatalf("signing in on beta with alpha: want alpha's approval page, got %v %s", err, p)
	}
	p, err = b.post(k.issuer, "/signin/alliance/approve", url.Values{"csrf": {p.input("csrf")}, "id": {p.input("id")}})
	if err != nil || !p.at(k.shop, "/points") || !strings.Contains(p.body, `id="points-elsewhere"`) {
		t.Fatalf("signing in on beta with alpha: want beta's points page of a shopper of alpha, got %v %s", err, p)
	}
}

// checkoutsUnderKills has every browser check out the candle on beta
// again and again, paying a few points each time, while alpha and beta
// are killed in turn.
func (k *pointsKill) checkoutsUnderKills(browsers []*browser) {
	t := k.t
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w, b := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := int64(5 + rng.IntN(20))
				id, err := b.checkout(k.shop, k.candle, "CANDLE-1", n)
				var r *refusal
				k.mu.Lock()
				if errors.As(err, &r) {
					k.refused[r.kind]++
				} else {
					k.asked[id] = n
				}
				k.mu.Unlock()
				if err != nil {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))
	for round := range 6 {
		time.Sleep(time.Duration(400+rng.IntN(800)) * time.Millisecond)
		victim := k.nodes[round%2] // the issuer first
		victim.kill9()
		if victim == k.issuer {
			k.issuerKills++
		} else {
			k.shopKills++
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		victim.start(t)
		testwait.For(t, 30*time.Second, allConnected(k.nodes...))
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if len(k.asked) == 0 {
		t.Fatalf("no checkout with points succeeded: %s\nbeta's log: %s", tally(k.refused), tail(k.shop.stderr.String()))
	}
}

// drained waits until neither node has an order message waiting for the
// other, nor one parked: every confirm and release of a hold was taken.
func (k *pointsKill) drained() {
	testwait.For(k.t, 60*time.Second, func() error {
		for _, n := range k.nodes {
			var box struct {
				Members []struct {
					Peer     string
					Messages int
				}
				Parked []json.RawMessage
			}
			if err := getJSON(n, "/v1/orders/outbox", n.token, &box); err != nil {
				return err
			}
			for _, m := range box.Members {
				if m.Messages > 0 {
					return fmt.Errorf("%s's outbox holds %d messages for %s", n.name, m.Messages, m.Peer)
				}
			}
			if len(box.Parked) > 0 {
				return fmt.Errorf("%s parked %d order messages: %s", n.name, len(box.Parked), box.Parked[0])
			}
		}
		return nil
	})
}

// listed reads the shopper's orders as beta's storefront lists them and
// each one's page: it returns the points they paid in all (each order's
// total less what the card paid) and how many there are. Every order a
// browser was answered for must be listed, having paid the points its
// checkout asked.
func (k *pointsKill) listed(b *browser) (spent int64, orders int) {
	t := k.t
	ids, err := b.orders(k.shop)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, id := range ids {
		listed[id] = true
		p, err := b.get(k.shop, "/orders/"+url.PathEscape(id))
		if err != nil || p.code != 200 {
			t.Fatalf("beta's page of order %s: %v %s", id, err, p)
		}
		total, charged, err := p.paid()
		if err != nil {
			t.Fatalf("order %s: %v", id, err)
		}
		pts := (total - charged) / killPointValue
		if pts <= 0 || (total-charged)%killPointValue != 0 {
			t.Errorf("order %s: total %d, charged %d: want part of it paid with points", id, total, charged)
		}
		if n, ok := k.asked[id]; ok && n != pts {
			t.Errorf("order %s paid %d points; its checkout asked %d", id, pts, n)
		}
		spent += pts
	}
	for id := range k.asked {
		if !listed[id] {
			t.Errorf("order %s, which a browser was answered for, is not on beta's orders page", id)
		}
	}
	return spent, len(ids)
}

// holdClockOffset moves the nodes' clocks past the 2-minute deadline of
// every points hold taken during the test and its grace.
const holdClockOffset = 2*time.Minute + 10*time.Second

// pastDeadlines kills both nodes and starts them again with their clocks
// past every hold's deadline and grace.
func (k *pointsKill) pastDeadlines() {
	for _, n := range k.nodes {
		n.kill9()
		n.env = []string{"FEDMART_CLOCK_OFFSET=" + holdClockOffset.String()}
	}
	for _, n := range k.nodes {
		n.start(k.t)
	}
	testwait.For(k.t, 30*time.Second, allConnected(k.nodes...))
}

// settledPoints waits until alpha holds none of the shopper's points
// and returns the account as alpha's points page shows it.
func (k *pointsKill) settledPoints() pagePoints {
	var pts pagePoints
	testwait.For(k.t, 30*time.Second, func() error {
		var err error
		if pts, err = k.home.points(k.issuer); err != nil || pts.held != 0 {
			return fmt.Errorf("alpha's points of the shopper: %+v %v, want none held", pts, err)
		}
		return nil
	})
	return pts
}

// ledgersAgree checks that alpha and beta hold the same points entries
// in every settlement period of the test: beta funded the earned points,
// alpha owes beta the value of the spent ones, one entry per order.
func (k *pointsKill) ledgersAgree(began time.Time, earned, spent int64, orders int) {
	t := k.t
	kinds := []string{settlement.EntryPointsFunding, settlement.EntryPointsRedemption, settlement.EntryPointsReversal}
	testwait.For(t, 30*time.Second, func() error {
		sums := map[string][2]int64{} // kind from>to -> amount, count
		for p := settlement.PeriodOf(began, time.Hour); !p.Start.After(time.Now().Add(holdClockOffset)); p = p.Next() {
			onA, err := statements(k.issuer, p.Name)
			if err != nil {
				return err
			}
			onB, err := statements(k.shop, p.Name)
			if err != nil {
				return err
			}
			a, b := k.pointsTotals(onA[k.shop.peer], kinds), k.pointsTotals(onB[k.issuer.peer], kinds)
			if a != b {
				return fmt.Errorf("period %s: alpha's points entries with beta: %s; beta's with alpha: %s", p.Name, a, b)
			}
			for _, tot := range onA[k.shop.peer].Totals {
				key := tot.Kind + " " + k.name(tot.From) + ">" + k.name(tot.To)
				s := sums[key]
				sums[key] = [2]int64{s[0] + tot.Amount.Amount, s[1] + int64(tot.Count)}
			}
		}
		want := map[string][2]int64{
			settlement.EntryPointsFunding + " beta>alpha":    {earned * killPointValue, 1},
			settlement.EntryPointsRedemption + " alpha>beta": {spent * killPointValue, int64(orders)},
		}
		for key, w := range want {
			if sums[key] != w {
				return fmt.Errorf("%s: %d in %d entries, want %d in %d", key, sums[key][0], sums[key][1], w[0], w[1])
			}
		}
		if r := sums[settlement.EntryPointsReversal+" alpha>beta"]; r[1] != 0 {
			return fmt.Errorf("%d points reversal entries, want none", r[1])
		}
		return nil
	})
}

func (k *pointsKill) name(peer string) string {
	for _, n := range k.nodes {
		if n.peer == peer {
			return n.name
		}
	}
	return peer
}

// pointsTotals describes a statement's totals of kinds.
func (k *pointsKill) pointsTotals(st settlement.Statement, kinds []string) string {
	var out []string
	for _, tot := range st.Totals {
		for _, kind := range kinds {
			if tot.Kind == kind {
				out = append(out, fmt.Sprintf("%s %s>%s %d entries of %d in all", tot.Kind, k.name(tot.From), k.name(tot.To), tot.Count, tot.Amount.Amount))
			}
		}
	}
	return strings.Join(out, ", ")
}
