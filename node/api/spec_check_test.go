package api_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/api"
	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"
)

// servedByThePages are the documented operations the node serves beside
// the API, from the page kit (node/web); the node's tests call them.
var servedByThePages = []string{"GET /media/{hash}/{size}"}

// TestDocumentListsEveryRoute holds the OpenAPI document to the router:
// every route the API serves is documented with its method, and the
// document lists no operation the API does not serve (but those the
// pages serve).
func TestDocumentListsEveryRoute(t *testing.T) {
	e := newEdge(t, api.Config{}, nil)
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := slices.Clone(servedByThePages)
	for _, r := range e.handler.(*gin.Engine).Routes() {
		served = append(served, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(api.Spec, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not documented", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("%s is documented but not served", r)
		}
	}
}

func TestRouteMatchesTheDocumentsTemplates(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/v1/carts/crt_1/items/PAN-28", "/v1/carts/{id}/items/{sku}"},
		{"/v1/orders/outbox", "/v1/orders/outbox"},
		{"/v1/orders/ord_1", "/v1/orders/{id}"},
		{"/v1/orders/outbox/parked/12D3KooW/0000000000000001/retry", "/v1/orders/outbox/parked/{peer}/{seq}/retry"},
		{"/v1/openapi.yaml", "/v1/openapi.yaml"},
	}
	for _, tt := range tests {
		if got, err := api.Route(tt.path); err != nil || got != tt.want {
			t.Errorf("Route(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
	for _, path := range []string{"/v1/nothing", "/v1/carts//items", "/v1/orders/ord_1/cancel/now"} {
		if got, err := api.Route(path); err == nil {
			t.Errorf("Route(%s) = %q, want an error", path, got)
		}
	}
}

func TestCheckResponseRefusesWhatTheDocumentDoesNotSay(t *testing.T) {
	cart := `{"id":"crt_1","shopper":"shp_1","groups":[],"total":{"amount":0,"currency":""},"items":0,` +
		`"created_at":"2026-11-24T14:00:00Z","updated_at":"2026-11-24T14:00:00Z"`
	tests := []struct {
		name, route string
		status      int
		body        string
		says        string
	}{
		{"conforms", "/v1/carts/{id}", http.StatusOK, cart + `}`, ""},
		{"undocumented property", "/v1/carts/{id}", http.StatusOK, cart + `,"gift_wrap":1}`, `"gift_wrap" is not in the spec`},
		{"missing property", "/v1/carts/{id}", http.StatusOK, `{"id":"crt_1"}`, "required property"},
		{"wrong type", "/v1/carts/{id}", http.StatusOK, strings.Replace(cart, `"items":0`, `"items":"0"`, 1) + `}`, "spec says [integer]"},
		{"value outside the enum", "/healthz", http.StatusOK, `{"status":"fine"}`, "is not one of"},
		{"free-form map", "/v1/catalog/search", http.StatusOK,
			`{"items":[],"facets":{"category":{"Home":2},"brand":{},"platform":{},"price":{"<10":1},"in_stock":1},"total":0,"next_cursor":""}`, ""},
		{"map of the wrong values", "/v1/catalog/search", http.StatusOK,
			`{"items":[],"facets":{"category":{"Home":"2"},"brand":{},"platform":{},"price":{},"in_stock":1},"total":0,"next_cursor":""}`, "$.facets.category.Home"},
		{"undocumented status", "/v1/carts/{id}", http.StatusTeapot, `{}`, "does not document status 418"},
	}
	for _, tt := range tests {
		err := api.CheckResponse(http.MethodGet, tt.route, tt.status, []byte(tt.body))
		switch {
		case tt.says == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says)):
			t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.says)
		}
	}
}
