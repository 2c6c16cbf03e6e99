package storefront

import (
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
}

// property is a schema.org PropertyValue: one attribute.
type property struct {
	Type  string `json:"@type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// productData builds the structured data of a listing.
func productData(l catalog.Listing, v listingPage, canonical string) productLD {
	p := productLD{Context: "https://schema.org", Type: "Product", URL: canonical, Name: l.Title,
		Description: l.Description, Image: v.Images, GTIN: l.GTIN, Category: l.Category, Offers: []offerLD{}}
	if l.Brand != "" {
		p.Brand = &brandLD{Type: "Brand", Name: l.Brand}
	}
	if len(l.Variants) == 1 {
		p.SKU = l.Variants[0].SKU
	}
	for _, vr := range l.Variants {
		avail := "https://schema.org/OutOfStock"
		if vr.Stock > 0 {
			avail = "https://schema.org/InStock"
		}
		p.Offers = append(p.Offers, offerLD{Type: "Offer", SKU: vr.SKU, Price: web.FormatAmount(vr.Price.Amount, vr.Price.Currency),
			PriceCurrency: vr.Price.Currency, Availability: avail, URL: canonical})
	}
	for _, a := range v.Attributes {
		p.Properties = append(p.Properties, property{Type: "PropertyValue", Name: a.Name, Value: a.Value})
	}
	return p
}
