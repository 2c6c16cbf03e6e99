package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestDemoMerchantsShipAndShoppersAreRefusedCleanly: the demo's seeded
// merchants publish shipping profiles that the other member quotes from;
// a shopper there is refused a line for a country the merchant does not
// serve, by name; an order to the merchant's EU zone pays the profile's
// rate; and the demo's merchant loop ships it with the rate's carrier,
// whose tracking link the storefront shows.
func TestDemoMerchantsShipAndShoppersAreRefusedCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	goodwillEvery = 0 // a goodwill refund would leave the return below nothing to check
	defer func() { goodwillEvery = 5 }()
	c, stop, err := benchCluster(ctx, 2, "strict")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if _, err := c.Seed(ctx, 1, 6); err != nil {
		t.Fatal(err)
	}
	store, home := c.Nodes[0], c.Nodes[1]
	ms, err := home.Catalog().Merchants(ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("the home's merchants: %v %v", ms, err)
	}
	merchant := ms[0]
	mp, err := home.Catalog().MerchantProfile(ctx, home.PeerID().String(), merchant.ID)
	if err != nil || mp.DefaultShipping == "" || mp.Country != "FR" {
		t.Fatalf("the seeded merchant's profile: %+v %v", mp, err)
	}
	var item order.ItemInput
	testwait.For(t, 30*time.Second, func() error { // listing and profiles reach the storefront
		res, _, err := home.Catalog().MerchantListings(ctx, merchant.ID, "", 10)
		if err != nil || len(res) == 0 {
			return fmt.Errorf("no listings: %v", err)
		}
		for _, l := range res {
			if l, err := home.Catalog().Listing(ctx, l.ID); err != nil || l.Variants[0].Stock < 2 { // the home's own stock
				continue
			}
			got, err := store.Catalog().Listing(ctx, l.ID)
			if err != nil {
				return err
			}
			if got.Variants[0].Stock < 2 { // the stock the storefront has learnt, which its cart checks
				return fmt.Errorf("the storefront knows %d of %s in stock", got.Variants[0].Stock, l.ID)
			}
			if terms, err := store.Catalog().ShippingFor(ctx, &got); err != nil || terms.Profile.ID != mp.DefaultShipping {
				return fmt.Errorf("the storefront's terms for %s: %+v %v", l.ID, terms.Profile.ID, err)
			}
			item = order.ItemInput{ListingID: l.ID, SKU: l.Variants[0].SKU, Quantity: 1}
			return nil
		}
		return errors.New("no listing in stock")
	})

	svc := store.Orders()
	sh, _, err := svc.CreateShopper(ctx, order.ShopperInput{Name: "Demo shopper", Email: "demo@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	cart, _ := svc.CreateCart(ctx, sh.ID)
	if _, err := svc.SetShipTo(ctx, sh.ID, cart.ID, shipping.Destination{Country: "BR"}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.AddItem(ctx, sh.ID, cart.ID, item)
	var fe order.FieldErrors
	if !errors.As(err, &fe) || !strings.HasSuffix(fe[0].Message, "does not ship to BR") {
		t.Fatalf("a line for Brazil: %v", err)
	}

	var to order.Address
	for _, a := range demoAddresses {
		if a.Country == "DE" {
			to = a
		}
	}
	if _, err := svc.SetShipTo(ctx, sh.ID, cart.ID, shipping.Destination{Country: to.Country}); err != nil {
		t.Fatal(err)
	}
	if cart, err = svc.AddItem(ctx, sh.ID, cart.ID, item); err != nil {
		t.Fatal(err)
	}
	if cart.Shipping == nil || len(cart.Shipping.Parts) != 1 || cart.Shipping.Parts[0].Rate != "Standard" || len(cart.Shipping.Parts[0].Options) != 2 {
		t.Fatalf("the cart's shipping to DE: %+v", cart.Shipping)
	}
	quoted := cart.Shipping.Parts[0].Price
	o, _, err := svc.Checkout(ctx, sh.ID, cart.ID, "k", order.CheckoutRequest{ShippingAddress: to,
		Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}})
	if err != nil {
		t.Fatal(err)
	}
	if o.Shipping != quoted || o.Parts[0].ShippingRate != "Standard" {
		t.Fatalf("the order's shipping %s at %q, quoted %s", o.Shipping, o.Parts[0].ShippingRate, quoted)
	}

	var said []string
	testwait.For(t, 30*time.Second, func() error {
		moveOn(ctx, home, merchant.ID, merchant.Name, func(f string, a ...any) { said = append(said, fmt.Sprintf(f, a...)) })
		p, err := svc.GetOrder(ctx, sh.ID, o.ID)
		if err != nil {
			return err
		}
		if part := p.Parts[0]; part.Status == order.StatusAccepted || part.TrackingURL == "" {
			return fmt.Errorf("the part is %s, tracking %q", part.Status, part.TrackingURL)
		}
		return nil
	})
	p, _ := svc.GetOrder(ctx, sh.ID, o.ID)
	// The FR merchant's EU standard rate goes with DPD.
	if part := p.Parts[0]; part.Carrier != "DPD" || !strings.HasPrefix(part.TrackingURL, "https://tracking.dpd.de/") {
		t.Errorf("shipped with %q, link %q; the demo said %q", part.Carrier, part.TrackingURL, said)
	}

	// Delivered, the shopper returns a unit; the merchant loop approves
	// and receives it, and the refund follows.
	testwait.For(t, 30*time.Second, func() error {
		moveOn(ctx, home, merchant.ID, merchant.Name, func(string, ...any) {})
		if p, _ := svc.GetOrder(ctx, sh.ID, o.ID); p.Parts[0].Status != order.StatusDelivered {
			return fmt.Errorf("the part is %s", p.Parts[0].Status)
		}
		return nil
	})
	if mp.Policies.ReturnDays == 0 {
		t.Fatalf("the seeded merchant takes no returns: %+v", mp.Policies)
	}
	returnOne(ctx, store, sh.ID, "shopper", func(f string, a ...any) { said = append(said, fmt.Sprintf(f, a...)) })
	testwait.For(t, 30*time.Second, func() error {
		answerReturns(ctx, home, merchant.ID, merchant.Name, func(f string, a ...any) { said = append(said, fmt.Sprintf(f, a...)) })
		p, err := svc.GetOrder(ctx, sh.ID, o.ID)
		if err != nil || len(p.Parts[0].Returns) != 1 || p.Parts[0].Returns[0].State != order.ReturnReceived || p.Parts[0].Refunded.Amount == 0 {
			return fmt.Errorf("the part's returns %+v, refunded %s: %v", p.Parts[0].Returns, p.Parts[0].Refunded, err)
		}
		return nil
	})
}
