package storefront

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// A replicated listing's page names its home member's page as
// canonical, in the link, og:url and the JSON-LD; the home's own page
// is canonical to itself. Both carry a Twitter card.
func TestListingCanonicalIsOnItsHomeStorefront(t *testing.T) {
	h := newHarness(t)
	own := h.List(webtest.Input("Cast iron pan", "Acme", "Home > Kitchen", 4500, 2))
	remote := h.ListOther(webtest.Input("Wool socks", "Knitwear", "Clothing", 1200, 10))
	for _, tc := range []struct{ id, want string }{
		{own.ID, webtest.BaseURL + web.ListingURL(own.ID)},
		{remote.ID, "https://beta.example" + web.ListingURL(remote.ID)},
	} {
		body := h.browser().Get(web.ListingURL(tc.id)).Body
		for _, want := range []string{`<link rel="canonical" href="` + tc.want + `">`, `<meta property="og:url" content="` + tc.want + `">`,
			`"url":"` + tc.want + `"`, `<meta name="twitter:card" content="summary_large_image">`} {
			if !strings.Contains(body, want) {
				t.Errorf("page of %s lacks %s", tc.id, want)
			}
		}
		if strings.Contains(body, `name="robots"`) {
			t.Errorf("page of %s is kept out of the index", tc.id)
		}
	}
}

// robotsOf is the content of a page's robots meta tag, "" for none.
func robotsOf(body string) string {
	m := regexp.MustCompile(`<meta name="robots" content="([^"]*)">`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// A category page is indexable: canonical to itself, with the
// operator's description, breadcrumbs as links and as BreadcrumbList
// JSON-LD, its subcategories, and numbered pages linked prev and next.
// Sorts and filters are noindex,follow variants.
func TestCategoryPageIsIndexableAndItsVariantsAreNot(t *testing.T) {
	h := newHarness(t)
	for i := range categoryPageSize + 3 {
		h.List(webtest.Input(fmt.Sprintf("Pan %02d", i), "Acme", "Home & Garden > Kitchen", int64(1000+i), 3))
	}
	h.List(webtest.Input("Rake", "Toolco", "Home & Garden > Tools", 900, 3))
	if err := h.site.SetCategoryDescription("Home & Garden > Kitchen", "Pans for every stove.\n\nForged by hand."); err != nil {
		t.Fatal(err)
	}
	b := h.browser()
	page := b.Get("/c/home-garden/kitchen")
	self := webtest.BaseURL + "/c/home-garden/kitchen"
	for _, want := range []string{`<link rel="canonical" href="` + self + `">`, `<link rel="next" href="` + self + `?page=2">`,
		"<h1>Kitchen</h1>", "<p>Pans for every stove.</p>", "<p>Forged by hand.</p>",
		`<meta name="description" content="Pans for every stove. Forged by hand.">`,
		`<a href="/c/home-garden">Home &amp; Garden</a>`, `<a href="/c/home-garden/kitchen" aria-current="page">Kitchen</a>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("category page lacks %s", want)
		}
	}
	if page.Code != 200 || robotsOf(page.Body) != "" {
		t.Errorf("category page: %d, robots %q; want 200 and indexable", page.Code, robotsOf(page.Body))
	}
	var crumbs struct {
		Type  string `json:"@type"`
		Items []struct {
			Position   int
			Name, Item string
		} `json:"itemListElement"`
	}
	if err := json.Unmarshal([]byte(jsonLD(t, page.Body)), &crumbs); err != nil {
		t.Fatal(err)
	}
	if crumbs.Type != "BreadcrumbList" || len(crumbs.Items) != 3 || crumbs.Items[1].Name != "Home & Garden" ||
		crumbs.Items[2].Item != self || crumbs.Items[2].Position != 3 {
		t.Errorf("breadcrumbs = %+v", crumbs)
	}
	second := b.Get("/c/home-garden/kitchen?page=2")
	for _, want := range []string{`<link rel="canonical" href="` + self + `?page=2">`, `<link rel="prev" href="` + self + `">`, "page 2 of 2"} {
		if !strings.Contains(second.Body, want) {
			t.Errorf("page 2 lacks %s", want)
		}
	}
	if strings.Contains(second.Body, `rel="next"`) || len(resultTitles(second.Body)) != 3 {
		t.Errorf("the last page links a next page or shows %d listings, want 3", len(resultTitles(second.Body)))
	}
	if top := b.Get("/c/home-garden"); !strings.Contains(top.Body, `<a href="/c/home-garden/tools">Tools <span class="count">1</span></a>`) {
		t.Error("the top category does not link its subcategories' pages")
	}
	for _, variant := range []string{"?sort=price_asc", "?brand=Acme", "?in_stock=1&page=2", "?q=pan"} {
		v := b.Get("/c/home-garden/kitchen" + variant)
		if v.Code != 200 || robotsOf(v.Body) != "noindex,follow" || strings.Contains(v.Body, `rel="canonical"`) {
			t.Errorf("%s: %d, robots %q; want a noindex,follow variant without a canonical link", variant, v.Code, robotsOf(v.Body))
		}
	}
	for path, code := range map[string]int{"/c/home-garden/kitchen?page=1": 301, "/c/home-garden/kitchen/": 301,
		"/c/home-garden/kitchen?page=3": 404, "/c/home-garden/kitchen?page=x": 404, "/c/home-garden/pans": 404, "/c/Home-Garden": 404} {
		if got := b.Get(path).Code; got != code {
			t.Errorf("GET %s: %d, want %d", path, got, code)
		}
	}
	if r := robotsOf(b.Get("/search?category=Home+%26+Garden").Body); r != "noindex" {
		t.Errorf("a search page says robots %q, want noindex", r)
	}
}

// The home page and listing pages link categories to their pages, and
// the home page says who runs the storefront and how to search it.
func TestHomePageLinksCategoriesAndDescribesTheSite(t *testing.T) {
	h := newHarness(t)
	l := h.List(webtest.Input("Kettle", "Acme", "Home > Kitchen", 2500, 3))
	b := h.browser()
	home := b.Get("/").Body
	if !strings.Contains(home, `<a href="/c/home">Home</a>`) || !strings.Contains(home, `<a href="/c/home/kitchen">Kitchen</a>`) {
		t.Error("the home page's category tiles do not link the category pages")
	}
	if !strings.Contains(home, `<meta name="description" content="1 listing from every platform`) || !strings.Contains(home, `<meta name="twitter:card" content="summary">`) {
		t.Error("the home page lacks its description or its Twitter card")
	}
	var data []map[string]any
	if err := json.Unmarshal([]byte(jsonLD(t, home)), &data); err != nil || len(data) != 2 {
		t.Fatalf("home JSON-LD: %v %v", data, err)
	}
	action, _ := data[1]["potentialAction"].(map[string]any)
	target, _ := action["target"].(map[string]any)
	if data[0]["@type"] != "Organization" || data[1]["@type"] != "WebSite" || action["@type"] != "SearchAction" ||
		target["urlTemplate"] != webtest.BaseURL+"/search?q={search_term_string}" || action["query-input"] != "required name=search_term_string" {
		t.Errorf("home JSON-LD = %v", data)
	}
	if !strings.Contains(b.Get(web.ListingURL(l.ID)).Body, `<li><a href="/c/home/kitchen">Kitchen</a></li>`) {
		t.Error("the listing's breadcrumbs do not link the category pages")
	}
}

// sitemapLocs reads the sitemap index and every file it names, each
// checked as a sitemaps.org document, and returns every URL listed, in
// order; files gets each file's URL and how many URLs it listed.
func sitemapLocs(t *testing.T, b *webtest.Browser, files func(loc string, n int)) []string {
	t.Helper()
	r := b.Get("/sitemap.xml")
	webtest.WantStatus(t, r, http.StatusOK)
	var idx struct {
		XMLName  xml.Name
		Sitemaps []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(r.Body), &idx); err != nil {
		t.Fatalf("sitemap index: %v\n%s", err, r.Body)
	}
	if idx.XMLName.Local != "sitemapindex" || idx.XMLName.Space != sitemapNS {
		t.Fatalf("sitemap.xml is a %v, want a sitemapindex", idx.XMLName)
	}
	var locs []string
	for _, sm := range idx.Sitemaps {
		path, ok := strings.CutPrefix(sm.Loc, webtest.BaseURL)
		if !ok {
			t.Fatalf("sitemap file %s is not on this storefront", sm.Loc)
		}
		f := b.Get(path)
		webtest.WantStatus(t, f, http.StatusOK)
		var set struct {
			XMLName xml.Name
			URLs    []struct {
				Loc     string `xml:"loc"`
				LastMod string `xml:"lastmod"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal([]byte(f.Body), &set); err != nil || set.XMLName.Local != "urlset" || set.XMLName.Space != sitemapNS {
			t.Fatalf("sitemap file %s: %v, %v\n%s", path, set.XMLName, err, f.Body)
		}
		for _, u := range set.URLs {
			if u.LastMod != "" {
				if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
					t.Errorf("%s: lastmod %q: %v", u.Loc, u.LastMod, err)
				}
			}
			locs = append(locs, u.Loc)
		}
		if files != nil {
			files(sm.Loc, len(set.URLs))
		}
	}
	return locs
}

// pagesSource is a sitemap source of two pages, as the operator's pages
// will be.
type pagesSource struct{}

func (pagesSource) SitemapEntries(context.Context) ([]SitemapEntry, error) {
	return []SitemapEntry{{Path: "/pages/about"}, {Path: "/pages/terms", LastMod: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}, nil
}

// With a small file size the sitemap splits this node's listings into
// files under the index, each within the size, together listing every
// own listing once, with lastmod, and no other member's.
func TestSitemapSplitsIntoFilesUnderAnIndex(t *testing.T) {
	h := newHarness(t)
	var want []string
	for i := range 7 {
		l := h.List(webtest.Input(fmt.Sprintf("Lamp %d", i), "Acme", "Home > Lighting", 5000, 1))
		want = append(want, webtest.BaseURL+web.ListingURL(l.ID))
	}
	other, _, err := h.Self.Cat.CreateMerchant(t.Context(), "Second Shop")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		l, err := h.Self.Cat.CreateListing(t.Context(), other.ID, webtest.Input(fmt.Sprintf("Rug %d", i), "Weave", "Home > Rugs", 9000, 1))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, webtest.BaseURL+web.ListingURL(l.ID))
	}
	remote := h.ListOther(webtest.Input("Their lamp", "Globex", "Home > Lighting", 5000, 1))
	h.store, err = New(h.site, Deps{Search: h.Index, Listings: h.Self.Cat, Merchants: h.Self.Cat, Shoppers: h.shoppers,
		Carts: h.orders, Orders: h.Self.Orders, Profiles: h.Self.Cat, Sitemap: []SitemapSource{pagesSource{}}}, Options{SitemapURLs: 3})
	if err != nil {
		t.Fatal(err)
	}
	h.handler = h.site.Handler(h.store)
	var sizes []int
	locs := sitemapLocs(t, h.browser(), func(_ string, n int) { sizes = append(sizes, n) })
	// Pages: home, 3 categories, 2 of the source = 6 in 2 files; 9 own
	// listings in 3 files.
	if !slices.Equal(sizes, []int{3, 3, 3, 3, 3}) {
		t.Errorf("files hold %v URLs, want 5 files of 3", sizes)
	}
	var listings []string
	for _, l := range locs {
		if strings.Contains(l, "/listings/") {
			listings = append(listings, l)
		}
		if strings.Contains(l, remote.ID) {
			t.Errorf("the sitemap lists the other member's listing %s", l)
		}
	}
	slices.Sort(listings)
	slices.Sort(want)
	if !slices.Equal(listings, want) {
		t.Errorf("listings in the sitemap:\n%v\nwant\n%v", listings, want)
	}
	for _, p := range []string{"/c/home", "/c/home/lighting", "/c/home/rugs", "/pages/about", "/pages/terms"} {
		if !slices.Contains(locs, webtest.BaseURL+p) {
			t.Errorf("the sitemap lacks %s", p)
		}
	}
	// The index is kept for sitemapTTL: a listing that needs a fourth
	// file shows in the index once it is built again.
	extra := h.List(webtest.Input("Lamp 8", "Acme", "Home > Lighting", 5000, 1))
	if n := len(sitemapLocs(t, h.browser(), nil)); n != len(locs) {
		t.Errorf("the index was built again at once: %d URLs, then %d", len(locs), n)
	}
	h.Clock.Advance(sitemapTTL)
	if locs := sitemapLocs(t, h.browser(), nil); !slices.Contains(locs, webtest.BaseURL+web.ListingURL(extra.ID)) {
		t.Errorf("the index built again does not list %s", extra.ID)
	}
	for path, code := range map[string]int{"/sitemap-pages.xml?n=3": 404, "/sitemap-pages.xml?n=0": 404,
		"/sitemap-listings.xml?after=" + url.QueryEscape(remote.ID): 404, "/sitemap-listings.xml?after=junk": 404} {
		if got := h.browser().Get(path).Code; got != code {
			t.Errorf("GET %s: %d, want %d", path, got, code)
		}
	}
}

// suspending is the harness's charter with Beta suspended.
type suspending struct{ of web.Charter }

func (s suspending) Charter() (*federation.SignedCharter, error) {
	sc, err := s.of.Charter()
	if err != nil {
		return nil, err
	}
	cp := *sc
	cp.Charter.Members = slices.Clone(sc.Charter.Members)
	for i := range cp.Charter.Members {
		if cp.Charter.Members[i].Name == webtest.OtherName {
			cp.Charter.Members[i].Status = federation.StatusSuspended
		}
	}
	return &cp, nil
}

// A listing whose home the charter no longer holds as an active member
// has no canonical page anyone vouches for: its copy says
// noindex,follow and names no canonical.
func TestListingOfASuspendedHomeIsNotIndexed(t *testing.T) {
	h := newHarness(t)
	remote := h.ListOther(webtest.Input("Wool socks", "Knitwear", "Clothing", 1200, 10))
	site, err := web.New(web.Deps{Charter: suspending{h.Fed}, Platform: h.Self.Cat.Platform(), DB: h.Self.DB, Now: h.Clock.Now}, h.opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = site.Close() })
	store, err := New(site, Deps{Search: h.Index, Listings: h.Self.Cat, Merchants: h.Self.Cat, Shoppers: h.shoppers,
		Carts: h.orders, Orders: h.Self.Orders, Profiles: h.Self.Cat}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := webtest.NewBrowser(t, site.Handler(store)).Get(web.ListingURL(remote.ID)).Body
	if robotsOf(body) != "noindex,follow" || strings.Contains(body, `rel="canonical"`) || strings.Contains(body, "beta.example") {
		t.Errorf("a suspended home's listing: robots %q, canonical or Beta's URL named", robotsOf(body))
	}
}
