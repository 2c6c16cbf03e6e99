package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fedmart/fedmart/catalog"
)

// lowStock is the stock at or under which a variant says how few are left.
const lowStock = 5

// listingPage is what the listing template shows.
type listingPage struct {
	ID, Title, Description, Brand, GTIN string
	Trail                               []facetLink // category path, each a search link
	Images                              []string
	Variants                            []variantView
	PriceFrom                           string
	Merchant                            string // "" when its name is not known here
	Platform, PlatformID                string
	Attributes                          []attribute
	Regions                             string
	Updated                             time.Time
}

// variantView is one row of the variants table.
type variantView struct {
	SKU, Options, Price, Stock string
	InStock                    bool
}

// attribute is one name/value fact.
type attribute struct{ Name, Value string }

// listing is a listing's page: GET /listings/{id}.
func (wb *Web) listing(w http.ResponseWriter, r *http.Request) {
	l, err := wb.deps.Listings.Listing(r.Context(), r.PathValue("id"))
	if err != nil {
		if statusOf(err) == http.StatusBadRequest { // a malformed id names no listing
			err = fmt.Errorf("%w: %v", catalog.ErrNotFound, err)
		}
		wb.fail(w, r, err)
		return
	}
	names := wb.platformNames()
	v := listingView(l, names)
	v.Merchant = wb.merchantName(r.Context(), l)
	canonical := wb.absURL(listingURL(l.ID))
	p := &page{Title: l.Title, Canonical: canonical, Data: v,
		Meta:   wb.openGraph(l, v, canonical),
		JSONLD: productData(l, v, canonical)}
	wb.render(w, r, http.StatusOK, "listing", p)
}

// listingView builds the page's content from the listing.
func listingView(l catalog.Listing, names map[string]string) listingPage {
	v := listingPage{ID: l.ID, Title: l.Title, Description: l.Description, Brand: l.Brand, GTIN: l.GTIN,
		Platform: platformName(names, l.Platform), PlatformID: l.Platform,
		Regions: strings.Join(l.ShippingRegions, ", "), Updated: l.UpdatedAt}
	v.Trail = categoryView(searchState{Category: l.Category}, nil).Trail
	for _, img := range l.Images {
		if s := safeImage(img); s != "" {
			v.Images = append(v.Images, s)
		}
	}
	for _, vr := range l.Variants {
		v.Variants = append(v.Variants, variantView{SKU: vr.SKU, Options: formatPairs(vr.Options, ';'),
			Price: formatMoney(vr.Price.Amount, vr.Price.Currency), Stock: stockText(vr.Stock), InStock: vr.Stock > 0})
	}
	if lo, ok := lowestPrice(l); ok {
		v.PriceFrom = formatMoney(lo.Amount, lo.Currency)
	}
	for k, val := range l.Attributes {
		v.Attributes = append(v.Attributes, attribute{k, val})
	}
	slices.SortFunc(v.Attributes, func(a, b attribute) int { return strings.Compare(a.Name, b.Name) })
	return v
}

// merchantName names the listing's merchant: this node's merchants by
// their current name, others' by the name their home node signed with the
// description ("" in descriptions signed before names were carried).
func (wb *Web) merchantName(ctx context.Context, l catalog.Listing) string {
	if l.Platform != wb.deps.Merchants.Platform() {
		return l.MerchantName
	}
	m, err := wb.deps.Merchants.Merchant(ctx, l.Merchant)
	if err != nil {
		return l.MerchantName
	}
	return m.Name
}

// stockText says how many of a variant are left, shoppers' way.
func stockText(n int64) string {
	switch {
	case n <= 0:
		return "Out of stock"
	case n <= lowStock:
		return fmt.Sprintf("Only %d left", n)
	}
	return "In stock"
}

// lowestPrice is the price of the listing's cheapest variant.
func lowestPrice(l catalog.Listing) (catalog.Money, bool) {
	if len(l.Variants) == 0 {
		return catalog.Money{}, false
	}
	lo := l.Variants[0].Price
	for _, v := range l.Variants[1:] {
		if v.Price.Amount < lo.Amount {
			lo = v.Price
		}
	}
	return lo, true
}

// openGraph are the listing's OpenGraph tags for link previews.
func (wb *Web) openGraph(l catalog.Listing, v listingPage, canonical string) []metaTag {
	tags := []metaTag{{"og:type", "product"}, {"og:title", l.Title}, {"og:url", canonical}, {"og:site_name", wb.siteName()}}
	if d := clipText(l.Description, 200); d != "" {
		tags = append(tags, metaTag{"og:description", d})
	}
	if len(v.Images) > 0 {
		tags = append(tags, metaTag{"og:image", v.Images[0]})
	}
	if lo, ok := lowestPrice(l); ok {
		tags = append(tags, metaTag{"product:price:amount", formatAmount(lo.Amount, lo.Currency)},
			metaTag{"product:price:currency", lo.Currency})
	}
	return tags
}

// clipText cuts s to at most n characters, at a rune boundary.
func clipText(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
