package order

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// offerOn is an offer of merchant on home m, live around the cluster's
// clock.
func (f *cluster) offerOn(m *member, merchant, name string, version uint64, o catalog.Offer) catalog.Offer {
	o.ID, o.Platform, o.Merchant, o.Name, o.Version = m.id+"."+merchant+"."+name, m.id, merchant, name, version
	o.Starts, o.Ends = f.clk.now().Add(-time.Hour), f.clk.now().Add(24*time.Hour)
	f.cat.offer(o, false)
	return o
}

// TestOffersAreQuotedAndRecheckedByTheHome: the storefront's cart and
// order carry a merchant's discount, which the home accepts; when the
// storefront's copy of the offer is stale, the home refuses the reserve
// with its own discount, the cart takes it, and the next checkout pays
// it; an offer that ended is refused the same way; the part's total (the
// gross settlement splits) is the discounted price.
func TestOffersAreQuotedAndRecheckedByTheHome(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 5000, 20)
	tenOff := f.offerOn(b, "forge", "ten", 1, catalog.Offer{Kind: catalog.OfferPercent, PercentBPS: 1000})

	sh, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	cart, err := a.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2})
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Groups[0].Lines[0]; l.Discount.Amount != 1000 || l.OfferLabel != "−10 %" || l.Subtotal.Amount != 9000 || got.Total.Amount != 9000 {
		t.Fatalf("the cart line: %+v, total %v", l, got.Total)
	}
	pay := PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}
	o, _, err := a.svc.Checkout(ctx, sh.ID, cart.ID, "k1", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay})
	if err != nil {
		t.Fatal(err)
	}
	if o.Total.Amount != 9000 || o.Parts[0].Total.Amount != 9000 || o.Parts[0].Items[0].Offer != tenOff.ID {
		t.Fatalf("the order: total %v, part %+v", o.Total, o.Parts[0])
	}
	statusOn(t, a, o.Parts[0].ID, StatusAccepted)
	hp, err := b.svc.HomePartOf(ctx, "forge", o.Parts[0].ID)
	if err != nil || hp.Total.Amount != 9000 || hp.Lines[0].Discount.Amount != 1000 {
		t.Fatalf("the home's part: %+v %v", hp, err)
	}
	if up, err := b.svc.OfferUptake(ctx, "forge"); err != nil || up[tenOff.ID].Parts != 1 || up[tenOff.ID].Units != 2 || up[tenOff.ID].Cost.Amount != 1000 {
		t.Fatalf("the offer's uptake: %+v %v", up, err)
	}

	// Forge raises the offer to 20 %; Alpha still holds version 1.
	f.cat.staleOffers(a.id, []catalog.Offer{tenOff})
	twenty := f.offerOn(b, "forge", "ten", 2, catalog.Offer{Kind: catalog.OfferPercent, PercentBPS: 2000})
	cart, _ = a.svc.CreateCart(ctx, sh.ID)
	if got, _ := a.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}); got.Total.Amount != 4500 {
		t.Fatalf("with the stale copy: %v", got.Total)
	}
	_, _, err = a.svc.Checkout(ctx, sh.ID, cart.ID, "k2", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay})
	var ce *CheckoutError
	if !errors.As(err, &ce) || ce.Reason != ReasonPriceChanged || len(ce.Quote) != 1 || ce.Quote[0].Discount.Amount != 1000 || ce.Quote[0].OfferVersion != 2 {
		t.Fatalf("a stale offer: %v (%+v)", err, ce)
	}
	if got, _ := a.svc.GetCart(ctx, sh.ID, cart.ID); got.Total.Amount != 4000 {
		t.Fatalf("the cart did not take the home's discount: %v", got.Total)
	}
	o, _, err = a.svc.Checkout(ctx, sh.ID, cart.ID, "k3", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay})
	if err != nil || o.Total.Amount != 4000 || o.Parts[0].Items[0].OfferVersion != twenty.Version {
		t.Fatalf("the checkout at the home's discount: %+v %v", o, err)
	}

	// The offer ends at the home; Alpha still shows it.
	f.cat.staleOffers(a.id, []catalog.Offer{twenty})
	f.cat.offer(twenty, true)
	cart, _ = a.svc.CreateCart(ctx, sh.ID)
	if _, err := a.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	_, _, err = a.svc.Checkout(ctx, sh.ID, cart.ID, "k4", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay})
	if !errors.As(err, &ce) || len(ce.Quote) != 1 || ce.Quote[0].Discount.Amount != 0 || ce.Quote[0].Offer != "" {
		t.Fatalf("an ended offer: %v (%+v)", err, ce)
	}
	if o, _, err = a.svc.Checkout(ctx, sh.ID, cart.ID, "k5", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay}); err != nil || o.Total.Amount != 5000 {
		t.Fatalf("the checkout without the ended offer: %+v %v", o, err)
	}
}

// TestAStorefrontCannotClaimADiscount: a reserve that claims a bigger
// discount than the home's signed offer gives, or a discount by an
// offer the home does not have, holds nothing and is answered with the
// home's quote.
func TestAStorefrontCannotClaimADiscount(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 5000, 20)
	off := f.offerOn(b, "forge", "ten", 1, catalog.Offer{Kind: catalog.OfferPercent, PercentBPS: 1000})
	for i, l := range []Line{
		{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2, UnitPrice: pan.Price, Discount: Money{Amount: 5000, Currency: "EUR"}, Offer: off.ID, OfferVersion: 1},
		{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2, UnitPrice: pan.Price, Discount: Money{Amount: 1000, Currency: "EUR"}, Offer: b.id + ".forge.made-up", OfferVersion: 1},
	} {
		part := "ord_x" + string(rune('a'+i)) + "-1"
		raw := SignedReserve(a.key, b.id, part, "forge", testShipTo, []Line{l})
		st, _, err := decodeReply(b.svc.Handle(ctx, a.id, raw), b.id, KindReserve, part)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status.Status != StatusRejected || st.Status.Reason != ReasonPriceChanged || len(st.Status.Quote) != 1 ||
			st.Status.Quote[0].Discount.Amount != 1000 || st.Status.Quote[0].Offer != off.ID {
			t.Errorf("claim %d answered %+v", i, st.Status)
		}
	}
	// More than the line's worth is malformed.
	raw := SignedReserve(a.key, b.id, "ord_xz-1", "forge", testShipTo, []Line{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1,
		UnitPrice: pan.Price, Discount: Money{Amount: 6000, Currency: "EUR"}, Offer: off.ID, OfferVersion: 1}})
	var re *RemoteError
	if _, _, err := decodeReply(b.svc.Handle(ctx, a.id, raw), b.id, KindReserve, "ord_xz-1"); !errors.As(err, &re) || re.Code != CodeInvalid {
		t.Errorf("a discount over the line's worth: %v", err)
	}
	if n := f.stockOf(pan); n != 20 {
		t.Errorf("the refused reserves hold %d units", 20-n)
	}
	// A home's quote of more than its own signed offer gives is not
	// taken; one by a version this storefront does not hold yet is.
	part := Part{Platform: b.id, Merchant: "forge", Items: []Line{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2, UnitPrice: pan.Price}}}
	quote := func(amount int64, version uint64) []Line {
		return []Line{{ListingID: pan.ListingID, SKU: "PAN", Category: "Home > Kitchen", Quantity: 2, UnitPrice: pan.Price,
			Discount: Money{Amount: amount, Currency: "EUR"}, Offer: off.ID, OfferVersion: version}}
	}
	if err := a.svc.checkQuotedDiscounts(ctx, Order{Parts: []Part{part}}, quote(5000, 1)); !errors.Is(err, ErrForged) {
		t.Errorf("a quote of 50.00 off by a 10 %% offer: %v", err)
	}
	for _, q := range [][]Line{quote(1000, 1), quote(5000, 2)} {
		if err := a.svc.checkQuotedDiscounts(ctx, Order{Parts: []Part{part}}, q); err != nil {
			t.Errorf("a quote the records allow: %v", err)
		}
	}
	// A home's quote naming an offer of another platform is not taken.
	c := storedCart{Lines: []CartLine{{ListingID: pan.ListingID, SKU: "PAN", Platform: b.id, Quantity: 1, UnitPrice: pan.Price}}}
	err := c.takeHomeDiscounts(b.id, []Line{{ListingID: pan.ListingID, SKU: "PAN", UnitPrice: pan.Price, Discount: Money{Amount: 100, Currency: "EUR"}, Offer: a.id + ".x.y", OfferVersion: 1}})
	if !errors.Is(err, ErrForged) || c.HomeDiscounts != nil {
		t.Errorf("a quote by another platform's offer: %v %+v", err, c.HomeDiscounts)
	}
}

// TestFreeShippingAndBuyGetOffers: a merchant's free shipping from an
// amount makes its cheapest rate free on the storefront and at the home,
// which accepts the reserve; buy 2 get 1 gives every third unit free.
func TestFreeShippingAndBuyGetOffers(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 2000, 20)
	f.cat.ship(pan.ListingID, forgeProfile(490), 2)
	f.offerOn(b, "forge", "ship", 1, catalog.Offer{Kind: catalog.OfferFreeShipping, MinSubtotal: 5000})
	f.offerOn(b, "forge", "b2g1", 1, catalog.Offer{Kind: catalog.OfferBuyGet, Buy: 2, Get: 1})
	sh, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	cart, _ := a.svc.CreateCart(ctx, sh.ID)
	if _, err := a.svc.SetShipTo(ctx, sh.ID, cart.ID, shipping.Destination{Country: "DE"}); err != nil {
		t.Fatal(err)
	}
	got, err := a.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2})
	if err != nil {
		t.Fatal(err)
	}
	// 2 pans: no free unit, 40.00 is under 50.00: 4.90 + 2 × 1.00.
	if got.Shipping.Shipping.Amount != 690 || got.Total.Amount != 4000 {
		t.Fatalf("two pans: total %v, shipping %+v", got.Total, got.Shipping)
	}
	got, err = a.svc.SetQuantity(ctx, sh.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: "PAN", Quantity: 4})
	if err != nil {
		t.Fatal(err)
	}
	// 4 pans: one free (buy 2 get 1), 60.00 over 50.00 ships free.
	if l := got.Groups[0].Lines[0]; l.Discount.Amount != 2000 || l.OfferLabel != "buy 2 get 1" || got.Shipping.Shipping.Amount != 0 {
		t.Fatalf("four pans: %+v, shipping %+v", l, got.Shipping)
	}
	o, _, err := a.svc.Checkout(ctx, sh.ID, cart.ID, "k1", CheckoutRequest{ShippingAddress: toDE, Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}})
	if err != nil || o.Total.Amount != 6000 || o.Shipping.Amount != 0 {
		t.Fatalf("the checkout: %+v %v", o, err)
	}
	statusOn(t, a, o.Parts[0].ID, StatusAccepted)
}
