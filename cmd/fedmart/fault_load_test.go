//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
)

// The fault suite's workload runs through the whole nemesis schedule, as
// an alliance's users would: on every storefront a shopper checks out
// carts that span merchants on several members; every member's merchants
// ship, deliver and refund what they sold; and listings come, change
// title and price, and go.
//
// Stock is never set by hand, so that it can be audited: a listing is
// either audited (created once, never edited: its units at home plus the
// units sold must stay what it was created with) or churned (edited and
// taken down; a replacement carries the stock it read a moment earlier,
// so a sale in between would be overwritten, and its stock is not
// audited). Shoppers buy both kinds.

// faultMember is one member of the suite: its process, its place in the
// network, and the accounts the workload acts as there.
type faultMember struct {
	*procNode
	net       *netMember
	idx       int
	merchants []faultMerchant
	shopper   string // token of this storefront's shopper
}

type faultMerchant struct{ id, token string }

// faultListing is one listing the workload created.
type faultListing struct {
	id       string
	home     int    // index of the home member
	merchant string // the merchant's token
	skus     []string
	initial  map[string]int64 // units at creation, by SKU (audited listings)
	churn    bool
	gone     bool      // taken down (churned listings only)
	unsure   bool      // a takedown got no answer: it may or may not have happened
	at       time.Time // when its home answered the creation
}

// faultOrder is an order a storefront answered 201 for.
type faultOrder struct {
	id    string
	store int // index of the storefront
	parts []order.Part
	at    time.Time // when the shopper was answered
}

// faultLoad is the workload and what it did.
type faultLoad struct {
	members []*faultMember
	seed    uint64

	mu       sync.Mutex // guards the fields below
	listings []*faultListing
	orders   []faultOrder
	counts   map[string]int // outcomes by kind ("checkout 201", "ship 409", ...)
	serial   int            // for idempotency keys, titles and SKUs
}

func newFaultLoad(members []*faultMember, seed uint64) *faultLoad {
	return &faultLoad{members: members, seed: seed, counts: map[string]int{}}
}

// rng returns the random source of one of the workload's actors: every
// actor draws from its own stream of the seed, so that a seed replays
// the same choices (their timing is the machine's).
func (l *faultLoad) rng(actor, member int) *rand.Rand {
	return rand.New(rand.NewPCG(l.seed, uint64(actor)<<8|uint64(member)))
}

func (l *faultLoad) count(kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[kind]++
}

func (l *faultLoad) next() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.serial++
	return l.serial
}

// Per member: merchants, each with audited and churned listings at first.
const (
	faultMerchants       = 2
	faultAuditedListings = 4
	faultChurnedListings = 2
)

// setup opens a shopper on every storefront and the merchants and first
// listings on every member, and waits until every member holds every
// listing.
func (l *faultLoad) setup(t *testing.T) {
	t.Helper()
	rng := l.rng(0, 0)
	for _, m := range l.members {
		var sh struct{ Token string }
		_ = json.Unmarshal(m.must(t, "POST", "/v1/shoppers", "",
			map[string]string{"name": "Shopper at " + m.name, "email": "shopper@" + m.name + ".example"}, 201), &sh)
		m.shopper = sh.Token
		for j := range faultMerchants {
			var mc struct{ ID, Token string }
			_ = json.Unmarshal(m.must(t, "POST", "/v1/merchants", m.token,
				map[string]string{"name": fmt.Sprintf("%s works %d", m.name, j)}, 201), &mc)
			m.merchants = append(m.merchants, faultMerchant{id: mc.ID, token: mc.Token})
			for k := range faultAuditedListings + faultChurnedListings {
				if _, err := l.createListing(m, mc.Token, rng, k >= faultAuditedListings); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// createListing lists a product of 1-2 variants for merchant on m.
func (l *faultLoad) createListing(m *faultMember, merchant string, rng *rand.Rand, churn bool) (*faultListing, error) {
	n := l.next()
	in := catalog.ListingInput{Title: fmt.Sprintf("%s item %d", m.name, n), Description: "Made for the fault suite.",
		Category: "Home > Kitchen", Brand: "Fault " + m.name, ShippingRegions: []string{"DE"}}
	fl := &faultListing{home: m.idx, merchant: merchant, initial: map[string]int64{}, churn: churn}
	for v := range 1 + rng.IntN(2) {
		sku := fmt.Sprintf("F%d-%d", n, v)
		stock := int64(20 + rng.IntN(80))
		in.Variants = append(in.Variants, catalog.Variant{SKU: sku, Options: map[string]string{"size": fmt.Sprint(v)},
			Price: catalog.Money{Amount: int64(500 + rng.IntN(9000)), Currency: "EUR"}, Stock: stock})
		fl.skus, fl.initial[sku] = append(fl.skus, sku), stock
	}
	s, b, err := m.do("POST", "/v1/listings", merchant, in)
	if err != nil || s != 201 {
		return nil, fmt.Errorf("%s: creating a listing: %d %s %v", m.name, s, b, err)
	}
	var got catalog.Listing
	if err := json.Unmarshal(b, &got); err != nil {
		return nil, err
	}
	fl.id, fl.at = got.ID, time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.listings = append(l.listings, fl)
	return fl, nil
}

// run starts every actor; they stop when ctx ends, and wait returns once
// they all have.
func (l *faultLoad) run(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for _, m := range l.members {
		wg.Go(func() { l.shop(ctx, m, l.rng(1, m.idx)) })
		wg.Go(func() { l.fulfil(ctx, m, l.rng(2, m.idx)) })
		wg.Go(func() { l.churn(ctx, m, l.rng(3, m.idx)) })
	}
	return wg.Wait
}

func pause(ctx context.Context, rng *rand.Rand, lo, hi time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(lo + time.Duration(rng.Int64N(int64(hi-lo)))):
	}
}

// shop checks out carts on m's storefront until ctx ends.
func (l *faultLoad) shop(ctx context.Context, m *faultMember, rng *rand.Rand) {
	for ctx.Err() == nil {
		l.checkout(ctx, m, rng)
		pause(ctx, rng, 100*time.Millisecond, 500*time.Millisecond)
	}
}

// pick chooses the cart's lines: one listing on each of 1-3 homes (most
// carts span two or more members), 1-2 units each.
func (l *faultLoad) pick(rng *rand.Rand) []order.ItemInput {
	l.mu.Lock()
	defer l.mu.Unlock()
	homes := rng.Perm(len(l.members))[:[]int{1, 2, 2, 3, 3}[rng.IntN(5)]]
	var lines []order.ItemInput
	for _, h := range homes {
		churn := rng.IntN(6) == 0
		var pool []*faultListing
		for _, fl := range l.listings {
			if fl.home == h && !fl.gone && fl.churn == churn {
				pool = append(pool, fl)
			}
		}
		if len(pool) == 0 {
			continue
		}
		fl := pool[rng.IntN(len(pool))]
		lines = append(lines, order.ItemInput{ListingID: fl.id, SKU: fl.skus[rng.IntN(len(fl.skus))], Quantity: int64(1 + rng.IntN(2))})
	}
	return lines
}

var faultCheckoutBody = order.CheckoutRequest{
	ShippingAddress: order.Address{Name: "Kim Fault", Line1: "Hafen 1", City: "Kiel", PostalCode: "24103", Country: "DE"},
	Payment:         order.PaymentRequest{Method: "sandbox_card", CardNumber: "4242424242424242"},
}

// checkout fills a cart and checks it out. A request that got no answer
// (the storefront was killed, or slow) is sent again with the same
// Idempotency-Key, which answers the order it placed, if any; a changed
// price is accepted once with a new key.
func (l *faultLoad) checkout(ctx context.Context, m *faultMember, rng *rand.Rand) {
	lines := l.pick(rng)
	s, b, err := m.do("POST", "/v1/carts", m.shopper, nil)
	var cart struct{ ID string }
	if err != nil || s != 201 || json.Unmarshal(b, &cart) != nil {
		l.count("cart not opened")
		return
	}
	added := 0
	for _, ln := range lines {
		if s, _, err := m.do("POST", "/v1/carts/"+cart.ID+"/items", m.shopper, ln); err == nil && s == 200 {
			added++
		} else {
			l.count(fmt.Sprintf("cart line %d", s))
		}
	}
	if added == 0 {
		return
	}
	key, requoted := fmt.Sprintf("%s-%d", m.name, l.next()), false
	for range 8 {
		s, b, err := m.do("POST", "/v1/carts/"+cart.ID+"/checkout", m.shopper, faultCheckoutBody, "Idempotency-Key", key)
		if err != nil {
			l.count("checkout unanswered")
			pause(ctx, rng, time.Second, 2*time.Second)
			if ctx.Err() != nil {
				return // the load is over; the order, if placed, was never acknowledged
			}
			continue
		}
		var p struct{ Title string }
		_ = json.Unmarshal(b, &p)
		l.count(strings.TrimSpace(fmt.Sprintf("checkout %d %s", s, p.Title)))
		if s == 409 && p.Title == "Price changed" && !requoted {
			key, requoted = fmt.Sprintf("%s-%d", m.name, l.next()), true
			continue
		}
		if s == 201 {
			var o order.Order
			if err := json.Unmarshal(b, &o); err == nil {
				l.mu.Lock()
				l.orders = append(l.orders, faultOrder{id: o.ID, store: m.idx, parts: o.Parts, at: time.Now()})
				l.mu.Unlock()
			}
		}
		return
	}
}

// fulfil is m's merchants at work until ctx ends: of the accepted parts
// some ship and a few are refunded before shipping; of the shipped parts
// most are delivered.
func (l *faultLoad) fulfil(ctx context.Context, m *faultMember, rng *rand.Rand) {
	for ctx.Err() == nil {
		for _, mc := range m.merchants {
			for _, p := range merchantParts(m, mc.token, order.StatusAccepted) {
				switch r := rng.Float64(); {
				case r < 0.45:
					l.act(m, mc.token, p, "ship", map[string]string{"carrier": "DHL", "tracking": "T" + p.ID})
				case r < 0.53:
					l.act(m, mc.token, p, "refund", nil)
				}
			}
			for _, p := range merchantParts(m, mc.token, order.StatusShipped) {
				if rng.Float64() < 0.6 {
					l.act(m, mc.token, p, "deliver", nil)
				}
			}
		}
		pause(ctx, rng, 300*time.Millisecond, 800*time.Millisecond)
	}
}

// merchantParts returns the newest parts in status of merchant on m
// (nil when m does not answer).
func merchantParts(m *faultMember, merchant, status string) []order.HomePart {
	s, b, err := m.do("GET", "/v1/merchant/orders?limit=50&status="+status, merchant, nil)
	var page struct{ Parts []order.HomePart }
	if err != nil || s != 200 || json.Unmarshal(b, &page) != nil {
		return nil
	}
	return page.Parts
}

func (l *faultLoad) act(m *faultMember, merchant string, p order.HomePart, what string, body any) {
	if body == nil {
		body = map[string]string{}
	}
	s, _, err := m.do("POST", "/v1/merchant/orders/"+p.ID+"/"+what, merchant, body)
	if err != nil {
		l.count(what + " unanswered")
		return
	}
	l.count(fmt.Sprintf("%s %d", what, s))
}

// churn changes m's churned listings until ctx ends: new ones, new titles
// and prices, and now and then a takedown.
func (l *faultLoad) churn(ctx context.Context, m *faultMember, rng *rand.Rand) {
	for ctx.Err() == nil {
		pause(ctx, rng, 800*time.Millisecond, 2*time.Second)
		live := l.churned(m.idx)
		switch r := rng.Float64(); {
		case r < 0.3 || len(live) == 0:
			mc := m.merchants[rng.IntN(len(m.merchants))]
			if _, err := l.createListing(m, mc.token, rng, true); err != nil {
				l.count("listing create failed")
			} else {
				l.count("listing created")
			}
		case r < 0.92 || len(live) < 2:
			l.edit(m, live[rng.IntN(len(live))], rng)
		default:
			fl := live[rng.IntN(len(live))]
			s, _, err := m.do("DELETE", "/v1/listings/"+fl.id, fl.merchant, nil)
			switch {
			case err != nil:
				l.mu.Lock()
				fl.unsure = true
				l.mu.Unlock()
				l.count("listing takedown unanswered")
				continue
			case s == 204:
				l.mu.Lock()
				fl.gone = true
				l.mu.Unlock()
			}
			l.count(fmt.Sprintf("listing takedown %d", s))
		}
	}
}

func (l *faultLoad) churned(home int) []*faultListing {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*faultListing
	for _, fl := range l.listings {
		if fl.home == home && fl.churn && !fl.gone {
			out = append(out, fl)
		}
	}
	return out
}

// edit gives a churned listing a new title and new prices, keeping the
// stock it reads.
func (l *faultLoad) edit(m *faultMember, fl *faultListing, rng *rand.Rand) {
	s, b, err := m.do("GET", "/v1/listings/"+fl.id, fl.merchant, nil)
	var cur catalog.Listing
	if err != nil || s != 200 || json.Unmarshal(b, &cur) != nil {
		l.count("listing edit unread")
		return
	}
	in := catalog.ListingInput{Title: fmt.Sprintf("%s item rev %d", m.name, l.next()), Description: cur.Description,
		Category: cur.Category, Brand: cur.Brand, Attributes: cur.Attributes, Images: cur.Images,
		ShippingRegions: cur.ShippingRegions, Variants: slices.Clone(cur.Variants)}
	for i := range in.Variants {
		in.Variants[i].Price.Amount = int64(500 + rng.IntN(9000))
	}
	s, _, err = m.do("PUT", "/v1/listings/"+fl.id, fl.merchant, in)
	if err != nil {
		l.count("listing edit unanswered")
		return
	}
	l.count(fmt.Sprintf("listing edit %d", s))
}

// snapshot copies what the workload did, for the checks.
func (l *faultLoad) snapshot() ([]faultListing, []faultOrder, map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	listings := make([]faultListing, len(l.listings))
	for i, fl := range l.listings {
		listings[i] = *fl
	}
	counts := make(map[string]int, len(l.counts))
	for k, v := range l.counts {
		counts[k] = v
	}
	return listings, slices.Clone(l.orders), counts
}
