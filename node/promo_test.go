package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// TestOffersAndCouponsAcrossTwoMembers: Beta's merchant publishes an
// offer over REST; it reaches Alpha over the network, whose storefront
// shows it in the cart; Alpha's operator creates a coupon; the shopper
// checks out with both: the home is paid the discounted part, the shopper
// pays less the coupon, and each side shows its cost (the offer's uptake
// at Beta, the coupon's use at Alpha). The offer's end reaches Alpha too.
// Bad input is refused naming the field.
func TestOffersAndCouponsAcrossTwoMembers(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	pan, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 5000, 10)
	mB := mustMerchantOf(t, b, pan)
	now := time.Now().UTC()
	in := catalog.OfferInput{Name: "Winter sale", Kind: catalog.OfferPercent, PercentBPS: 1500, Starts: now.Add(-time.Minute), Ends: now.Add(24 * time.Hour)}

	bad := in
	bad.Kind, bad.Ends = "half", bad.Starts
	s, body := req(t, "POST", b.APIURL()+"/v1/merchant/offers", "/v1/merchant/offers", tokB, bad)
	if s != 422 || !strings.Contains(string(body), `"field":"kind"`) || !strings.Contains(string(body), `"field":"ends"`) {
		t.Fatalf("a bad offer: %d %s", s, body)
	}
	s, body = req(t, "POST", b.APIURL()+"/v1/merchant/offers", "/v1/merchant/offers", tokB, in)
	var off catalog.Offer
	if s != 201 || json.Unmarshal(body, &off) != nil {
		t.Fatalf("the offer: %d %s", s, body)
	}
	route := "/v1/catalog/merchants/{id}/offers"
	offersOnA := func() []catalog.Offer {
		s, body := req(t, "GET", a.APIURL()+"/v1/catalog/merchants/"+b.PeerID().String()+"."+mB+"/offers", route, "", nil)
		var page struct{ Items []catalog.Offer }
		if s != 200 || json.Unmarshal(body, &page) != nil {
			t.Fatalf("offers on Alpha: %d %s", s, body)
		}
		return page.Items
	}
	testwait.For(t, 45*time.Second, func() error {
		if got := offersOnA(); len(got) != 1 || got[0].ID != off.ID {
			return fmt.Errorf("Alpha holds %+v", got)
		}
		return nil
	})

	s, body = req(t, "POST", a.APIURL()+"/v1/coupons", "/v1/coupons", c.Tokens[0], order.CouponInput{Code: "x", Kind: "amount"})
	if s != 422 || !strings.Contains(string(body), `"field":"code"`) || !strings.Contains(string(body), `"field":"budget"`) {
		t.Fatalf("a bad coupon: %d %s", s, body)
	}
	coupon := order.CouponInput{Code: "WELCOME5", Kind: order.CouponAmount, Amount: 500, Budget: 5000, PerShopper: 1, Starts: now.Add(-time.Minute), Ends: now.Add(time.Hour)}
	if s, body := req(t, "POST", a.APIURL()+"/v1/coupons", "/v1/coupons", c.Tokens[0], coupon); s != 201 {
		t.Fatalf("the coupon: %d %s", s, body)
	}

	sh := newShopper(t, a, "Ada Yonath")
	cart := sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 2})
	s, body = req(t, "GET", a.APIURL()+"/v1/carts/"+cart, "/v1/carts/{id}", sh.token, nil)
	var got order.Cart
	if s != 200 || json.Unmarshal(body, &got) != nil || got.Total.Amount != 8500 || got.Groups[0].Lines[0].OfferLabel != "−15 %" {
		t.Fatalf("the cart on Alpha: %d %s", s, body)
	}
	co := order.CheckoutRequest{ShippingAddress: testAddress, Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}, Coupon: "nope"}
	s, body = req(t, "POST", a.APIURL()+"/v1/carts/"+cart+"/checkout", "/v1/carts/{id}/checkout", sh.token, co, "Idempotency-Key", "k0")
	if s != 422 || !strings.Contains(string(body), `"field":"coupon"`) || !strings.Contains(string(body), `"code":"coupon_unknown","params":{"code":"NOPE"}`) {
		t.Fatalf("an unknown coupon, named for a program too: %d %s", s, body)
	}
	co.Coupon = "welcome5"
	s, body = req(t, "POST", a.APIURL()+"/v1/carts/"+cart+"/checkout", "/v1/carts/{id}/checkout", sh.token, co, "Idempotency-Key", "k1")
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil || o.Total.Amount != 8000 || o.CouponDiscount.Amount != 500 || o.Parts[0].Total.Amount != 8500 {
		t.Fatalf("the checkout: %d %s", s, body)
	}
	testwait.For(t, 10*time.Second, func() error {
		if p, err := b.Orders().HomePartOf(t.Context(), "", o.Parts[0].ID); err != nil || p.Status != order.StatusAccepted || p.Total.Amount != 8500 {
			return fmt.Errorf("the part at Beta: %+v %v", p, err)
		}
		return nil
	})
	s, body = req(t, "GET", b.APIURL()+"/v1/merchant/offers", "/v1/merchant/offers", tokB, nil)
	if s != 200 || !strings.Contains(string(body), `"uptake":{"offer":"`+off.ID+`","parts":1,"units":2,"cost":{"amount":1500`) {
		t.Fatalf("the offer's uptake at Beta: %d %s", s, body)
	}
	s, body = req(t, "GET", a.APIURL()+"/v1/coupons/welcome5", "/v1/coupons/{code}", c.Tokens[0], nil)
	if s != 200 || !strings.Contains(string(body), `"spent":500`) || !strings.Contains(string(body), `"order":"`+o.ID+`"`) {
		t.Fatalf("the coupon's use at Alpha: %d %s", s, body)
	}

	if s, body := req(t, "DELETE", b.APIURL()+"/v1/merchant/offers/"+off.ID, "/v1/merchant/offers/{id}", tokB, nil); s != 204 {
		t.Fatalf("ending the offer: %d %s", s, body)
	}
	testwait.For(t, 45*time.Second, func() error {
		if got := offersOnA(); len(got) != 0 {
			return fmt.Errorf("Alpha still holds %+v", got)
		}
		return nil
	})
	if s, body := req(t, "DELETE", a.APIURL()+"/v1/coupons/WELCOME5", "/v1/coupons/{code}", c.Tokens[0], nil); s != 200 || !strings.Contains(string(body), `"ended":true`) {
		t.Fatalf("ending the coupon: %d %s", s, body)
	}
	if s, body := req(t, "GET", a.APIURL()+"/v1/coupons", "/v1/coupons", c.Tokens[0], nil); s != 200 || !strings.Contains(string(body), `"uses":1`) {
		t.Fatalf("the coupons: %d %s", s, body)
	}
}

// TestMerchantDiscountsSettleInTheNetting: under a charter that computes
// commission before merchant discounts, a part sold at 20 % off is booked
// on both sides with the commission of the undiscounted price and the
// merchant's share of what was paid less it; the statements agree and the
// netting sums to zero.
func TestMerchantDiscountsSettleInTheNetting(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a one-minute settlement period to end")
	}
	t.Parallel()
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "promo-test", FederationName: "Promo Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000, CommissionBeforeDiscounts: true},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	pan, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 5000, 10)
	mB := mustMerchantOf(t, b, pan)
	now := time.Now().UTC()
	in := catalog.OfferInput{Name: "Winter sale", Kind: catalog.OfferPercent, PercentBPS: 2000, Starts: now.Add(-time.Minute), Ends: now.Add(time.Hour)}
	if s, body := req(t, "POST", b.APIURL()+"/v1/merchant/offers", "/v1/merchant/offers", tokB, in); s != 201 {
		t.Fatalf("the offer: %d %s", s, body)
	}
	testwait.For(t, 45*time.Second, func() error {
		if os, err := a.Catalog().Offers(t.Context(), b.PeerID().String(), mB); err != nil || len(os) != 1 {
			return fmt.Errorf("Alpha holds %d offers: %v", len(os), err)
		}
		return nil
	})
	sh := newShopper(t, a, "Ada Yonath")
	cart := sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 2})
	s, body := sh.checkout(cart, "k1", order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil || o.Total.Amount != 8000 {
		t.Fatalf("the checkout: %d %s", s, body)
	}
	part := o.Parts[0].ID
	testwait.For(t, 10*time.Second, func() error {
		if p, err := b.Orders().HomePartOf(t.Context(), "", part); err != nil || p.Status != order.StatusAccepted {
			return fmt.Errorf("part %s: %+v %v", part, p.Status, err)
		}
		return nil
	})
	merchantAct(t, b, tokB, part, "ship", map[string]string{"carrier": "dhl-paket", "tracking": "0034043"})
	hp := merchantAct(t, b, tokB, part, "deliver", nil)
	period := settlement.PeriodOf(hp.UpdatedAt, time.Minute).Name
	clk.endPeriod()
	testwait.For(t, 2*time.Minute, func() error {
		sa, err := a.Ledger().Statement(t.Context(), period, b.PeerID().String())
		if err != nil {
			return err
		}
		sb, err := b.Ledger().Statement(t.Context(), period, a.PeerID().String())
		if err != nil {
			return err
		}
		if sa.Status != settlement.StatusAgreed || sb.Status != settlement.StatusAgreed || sa.Digest != sb.Digest {
			return fmt.Errorf("statements: %s and %s", sa.Status, sb.Status)
		}
		return nil
	})
	for _, n := range []*Node{a, b} {
		other := a
		if n == a {
			other = b
		}
		var sale int64
		for _, e := range entriesWith(t, n, period, other.PeerID().String()) {
			if e.Kind == settlement.EntrySale {
				sale += e.Amount.Amount
			}
		}
		if sale != 7000 { // 80.00 paid less 10 % of the undiscounted 100.00
			t.Errorf("%s books a sale of %d with %s, want 7000", n.Name(), sale, other.Name())
		}
	}
	var net struct {
		Positions []struct{ Net struct{ Amount int64 } }
	}
	testwait.For(t, time.Minute, func() error {
		s, body := req(t, "GET", a.APIURL()+"/v1/settlement/periods/"+period+"/netting", "", c.Tokens[0], nil)
		if s != 200 || json.Unmarshal(body, &net) != nil || len(net.Positions) != 2 {
			return fmt.Errorf("netting: %d %s", s, body)
		}
		return nil
	})
	if net.Positions[0].Net.Amount+net.Positions[1].Net.Amount != 0 || net.Positions[0].Net.Amount == 0 {
		t.Errorf("net positions %+v", net.Positions)
	}
}
