package storefront

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node/web"
)

// maxFacetShown caps the brands or platforms a facet lists; selected
// values are always listed.
const maxFacetShown = 15

// searchPage is what the search template shows.
type searchPage struct {
	Form     *web.Form
	State    searchState
	Currency string // of the price inputs
	Sorts    []web.Choice
	// Ratings are the minimum-rating links, 4 stars and up first.
	Ratings      []facetLink
	Total        int
	Items        []resultItem
	Categories   categoryFacet
	Brands       []facetCheck
	Platforms    []facetCheck
	Prices       []facetLink
	InStockCount int
	ClearURL     string // the same text without any filter
	NextURL      string // empty on the last page
	FirstURL     string // set past the first page
	// Filters counts the filters set, for the collapsed filters' summary.
	Filters int
	// Original is the text as typed when the page shows the results of
	// a correction of its spelling; OriginalURL searches it as typed.
	Original, OriginalURL string
	// Suggestions are other searches that find something, for a search
	// that found nothing.
	Suggestions []facetLink
	// Sponsored are the page's sponsored slots (sponsored.go).
	Sponsored []sponsoredSlot
}

// resultItem is one result card.
type resultItem struct {
	URL, Title, Snippet, Image, Brand, Category, Platform string
	// Price is written in the page's language by the template.
	Price   catalog.Money
	InStock bool
	// Stars, Average and Reviews are the shoppers' rating ("" unrated).
	Stars, Average string
	Reviews        int64
}

// facetLink is a facet value that is a link (categories, price bands).
type facetLink struct {
	Label    string
	Count    int
	URL      string
	Selected bool
	// From and To bound a price band as the page writes it (either may
	// be empty: "Under 10", "250 and up"); the page words the band in
	// its language.
	From, To string
}

// facetCheck is a facet value that is a checkbox (brands, platforms).
type facetCheck struct {
	ID, Value, Label string
	Count            int
	Checked          bool
}

// categoryFacet is the category tree around the selected path: the links
// up to it (Trail) and the values one level under it.
type categoryFacet struct {
	AllURL   string
	Selected string
	Trail    []facetLink
	Values   []facetLink
}

// searchView builds the page of one result.
func (sf *Storefront) searchView(st searchState, f *web.Form, res search.Result, currency string) searchPage {
	names := sf.site.PlatformNames()
	v := searchPage{Form: f, State: st, Currency: currency, Total: res.Total, InStockCount: res.Facets.InStock,
		Sorts:    sortChoices(st.Sort),
		ClearURL: searchState{Q: st.Q, Sort: st.Sort}.url(nil),
	}
	for _, d := range res.Items {
		v.Items = append(v.Items, resultItem{URL: web.ListingURL(d.ID), Title: d.Title, Snippet: d.Description,
			Image: imageURL(d.Image, web.ImageCard), Brand: d.Brand, Category: d.Category,
			Platform: web.PlatformName(names, d.Platform), Price: catalog.Money{Amount: d.Price, Currency: d.Currency}, InStock: d.InStock})
		if d.Reviews > 0 {
			it := &v.Items[len(v.Items)-1]
			it.Stars, it.Average, it.Reviews = starsText(d.Rating), catalog.Rating{AverageX100: d.Rating}.Average(), d.Reviews
		}
	}
	v.Ratings = ratingLinks(st, res.Facets.Rating)
	v.Categories = categoryView(st, res.Facets.Category)
	v.Brands = checks("brand", res.Facets.Brand, st.Brands, func(s string) string { return s })
	v.Platforms = checks("platform", res.Facets.Platform, st.Platforms, func(s string) string { return web.PlatformName(names, s) })
	v.Prices = priceLinks(st, res.Facets.Price, currency)
	if res.NextCursor != "" {
		v.NextURL = st.url(func(s *searchState) { s.Cursor = res.NextCursor })
	}
	if st.Cursor != "" {
		v.FirstURL = st.url(nil)
	}
	v.Filters = len(st.Brands) + len(st.Platforms)
	for _, set := range []bool{st.Category != "", st.MinPrice != "" || st.MaxPrice != "", st.InStock, st.MinRating != ""} {
		if set {
			v.Filters++
		}
	}
	return v
}

var sortLabels = []web.Choice{
	{Value: "relevance", Label: "Best match"},
	{Value: "newest", Label: "Newest"},
	{Value: "price_asc", Label: "Price: low to high"},
	{Value: "price_desc", Label: "Price: high to low"},
	{Value: "rating", Label: "Customer rating"},
}

func sortChoices(current string) []web.Choice {
	out := slices.Clone(sortLabels)
	for i := range out {
		out[i].Selected = out[i].Value == current || current == "" && i == 0
	}
	return out
}

// checks lists a facet's values, most results first, at most
// maxFacetShown plus the selected ones.
func checks(param string, counts map[string]int, selected []string, label func(string) string) []facetCheck {
	var out []facetCheck
	for value, n := range counts {
		out = append(out, facetCheck{Value: value, Label: label(value), Count: n, Checked: slices.Contains(selected, value)})
	}
	for _, s := range selected {
		if _, ok := counts[s]; !ok {
			out = append(out, facetCheck{Value: s, Label: label(s), Checked: true})
		}
	}
	slices.SortFunc(out, func(a, b facetCheck) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Label, b.Label), cmp.Compare(a.Value, b.Value))
	})
	kept := out[:0]
	for i, c := range out {
		if i < maxFacetShown || c.Checked {
			c.ID = fmt.Sprintf("f-%s-%d", param, i) // values may differ only in what an id cannot hold
			kept = append(kept, c)
		}
	}
	return kept
}

// categoryView shows the selected path's ancestors as links and the
// values one level under it (the top level when none is selected).
func categoryView(st searchState, counts map[string]int) categoryFacet {
	pick := func(path string) string { return st.url(func(s *searchState) { s.Category = path }) }
	cf := categoryFacet{AllURL: pick(""), Selected: st.Category}
	parent := ""
	if st.Category != "" {
		segs := strings.Split(st.Category, " > ")
		for i := range segs {
			path := strings.Join(segs[:i+1], " > ")
			cf.Trail = append(cf.Trail, facetLink{Label: segs[i], URL: pick(path), Selected: i == len(segs)-1})
		}
		parent = st.Category + " > "
	}
	for path, n := range counts {
		rest, ok := strings.CutPrefix(path, parent)
		if !ok || rest == "" || strings.Contains(rest, " > ") {
			continue
		}
		cf.Values = append(cf.Values, facetLink{Label: rest, Count: n, URL: pick(path)})
	}
	slices.SortFunc(cf.Values, func(a, b facetLink) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Label, b.Label))
	})
	return cf
}

// priceLinks turns the index's price bands into links, bounded in the
// settlement currency: "10 to 25" is 10.00 to 24.99.
func priceLinks(st searchState, bands []search.PriceBand, currency string) []facetLink {
	var out []facetLink
	for _, b := range bands {
		lo, hi := "", ""
		if b.Min > 0 {
			lo = trimZeros(web.FormatAmount(b.Min, currency))
		}
		if b.Max > 0 {
			hi = trimZeros(web.FormatAmount(b.Max, currency))
		}
		link := facetLink{Count: b.Count, Selected: st.MinPrice == lo && st.MaxPrice == hi}
		if b.Min > 0 {
			link.From = lo
		}
		if b.Max > 0 {
			link.To = trimZeros(web.FormatAmount(b.Max+1, currency))
		}
		link.URL = st.url(func(s *searchState) { s.MinPrice, s.MaxPrice = lo, hi })
		out = append(out, link)
	}
	return out
}

// trimZeros drops a fraction of zeros: "10.00" is "10".
func trimZeros(s string) string {
	if whole, frac, ok := strings.Cut(s, "."); ok && strings.Trim(frac, "0") == "" {
		return whole
	}
	return s
}

// ratingLinks are the links that keep listings rated 4, 3, 2 and 1 stars
// and up (each Label the number of stars, which the page writes in its
// language); counts are disjunctive, as the other facets'.
func ratingLinks(st searchState, counts [5]int) []facetLink {
	var out []facetLink
	for k := 4; k >= 1; k-- {
		n := strconv.Itoa(k)
		link := facetLink{Label: n, Count: counts[k-1], Selected: st.MinRating == n}
		link.URL = st.url(func(s *searchState) { s.MinRating = n })
		out = append(out, link)
	}
	return out
}
