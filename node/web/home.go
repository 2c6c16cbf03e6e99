package web

import (
	"net/http"

	"github.com/fedmart/fedmart/catalog/search"
)

// homeNewest is how many of the newest listings the home page shows.
const homeNewest = 8

// homePage is what the home template shows.
type homePage struct {
	Total      int
	Categories []facetLink
	Brands     []facetLink
	Newest     []resultItem
}

// home is the storefront's front page: GET /.
func (wb *Web) home(w http.ResponseWriter, r *http.Request) {
	res, err := wb.deps.Search.Search(search.Query{Sort: search.Newest, Limit: homeNewest})
	if err != nil {
		wb.fail(w, r, err)
		return
	}
	v := wb.searchView(searchState{}, newForm(), res, wb.currency())
	hp := homePage{Total: res.Total, Categories: v.Categories.Values, Newest: v.Items}
	for i, b := range v.Brands {
		if i == 8 {
			break
		}
		hp.Brands = append(hp.Brands, facetLink{Label: b.Label, Count: b.Count,
			URL: searchState{Brands: []string{b.Value}}.url(nil)})
	}
	if len(hp.Categories) > 12 {
		hp.Categories = hp.Categories[:12]
	}
	p := &page{Canonical: wb.absURL("/"), Data: hp,
		Meta: []metaTag{{"og:type", "website"}, {"og:title", wb.siteName()}, {"og:url", wb.absURL("/")}}}
	wb.render(w, r, http.StatusOK, "home", p)
}
