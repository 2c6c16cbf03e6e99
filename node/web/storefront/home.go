package storefront

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"

	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node/web"
)

// The home page shows the catalog's top categories with a few of their
// subcategories, featured listings, the newest listings and the main
// brands. Featured is a rule, not an editor's pick: for each of the
// largest top categories, the listing updated last among those in stock
// with a picture (or, when none has one, in stock), unless it is already
// among the new arrivals; so the featured row spans the catalog and
// shows only what can be bought.

// Home page sizes.
const (
	homeNewest     = 8  // new arrivals
	homeCategories = 8  // category tiles, and featured listings at most
	homeChildren   = 4  // subcategories per tile
	homeBrands     = 12 // brand chips
	featuredPool   = 12 // listings of a category a featured one is picked from: more than the new arrivals it may not repeat
)

// homePage is what the home template shows.
type homePage struct {
	Total      int
	Categories []categoryTile
	Brands     []facetLink
	Featured   []resultItem
	Newest     []resultItem
}

// categoryTile is one top category and a few of its subcategories.
type categoryTile struct {
	facetLink
	Children []facetLink
}

// home is the storefront's front page: GET /.
func (sf *Storefront) home(w http.ResponseWriter, r *http.Request) {
	res, err := sf.deps.Search.Search(search.Query{Sort: search.Newest, Limit: homeNewest})
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	v := sf.searchView(searchState{}, web.NewForm(), res, sf.site.Currency())
	hp := homePage{Total: res.Total, Newest: v.Items}
	for i, b := range v.Brands {
		if i == homeBrands {
			break
		}
		hp.Brands = append(hp.Brands, facetLink{Label: b.Label, Count: b.Count,
			URL: searchState{Brands: []string{b.Value}}.url(nil)})
	}
	tops := v.Categories.Values[:min(len(v.Categories.Values), homeCategories)]
	for _, top := range tops {
		tile, featured, err := sf.categoryTile(top, hp.Newest)
		if err != nil {
			sf.site.Fail(w, r, err)
			return
		}
		hp.Categories = append(hp.Categories, tile)
		if featured != nil {
			hp.Featured = append(hp.Featured, *featured)
		}
	}
	noun := "listings"
	if hp.Total == 1 {
		noun = "listing"
	}
	desc := fmt.Sprintf("%d %s from every platform of the alliance, in one cart and one checkout.", hp.Total, noun)
	p := &web.Page{Canonical: sf.site.AbsURL("/"), Data: hp, JSONLD: sf.homeData(),
		Meta: append([]web.MetaTag{{Name: "description", Content: desc}},
			sf.site.SocialMeta(web.Card{Type: "website", Title: sf.site.Name(), URL: sf.site.AbsURL("/"), Description: desc})...)}
	sf.render(w, r, http.StatusOK, "home", p)
}

// categoryTile builds the tile of a top category and picks its featured
// listing: the newest in stock, with a picture when one of the newest
// has one, and not among newest.
func (sf *Storefront) categoryTile(top facetLink, newest []resultItem) (categoryTile, *resultItem, error) {
	tile := categoryTile{facetLink: top}
	tile.URL = web.CategoryURL(top.Label)
	st := searchState{Category: top.Label, InStock: true}
	res, err := sf.deps.Search.Search(search.Query{Category: top.Label, InStock: true, Sort: search.Newest, Limit: featuredPool})
	if err != nil {
		return tile, nil, err
	}
	v := sf.searchView(st, web.NewForm(), res, sf.site.Currency())
	children := slices.Clone(v.Categories.Values)
	slices.SortStableFunc(children, func(a, b facetLink) int { return cmp.Compare(b.Count, a.Count) })
	for _, c := range children[:min(len(children), homeChildren)] {
		path := top.Label + " > " + c.Label
		tile.Children = append(tile.Children, facetLink{Label: c.Label, URL: web.CategoryURL(path)})
	}
	var pick *resultItem
	for i := range v.Items {
		it := &v.Items[i]
		if slices.ContainsFunc(newest, func(n resultItem) bool { return n.URL == it.URL }) {
			continue
		}
		if pick == nil || pick.Image == "" && it.Image != "" {
			pick = it
		}
		if pick.Image != "" {
			break
		}
	}
	return tile, pick, nil
}
