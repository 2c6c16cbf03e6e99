package storefront

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestLayoutIsAccessible(t *testing.T) {
	h := newHarness(t)
	body := h.browser().Get("/").Body
	for _, want := range []string{
		`<a class="skip" href="#main">Skip to content</a>`,
		`<main id="main" tabindex="-1">`,
		`<label for="site-q" class="visually-hidden">Search the catalog</label>`,
		`<a href="/cart">Cart</a>`, `<a href="/signin">Sign in</a>`,
		`<title>Alpha Market</title>`, // the node's name in the charter
	} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	h := newHarness(t)
	hostile := `<script>alert(1)</script>`
	in := webtest.Input(hostile, `"><img src=x onerror=alert(2)>`, "Toys", 999, 1)
	in.Description = `</script><script>alert(3)</script>` + "\u2028"
	in.Attributes = map[string]string{"<b>bold</b>": `</script>`}
	l := h.List(in)
	page := h.browser().Get(web.ListingURL(l.ID))
	webtest.WantStatus(t, page, http.StatusOK)
	for _, bad := range []string{"<script>alert", "<img src=x", "<b>bold"} {
		if strings.Contains(page.Body, bad) {
			t.Errorf("listing page contains %q unescaped", bad)
		}
	}
	if !strings.Contains(page.Body, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>") {
		t.Error("the title is not shown escaped")
	}
	ld := jsonLD(t, page.Body)
	if strings.ContainsAny(ld, "<>") {
		t.Errorf("JSON-LD holds a raw < or >: %s", ld)
	}
	var product struct {
		Type        string `json:"@type"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Offers      []struct {
			Price, PriceCurrency, Availability string
		} `json:"offers"`
	}
	if err := json.Unmarshal([]byte(ld), &product); err != nil {
		t.Fatalf("JSON-LD does not decode: %v\n%s", err, ld)
	}
	if product.Type != "Product" || product.Name != hostile || product.Description != in.Description {
		t.Errorf("JSON-LD = %+v, want the listing's own text back", product)
	}
	if len(product.Offers) != 1 || product.Offers[0].Price != "9.99" || product.Offers[0].PriceCurrency != "EUR" ||
		product.Offers[0].Availability != "https://schema.org/InStock" {
		t.Errorf("offers = %+v", product.Offers)
	}
	results := h.browser().Get("/search?q=alert")
	if strings.Contains(results.Body, "<script>alert") || !strings.Contains(results.Body, "&lt;script&gt;alert(1)") {
		t.Error("search results do not escape the title")
	}
}

// jsonLD returns the text of the page's ld+json script.
func jsonLD(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no JSON-LD in the page")
	}
	return m[1]
}

func TestListingPageShowsVariantsMerchantAndOpenGraph(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Cast iron pan", "Acme", "Home > Kitchen > Cookware", 4500, 0)
	in.Variants = append(in.Variants, catalog.Variant{SKU: webtest.NextSKU(), Options: map[string]string{"size": "28cm"},
		Price: catalog.Money{Amount: 3900, Currency: "EUR"}, Stock: 3})
	l := h.List(in)
	body := h.browser().Get(web.ListingURL(l.ID)).Body
	for _, want := range []string{
		"From €39.00", "€45.00", "Sold out", "Only 3 left", ">28 cm<",
		"<strong>Alpha Goods &amp; Co</strong>, a merchant of", ">Alpha Market</a>",
		`<meta property="og:type" content="product">`,
		`<meta property="og:url" content="` + webtest.BaseURL + web.ListingURL(l.ID) + `">`,
		`<meta property="og:image" content="https://img.example/Cast%20iron%20pan.jpg">`,
		`<meta property="product:price:amount" content="39.00">`,
		`<link rel="canonical" href="` + webtest.BaseURL + web.ListingURL(l.ID) + `">`,
		`href="/c/home/kitchen"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("listing page lacks %s", want)
		}
	}
	remote := h.ListOther(webtest.Input("Wool socks", "Knitwear", "Clothing", 1200, 10))
	body = h.browser().Get(web.ListingURL(remote.ID)).Body
	if !strings.Contains(body, "<strong>Beta Seller</strong>, a merchant of") || !strings.Contains(body, ">Beta Bazaar</a>") {
		t.Error("a replicated listing does not name its merchant, as its home node signed it, and its home platform")
	}
}

// resultTitles lists the titles of a results page's cards.
func resultTitles(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<h3><a href="/listings/[^"]+">([^<]*)</a></h3>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestSearchFacetNarrowsResults(t *testing.T) {
	h := newHarness(t)
	h.List(webtest.Input("Red kettle", "Acme", "Home > Kitchen", 2500, 3))
	h.List(webtest.Input("Blue kettle", "Acme", "Home > Kitchen", 3500, 0))
	h.List(webtest.Input("Green kettle", "Globex", "Home > Kitchen", 1500, 2))
	remote := h.ListOther(webtest.Input("Yellow kettle", "Initech", "Home > Kitchen", 4500, 1))
	b := h.browser()
	all := b.Get("/search?q=kettle")
	if got := resultTitles(all.Body); len(got) != 4 {
		t.Fatalf("q=kettle: %v, want 4 results", got)
	}
	for _, want := range []string{`value="Acme" checked`, `value="Globex"`, "Beta Bazaar", "Alpha Market"} {
		if strings.Contains(all.Body, want) == (want == `value="Acme" checked`) {
			t.Errorf("facets of q=kettle: %q present is wrong", want)
		}
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"q=kettle&brand=Globex", []string{"Green kettle"}},
		{"q=kettle&brand=Globex&brand=Initech&sort=price_asc", []string{"Green kettle", "Yellow kettle"}},
		{"q=kettle&platform=" + url.QueryEscape(remote.Platform), []string{"Yellow kettle"}},
		{"q=kettle&in_stock=1&sort=price_asc", []string{"Green kettle", "Red kettle", "Yellow kettle"}},
		{"q=kettle&min_price=20&max_price=40&sort=price_desc", []string{"Blue kettle", "Red kettle"}},
		{"category=Home+%3E+Kitchen&brand=Acme&sort=price_asc", []string{"Red kettle", "Blue kettle"}},
	}
	for _, c := range cases {
		r := b.Get("/search?" + c.query)
		webtest.WantStatus(t, r, http.StatusOK)
		if got := resultTitles(r.Body); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	if r := b.Get("/search?q=kettle&brand=Globex"); !strings.Contains(r.Body, `value="Globex" checked`) || !strings.Contains(r.Body, `value="Acme">`) {
		t.Error("a selected brand is not checked, or the other brands are hidden (facets must be disjunctive)")
	}
}

func TestSearchPagesWithCursor(t *testing.T) {
	h := newHarness(t)
	for i := range searchPageSize + 3 {
		h.List(webtest.Input("Mug "+string(rune('A'+i)), "Acme", "Home", int64(1000+i), 1))
	}
	b := h.browser()
	first := b.Get("/search?q=mug&sort=price_asc")
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(first.Body)
	if len(resultTitles(first.Body)) != searchPageSize || next == nil {
		t.Fatalf("first page: %d results, next link %v", len(resultTitles(first.Body)), next)
	}
	second := b.Get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if got := resultTitles(second.Body); len(got) != 3 || got[0] != "Mug "+string(rune('A'+searchPageSize)) {
		t.Errorf("second page: %v", got)
	}
	if strings.Contains(second.Body, `rel="next"`) || !strings.Contains(second.Body, ">First page</a>") {
		t.Error("the last page offers a next page, or no way back to the first")
	}
}

func TestSearchShowsBadFilterNextToItsInput(t *testing.T) {
	h := newHarness(t)
	h.List(webtest.Input("Teapot", "Acme", "Home", 1999, 1))
	r := h.browser().Get("/search?q=teapot&min_price=abc")
	webtest.WantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, `<p class="field-error" id="f-min_price-error">must be an amount such as 19.99</p>`) ||
		!strings.Contains(r.Body, `aria-invalid="true" aria-describedby="f-min_price-error"`) {
		t.Errorf("the error is not next to the min_price input:\n%s", r.Body)
	}
	if got := resultTitles(r.Body); len(got) != 1 {
		t.Errorf("results without the bad filter: %v", got)
	}
}

func TestSitemapListsOnlyOwnListings(t *testing.T) {
	h := newHarness(t)
	own := h.List(webtest.Input("Own lamp", "Acme", "Home", 5000, 1))
	gone := h.List(webtest.Input("Old lamp", "Acme", "Home", 5000, 1))
	if err := h.Self.Cat.TakeDown(t.Context(), h.Merchant.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	remote := h.ListOther(webtest.Input("Their lamp", "Globex", "Home", 5000, 1))
	if _, err := h.Self.Cat.Listing(t.Context(), remote.ID); err != nil {
		t.Fatalf("the other member's listing did not replicate: %v", err)
	}
	locs := sitemapLocs(t, h.browser(), nil)
	want := []string{webtest.BaseURL + "/", webtest.BaseURL + "/c/home", webtest.BaseURL + web.ListingURL(own.ID)}
	if strings.Join(locs, " ") != strings.Join(want, " ") {
		t.Errorf("sitemap = %v, want %v", locs, want)
	}
	robots := h.browser().Get("/robots.txt").Body
	if !strings.Contains(robots, "Sitemap: "+webtest.BaseURL+"/sitemap.xml\n") || !strings.Contains(robots, "Disallow: /merchant\n") {
		t.Errorf("robots.txt:\n%s", robots)
	}
}

func TestStorefrontWithoutCharter(t *testing.T) {
	h := newHarness(t)
	h.Fed.Edit(func(charter **federation.SignedCharter, states *[]federation.MemberState) {
		*charter, *states = nil, nil
	})
	b := h.browser()
	for _, path := range []string{"/", "/search"} {
		webtest.WantStatus(t, b.Get(path), http.StatusOK)
	}
}

func TestSearchCorrectsSpelling(t *testing.T) {
	h := newHarness(t)
	h.List(webtest.Input("Carbon steel skillet", "Ferro", "Home > Kitchen > Cookware", 4900, 3))
	h.List(webtest.Input("Cast iron skillet", "Ferro", "Home > Kitchen > Cookware", 3900, 0))
	h.List(webtest.Input("Linen apron", "Linho", "Home > Textiles", 2900, 2))
	b := h.browser()
	r := b.Get("/search?q=skilet")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `showing results for <strong>skillet</strong>.`) ||
		!strings.Contains(r.Body, `<a href="/search?exact=1&amp;q=skilet" id="search-as-typed">Search instead for skilet</a>`) {
		t.Errorf("skilet is not corrected:\n%s", r.Body)
	}
	// The listing in stock comes first at equal relevance.
	if got := resultTitles(r.Body); strings.Join(got, ",") != "Carbon steel skillet,Cast iron skillet" {
		t.Errorf("results for the correction: %v", got)
	}
	// As typed, nothing matches, and the page suggests the correction.
	r = b.Get("/search?exact=1&q=skilet")
	if got := resultTitles(r.Body); len(got) != 0 {
		t.Errorf("the search as typed found %v", got)
	}
	if !strings.Contains(r.Body, `Did you mean: <a href="/search?q=skillet">skillet</a> <span class="count">(2)</span>?`) {
		t.Errorf("the search as typed suggests nothing:\n%s", r.Body)
	}
	// Filters are kept: a correction that finds nothing with them is
	// suggested, not shown.
	r = b.Get("/search?q=skilet&brand=Linho")
	if strings.Contains(r.Body, "showing results for") || len(resultTitles(r.Body)) != 0 {
		t.Error("a correction was shown though it finds nothing with the filters")
	}
	if !strings.Contains(r.Body, `without the filters`) {
		t.Error("a search that found nothing with filters does not offer to drop them")
	}
	// Known words that find nothing together: each word alone is offered.
	r = b.Get("/search?q=skillet+apron")
	if !strings.Contains(r.Body, `<a href="/search?q=apron">apron</a> <span class="count">(1)</span>, <a href="/search?q=skillet">skillet</a> <span class="count">(2)</span>?`) {
		t.Errorf("no search with fewer words is suggested:\n%s", r.Body)
	}
}

func TestSearchFacetsThatFindNothingAreNoLinks(t *testing.T) {
	h := newHarness(t)
	h.List(webtest.Input("Red kettle", "Acme", "Home > Kitchen", 2500, 0))
	h.List(webtest.Input("Blue kettle", "Globex", "Home > Kitchen", 3500, 0))
	r := h.browser().Get("/search?q=kettle&brand=Acme")
	// Every kettle is out of stock: "in stock only" would find none.
	if !strings.Contains(r.Body, `<input id="f-in-stock" type="checkbox" name="in_stock" value="1" disabled>`) {
		t.Error("in stock only is offered though nothing is in stock")
	}
	// The price bands hold no Acme kettle under 10: not a link.
	if !strings.Contains(r.Body, `<span class="off" aria-disabled="true">Under 10</span> <span class="count">0</span>`) {
		t.Errorf("an empty price band is a link:\n%s", r.Body)
	}
	if strings.Contains(r.Body, `>Under 10</a>`) {
		t.Error("an empty price band is still a link")
	}
	// The filters are closed until opened (store.css opens them on a
	// wide screen), and say how many are set.
	if !strings.Contains(r.Body, `<details class="filters-box">`) || !strings.Contains(r.Body, `<span class="count">(1 set)</span>`) {
		t.Error("the filters are not a closed <details> counting what is set")
	}
}

func TestHomePageShowsCategoriesFeaturedAndNew(t *testing.T) {
	h := newHarness(t)
	pan := h.List(webtest.Input("Cast iron pan", "Ferro", "Home > Kitchen > Cookware", 3900, 2))
	h.Clock.Advance(time.Minute)
	h.List(webtest.Input("Sold out pot", "Ferro", "Home > Kitchen > Cookware", 3900, 0))
	h.Clock.Advance(time.Minute)
	shoe := h.List(webtest.Input("Trail runner", "Stride", "Sports > Running", 8900, 4))
	for i := range homeNewest {
		h.Clock.Advance(time.Minute)
		h.List(webtest.Input(fmt.Sprintf("Mug %d", i), "Acme", "Home > Kitchen > Mugs", 900, 9))
	}
	r := h.browser().Get("/")
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{
		`<h3><a href="/c/home">Home</a> <span class="count">10</span></h3>`,
		`<li><a href="/c/home/kitchen">Kitchen</a></li>`,
		`<h3><a href="/c/sports">Sports</a> <span class="count">1</span></h3>`,
		`id="home-featured"`, `id="home-newest"`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the home page lacks %s", want)
		}
	}
	featured := regexp.MustCompile(`(?s)id="home-featured".*?</section>`).FindString(r.Body)
	newest := regexp.MustCompile(`(?s)id="home-newest".*?</section>`).FindString(r.Body)
	// Home's featured listing is the newest in stock not among the new
	// arrivals: the pan, not the sold-out pot, nor a mug.
	if !strings.Contains(featured, web.ListingURL(pan.ID)) || strings.Contains(featured, "Sold out pot") || strings.Contains(featured, "Mug") {
		t.Errorf("featured:\n%s", featured)
	}
	if !strings.Contains(newest, "Mug 0") || strings.Contains(newest, web.ListingURL(shoe.ID)) {
		t.Errorf("new arrivals:\n%s", newest)
	}
	// Sports' only listing is a new arrival already... unless it is not.
	if strings.Contains(featured, web.ListingURL(shoe.ID)) == strings.Contains(newest, web.ListingURL(shoe.ID)) {
		t.Error("a listing is both featured and a new arrival, or neither while in stock")
	}
}

func TestPicturesGalleryAndPlaceholder(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Oak chair", "Woodco", "Home", 12000, 2)
	in.Images = []string{"https://img.example/chair-front.jpg", "http://img.example/insecure.jpg", "https://img.example/chair-side.jpg"}
	chair := h.List(in)
	bare := webtest.Input("Plain stool", "Woodco", "Home", 4000, 2)
	bare.Images = nil
	stool := h.List(bare)
	b := h.browser()
	page := b.Get(web.ListingURL(chair.ID)).Body
	for _, want := range []string{
		`<input type="radio" class="picture-input" name="picture" id="picture-0" checked>`,
		`<label for="picture-1" class="thumb"><span class="media"><img src="https://img.example/chair-side.jpg" alt="Picture 2 of 2"`,
		`<div class="media large picture"><img src="https://img.example/chair-front.jpg" alt="Oak chair, picture 1"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the gallery lacks %s", want)
		}
	}
	if strings.Contains(page, "insecure.jpg") {
		t.Error("a picture over plain http is shown")
	}
	page = b.Get(web.ListingURL(stool.ID)).Body
	if !strings.Contains(page, `<div class="media large"><svg class="placeholder" viewBox="0 0 240 180" focusable="false" role="img" aria-label="No picture yet">`) {
		t.Errorf("a listing without pictures has no placeholder drawing:\n%s", page)
	}
	results := b.Get("/search?q=stool").Body
	if !strings.Contains(results, `<div class="media"><svg class="placeholder" viewBox="0 0 240 180" focusable="false" aria-hidden="true">`) {
		t.Error("a search card without a picture has no placeholder drawing")
	}
	// A picture that fails to load shows the same drawing (store.css).
	css := b.Get("/static/store.css").Body
	if !strings.Contains(css, `.media > img::after`) || !strings.Contains(css, `url("placeholder.svg")`) {
		t.Error("store.css does not cover a broken picture with the placeholder")
	}
	if svg := b.Get("/static/placeholder.svg"); svg.Code != http.StatusOK || svg.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("placeholder.svg: %d %s", svg.Code, svg.Header.Get("Content-Type"))
	}
	if svg := b.Get("/static/placeholder.svg"); strings.Contains(svg.Body, "<text") {
		t.Errorf("placeholder.svg has words, which a page in another language would show: %s", svg.Body)
	}
}
