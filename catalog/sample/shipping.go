package sample

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// home is where a sample merchant ships from: its country, the rest of
// the EU it ships to, and the carriers it uses at home and abroad.
type home struct {
	country, city        string
	domestic, eu, abroad []string // carrier ids
}

var homes = []home{
	{"DE", "Bremen", []string{"dhl-paket"}, []string{"dpd"}, []string{"dhl", "ups"}},
	{"FR", "Lyon", []string{"colissimo"}, []string{"dpd"}, []string{"fedex"}},
	{"NL", "Utrecht", []string{"postnl"}, []string{"gls"}, []string{"dhl"}},
}

// eu are the member states the sample merchants ship to.
var eu = []string{"AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "PL", "PT", "SE"}

// world is where the merchants that ship abroad ship outside the EU.
var world = []string{"AU", "CA", "CH", "GB", "JP", "NO", "US"}

// Countries are the destinations the sample merchants are quoted for:
// most ship to some of them, none to all.
var Countries = []string{"DE", "FR", "NL", "IT", "ES", "SE", "GB", "US", "JP", "BR"}

// Merchant returns a realistic profile for the merchant named name, the
// n-th of its platform: a home country, policies, and one shipping
// profile with a domestic zone, an EU zone and, for some, a world zone,
// each with a standard and an express rate, weight bands abroad and a
// free-shipping threshold at home. The profile's DefaultShipping is
// left for the caller, who knows the shipping profile's id.
func (g *Generator) Merchant(name string, n int) (catalog.MerchantProfileInput, catalog.ShippingProfileInput) {
	f := g.f
	h := homes[n%len(homes)]
	returns := []int{14, 30, 30, 60, 0}[f.IntN(5)]
	pays := catalog.ReturnPaidByShopper
	if f.IntN(3) == 0 {
		pays = catalog.ReturnPaidByMerchant
	}
	fee := 0
	if f.IntN(4) == 0 {
		fee = 1000
	}
	slug := strings.ToLower(strings.ReplaceAll(name, " ", "-"))
	profile := catalog.MerchantProfileInput{
		Name:        name,
		Description: fmt.Sprintf("%s sells from %s, packed by hand and sent within days.", name, h.city),
		Country:     h.country,
		Email:       "service@" + slug + ".example",
		Policies: catalog.Policies{ReturnDays: returns, ReturnShipping: pays, RestockingFeeBPS: fee, HandlingDays: 1 + f.IntN(3),
			Legal: fmt.Sprintf("%s, %s. A sample merchant of the fedmart demo: nothing here is for sale.", name, h.city)},
	}
	domestic := shipping.Zone{Name: "Domestic", Countries: []string{h.country}, Rates: []shipping.Rate{
		{Name: "Standard", Flat: 490, FreeOver: 5000, Transit: shipping.Days{Min: 1, Max: 2}, Carriers: h.domestic},
		{Name: "Express", Flat: 990, Transit: shipping.Days{Min: 1, Max: 1}, Carriers: h.domestic},
	}}
	bands := func(light, medium, heavy int64) []shipping.Band {
		return []shipping.Band{{From: 0, To: 1000, Amount: light}, {From: 1000, To: 5000, Amount: medium}, {From: 5000, To: 31500, Amount: heavy}}
	}
	europe := shipping.Zone{Name: "EU", Countries: slices.DeleteFunc(slices.Clone(eu), func(c string) bool { return c == h.country }),
		Rates: []shipping.Rate{
			{Name: "Standard", Bands: bands(790, 1290, 1990), FreeOver: 15000, Transit: shipping.Days{Min: 2, Max: 5}, Carriers: h.eu},
			{Name: "Express", Bands: bands(1690, 2490, 3990), Transit: shipping.Days{Min: 1, Max: 2}, Carriers: h.abroad},
		}}
	ship := catalog.ShippingProfileInput{Name: "Parcels", Zones: []shipping.Zone{domestic, europe}}
	if f.IntN(2) == 0 {
		ship.Zones = append(ship.Zones, shipping.Zone{Name: "World", Countries: world, Rates: []shipping.Rate{
			{Name: "International", Bands: bands(1990, 3490, 5990), Transit: shipping.Days{Min: 5, Max: 12}, Carriers: h.abroad},
		}})
	}
	return profile, ship
}

// grams is a variant's weight, drawn from its SKU so that adding weights
// leaves every other generated value as it was: 200 g to 6 kg.
func grams(sku string) int64 {
	h := fnv.New32a()
	h.Write([]byte(sku))
	return 200 + int64(h.Sum32()%5800)
}
