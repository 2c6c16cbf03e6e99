package main

import (
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog/content"
)

// TestStarterArticles: every embedded article is valid, slugs are unique,
// both sections are covered, and the articles the storefront and the
// console link by slug are there.
func TestStarterArticles(t *testing.T) {
	arts, err := starterArticles()
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) < 12 {
		t.Errorf("%d starter articles, want a dozen", len(arts))
	}
	slugs := map[string]bool{}
	sections := map[string]int{}
	r := content.NewRenderer()
	for _, a := range arts {
		if slugs[a.Slug] {
			t.Errorf("slug %s twice", a.Slug)
		}
		slugs[a.Slug] = true
		sections[a.Section]++
		if html := string(r.Render(a.Body)); !strings.Contains(html, "<p>") {
			t.Errorf("%s renders without a paragraph: %s", a.Slug, html)
		}
	}
	if sections[content.SectionShoppers] == 0 || sections[content.SectionMerchants] == 0 {
		t.Errorf("sections: %v", sections)
	}
	for _, s := range []string{"shipping", "returns", "loyalty-points", "sign-in-with-another-member", "feeds", "shipping-profiles", "offers"} {
		if !slugs[s] {
			t.Errorf("no starter article %q, which the pages link", s)
		}
	}
	if _, err := parseArticle("title: x\nbody without a separator"); err == nil {
		t.Error("an article without --- parses")
	}
	if _, err := parseArticle("title: X\nslug: Bad Slug\nsection: shoppers\ncategory: C\n---\nbody"); err == nil || !strings.Contains(err.Error(), "slug") {
		t.Errorf("a bad slug: %v", err)
	}
}
