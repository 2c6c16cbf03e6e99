package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"unicode"

	"github.com/fedmart/fedmart/catalog/sample"
)

// TestBenchChineseListingsAreFound loads generated Chinese listings
// beside English ones into a member and checks that the catalog takes
// every one, that they are written in Chinese, and that each Chinese
// query of the bench's mix finds some of them over HTTP, and no English
// listing.
func TestBenchChineseListingsAreFound(t *testing.T) {
	ctx := t.Context()
	c, stop, err := benchCluster(ctx, 1, "strict")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	nd := c.Nodes[0]
	mer, _, err := nd.Catalog().CreateMerchant(ctx, "Search Merchant")
	if err != nil {
		t.Fatal(err)
	}
	zh := newZhGenerator(7).Listings(1000, "EUR", "Z")
	for _, l := range zh[:20] {
		if !hasHan(l.Title) || !hasHan(l.Description) || !hasHan(l.Category) {
			t.Fatalf("listing not in Chinese: %+v", l)
		}
	}
	res, err := nd.Catalog().UpsertBatch(ctx, mer.ID, zh)
	if err != nil || res.Created != len(zh) {
		t.Fatalf("Chinese listings: %+v, %v", res, err)
	}
	en := sample.New(8).Listings(300, "EUR", "S")
	if res, err := nd.Catalog().UpsertBatch(ctx, mer.ID, en); err != nil || res.Created != len(en) {
		t.Fatalf("English listings: %+v, %v", res, err)
	}
	for _, q := range zhQueries {
		resp, err := http.Get(nd.APIURL() + "/v1/catalog/search?" + q)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Total int `json:"total"`
			Items []struct {
				Title string `json:"title"`
			} `json:"items"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %v", q, resp.StatusCode, err)
		}
		if body.Total == 0 {
			t.Errorf("%s finds nothing", q)
		}
		for _, it := range body.Items {
			if !hasHan(it.Title) {
				t.Errorf("%s finds %q", q, it.Title)
			}
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
