package storefront

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node/web"
)

// Category pages (/c/<slug>/<slug>...) are the pages search engines may
// index between the home page and the listings: each category of the
// federation's catalog with the operator's description
// (web.Site.CategoryDescription), its breadcrumbs (with BreadcrumbList
// JSON-LD), its subcategories and its listings, newest first, paged by
// number (?page=2), with sponsored slots from each page's own listings
// (sponsored.go), each page canonical to itself with prev and next
// links. A sort or a filter (?sort=, ?brand=, ...) makes a variant that
// says noindex,follow, so that crawlers follow its links without
// indexing every combination; the search (/search) stays noindex.
//
// A URL names each segment of the category path by its slug (lower
// case letters and digits, runs of anything else as one "-"): the
// catalog holds no list of categories, so a URL is resolved segment by
// segment against the search index's category facet, which counts up to
// search.MaxFacetValues subcategories of a category (the largest). Two
// subcategories of one parent with the same slug resolve to the larger.

// Category page limits.
const (
	// categoryPageSize is how many listings a category page shows.
	categoryPageSize = searchPageSize
	// maxCategoryPage is the last page number served: deeper listings
	// are reached through the subcategories and the sitemap.
	maxCategoryPage = 100
	// maxCategoryDepth is the most segments a category URL may have.
	maxCategoryDepth = 16
	// categoryBrands is how many brand filters a category page offers.
	categoryBrands = 8
)

// categoryPage is what the category template shows.
type categoryPage struct {
	Name, Path, URL string
	Description     []string // paragraphs
	Trail           []facetLink
	Children        []facetLink
	Brands          []facetLink
	Sorts           []web.Choice
	State           searchState
	// Variant is set when a sort or a filter narrows the page.
	Variant bool
	Total   int
	Items   []resultItem
	// Sponsored are the page's sponsored slots, from its own listings.
	Sponsored         []sponsoredSlot
	Page, Pages       int
	PrevURL, NextURL  string
	SearchURL, AllURL string
}

// categoryTrail links each category of path, from the top, to its page;
// the last is the path's own.
func categoryTrail(path string) []facetLink {
	if path == "" {
		return nil
	}
	segs := strings.Split(path, " > ")
	out := make([]facetLink, len(segs))
	for i := range segs {
		out[i] = facetLink{Label: segs[i], URL: web.CategoryURL(strings.Join(segs[:i+1], " > ")), Selected: i == len(segs)-1}
	}
	return out
}

// resolveCategory finds the category path a URL's slugs name, or
// catalog.ErrNotFound.
func (sf *Storefront) resolveCategory(raw string) (string, error) {
	segs := strings.Split(raw, "/")
	if raw == "" || len(segs) > maxCategoryDepth {
		return "", fmt.Errorf("%w: no category at /c/%s", catalog.ErrNotFound, raw)
	}
	path := ""
	for _, want := range segs {
		res, err := sf.deps.Search.Search(search.Query{Category: path, Limit: 1})
		if err != nil {
			return "", err
		}
		prefix := ""
		if path != "" {
			prefix = path + " > "
		}
		best, bestN := "", 0
		for p, n := range res.Facets.Category {
			name, ok := strings.CutPrefix(p, prefix)
			if !ok || name == "" || strings.Contains(name, " > ") || web.CategorySlug(name) != want {
				continue
			}
			if n > bestN || n == bestN && p < best {
				best, bestN = p, n
			}
		}
		if best == "" {
			return "", fmt.Errorf("%w: no category at /c/%s", catalog.ErrNotFound, raw)
		}
		path = best
	}
	return path, nil
}

// category is a category's page: GET /c/{path...}.
func (sf *Storefront) category(w http.ResponseWriter, r *http.Request) {
	path, err := sf.resolveCategory(strings.Trim(r.PathValue("path"), "/"))
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	self := web.CategoryURL(path)
	page, ok := pageNumber(r.URL.Query().Get("page"))
	if !ok {
		sf.site.Fail(w, r, fmt.Errorf("%w: page %q of %s", catalog.ErrNotFound, r.URL.Query().Get("page"), self))
		return
	}
	if r.URL.EscapedPath() != self || r.URL.Query().Get("page") == "1" {
		q := r.URL.Query()
		q.Del("page")
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		http.Redirect(w, r, withQuery(self, q), http.StatusMovedPermanently)
		return
	}
	v, err := sf.categoryView(r, path, page)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	sf.render(w, r, http.StatusOK, "category", sf.categoryMeta(sf.speechOf(r), v))
}

// pageNumber reads ?page: "" is 1; anything but 1..maxCategoryPage is
// no page.
func pageNumber(s string) (int, bool) {
	if s == "" {
		return 1, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= maxCategoryPage
}

// withQuery is path with q, when q has anything.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// categoryView reads one page of a category, with the filters and sort
// its URL carries.
func (sf *Storefront) categoryView(r *http.Request, path string, page int) (categoryPage, error) {
	cur := sf.site.Currency()
	q, st, _ := readSearch(r, cur) // a bad filter is left out, as the search does
	q.Category, st.Category, q.Cursor, st.Cursor = path, path, "", ""
	res, err := sf.pageOf(q, page)
	if err != nil {
		return categoryPage{}, err
	}
	segs := strings.Split(path, " > ")
	v := categoryPage{Name: segs[len(segs)-1], Path: path, URL: web.CategoryURL(path), State: st, Total: res.Total, Page: page,
		Sorts: sortChoices(st.Sort), SearchURL: st.url(nil), AllURL: web.CategoryURL(path)}
	v.Variant = st.Q != "" || len(st.Brands) > 0 || len(st.Platforms) > 0 || st.MinPrice != "" || st.MaxPrice != "" || st.InStock || st.Sort != ""
	v.Pages = min(maxCategoryPage, max(1, (res.Total+categoryPageSize-1)/categoryPageSize))
	if page > v.Pages {
		return v, fmt.Errorf("%w: page %d of %s", catalog.ErrNotFound, page, v.URL)
	}
	v.Trail = categoryTrail(path)
	sv := sf.searchView(st, web.NewForm(), res, cur)
	v.Items = sv.Items
	v.Sponsored = sf.slotsFor(r, st.Q, true, res, sv.Items)
	for _, c := range sv.Categories.Values {
		v.Children = append(v.Children, facetLink{Label: c.Label, Count: c.Count, URL: web.CategoryURL(path + " > " + c.Label)})
	}
	for _, b := range sv.Brands[:min(len(sv.Brands), categoryBrands)] {
		link := facetLink{Label: b.Label, Count: b.Count, Selected: b.Checked, URL: v.pageURL(1, func(q url.Values) { q.Set("brand", b.Value) })}
		if b.Checked {
			link.URL = v.pageURL(1, func(q url.Values) { q.Del("brand") })
		}
		v.Brands = append(v.Brands, link)
	}
	if page > 1 {
		v.PrevURL = v.pageURL(page-1, nil)
	}
	if page < v.Pages {
		v.NextURL = v.pageURL(page+1, nil)
	}
	desc, err := sf.site.CategoryDescription(path)
	if err != nil {
		return v, err
	}
	for _, para := range strings.Split(desc, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			v.Description = append(v.Description, para)
		}
	}
	return v, nil
}

// pageURL is the URL of page n of the category with the same sort and
// filters, with change applied to its query.
func (v categoryPage) pageURL(n int, change func(url.Values)) string {
	q := url.Values{}
	set := func(k, s string) {
		if s != "" {
			q.Set(k, s)
		}
	}
	set("q", v.State.Q)
	q["brand"], q["platform"] = slices.Clone(v.State.Brands), slices.Clone(v.State.Platforms)
	set("min_price", v.State.MinPrice)
	set("max_price", v.State.MaxPrice)
	if v.State.InStock {
		q.Set("in_stock", "1")
	}
	set("sort", v.State.Sort)
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if change != nil {
		change(q)
	}
	for k, vals := range q {
		if len(vals) == 0 {
			delete(q, k)
		}
	}
	return withQuery(v.URL, q)
}

// pageOf runs q for page n of categoryPageSize listings: the index
// pages by cursor, so the pages before it are stepped over in pages of
// search.MaxLimit. A page past the end is catalog.ErrNotFound.
func (sf *Storefront) pageOf(q search.Query, n int) (search.Result, error) {
	skip := (n - 1) * categoryPageSize
	for skip > 0 {
		q.Limit = min(skip, search.MaxLimit)
		res, err := sf.deps.Search.Search(q)
		if err != nil {
			return res, err
		}
		if res.NextCursor == "" {
			return res, fmt.Errorf("%w: page %d of category %q", catalog.ErrNotFound, n, q.Category)
		}
		skip -= len(res.Items)
		q.Cursor = res.NextCursor
	}
	q.Limit = categoryPageSize
	return sf.deps.Search.Search(q)
}

// categoryMeta is the category page with what search engines read: its
// canonical URL and paging links, or noindex,follow for a variant; its
// description; breadcrumbs as JSON-LD.
func (sf *Storefront) categoryMeta(sp speech, v categoryPage) *web.Page {
	title := v.Name
	if v.Page > 1 {
		title = sp.t("category.title_page", "Name", v.Name, "Page", v.Page)
	}
	for i, c := range v.Sorts {
		v.Sorts[i].Label = sp.tOr("search.sort_"+c.Value, c.Label)
	}
	abs := sf.site.AbsURL
	p := &web.Page{Title: title, Data: v}
	desc := strings.Join(v.Description, " ")
	if desc == "" {
		desc = sp.t("category.description", "Count", v.Total, "Path", v.Path)
	}
	crumbs := []web.Crumb{{Name: sf.site.Name(), URL: abs("/")}}
	for _, t := range v.Trail {
		crumbs = append(crumbs, web.Crumb{Name: t.Label, URL: abs(t.URL)})
	}
	p.JSONLD = web.BreadcrumbLD(crumbs)
	self := abs(v.pageURL(v.Page, nil))
	p.Meta = append([]web.MetaTag{{Name: "description", Content: web.ClipText(desc, 160)}},
		sf.site.SocialMeta(web.Card{Type: "website", Title: title, Description: desc, URL: self})...)
	if v.Variant {
		p.Robots = web.RobotsNoIndexFollow
		return p
	}
	p.Canonical = self
	if v.PrevURL != "" {
		p.Links = append(p.Links, web.Link{Rel: "prev", Href: abs(v.PrevURL)})
	}
	if v.NextURL != "" {
		p.Links = append(p.Links, web.Link{Rel: "next", Href: abs(v.NextURL)})
	}
	return p
}
