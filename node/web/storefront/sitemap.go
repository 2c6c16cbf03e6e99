package storefront

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node/web"
)

// The sitemap (sitemaps.org) is an index, /sitemap.xml, naming files of
// at most Options.SitemapURLs URLs each:
//
//   - /sitemap-pages.xml?n=1...: the home page, every category page,
//     and the pages of Deps.Sitemap (the operator's pages and help
//     articles, when a source lists them);
//   - /sitemap-listings.xml, /sitemap-listings.xml?after=<id>...: the
//     live listings of this node's own merchants, with lastmod, in the
//     order of the catalog (merchant, then listing id). Each file after
//     the first starts after the last listing of the one before, so that
//     a file is read from the catalog without counting what precedes it.
//
// Replicated listings are left to their home members' sitemaps: a
// listing has one canonical page, on its home's storefront.

// sitemapNS is the sitemaps.org namespace.
const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// maxSitemapURLs is the most URLs one sitemap file may hold
// (sitemaps.org), and the default of Options.SitemapURLs.
const maxSitemapURLs = 50000

// maxSitemapCategories caps the category pages the sitemap walks.
const maxSitemapCategories = 10000

// SitemapSource lists pages of the storefront that are not listings nor
// categories (the operator's pages, help articles) for the sitemap.
type SitemapSource interface {
	// SitemapEntries are the source's indexable pages, by path on this
	// storefront ("/pages/about"), each with when it last changed (zero
	// for unknown).
	SitemapEntries(ctx context.Context) ([]SitemapEntry, error)
}

// SitemapEntry is one page a SitemapSource lists.
type SitemapEntry struct {
	Path    string
	LastMod time.Time
}

// urlSet is a sitemaps.org <urlset>.
type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// sitemapURL is one <url> of a urlset or one <sitemap> of an index.
type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemapIndex is a sitemaps.org <sitemapindex>.
type sitemapIndex struct {
	XMLName  xml.Name     `xml:"sitemapindex"`
	NS       string       `xml:"xmlns,attr"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// sitemapLimit is Options.SitemapURLs or its default.
func (sf *Storefront) sitemapLimit() int {
	if sf.opts.SitemapURLs > 0 {
		return sf.opts.SitemapURLs
	}
	return maxSitemapURLs
}

// lastMod writes a sitemap date, "" for none.
func lastMod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// sitemapTTL is how long the sitemap index is served as it was built:
// building it walks every listing of this node's merchants (30 to 80 µs
// a listing), which a crawler asking often must not repeat each time.
// A listing added meanwhile is listed by the files as they are read;
// only where the files start waits for the next index.
const sitemapTTL = 10 * time.Minute

// sitemapCache is the sitemap index last built.
type sitemapCache struct {
	mu    sync.Mutex // guards the fields below, and is held while one request builds the index
	idx   *sitemapIndex
	built time.Time
}

// sitemap is the sitemap index: GET /sitemap.xml.
func (sf *Storefront) sitemap(w http.ResponseWriter, r *http.Request) {
	c := &sf.sitemaps
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := sf.site.Now(); c.idx == nil || now.Sub(c.built) >= sitemapTTL || now.Before(c.built) {
		idx, err := sf.buildSitemap(r.Context())
		if err != nil {
			sf.site.Fail(w, r, err)
			return
		}
		c.idx, c.built = idx, now
	}
	sf.writeXML(w, c.idx)
}

// buildSitemap walks this node's listings once to cut them into files,
// and names the files of the other pages.
func (sf *Storefront) buildSitemap(ctx context.Context) (*sitemapIndex, error) {
	pages, err := sf.sitemapPages(ctx)
	if err != nil {
		return nil, err
	}
	idx := &sitemapIndex{NS: sitemapNS}
	limit := sf.sitemapLimit()
	for n := 1; n == 1 || (n-1)*limit < len(pages); n++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: sf.site.AbsURL(fmt.Sprintf("/sitemap-pages.xml?n=%d", n))})
	}
	after := ""
	err = sf.eachOwnListing(ctx, func(l catalog.Listing, i int) bool {
		if i%limit == 0 {
			loc := "/sitemap-listings.xml"
			if after != "" {
				loc += "?after=" + url.QueryEscape(after)
			}
			idx.Sitemaps = append(idx.Sitemaps, sitemapURL{Loc: sf.site.AbsURL(loc)})
		}
		if mod := lastMod(l.UpdatedAt); mod > idx.Sitemaps[len(idx.Sitemaps)-1].LastMod {
			idx.Sitemaps[len(idx.Sitemaps)-1].LastMod = mod
		}
		after = l.ID
		return true
	}, "")
	return idx, err
}

// sitemapListings is one file of this node's listings: GET
// /sitemap-listings.xml?after=<listing id>.
func (sf *Storefront) sitemapListings(w http.ResponseWriter, r *http.Request) {
	after := r.URL.Query().Get("after")
	if after != "" {
		if _, err := sf.ownMerchantOf(after); err != nil {
			sf.site.Fail(w, r, err)
			return
		}
	}
	set := urlSet{NS: sitemapNS}
	limit := sf.sitemapLimit()
	err := sf.eachOwnListing(r.Context(), func(l catalog.Listing, i int) bool {
		set.URLs = append(set.URLs, sitemapURL{Loc: sf.site.AbsURL(web.ListingURL(l.ID)), LastMod: lastMod(l.UpdatedAt)})
		return len(set.URLs) < limit
	}, after)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	sf.writeXML(w, set)
}

// sitemapPagesFile is one file of the pages that are not listings: GET
// /sitemap-pages.xml?n=1.
func (sf *Storefront) sitemapPagesFile(w http.ResponseWriter, r *http.Request) {
	n, ok := pageNumber(r.URL.Query().Get("n"))
	pages, err := sf.sitemapPages(r.Context())
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	limit := sf.sitemapLimit()
	if !ok || (n-1)*limit >= len(pages) {
		sf.site.Fail(w, r, fmt.Errorf("%w: sitemap file %q", catalog.ErrNotFound, r.URL.Query().Get("n")))
		return
	}
	sf.writeXML(w, urlSet{NS: sitemapNS, URLs: pages[(n-1)*limit : min(n*limit, len(pages))]})
}

// ownMerchantOf is the merchant of one of this node's listing ids, or
// catalog.ErrNotFound.
func (sf *Storefront) ownMerchantOf(id string) (string, error) {
	platform, merchant, _, err := catalog.ParseID(id)
	if err != nil || platform != sf.deps.Merchants.Platform() {
		return "", fmt.Errorf("%w: no listing %q of this node to start a sitemap after", catalog.ErrNotFound, web.Clip(id, 80))
	}
	return merchant, nil
}

// eachOwnListing calls fn with each live listing of this node's
// merchants after the listing id after ("" from the first), and its
// number from 0, until fn returns false.
func (sf *Storefront) eachOwnListing(ctx context.Context, fn func(catalog.Listing, int) bool, after string) error {
	merchants, err := sf.deps.Merchants.Merchants(ctx)
	if err != nil {
		return err
	}
	slices.SortFunc(merchants, func(a, b catalog.Merchant) int { return strings.Compare(a.ID, b.ID) })
	from := ""
	if after != "" {
		if from, err = sf.ownMerchantOf(after); err != nil {
			return err
		}
	}
	i := 0
	for _, m := range merchants {
		if m.ID < from {
			continue
		}
		cursor := ""
		if m.ID == from {
			cursor = after
		}
		for {
			page, next, err := sf.deps.Merchants.MerchantListings(ctx, m.ID, cursor, 500)
			if err != nil {
				return err
			}
			for _, l := range page {
				if !fn(l, i) {
					return nil
				}
				i++
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return nil
}

// sitemapPages are the pages that are not listings, by absolute URL:
// the home page, the category pages (the catalog's categories, top
// down), and the sources' pages.
func (sf *Storefront) sitemapPages(ctx context.Context) ([]sitemapURL, error) {
	out := []sitemapURL{{Loc: sf.site.AbsURL("/")}}
	cats, err := sf.allCategories()
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		out = append(out, sitemapURL{Loc: sf.site.AbsURL(web.CategoryURL(c))})
	}
	for _, src := range sf.deps.Sitemap {
		entries, err := src.SitemapEntries(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			out = append(out, sitemapURL{Loc: sf.site.AbsURL(e.Path), LastMod: lastMod(e.LastMod)})
		}
	}
	return out, nil
}

// allCategories walks the catalog's category tree through the search
// index's category facet, top down, at most maxSitemapCategories.
func (sf *Storefront) allCategories() ([]string, error) {
	var out []string
	queue := []string{""}
	for len(queue) > 0 && len(out) < maxSitemapCategories {
		parent := queue[0]
		queue = queue[1:]
		res, err := sf.deps.Search.Search(search.Query{Category: parent, Limit: 1})
		if err != nil {
			return nil, err
		}
		v := categoryView(searchState{Category: parent}, res.Facets.Category)
		for _, c := range v.Values {
			path := c.Label
			if parent != "" {
				path = parent + " > " + c.Label
			}
			out = append(out, path)
			queue = append(queue, path)
		}
	}
	return out[:min(len(out), maxSitemapCategories)], nil
}

// writeXML writes a sitemap document.
func (sf *Storefront) writeXML(w http.ResponseWriter, doc any) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	if err := xml.NewEncoder(w).Encode(doc); err != nil {
		sf.site.Log().Warn("web: writing sitemap", "err", err)
	}
}

// robots allows the storefront, keeps crawlers out of the console, the
// dashboard and the cart, and names the sitemap index: GET /robots.txt.
// The search and the category variants stay open to crawlers, which
// must read their noindex to honour it.
func (sf *Storefront) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("User-agent: *\nAllow: /\nDisallow: /merchant\nDisallow: /operator\nDisallow: /cart\n" +
		"Sitemap: " + sf.site.AbsURL("/sitemap.xml") + "\n"))
}
