package catalog

import (
	"crypto/sha256"
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Money is an amount in the minor unit of a currency (cents for EUR) plus
// its ISO 4217 code. It is never a float.
type Money struct {
	// Amount is the count of minor units.
	Amount int64 `json:"amount"`
	// Currency is the three-letter ISO 4217 code, upper case.
	Currency string `json:"currency"`
}

// Variant is one purchasable form of a listing, identified by the
// merchant's SKU.
type Variant struct {
	// SKU is the merchant's stock keeping unit, unique among the merchant's
	// live listings: [A-Za-z0-9._-]{1,64}.
	SKU string `json:"sku"`
	// Options name what sets the variant apart ("size": "L").
	Options map[string]string `json:"options"`
	// Price is the unit price in the settlement currency.
	Price Money `json:"price"`
	// Stock is the units available. It is read from and written to the
	// listing's stock record, never the signed description, whose variants
	// always carry 0.
	Stock int64 `json:"stock"`
	// Grams is the weight of one unit, packed; 0 when not given. Weight
	// bands of shipping rates price by it.
	Grams int64 `json:"weight_grams,omitempty"`
	// Dimensions are the packed size in millimetres, when given.
	Dimensions *Dimensions `json:"dimensions_mm,omitempty"`
}

// Dimensions is a packed size in millimetres.
type Dimensions struct {
	Length int64 `json:"length"`
	Width  int64 `json:"width"`
	Height int64 `json:"height"`
}

// Listing is a product as every member sees it: the signed description
// from its home platform with the current stock filled into its variants.
type Listing struct {
	// ID is the global id, <platform>.<merchant>.<listing> (see ParseID).
	ID string `json:"id"`
	// Platform is the peer ID of the listing's home node.
	Platform string `json:"platform"`
	// Merchant is the id of the merchant on its home node.
	Merchant string `json:"merchant"`
	// MerchantName is the merchant's name as its home node signed it with
	// the description, so that every storefront can show who sells it;
	// empty in descriptions signed before it was carried.
	MerchantName string `json:"merchant_name,omitempty"`
	// Title is the product name.
	Title string `json:"title"`
	// Description is free text.
	Description string `json:"description"`
	// Category is a path of segments joined by " > ".
	Category string `json:"category"`
	// Brand is the product's brand.
	Brand string `json:"brand"`
	// GTIN is the optional global trade item number (8, 12, 13 or 14 digits).
	GTIN string `json:"gtin,omitempty"`
	// Attributes are name/value facts about the product.
	Attributes map[string]string `json:"attributes"`
	// Images are the pictures, the first the main one: absolute http(s)
	// URLs, or references of pictures uploaded to the home node
	// ("sha256:<hash>", see ImageRef).
	Images []string `json:"images"`
	// ShippingRegions are ISO 3166-1 alpha-2 codes the merchant ships to,
	// free, when neither the listing nor its merchant names a shipping
	// profile (see Catalog.ShippingFor).
	ShippingRegions []string `json:"shipping_regions"`
	// ShippingProfile is the id of the merchant's shipping profile the
	// listing ships under; "" means the merchant's default.
	ShippingProfile string `json:"shipping_profile,omitempty"`
	// Variants are the purchasable forms, at least one.
	Variants []Variant `json:"variants"`
	// Translations are the title and description in other languages, by
	// BCP 47 tag (see Translation); none in most listings.
	Translations map[string]Translation `json:"translations,omitempty"`
	// Version counts the description's changes, from 1.
	Version uint64 `json:"version"`
	// UpdatedAt is when the home node signed the current description.
	UpdatedAt time.Time `json:"updated_at"`
}

// ListingInput is what a merchant sends to create or replace a listing:
// the description and the stock of each variant. The home node assigns
// the id, version and time.
type ListingInput struct {
	// Title is the product name, 1..Config.MaxTitleLen characters.
	Title string `json:"title"`
	// Description is free text up to Config.MaxDescriptionLen characters.
	Description string `json:"description"`
	// Category is a path like "Home > Kitchen > Cookware".
	Category string `json:"category"`
	// Brand is required.
	Brand string `json:"brand"`
	// GTIN is optional; when set its check digit must be right.
	GTIN string `json:"gtin,omitempty"`
	// Attributes are name/value facts about the product.
	Attributes map[string]string `json:"attributes"`
	// Images are the pictures, the first the main one: absolute http(s)
	// URLs, or references of pictures uploaded to the home node
	// ("sha256:<hash>", see ImageRef).
	Images []string `json:"images"`
	// ShippingRegions are ISO 3166-1 alpha-2 codes, at least one unless
	// the listing names a shipping profile.
	ShippingRegions []string `json:"shipping_regions"`
	// ShippingProfile is the id of one of the merchant's shipping
	// profiles, or "" for its default.
	ShippingProfile string `json:"shipping_profile,omitempty"`
	// Variants are the purchasable forms with their stock, at least one.
	Variants []Variant `json:"variants"`
	// Translations are the title and description in other languages, by
	// BCP 47 tag: one of TranslationLanguages.
	Translations map[string]Translation `json:"translations,omitempty"`
}

// describe turns validated input into a description: deep copies, no nil
// collections, every variant's stock 0. Identity, version and time are
// left for the caller.
func describe(in ListingInput) *Listing {
	l := &Listing{
		Title:           in.Title,
		Description:     in.Description,
		Category:        in.Category,
		Brand:           in.Brand,
		GTIN:            in.GTIN,
		Attributes:      cloneMap(in.Attributes),
		Images:          cloneSlice(in.Images),
		ShippingRegions: cloneSlice(in.ShippingRegions),
		ShippingProfile: in.ShippingProfile,
		Variants:        make([]Variant, len(in.Variants)),
		Translations:    cloneTranslations(in.Translations),
	}
	for i, v := range in.Variants {
		l.Variants[i] = Variant{SKU: v.SKU, Options: cloneMap(v.Options), Price: v.Price, Grams: v.Grams}
		if v.Dimensions != nil {
			d := *v.Dimensions
			l.Variants[i].Dimensions = &d
		}
	}
	return l
}

// stockOf returns the units of each variant of in, by SKU.
func stockOf(in ListingInput) map[string]int64 {
	s := make(map[string]int64, len(in.Variants))
	for _, v := range in.Variants {
		s[v.SKU] = v.Stock
	}
	return s
}

// input is the inverse of describe: the description as input to the
// validator, with no stock.
func (l *Listing) input() ListingInput {
	return ListingInput{
		Title: l.Title, Description: l.Description, Category: l.Category, Brand: l.Brand,
		GTIN: l.GTIN, Attributes: l.Attributes, Images: l.Images,
		ShippingRegions: l.ShippingRegions, ShippingProfile: l.ShippingProfile, Variants: l.Variants,
		Translations: l.Translations,
	}
}

// Input is the listing as a feed entry that leaves it as it stands: its
// description and its variants' stock. A merchant's system changes what
// it means to (a price, the stock) and sends it back in a feed.
func (l *Listing) Input() ListingInput {
	in := l.input()
	in.Variants = slices.Clone(l.Variants)
	return in
}

// skus lists the listing's variant SKUs in order.
func (l *Listing) skus() []string {
	out := make([]string, len(l.Variants))
	for i, v := range l.Variants {
		out[i] = v.SKU
	}
	return out
}

// withStock returns a deep copy of l whose variants carry stock (0 for a
// SKU stock does not name).
func (l *Listing) withStock(stock map[string]int64) *Listing {
	cp := *l
	cp.Attributes = cloneMap(l.Attributes)
	cp.Images = cloneSlice(l.Images)
	cp.ShippingRegions = cloneSlice(l.ShippingRegions)
	cp.Translations = cloneTranslations(l.Translations)
	cp.Variants = make([]Variant, len(l.Variants))
	for i, v := range l.Variants {
		v.Options = cloneMap(v.Options)
		if v.Dimensions != nil {
			d := *v.Dimensions
			v.Dimensions = &d
		}
		v.Stock = stock[v.SKU]
		cp.Variants[i] = v
	}
	return &cp
}

// digest is a SHA-256 the catalog keeps beside a stored description or
// stock map, so that an unchanged upsert is found without decoding records.
type digest [32]byte

// contentDigest hashes what a merchant controls in l (see contentJSON).
func contentDigest(l *Listing) digest { return sha256.Sum256(contentJSON(l)) }

// contentJSON encodes l without its identity, version and time.
// encoding/json sorts map keys, so equal content encodes equally.
func contentJSON(l *Listing) []byte {
	cp := *l
	cp.ID, cp.Platform, cp.Merchant, cp.Version, cp.UpdatedAt = "", "", "", 0, time.Time{}
	return mustJSON(&cp)
}

// stockDigest hashes a stock map.
func stockDigest(s map[string]int64) digest { return sha256.Sum256(stockJSON(s)) }

func stockJSON(s map[string]int64) []byte { return mustJSON(s) }

// mustJSON encodes values made only of strings, numbers, maps and slices,
// which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("catalog: encoding: " + err.Error())
	}
	return b
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

func cloneSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
