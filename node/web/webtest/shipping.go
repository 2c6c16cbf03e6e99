package webtest

import (
	"context"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// Germany ships Standard (4.90 EUR + 1.00 EUR per item, 1–2 days, DHL
// Paket) and Express (14.90 EUR, next day, UPS); France Standard (9.90
// EUR, 3–5 days); no other country: the shipping profile the page tests
// of shipping use.
func ForgeShipping() catalog.ShippingProfileInput {
	return catalog.ShippingProfileInput{Name: "Forge parcels", Zones: []shipping.Zone{
		{Name: "Germany", Countries: []string{"DE"}, Rates: []shipping.Rate{
			{Name: "Standard", Flat: 490, PerItem: 100, Transit: shipping.Days{Min: 1, Max: 2}, Carriers: []string{"dhl-paket"}},
			{Name: "Express", Flat: 1490, Transit: shipping.Days{Min: 1, Max: 1}, Carriers: []string{"ups"}}}},
		{Name: "France", Countries: []string{"FR"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 990, Transit: shipping.Days{Min: 3, Max: 5}}}},
	}}
}

// ReturnsIn30 are policies of 30-day returns at the shopper's cost, sent
// within 2 business days.
func ReturnsIn30() catalog.Policies {
	return catalog.Policies{ReturnDays: 30, ReturnShipping: catalog.ReturnPaidByShopper, HandlingDays: 2}
}

// PublishShipping gives merchant of n the shipping profile in, as its
// default, and a merchant profile named name with policies; records of
// Other reach Self (Replicate). It returns the shipping profile's id.
func (h *Harness) PublishShipping(n *Node, merchant, name string, in catalog.ShippingProfileInput, policies catalog.Policies) string {
	h.T.Helper()
	ctx := context.Background()
	sp, err := n.Cat.PutShippingProfile(ctx, merchant, "", in)
	if err != nil {
		h.T.Fatal(err)
	}
	_, err = n.Cat.SetMerchantProfile(ctx, merchant, catalog.MerchantProfileInput{Name: name, Country: "DE", Email: "help@forge.example",
		Description: "Pans forged by hand in Bremen.", DefaultShipping: sp.ID, Policies: policies})
	if err != nil {
		h.T.Fatal(err)
	}
	if n == h.Other {
		h.Replicate()
	}
	return sp.ID
}

// OtherMerchant creates a merchant of Other.
func (h *Harness) OtherMerchant(name string) catalog.Merchant {
	h.T.Helper()
	m, _, err := h.Other.Cat.CreateMerchant(context.Background(), name)
	if err != nil {
		h.T.Fatal(err)
	}
	return m
}

// ListOtherOf creates a listing of Other's merchant and replicates it to
// Self.
func (h *Harness) ListOtherOf(merchant string, in catalog.ListingInput) catalog.Listing {
	h.T.Helper()
	l, err := h.Other.Cat.CreateListing(context.Background(), merchant, in)
	if err != nil {
		h.T.Fatal(err)
	}
	h.Replicate()
	return l
}
