package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// The demo's promotions are made as their owners would make them, over
// each member's REST API: every merchant publishes two offers with its
// own token (POST /v1/merchant/offers), and every storefront's operator
// creates the welcome coupon with the operator token (POST /v1/coupons).
// A restart with --data finds them there and makes only what is missing
// or no longer live.

// demoCoupon is the code every demo storefront gives its shoppers once.
const demoCoupon = "WELCOME10"

// demoPromoDays is how long the demo's offers and coupon run from the
// start that made them.
const demoPromoDays = 365

// demoOffer is an offer a demo merchant runs, as the walk-through names it.
type demoOffer struct {
	Member, Merchant, Label string
}

// demoPromos is what publishPromotions made or found.
type demoPromos struct {
	Offers []demoOffer
	// Coupon is demoCoupon's terms, "" when no storefront has it.
	Coupon string
}

// publishPromotions gives every demo merchant its offers and every
// storefront its coupon, through the REST API. It needs the members'
// APIs to be serving.
func publishPromotions(ctx context.Context, c *node.Cluster, merchants []demoMerchant) (demoPromos, error) {
	var out demoPromos
	for _, m := range merchants {
		n := memberNamed(c, m.Member)
		if n == nil {
			continue
		}
		offers, err := merchantOffers(ctx, n, m)
		if err != nil {
			return out, fmt.Errorf("%s: %s's offers: %w", m.Member, m.Name, err)
		}
		out.Offers = append(out.Offers, offers...)
	}
	for i, n := range c.Nodes {
		terms, err := storefrontCoupon(ctx, n, c.Tokens[i], c.Charter.Charter.Currency)
		if err != nil {
			return out, fmt.Errorf("%s: coupon %s: %w", n.Name(), demoCoupon, err)
		}
		out.Coupon = terms
	}
	return out, nil
}

// memberNamed is the cluster's member called name, or nil.
func memberNamed(c *node.Cluster, name string) *node.Node {
	for _, n := range c.Nodes {
		if n.Name() == name {
			return n
		}
	}
	return nil
}

// merchantOffers publishes the merchant's "−15 %" on the department it
// lists most in and "buy 2 get 1" on the next one, unless it runs them
// already.
func merchantOffers(ctx context.Context, n *node.Node, m demoMerchant) ([]demoOffer, error) {
	depts, err := departments(ctx, n, m.ID)
	if err != nil || len(depts) == 0 {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	ins := []catalog.OfferInput{{Name: "−15 % on " + depts[0], Kind: catalog.OfferPercent, PercentBPS: 1500, Categories: depts[:1]}}
	if len(depts) > 1 {
		ins = append(ins, catalog.OfferInput{Name: "Buy 2 get 1 on " + depts[1], Kind: catalog.OfferBuyGet, Buy: 2, Get: 1,
			PerOrderLimit: 2, Categories: depts[1:2]})
	}
	b, err := apiCall(ctx, http.MethodGet, n.APIURL()+"/v1/merchant/offers", m.Token, nil)
	if err != nil {
		return nil, err
	}
	var have struct{ Items []catalog.OfferState }
	if err := json.Unmarshal(b, &have); err != nil {
		return nil, err
	}
	var out []demoOffer
	for _, in := range ins {
		live := slices.ContainsFunc(have.Items, func(o catalog.OfferState) bool {
			return !o.Ended && o.Name == in.Name && o.Active(now)
		})
		if !live {
			in.Starts, in.Ends = now, now.Add(demoPromoDays*24*time.Hour)
			body, _ := json.Marshal(in)
			if _, err := apiCall(ctx, http.MethodPost, n.APIURL()+"/v1/merchant/offers", m.Token, bytes.NewReader(body)); err != nil {
				return out, err
			}
		}
		out = append(out, demoOffer{Member: m.Member, Merchant: m.Name, Label: in.Name})
	}
	return out, nil
}

// departments are the top levels of the categories a merchant lists in
// ("Home", "Apparel"), the most listed first.
func departments(ctx context.Context, n *node.Node, merchant string) ([]string, error) {
	page, _, err := n.Catalog().MerchantListings(ctx, merchant, "", 500)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, l := range page {
		dept, _, _ := strings.Cut(l.Category, " > ")
		count[dept]++
	}
	var out []string
	for d := range count {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(count[b]-count[a], strings.Compare(a, b)) })
	return out, nil
}

// demoCouponInput is the welcome coupon: 10 % off a cart of 20.00 or
// more, once per shopper, 1000.00 in all.
func demoCouponInput(now time.Time) order.CouponInput {
	return order.CouponInput{Code: demoCoupon, Kind: order.CouponPercent, PercentBPS: 1000, MinCart: 2000, Budget: 100000,
		PerShopper: 1, Starts: now, Ends: now.Add(demoPromoDays * 24 * time.Hour)}
}

// storefrontCoupon creates demoCoupon on n with its operator's token,
// unless n has it already, and returns its terms in words.
func storefrontCoupon(ctx context.Context, n *node.Node, token, currency string) (string, error) {
	var cp order.Coupon
	b, err := apiCall(ctx, http.MethodGet, n.APIURL()+"/v1/coupons/"+demoCoupon, token, nil)
	if err == nil {
		var got struct{ Coupon order.Coupon }
		err = json.Unmarshal(b, &got)
		cp = got.Coupon
	} else {
		body, _ := json.Marshal(demoCouponInput(time.Now().UTC().Truncate(time.Second)))
		if b, err = apiCall(ctx, http.MethodPost, n.APIURL()+"/v1/coupons", token, bytes.NewReader(body)); err == nil {
			err = json.Unmarshal(b, &cp)
		}
	}
	if err != nil {
		return "", err
	}
	return couponTerms(cp, currency), nil
}

// demoCouponTerms says demoCoupon's terms as the demo creates it.
func demoCouponTerms(currency string) string {
	in := demoCouponInput(time.Now())
	return couponTerms(order.Coupon{Code: in.Code, Kind: in.Kind, PercentBPS: in.PercentBPS, Amount: in.Amount, MinCart: in.MinCart,
		PerShopper: in.PerShopper, Starts: in.Starts, Ends: in.Ends}, currency)
}

// couponTerms says a coupon's terms for the walk-through.
func couponTerms(cp order.Coupon, currency string) string {
	s := fmt.Sprintf("%d %% off", cp.PercentBPS/100)
	if cp.Kind == order.CouponAmount {
		s = order.Money{Amount: cp.Amount, Currency: currency}.String() + " off"
	}
	if cp.MinCart > 0 {
		s += " a cart of " + order.Money{Amount: cp.MinCart, Currency: currency}.String() + " or more"
	}
	if cp.PerShopper == 1 {
		s += ", once per shopper"
	}
	switch {
	case cp.Ended:
		s += " (ended by the operator)"
	case time.Now().After(cp.Ends):
		s += " (expired)"
	}
	return s
}

// promoWords tells what an order took of offers, the coupon and points,
// and counts them.
func promoWords(o order.Order, t *demoTally) string {
	s := ""
	var off order.Money
	lines := 0
	for _, p := range o.Parts {
		for _, it := range p.Items {
			if it.Discount.Amount > 0 {
				lines++
				off = order.Money{Amount: off.Amount + it.Discount.Amount, Currency: it.Discount.Currency}
			}
		}
	}
	if lines > 0 {
		t.offerLines.Add(int64(lines))
		s += fmt.Sprintf("; merchants' offers: %s off %d line(s)", off, lines)
	}
	if o.Coupon != "" {
		t.coupons.Add(1)
		t.couponOff.Add(o.CouponDiscount.Amount)
		s += fmt.Sprintf("; coupon %s: %s off", o.Coupon, o.CouponDiscount)
	}
	if o.Points != nil {
		t.pointsSpent.Add(o.Points.Points)
		t.pointsPaid.Add(1)
		s += fmt.Sprintf("; %d points paid %s", o.Points.Points, o.Points.Value)
	}
	return s
}

// takeBuyGet raises each cart line a merchant's live "buy X get Y"
// offer covers to X+Y units, so that Y of them are free, when they are
// in stock.
func takeBuyGet(ctx context.Context, n *node.Node, shopper string, cart order.Cart, say func(string, ...any)) order.Cart {
	now := time.Now()
	for _, g := range cart.Groups {
		for _, l := range g.Lines {
			offers, err := n.Catalog().Offers(ctx, l.Platform, l.Merchant)
			if err != nil {
				continue
			}
			k := slices.IndexFunc(offers, func(o catalog.Offer) bool {
				return o.Kind == catalog.OfferBuyGet && o.Active(now) && o.Covers(l.ListingID, l.Category)
			})
			if k < 0 || l.Quantity >= offers[k].Buy+offers[k].Get {
				continue
			}
			o := offers[k]
			if c, err := n.Orders().SetQuantity(ctx, shopper, cart.ID, order.ItemInput{ListingID: l.ListingID, SKU: l.SKU, Quantity: o.Buy + o.Get}); err == nil {
				say("took the merchant's offer %q: %d × %q", o.Name, o.Buy+o.Get, l.Title)
				cart = c
			}
		}
	}
	return cart
}
