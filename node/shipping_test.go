package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// publishShipping gives the merchant of token on n a shipping profile and
// makes it the merchant's default, with handling days; it returns the
// profile's id.
func publishShipping(t *testing.T, n *Node, token string, in catalog.ShippingProfileInput, handling int) string {
	t.Helper()
	route := "/v1/merchant/shipping-profiles"
	s, b := req(t, "POST", n.APIURL()+route, route, token, in)
	var sp catalog.ShippingProfile
	if s != 201 || json.Unmarshal(b, &sp) != nil {
		t.Fatalf("shipping profile: %d %s", s, b)
	}
	profile := catalog.MerchantProfileInput{Name: in.Name + " shop", Country: "DE", DefaultShipping: sp.ID,
		Policies: catalog.Policies{ReturnDays: 30, ReturnShipping: catalog.ReturnPaidByShopper, HandlingDays: handling}}
	if s, b := req(t, "PUT", n.APIURL()+"/v1/merchant/profile", "/v1/merchant/profile", token, profile); s != 200 {
		t.Fatalf("merchant profile: %d %s", s, b)
	}
	return sp.ID
}

// TestShippingAcrossThreeMembers: a shopper on Alpha buys from Beta (which
// charges shipping to Germany) and Gamma (free over a threshold); a line
// of Beta's to a country outside its zones is refused; Beta raises its
// rate between the quote and the checkout and the shopper is shown the new
// price before paying it; the statements of the period show shipping
// apart, both sides agree, and the netting sums to zero.
func TestShippingAcrossThreeMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a one-minute settlement period to end")
	}
	t.Parallel() // most of its time is spent waiting for periods to end
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "ship-test", FederationName: "Ship Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	pan, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4990, 10)
	apron, tokG := listOn(t, c, 2, "Gamma Linen", "APRON-G", 2600, 10)
	forge := func(flat int64) catalog.ShippingProfileInput {
		return catalog.ShippingProfileInput{Name: "Forge parcels", Zones: []shipping.Zone{
			{Name: "Germany", Countries: []string{"DE"}, Rates: []shipping.Rate{
				{Name: "Standard", Flat: flat, PerItem: 100, Transit: shipping.Days{Min: 1, Max: 2}, Carriers: []string{"dhl-paket"}},
				{Name: "Express", Flat: 1490, Transit: shipping.Days{Min: 1, Max: 1}, Carriers: []string{"ups"}}}},
			{Name: "France", Countries: []string{"FR"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 990, Transit: shipping.Days{Min: 3, Max: 5}}}},
		}}
	}
	forgeID := publishShipping(t, b, tokB, forge(490), 2)
	publishShipping(t, g, tokG, catalog.ShippingProfileInput{Name: "Linen EU", Zones: []shipping.Zone{
		{Name: "EU", Countries: []string{"DE", "FR", "NL", "US"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 590, FreeOver: 5000, Transit: shipping.Days{Min: 2, Max: 4}}}},
	}}, 1)
	bID, gID := b.PeerID().String(), g.PeerID().String()
	mB, mG := mustMerchantOf(t, b, pan), mustMerchantOf(t, g, apron)
	testwait.For(t, 45*time.Second, func() error { // Alpha holds both merchants' records
		for _, id := range []string{bID + "." + mB, gID + "." + mG} {
			route := "/v1/catalog/merchants/{id}"
			if s, body := req(t, "GET", a.APIURL()+"/v1/catalog/merchants/"+id, route, "", nil); s != 200 || !strings.Contains(string(body), `"default_shipping"`) {
				return fmt.Errorf("merchant %s on Alpha: %d %s", id, s, body)
			}
		}
		return nil
	})

	sh := newShopper(t, a, "Ada Yonath")
	cart := sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-B", Quantity: 2}, order.ItemInput{ListingID: apron, SKU: "APRON-G", Quantity: 2})
	shipTo := func(country string) order.Cart {
		t.Helper()
		route := "/v1/carts/{id}/ship-to"
		s, body := req(t, "PUT", a.APIURL()+"/v1/carts/"+cart+"/ship-to", route, sh.token, shipping.Destination{Country: country})
		var got order.Cart
		if s != 200 || json.Unmarshal(body, &got) != nil || got.Shipping == nil {
			t.Fatalf("ship to %s: %d %s", country, s, body)
		}
		return got
	}
	// To the US: Gamma ships there, Beta does not.
	us := shipTo("US")
	if us.Shipping.Shippable || !strings.Contains(fmt.Sprint(us.Shipping.Parts), "PAN-B") {
		t.Fatalf("the cart to the US: %+v", us.Shipping)
	}
	usAddr := testAddress
	usAddr.Country, usAddr.City = "US", "Boston"
	route := "/v1/carts/{id}/checkout"
	s, body := req(t, "POST", a.APIURL()+"/v1/carts/"+cart+"/checkout", route, sh.token,
		order.CheckoutRequest{ShippingAddress: usAddr, Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}}, "Idempotency-Key", "us")
	if s != 422 || !strings.Contains(string(body), `Bremen Forge pan\" does not ship to US`) {
		t.Fatalf("checkout to the US: %d %s", s, body)
	}
	// To Germany: Beta charges 4.90 + 2 × 1.00; Gamma's 52.00 is over 50.00.
	de := shipTo("DE")
	if !de.Shipping.Shippable || de.Shipping.Shipping.Amount != 690 || de.Shipping.Total.Amount != 2*4990+2*2600+690 {
		t.Fatalf("the cart to DE: %+v", de.Shipping)
	}
	// Beta raises its rate; once Alpha knows, a checkout at the old price
	// is refused with the new one, and the next goes through.
	route = "/v1/merchant/shipping-profiles/{id}"
	if s, body := req(t, "PUT", b.APIURL()+"/v1/merchant/shipping-profiles/"+forgeID, route, tokB, forge(590)); s != 200 {
		t.Fatalf("raising the rate: %d %s", s, body)
	}
	testwait.For(t, 45*time.Second, func() error {
		sp, err := a.Catalog().ShippingProfile(t.Context(), forgeID)
		if err != nil || sp.Version != 2 {
			return fmt.Errorf("Beta's profile on Alpha: %+v %v", sp.Version, err)
		}
		return nil
	})
	s, body = sh.checkout(cart, "k1", order.CardApprove)
	if s != 409 || !strings.Contains(string(body), `"shipping":[{"platform":"`+bID) || !strings.Contains(string(body), `"amount":790`) {
		t.Fatalf("checkout after the rate changed: %d %s", s, body)
	}
	s, body = sh.checkout(cart, "k2", order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil || o.Shipping.Amount != 790 || o.Total.Amount != 2*4990+2*2600+790 {
		t.Fatalf("checkout at the shown price: %d %s", s, body)
	}
	var partB, partG string
	for _, p := range o.Parts {
		if p.Platform == bID {
			partB = p.ID
		} else {
			partG = p.ID
		}
	}
	for _, x := range []struct {
		home  *Node
		token string
		part  string
	}{{b, tokB, partB}, {g, tokG, partG}} {
		testwait.For(t, 10*time.Second, func() error {
			if p, err := x.home.Orders().HomePartOf(t.Context(), "", x.part); err != nil || p.Status != order.StatusAccepted {
				return fmt.Errorf("part %s: %+v %v", x.part, p, err)
			}
			return nil
		})
		merchantAct(t, x.home, x.token, x.part, "ship", map[string]string{"carrier": "dhl-paket", "tracking": "0034043"})
		merchantAct(t, x.home, x.token, x.part, "deliver", nil)
	}
	testwait.For(t, 10*time.Second, func() error {
		got := sh.order(o.ID)
		for _, p := range got.Parts {
			if p.Status != order.StatusDelivered || !strings.HasPrefix(p.TrackingURL, "https://www.dhl.de/") {
				return fmt.Errorf("part %s on Alpha: %s, link %q", p.ID, p.Status, p.TrackingURL)
			}
		}
		return nil
	})

	// The period's statements show shipping apart and agree; the netting
	// sums to zero.
	hp, _ := b.Orders().HomePartOf(t.Context(), "", partB)
	period := settlement.PeriodOf(hp.UpdatedAt, time.Minute).Name
	clk.endPeriod()
	testwait.For(t, 2*time.Minute, func() error {
		for _, pair := range [][2]*Node{{a, b}, {a, g}} {
			sa, err := pair[0].Ledger().Statement(t.Context(), period, pair[1].PeerID().String())
			if err != nil {
				return err
			}
			sb, err := pair[1].Ledger().Statement(t.Context(), period, pair[0].PeerID().String())
			if err != nil {
				return err
			}
			if sa.Status != settlement.StatusAgreed || sb.Status != settlement.StatusAgreed || sa.Digest != sb.Digest {
				return fmt.Errorf("%s-%s: %s and %s", pair[0].Name(), pair[1].Name(), sa.Status, sb.Status)
			}
		}
		return nil
	})
	ship := entriesWith(t, a, period, bID)
	var sale, shipping_ int64
	for _, e := range ship {
		switch e.Kind {
		case settlement.EntrySale:
			sale += e.Amount.Amount
		case settlement.EntryShipping:
			shipping_ += e.Amount.Amount
		}
	}
	if sale != 8982 || shipping_ != 790 { // 99.80 less 10 %; shipping whole
		t.Errorf("Alpha's entries with Beta: sales %d, shipping %d; want 8982 and 790", sale, shipping_)
	}
	route = "/v1/settlement/periods/{period}/netting"
	var net struct {
		Positions []struct {
			Net struct{ Amount int64 }
		}
	}
	testwait.For(t, time.Minute, func() error {
		s, body := req(t, "GET", a.APIURL()+"/v1/settlement/periods/"+period+"/netting", "", c.Tokens[0], nil)
		if s != 200 || json.Unmarshal(body, &net) != nil || len(net.Positions) != 3 {
			return fmt.Errorf("netting: %d %s", s, body)
		}
		return nil
	})
	if net.Positions[0].Net.Amount+net.Positions[1].Net.Amount+net.Positions[2].Net.Amount != 0 {
		t.Errorf("net positions %+v do not sum to zero", net.Positions)
	}
	route = "/v1/merchant/earnings"
	s, body = req(t, "GET", b.APIURL()+route+"?period="+period, route, tokB, nil)
	var e settlement.Earnings
	if s != 200 || json.Unmarshal(body, &e) != nil || e.Shipping.Amount != 790 || e.Net.Amount != 8982+790 {
		t.Errorf("Beta's earnings: %d %s", s, body)
	}
}
