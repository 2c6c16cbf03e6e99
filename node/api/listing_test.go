package api_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/api"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/prometheus/client_golang/prometheus"
)

// onlySelf is a membership of this node alone.
type onlySelf struct{}

func (onlySelf) IsMember(string) bool { return false }

// listingsAPI serves the API over a real catalog in memory, with one
// merchant and its token.
func listingsAPI(t *testing.T) (http.Handler, *catalog.Catalog, catalog.Merchant, string) {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := catalog.DefaultConfig()
	cfg.Currency = "EUR"
	cat, err := catalog.Open(cfg, db, key, onlySelf{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, token, err := cat.CreateMerchant(context.Background(), "Ferro Works")
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	a := api.New(api.Config{OperatorToken: "op"}, api.Deps{Catalog: cat, Gatherer: reg, Registry: reg}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return a.Handler(), cat, m, token
}

func TestOwnListingsFiltered(t *testing.T) {
	h, cat, m, token := listingsAPI(t)
	ids := map[string]string{}
	for _, l := range []struct {
		title, sku string
		stock      int64
	}{{"Carbon steel skillet", "PAN-28", 12}, {"Cast iron skillet", "PAN-CI-32", 2}, {"Skillet lid", "LID-28", 0}, {"Enamel mug", "MUG-1", 3}} {
		in := catalog.ListingInput{Title: l.title, Category: "Home > Kitchen", Brand: "Ferro", ShippingRegions: []string{"DE"},
			Variants: []catalog.Variant{{SKU: l.sku, Price: catalog.Money{Amount: 4990, Currency: "EUR"}, Stock: l.stock}}}
		got, err := cat.CreateListing(t.Context(), m.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[got.ID] = l.title
	}
	get := func(query string) (int, []byte) {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/v1/listings?"+query, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if err := api.CheckResponse(http.MethodGet, "/v1/listings", w.Code, w.Body.Bytes()); err != nil {
			t.Errorf("%s: %v\n%s", query, err, w.Body)
		}
		return w.Code, w.Body.Bytes()
	}
	type page struct {
		Items []catalog.Listing `json:"items"`
		Next  string            `json:"next_cursor"`
		Total int               `json:"total"`
	}
	// The skillets, one a page: three pages, each knowing there are three.
	var titles []string
	cursor := ""
	for range 4 {
		code, body := get(url.Values{"q": {"skillet"}, "limit": {"1"}, "cursor": {cursor}}.Encode())
		var p page
		if err := json.Unmarshal(body, &p); code != http.StatusOK || err != nil || p.Total != 3 || len(p.Items) != 1 {
			t.Fatalf("%d %s", code, body)
		}
		titles = append(titles, ids[p.Items[0].ID])
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	slices.Sort(titles)
	if !slices.Equal(titles, []string{"Carbon steel skillet", "Cast iron skillet", "Skillet lid"}) {
		t.Errorf("the skillets, a page at a time: %v", titles)
	}
	for query, want := range map[string][]string{
		"q=skillet&stock=low":            {"Cast iron skillet"},
		"q=skillet&stock=out":            {"Skillet lid"},
		"sku=-28":                        {"Carbon steel skillet", "Skillet lid"},
		"stock=in&low_stock=2":           {"Carbon steel skillet", "Enamel mug"},
		"q=mug+enamel":                   {"Enamel mug"},
		"":                               {"Carbon steel skillet", "Cast iron skillet", "Enamel mug", "Skillet lid"},
		"q=wok&sku=PAN&stock=in&limit=5": nil,
	} {
		code, body := get(query)
		var p page
		if err := json.Unmarshal(body, &p); code != http.StatusOK || err != nil || p.Total != len(want) || p.Next != "" {
			t.Errorf("%s: %d %s", query, code, body)
			continue
		}
		var got []string
		for _, l := range p.Items {
			got = append(got, ids[l.ID])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
	// Bad filters are the client's mistake, named.
	for query, field := range map[string]string{"stock=plenty": "stock", "low_stock=0": "low_stock", "limit=501": "limit"} {
		code, body := get(query)
		var p api.Problem
		if err := json.Unmarshal(body, &p); code != http.StatusBadRequest || err != nil || len(p.Errors) != 1 || p.Errors[0].Field != field {
			t.Errorf("%s: %d %s", query, code, body)
		}
	}
	if code, _ := get("cursor=garbage"); code != http.StatusUnprocessableEntity {
		t.Errorf("a cursor that is not the merchant's: %d", code)
	}
}
