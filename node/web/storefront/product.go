package storefront

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// productLD is a listing as schema.org Product structured data. The
// listing template hands it to html/template inside a
// <script type="application/ld+json">, where it is encoded with
// encoding/json, whose output escapes '<', '>' and '&': merchant text can
// never close the script element.
type productLD struct {
	Context     string     `json:"@context"`
	Type        string     `json:"@type"`
	URL         string     `json:"url"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Image       []string   `json:"image,omitempty"`
	SKU         string     `json:"sku,omitempty"`
	GTIN        string     `json:"gtin,omitempty"`
	Category    string     `json:"category,omitempty"`
	Brand       *brandLD   `json:"brand,omitempty"`
	Offers      []offerLD  `json:"offers"`
	Properties  []property `json:"additionalProperty,omitempty"`
	// AggregateRating and Review are the shoppers' reviews (reviews_ld.go).
	AggregateRating *aggregateRatingLD `json:"aggregateRating,omitempty"`
	Review          []reviewLD         `json:"review,omitempty"`
}

// brandLD is a schema.org Brand.
type brandLD struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

// offerLD is a schema.org Offer: one variant at its price.
type offerLD struct {
	Type          string `json:"@type"`
	SKU           string `json:"sku"`
	Price         string `json:"price"`
	PriceCurrency string `json:"priceCurrency"`
	Availability  string `json:"availability"`
	URL           string `json:"url"`
	// ShippingDetails are the rates of the variant, per zone.
	ShippingDetails []shippingDetailsLD `json:"shippingDetails,omitempty"`
	// ReturnPolicy is the merchant's, when published.
	ReturnPolicy *returnPolicyLD `json:"hasMerchantReturnPolicy,omitempty"`
}

// shippingDetailsLD is a schema.org OfferShippingDetails: one rate to one
// zone.
type shippingDetailsLD struct {
	Type         string         `json:"@type"`
	Rate         monetaryLD     `json:"shippingRate"`
	Destination  []regionLD     `json:"shippingDestination"`
	DeliveryTime deliveryTimeLD `json:"deliveryTime"`
	Name         string         `json:"name,omitempty"`
}

// monetaryLD is a schema.org MonetaryAmount.
type monetaryLD struct {
	Type     string `json:"@type"`
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

// regionLD is a schema.org DefinedRegion: a country, or a region of one
// (addressRegion is the ISO 3166-2 code without its country).
type regionLD struct {
	Type           string `json:"@type"`
	AddressCountry string `json:"addressCountry"`
	AddressRegion  string `json:"addressRegion,omitempty"`
}

// deliveryTimeLD is a schema.org ShippingDeliveryTime, in business days.
type deliveryTimeLD struct {
	Type     string         `json:"@type"`
	Handling quantitativeLD `json:"handlingTime"`
	Transit  quantitativeLD `json:"transitTime"`
}

// quantitativeLD is a schema.org QuantitativeValue of days.
type quantitativeLD struct {
	Type     string `json:"@type"`
	MinValue int    `json:"minValue"`
	MaxValue int    `json:"maxValue"`
	UnitCode string `json:"unitCode"`
}

// returnPolicyLD is a schema.org MerchantReturnPolicy.
type returnPolicyLD struct {
	Type              string      `json:"@type"`
	ApplicableCountry []string    `json:"applicableCountry,omitempty"`
	Category          string      `json:"returnPolicyCategory"`
	Days              int         `json:"merchantReturnDays,omitempty"`
	Method            string      `json:"returnMethod,omitempty"`
	Fees              string      `json:"returnFees,omitempty"`
	RestockingFee     json.Number `json:"restockingFee,omitempty"`
}

// maxShippingDetails caps the OfferShippingDetails of one offer.
const maxShippingDetails = 24

// shippingData is the OfferShippingDetails of one unit of v under t:
// each rate of each zone, priced for a destination in the zone.
func shippingData(t catalog.ShippingTerms, v catalog.Variant) []shippingDetailsLD {
	var out []shippingDetailsLD
	days := func(min, max int) quantitativeLD {
		return quantitativeLD{Type: "QuantitativeValue", MinValue: min, MaxValue: max, UnitCode: "DAY"}
	}
	for _, z := range t.Profile.Zones {
		dest, ok := zoneDestination(z)
		if !ok {
			continue
		}
		opts, err := t.Profile.Options(dest, oneUnit(v))
		if err != nil {
			continue
		}
		var regions []regionLD
		for _, c := range z.Countries {
			regions = append(regions, regionLD{Type: "DefinedRegion", AddressCountry: c})
		}
		for _, r := range z.Regions {
			regions = append(regions, regionLD{Type: "DefinedRegion", AddressCountry: r[:2], AddressRegion: r[3:]})
		}
		for _, o := range opts {
			if len(out) == maxShippingDetails {
				return out
			}
			out = append(out, shippingDetailsLD{Type: "OfferShippingDetails", Name: o.Rate,
				Rate:         monetaryLD{Type: "MonetaryAmount", Value: web.FormatAmount(o.Price, v.Price.Currency), Currency: v.Price.Currency},
				Destination:  regions,
				DeliveryTime: deliveryTimeLD{Type: "ShippingDeliveryTime", Handling: days(t.HandlingDays, t.HandlingDays), Transit: days(o.Transit.Min, o.Transit.Max)}})
		}
	}
	return out
}

// returnData is the schema.org return policy of p, for countries.
func returnData(p catalog.Policies, countries []string) *returnPolicyLD {
	r := &returnPolicyLD{Type: "MerchantReturnPolicy", ApplicableCountry: countries}
	if p.ReturnDays <= 0 {
		r.Category = "https://schema.org/MerchantReturnNotPermitted"
		return r
	}
	r.Category, r.Days, r.Method = "https://schema.org/MerchantReturnFiniteReturnWindow", p.ReturnDays, "https://schema.org/ReturnByMail"
	switch {
	case p.RestockingFeeBPS > 0:
		r.Fees = "https://schema.org/RestockingFees"
		r.RestockingFee = json.Number(strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%d.%02d", p.RestockingFeeBPS/100, p.RestockingFeeBPS%100), "0"), ".0"))
	case p.ReturnShipping == catalog.ReturnPaidByMerchant:
		r.Fees = "https://schema.org/FreeReturn"
	default:
		r.Fees = "https://schema.org/ReturnFeesCustomerResponsibility"
	}
	return r
}

// property is a schema.org PropertyValue: one attribute.
type property struct {
	Type  string `json:"@type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// productData builds the structured data of a listing, its offers with
// the shipping and returns of lt.
func productData(l catalog.Listing, v listingPage, canonical string, lt listingTerms) productLD {
	p := productLD{Context: "https://schema.org", Type: "Product", URL: canonical, Name: l.Title,
		Description: l.Description, Image: v.Images, GTIN: l.GTIN, Category: l.Category, Offers: []offerLD{}}
	if l.Brand != "" {
		p.Brand = &brandLD{Type: "Brand", Name: l.Brand}
	}
	if len(l.Variants) == 1 {
		p.SKU = l.Variants[0].SKU
	}
	countries := shipsToCountries(lt.terms.Profile)
	for _, vr := range l.Variants {
		avail := "https://schema.org/OutOfStock"
		if vr.Stock > 0 {
			avail = "https://schema.org/InStock"
		}
		o := offerLD{Type: "Offer", SKU: vr.SKU, Price: web.FormatAmount(vr.Price.Amount, vr.Price.Currency),
			PriceCurrency: vr.Price.Currency, Availability: avail, URL: canonical, ShippingDetails: shippingData(lt.terms, vr)}
		if lt.profile != nil {
			o.ReturnPolicy = returnData(lt.profile.Policies, countries)
		}
		p.Offers = append(p.Offers, o)
	}
	for _, a := range v.Attributes {
		p.Properties = append(p.Properties, property{Type: "PropertyValue", Name: a.Name, Value: a.Value})
	}
	return p
}
