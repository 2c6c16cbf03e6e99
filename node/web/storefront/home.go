package storefront

import (
	"net/http"

	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node/web"
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
func (sf *Storefront) home(w http.ResponseWriter, r *http.Request) {
	res, err := sf.deps.Search.Search(search.Query{Sort: search.Newest, Limit: homeNewest})
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	v := sf.searchView(searchState{}, web.NewForm(), res, sf.site.Currency())
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
	p := &web.Page{Canonical: sf.site.AbsURL("/"), Data: hp,
		Meta: []web.MetaTag{{Property: "og:type", Content: "website"}, {Property: "og:title", Content: sf.site.Name()},
			{Property: "og:url", Content: sf.site.AbsURL("/")}}}
	sf.pages.Render(w, r, http.StatusOK, "home", p)
}
