package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestContentAPI writes, publishes, changes and restores a page and an
// alliance article over REST, checks each answer against the OpenAPI
// spec, finds the article on the other member by search, and refuses a
// taken slug and bad input naming the field.
func TestContentAPI(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b, tok := c.Nodes[0].APIURL(), c.Nodes[1].APIURL(), c.Tokens[0]
	const docs, doc = "/v1/pages", "/v1/pages/{kind}/{slug}"

	page := `{"kind":"page","slug":"terms","title":"Terms","body":"Version *one*.\n\n<script>alert(1)</script>","order":2,"publish":true}`
	if s, body := call(t, "POST", a+docs, docs, tok, []byte(page)); s != 201 {
		t.Fatalf("create page: %d %s", s, body)
	}
	if s, body := call(t, "POST", a+docs, docs, "", []byte(page)); s != 401 {
		t.Errorf("create without a token: %d %s", s, body)
	}
	s, body := call(t, "POST", a+docs, docs, tok, []byte(page))
	if s != 409 || !strings.Contains(string(body), `"field":"slug"`) {
		t.Errorf("a taken slug: %d %s, want 409 naming slug", s, body)
	}
	bad := `{"kind":"page","slug":"Bad Slug!","title":"","body":"x"}`
	s, body = call(t, "POST", a+docs, docs, tok, []byte(bad))
	if s != 422 || !strings.Contains(string(body), `"field":"slug"`) || !strings.Contains(string(body), `"field":"title"`) {
		t.Errorf("bad input: %d %s, want 422 naming slug and title", s, body)
	}
	if s, body := call(t, "PUT", a+"/v1/pages/page/terms", doc, tok, []byte(`{"title":"Terms","body":"Version two.","order":2,"publish":true}`)); s != 200 {
		t.Fatalf("change page: %d %s", s, body)
	}
	s, body = call(t, "POST", a+"/v1/pages/page/terms/versions/1/restore", "/v1/pages/{kind}/{slug}/versions/{version}/restore", tok, nil)
	var detail struct {
		Entry struct {
			Live   int    `json:"live"`
			Status string `json:"status"`
		} `json:"entry"`
		Versions []struct {
			Version int    `json:"version"`
			Body    string `json:"body"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(body, &detail); s != 200 || err != nil || detail.Entry.Live != 3 || len(detail.Versions) != 3 || !strings.Contains(detail.Versions[0].Body, "*one*") {
		t.Fatalf("restore version 1: %d %s", s, body)
	}
	s, body = call(t, "GET", a+"/v1/content/pages/terms", "/v1/content/pages/{key}", "", nil)
	var rendered struct {
		HTML string `json:"html"`
	}
	if err := json.Unmarshal(body, &rendered); s != 200 || err != nil || !strings.Contains(rendered.HTML, "<em>one</em>") || strings.Contains(rendered.HTML, "<script") {
		t.Errorf("the published page: %d %s", s, body)
	}
	if s, body := call(t, "GET", a+"/v1/content/pages", "/v1/content/pages", "", nil); s != 200 || !strings.Contains(string(body), `"key":"terms"`) {
		t.Errorf("the pages: %d %s", s, body)
	}

	art := `{"kind":"article","slug":"paying","title":"Paying once","body":"One payment covers every merchant's part.","section":"shoppers","category":"Payments","federation":true,"publish":true}`
	if s, body := call(t, "POST", a+docs, docs, tok, []byte(art)); s != 201 {
		t.Fatalf("create article: %d %s", s, body)
	}
	testwait.For(t, 30*time.Second, func() error {
		s, body := call(t, "GET", b+"/v1/content/articles?q=payment+merchants", "/v1/content/articles", "", nil)
		if s != 200 || !strings.Contains(string(body), `"key":"paying"`) {
			return fmt.Errorf("Beta's help search: %d %s", s, body)
		}
		return nil
	})
	if s, body := call(t, "GET", b+"/v1/content/articles/paying", "/v1/content/articles/{key}", "", nil); s != 200 || !strings.Contains(string(body), `"origin":"`+c.Nodes[0].PeerID().String()) {
		t.Errorf("Beta's copy of the article: %d %s", s, body)
	}
	if s, body := call(t, "GET", b+"/v1/content/articles?section=everyone", "/v1/content/articles", "", nil); s != 400 {
		t.Errorf("a bad section: %d %s", s, body)
	}
	if s, body := call(t, "GET", a+"/v1/content/articles/nothing", "/v1/content/articles/{key}", "", nil); s != 404 {
		t.Errorf("an unknown article: %d %s", s, body)
	}
	if s, body := call(t, "GET", a+docs, docs, tok, nil); s != 200 || !strings.Contains(string(body), `"status":"published"`) {
		t.Errorf("the operator's docs: %d %s", s, body)
	}
}
