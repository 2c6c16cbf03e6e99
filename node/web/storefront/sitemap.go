package storefront

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/node/web"
)

// maxSitemapURLs is the most URLs one sitemap file may hold (sitemaps.org).
const maxSitemapURLs = 50000

// urlSet is a sitemaps.org <urlset>.
type urlSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// sitemapURL is one <url>.
type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemap lists the home page and the live listings of this node's own
// merchants, by absolute URL: GET /sitemap.xml. Replicated listings are
// left to their home platforms' sitemaps, so that each listing has one
// canonical page.
func (sf *Storefront) sitemap(w http.ResponseWriter, r *http.Request) {
	set := urlSet{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", URLs: []sitemapURL{{Loc: sf.site.AbsURL("/")}}}
	merchants, err := sf.deps.Merchants.Merchants(r.Context())
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	for _, m := range merchants {
		if err := sf.addListings(r, &set, m.ID); err != nil {
			sf.site.Fail(w, r, err)
			return
		}
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	if err := enc.Encode(set); err != nil {
		sf.site.Log().Warn("web: writing sitemap", "err", err)
	}
}

// addListings adds one merchant's listings to set, up to maxSitemapURLs.
func (sf *Storefront) addListings(r *http.Request, set *urlSet, merchantID string) error {
	cursor := ""
	for len(set.URLs) < maxSitemapURLs {
		page, next, err := sf.deps.Merchants.MerchantListings(r.Context(), merchantID, cursor, 500)
		if err != nil {
			return err
		}
		for _, l := range page {
			if len(set.URLs) == maxSitemapURLs {
				return nil
			}
			set.URLs = append(set.URLs, sitemapURL{Loc: sf.site.AbsURL(web.ListingURL(l.ID)), LastMod: l.UpdatedAt.UTC().Format(time.RFC3339)})
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// robots allows the storefront, keeps crawlers out of the console and the
// dashboard, and names the sitemap: GET /robots.txt.
func (sf *Storefront) robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("User-agent: *\nAllow: /\nDisallow: /merchant\nDisallow: /operator\nDisallow: /cart\n" +
		"Sitemap: " + sf.site.AbsURL("/sitemap.xml") + "\n"))
}
