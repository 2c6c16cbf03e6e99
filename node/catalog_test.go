package node

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

func listingBody(title, sku string, price, stock int) []byte {
	return []byte(fmt.Sprintf(`{"title":%q,"description":"Hand-forged carbon steel, seasoned.","category":"Home > Kitchen > Cookware",
		"brand":"Ferro","attributes":{"material":"carbon steel"},"images":["https://img.example/pan.jpg"],
		"shipping_regions":["DE","FR"],"variants":[{"sku":%q,"options":{"size":"28cm"},"price":{"amount":%d,"currency":"EUR"},"stock":%d}]}`,
		title, sku, price, stock))
}

func newMerchant(t *testing.T, c *Cluster, i int, name string) string {
	t.Helper()
	s, b := call(t, "POST", c.Nodes[i].APIURL()+"/v1/merchants", "/v1/merchants", c.Tokens[i], []byte(fmt.Sprintf(`{"name":%q}`, name)))
	var m struct{ Token string }
	if s != 201 || json.Unmarshal(b, &m) != nil || m.Token == "" {
		t.Fatalf("create merchant: %d %s", s, b)
	}
	return m.Token
}

type searchAnswer struct {
	Items []struct {
		ID, Title, Platform string
		InStock             bool `json:"in_stock"`
	}
	Facets map[string]any
	Total  int
}

func searchOn(t *testing.T, n *Node, query string) searchAnswer {
	t.Helper()
	_, b := call(t, "GET", n.APIURL()+"/v1/catalog/search?"+query, "/v1/catalog/search", "", nil)
	var a searchAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("search %s: %s", query, b)
	}
	return a
}

func findsOnly(t *testing.T, nodes []*Node, query string, want ...string) func() error {
	return func() error {
		for _, n := range nodes {
			a := searchOn(t, n, query)
			var got []string
			for _, it := range a.Items {
				got = append(got, it.Title)
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				return fmt.Errorf("%s: search %q found %v, want %v", n.Name(), query, got, want)
			}
		}
		return nil
	}
}

func TestListingReachesEveryMember(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta", "Gamma")
	a := c.Nodes[0]
	tok := newMerchant(t, c, 0, "Ferro Works")
	s, b := call(t, "POST", a.APIURL()+"/v1/listings", "/v1/listings", tok, listingBody("Carbon steel skillet", "PAN-28", 4990, 7))
	var l struct {
		ID      string
		Version int
	}
	if s != 201 || json.Unmarshal(b, &l) != nil || l.Version != 1 || !strings.HasPrefix(l.ID, a.PeerID().String()+".") {
		t.Fatalf("create: %d %s", s, b)
	}
	testwait.For(t, 15*time.Second, findsOnly(t, c.Nodes, "q=skillets", "Carbon steel skillet"))
	hit := searchOn(t, c.Nodes[2], "q=skillet").Items[0]
	if hit.Platform != a.PeerID().String() || !hit.InStock {
		t.Fatalf("gamma's hit: %+v", hit)
	}
	s, b = call(t, "GET", c.Nodes[1].APIURL()+"/v1/catalog/listings/"+l.ID, "/v1/catalog/listings/{id}", "", nil)
	if s != 200 || !strings.Contains(string(b), `"platform_name":"Alpha"`) {
		t.Fatalf("beta's copy: %d %s", s, b)
	}

	// Another merchant cannot touch it.
	other := newMerchant(t, c, 0, "Someone Else")
	if s, _ := call(t, "PUT", a.APIURL()+"/v1/listings/"+l.ID, "/v1/listings/{id}", other, listingBody("Hijacked", "X-1", 1, 1)); s != 404 {
		t.Fatalf("other merchant's replace: %d, want 404", s)
	}
	if s, _ := call(t, "DELETE", a.APIURL()+"/v1/listings/"+l.ID, "/v1/listings/{id}", other, nil); s != 404 {
		t.Fatalf("other merchant's takedown: %d, want 404", s)
	}

	if s, b := call(t, "PUT", a.APIURL()+"/v1/listings/"+l.ID, "/v1/listings/{id}", tok, listingBody("Carbon steel wok", "PAN-28", 5990, 7)); s != 200 || !strings.Contains(string(b), `"version":2`) {
		t.Fatalf("replace: %d %s", s, b)
	}
	testwait.For(t, 15*time.Second, findsOnly(t, c.Nodes, "q=wok", "Carbon steel wok"))
	testwait.For(t, 15*time.Second, findsOnly(t, c.Nodes, "q=skillet"))

	if s, b := call(t, "PUT", a.APIURL()+"/v1/listings/"+l.ID+"/stock", "/v1/listings/{id}/stock", tok, []byte(`{"sku":"PAN-28","stock":0}`)); s != 200 {
		t.Fatalf("stock: %d %s", s, b)
	}
	testwait.For(t, 15*time.Second, findsOnly(t, c.Nodes, "q=wok&in_stock=true"))

	if s, b := call(t, "DELETE", a.APIURL()+"/v1/listings/"+l.ID, "/v1/listings/{id}", tok, nil); s != 204 {
		t.Fatalf("takedown: %d %s", s, b)
	}
	testwait.For(t, 15*time.Second, findsOnly(t, c.Nodes, "q=wok"))
	for _, n := range c.Nodes {
		if s, _ := call(t, "GET", n.APIURL()+"/v1/catalog/listings/"+url.PathEscape(l.ID), "/v1/catalog/listings/{id}", "", nil); s != 404 {
			t.Fatalf("%s still serves the taken-down listing: %d", n.Name(), s)
		}
	}
}
