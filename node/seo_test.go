package node

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// getPage fetches a page of a node's storefront.
func getPage(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// createListing lists one of listingBody's skillets and returns its id.
func createListing(t *testing.T, n *Node, token, title, sku string) string {
	t.Helper()
	s, b := call(t, "POST", n.APIURL()+"/v1/listings", "/v1/listings", token, listingBody(title, sku, 4990, 7))
	var l struct{ ID string }
	if s != 201 || json.Unmarshal(b, &l) != nil {
		t.Fatalf("create %s on %s: %d %s", title, n.Name(), s, b)
	}
	return l.ID
}

// sitemapURLs reads a node's sitemap index and every file it names with
// encoding/xml, and returns every URL listed.
func sitemapURLs(t *testing.T, n *Node) []string {
	t.Helper()
	code, body := getPage(t, n.APIURL()+"/sitemap.xml")
	var idx struct {
		XMLName  xml.Name
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(body), &idx); code != 200 || err != nil || idx.XMLName.Local != "sitemapindex" || len(idx.Sitemaps) == 0 {
		t.Fatalf("%s's sitemap index: %d %v %v\n%s", n.Name(), code, err, idx.XMLName, body)
	}
	var out []string
	for _, sm := range idx.Sitemaps {
		if !strings.HasPrefix(sm.Loc, n.APIURL()+"/") {
			t.Fatalf("%s's sitemap names a file elsewhere: %s", n.Name(), sm.Loc)
		}
		code, body := getPage(t, sm.Loc)
		var set struct {
			XMLName xml.Name
			URLs    []struct {
				Loc     string `xml:"loc"`
				LastMod string `xml:"lastmod"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal([]byte(body), &set); code != 200 || err != nil || set.XMLName.Local != "urlset" {
			t.Fatalf("%s: %d %v %v\n%s", sm.Loc, code, err, set.XMLName, body)
		}
		for _, u := range set.URLs {
			if strings.Contains(u.Loc, "/listings/") {
				if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
					t.Errorf("%s: listing %s has lastmod %q", sm.Loc, u.Loc, u.LastMod)
				}
			}
			out = append(out, u.Loc)
		}
	}
	return out
}

var (
	canonicalRe = regexp.MustCompile(`<link rel="canonical" href="([^"]*)">`)
	robotsRe    = regexp.MustCompile(`<meta name="robots" content="([^"]*)">`)
	jsonLDRe    = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)
)

// TestSearchEnginesSeeOneHomePerListing runs members Alpha and Beta: a
// listing homed on Beta and shown on Alpha names Beta's page as
// canonical; Alpha's sitemap index and files are valid XML and list
// Alpha's own listings only; a category page is indexable with
// BreadcrumbList JSON-LD, its facet variant is not.
func TestSearchEnginesSeeOneHomePerListing(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	var own []string
	tokA := newMerchant(t, c, 0, "Ferro Works")
	for i := range 2 {
		own = append(own, createListing(t, a, tokA, fmt.Sprintf("Alpha skillet %d", i), fmt.Sprintf("A-%d", i)))
	}
	theirs := createListing(t, b, newMerchant(t, c, 1, "Beta Forge"), "Beta skillet", "B-1")
	testwait.For(t, 15*time.Second, func() error {
		if got := searchOn(t, a, "q=skillet").Total; got != 3 {
			return fmt.Errorf("alpha finds %d skillets, want 3", got)
		}
		return nil
	})

	_, page := getPage(t, a.APIURL()+"/listings/"+theirs)
	want := b.APIURL() + "/listings/" + theirs
	if m := canonicalRe.FindStringSubmatch(page); m == nil || m[1] != want {
		t.Errorf("Alpha's page of Beta's listing: canonical %v, want %s", m, want)
	}
	if !strings.Contains(page, `<meta property="og:url" content="`+want+`">`) || robotsRe.MatchString(page) {
		t.Error("Alpha's page of Beta's listing: og:url is not Beta's page, or the page is kept out of the index")
	}
	_, page = getPage(t, b.APIURL()+"/listings/"+theirs)
	if m := canonicalRe.FindStringSubmatch(page); m == nil || m[1] != want {
		t.Errorf("Beta's own page: canonical %v, want itself %s", m, want)
	}

	var listed []string
	for _, u := range sitemapURLs(t, a) {
		if id, ok := strings.CutPrefix(u, a.APIURL()+"/listings/"); ok {
			listed = append(listed, id)
		} else if strings.Contains(u, "/listings/") {
			t.Errorf("Alpha's sitemap lists another storefront's page %s", u)
		}
	}
	slices.Sort(listed)
	slices.Sort(own)
	if !slices.Equal(listed, own) {
		t.Errorf("Alpha's sitemap lists %v, want its own %v", listed, own)
	}

	code, page := getPage(t, a.APIURL()+"/c/home/kitchen/cookware")
	if code != 200 || robotsRe.MatchString(page) || !canonicalRe.MatchString(page) {
		t.Fatalf("category page: %d, robots %v; want 200, indexable, canonical", code, robotsRe.FindStringSubmatch(page))
	}
	m := jsonLDRe.FindStringSubmatch(page)
	var crumbs struct {
		Type  string                  `json:"@type"`
		Items []struct{ Name string } `json:"itemListElement"`
	}
	if m == nil || json.Unmarshal([]byte(m[1]), &crumbs) != nil || crumbs.Type != "BreadcrumbList" || len(crumbs.Items) != 4 || crumbs.Items[3].Name != "Cookware" {
		t.Errorf("category page's JSON-LD: %+v", crumbs)
	}
	_, page = getPage(t, a.APIURL()+"/c/home/kitchen/cookware?brand=Ferro")
	if r := robotsRe.FindStringSubmatch(page); r == nil || r[1] != "noindex,follow" {
		t.Errorf("a facet URL says robots %v, want noindex,follow", r)
	}
}
