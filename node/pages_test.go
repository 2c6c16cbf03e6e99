package node

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestPagesAndAPIShareTheServer(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	base := c.Nodes[0].APIURL()
	for path, want := range map[string]string{"/": "<html", "/robots.txt": "Sitemap", "/healthz": `"ok"`, "/v1/catalog/search": `"items"`} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}
