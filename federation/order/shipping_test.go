package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/internal/testwait"
)

// forge ships within Germany at 4.90 a part plus 1.00 an item, and to
// France by weight; linen ships everywhere in the EU, free over 50.00.
func forgeProfile(flat int64) shipping.Profile {
	return shipping.Profile{ID: "forge-parcels", Name: "Parcels", Zones: []shipping.Zone{
		{Name: "Domestic", Countries: []string{"DE"}, Rates: []shipping.Rate{
			{Name: "Standard", Flat: flat, PerItem: 100, Transit: shipping.Days{Min: 1, Max: 2}, Carriers: []string{"dhl-paket"}},
			{Name: "Express", Flat: 1500, Transit: shipping.Days{Min: 1, Max: 1}, Carriers: []string{"ups"}},
		}},
		{Name: "France", Countries: []string{"FR"}, Rates: []shipping.Rate{
			{Name: "Standard", Bands: []shipping.Band{{From: 0, To: 5000, Amount: 990}, {From: 5000, To: 30000, Amount: 1990}}, Transit: shipping.Days{Min: 3, Max: 5}},
		}},
	}}
}

func linenProfile() shipping.Profile {
	return shipping.Profile{ID: "linen-eu", Name: "EU", Zones: []shipping.Zone{
		{Name: "EU", Countries: []string{"DE", "FR", "NL"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 590, FreeOver: 5000, Transit: shipping.Days{Min: 2, Max: 4}}}},
	}}
}

// toDE is a German address.
var toDE = Address{Name: "Ada Lovelace", Line1: "Hauptstr. 1", City: "Bremen", PostalCode: "28195", Country: "DE"}

// TestShippingIsQuotedChargedAndRecheckedByTheHome: a cart with parts
// from two homes is quoted with shipping to its destination; a line a home
// does not ship there is refused when added; a storefront whose copy of a
// profile is stale is told the home's price and the cart takes it; the
// order's totals and the homes' parts carry shipping; refunds give it
// back or keep it; a shipped part has its tracking link.
func TestShippingIsQuotedChargedAndRecheckedByTheHome(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	apron := f.list(c, "linen", "APRON", 2600, 10)
	jar := f.list(c, "linen", "JAR", 1500, 10)
	f.cat.ship(pan.ListingID, forgeProfile(490), 2)
	f.cat.ship(apron.ListingID, linenProfile(), 1)
	f.cat.ship(jar.ListingID, shipping.Profile{ID: "jar-local", Name: "NL only", Zones: []shipping.Zone{
		{Name: "NL", Countries: []string{"NL"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 300, Transit: shipping.Days{Min: 1, Max: 1}}}}}}, 1)

	sh, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	cart, err := a.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.SetShipTo(ctx, sh.ID, cart.ID, shipping.Destination{Country: "DE"}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []offer{pan, apron} {
		if _, err := a.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: o.ListingID, SKU: o.SKU, Quantity: 2}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = a.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: jar.ListingID, SKU: "JAR", Quantity: 1})
	var fe FieldErrors
	if !errors.As(err, &fe) || fe[0].Field != "listing_id" || !strings.Contains(fe[0].Message, `"JAR" does not ship to DE`) {
		t.Fatalf("a line that does not ship to DE: %v", err)
	}

	got, err := a.svc.GetCart(ctx, sh.ID, cart.ID)
	if err != nil {
		t.Fatal(err)
	}
	// forge: 4.90 + 2 × 1.00; linen: 52.00 of aprons is over 50.00, free.
	if s := got.Shipping; s == nil || !s.Shippable || len(s.Parts) != 2 || s.Shipping.Amount != 690 || s.Total.Amount != 2*4990+2*2600+690 {
		t.Fatalf("the cart's shipping: %+v", got.Shipping)
	}
	forge := got.Shipping.Parts[slices.IndexFunc(got.Shipping.Parts, func(p CartPartShipping) bool { return p.Merchant == "forge" })]
	if len(forge.Options) != 2 || forge.Rate != "Standard" || forge.Estimate == nil {
		t.Fatalf("forge's options: %+v", forge)
	}
	// 2026-11-24 is a Tuesday: 2 handling days and 1-2 in transit.
	if e := forge.Estimate; e.Earliest.Format("Jan 2") != "Nov 27" || e.Latest.Format("Jan 2") != "Nov 30" {
		t.Errorf("forge's estimate: %s to %s", e.Earliest, e.Latest)
	}
	if _, err := a.svc.ChooseShipping(ctx, sh.ID, cart.ID, b.id, "forge", "Overnight"); err == nil {
		t.Error("a rate the part does not have was chosen")
	}

	// Forge raised its rate; Alpha's copy is the old one.
	f.cat.stale(a.id, pan.ListingID, catalog.ShippingTerms{Profile: forgeProfile(490), HandlingDays: 2})
	f.cat.ship(pan.ListingID, forgeProfile(590), 2)
	pay := PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}
	_, _, err = a.svc.Checkout(ctx, sh.ID, cart.ID, "k1", CheckoutRequest{ShippingAddress: toDE, Payment: pay})
	var ce *CheckoutError
	if !errors.As(err, &ce) || ce.Reason != ReasonPriceChanged || len(ce.Shipping) != 1 || ce.Shipping[0].Price.Amount != 790 || len(ce.Quote) != 0 {
		t.Fatalf("checkout with a stale shipping price: %v (%+v)", err, ce)
	}
	testwait.For(t, 10*time.Second, func() error { // the release travels through the outbox
		if n := f.stockOf(apron); n != 10 {
			return fmt.Errorf("linen holds %d aprons after the refused checkout, want 10", n)
		}
		return nil
	})
	got, _ = a.svc.GetCart(ctx, sh.ID, cart.ID)
	if got.Shipping.Shipping.Amount != 790 {
		t.Fatalf("the cart did not take the home's quote: %+v", got.Shipping)
	}
	o, _, err := a.svc.Checkout(ctx, sh.ID, cart.ID, "k2", CheckoutRequest{ShippingAddress: toDE, Payment: pay})
	if err != nil {
		t.Fatal(err)
	}
	if o.Shipping.Amount != 790 || o.Total.Amount != 2*4990+2*2600+790 || o.Payment.Amount.Amount != o.Total.Amount {
		t.Fatalf("order totals: shipping %s, total %s, paid %s", o.Shipping, o.Total, o.Payment.Amount)
	}
	var fp, lp Part
	for _, p := range o.Parts {
		statusOn(t, a, p.ID, StatusAccepted)
		if p.Merchant == "forge" {
			fp = p
		} else {
			lp = p
		}
	}
	if fp.Shipping.Amount != 790 || fp.Total.Amount != 2*4990+790 || lp.Shipping.Amount != 0 || lp.ShippingRate != "Standard" {
		t.Fatalf("parts: forge %s of %s, linen %s (%q)", fp.Shipping, fp.Total, lp.Shipping, lp.ShippingRate)
	}
	hp, err := b.svc.HomePartOf(ctx, "forge", fp.ID)
	if err != nil || hp.Shipping.Amount != 790 || hp.ShippingRate != "Standard" || hp.ShipTo.Country != "DE" {
		t.Fatalf("forge's own part: %+v %v", hp, err)
	}

	// Shipped with a carrier of the table: the storefront has the link.
	if _, err := b.svc.ShipWith(ctx, "forge", fp.ID, Shipment{Carrier: "dhl-paket", Tracking: "00340434"}); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, fp.ID, StatusShipped)
	if p := partOn(t, a, fp.ID); p.Carrier != "DHL Paket (Germany)" || !strings.HasPrefix(p.TrackingURL, "https://www.dhl.de/") || !strings.HasSuffix(p.TrackingURL, "piececode=00340434") {
		t.Errorf("shipped: carrier %q link %q", p.Carrier, p.TrackingURL)
	}
	if _, err := c.svc.ShipWith(ctx, "linen", lp.ID, Shipment{Carrier: "Bike Courier", Tracking: "B7", TrackingURL: "http://bike.example/B7"}); err == nil {
		t.Error("a tracking page over plain http was taken")
	}
	// Refunds: forge keeps the shipping of a part that went out; linen's
	// unshipped part gives everything back.
	if _, err := b.svc.RefundItems(ctx, "forge", fp.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Refund(ctx, "linen", lp.ID); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, fp.ID, StatusRefunded)
	statusOn(t, a, lp.ID, StatusRefunded)
	if p := partOn(t, a, fp.ID); p.Refunded.Amount != 2*4990 || p.RefundedShipping.Amount != 0 {
		t.Errorf("forge refunded %s (shipping %s)", p.Refunded, p.RefundedShipping)
	}
	// Settlement's proof of a part with shipping holds on either side; a
	// home that states shipping the storefront never placed is caught.
	for _, m := range []*member{a, b} {
		proof, err := m.svc.ProveStatus(ctx, fp.ID, b.id, func(msg *Message) bool { return msg.Status.Status == StatusRefunded })
		if err != nil {
			t.Fatal(err)
		}
		if st, err := VerifyProof(proof); err != nil || st.Status.Total.Amount != 2*4990+790 || st.Status.Shipping.Amount != 790 {
			t.Fatalf("the proof of forge's refund from %s: %v", m.id, err)
		}
	}
	proof, err := b.svc.ProveStatus(ctx, fp.ID, b.id, func(msg *Message) bool { return msg.Status.Status == StatusAccepted })
	if err != nil {
		t.Fatal(err)
	}
	var pr Proof
	if err := json.Unmarshal(proof, &pr); err != nil {
		t.Fatal(err)
	}
	forged := Status{Seq: 1, Status: StatusAccepted, Merchant: "forge", ShippingRate: "Standard",
		Total: Money{Amount: 2*4990 + 1790, Currency: "EUR"}, Shipping: Money{Amount: 1790, Currency: "EUR"}}
	pr.Status = SignedStatus(b.key, a.id, fp.ID, time.Now(), &forged)
	raw, _ := json.Marshal(pr)
	if _, err := VerifyProof(raw); !errors.Is(err, ErrForged) {
		t.Errorf("a home's proof of shipping the reserve never placed: %v", err)
	}
	f.drained()
}

// TestCheckoutRefusesWhatDoesNotShipThere: a line whose merchant does not
// ship to the address refuses the checkout, named, before anything is
// held; a storefront that does not know it yet is told by the home.
func TestCheckoutRefusesWhatDoesNotShipThere(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	f.cat.ship(pan.ListingID, forgeProfile(490), 2)
	_, err := f.buyWith(a, "k1", PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}, 1, pan)
	if err == nil { // buyWith ships to GB, which forge does not serve
		t.Fatal("a checkout to GB went through")
	}
	var fe FieldErrors
	if !errors.As(err, &fe) || fe[0].Field != "shipping_address.country" || !strings.Contains(fe[0].Message, `"PAN" does not ship to GB`) {
		t.Fatalf("checkout to GB: %v", err)
	}
	if n := f.stockOf(pan); n != 10 {
		t.Errorf("stock %d after a refused checkout", n)
	}
	// Alpha's copy still says forge ships everywhere; forge knows better.
	f.cat.stale(a.id, pan.ListingID, catalog.ShippingTerms{HandlingDays: 1, Profile: shipping.Profile{ID: "old", Name: "Old",
		Zones: []shipping.Zone{{Name: "All", Countries: []string{"GB", "DE"}, Rates: []shipping.Rate{{Name: "Standard"}}}}}})
	_, err = f.buyWith(a, "k2", PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}, 1, pan)
	var ce *CheckoutError
	if !errors.As(err, &ce) || ce.Reason != ReasonNotShippable || len(ce.Unshippable) != 1 || ce.Country != "GB" || !errors.Is(err, ErrNotShippable) {
		t.Fatalf("the home's refusal: %v", err)
	}
	if n := f.stockOf(pan); n != 10 {
		t.Errorf("stock %d after the home refused", n)
	}
}
