package web

import (
	"errors"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
)

// memberCharter is a charter naming three members: one active, one
// suspended, one active with a trailing slash on its URL.
type memberCharter struct{}

func (memberCharter) Charter() (*federation.SignedCharter, error) {
	return &federation.SignedCharter{Charter: federation.Charter{Members: []federation.Member{
		{PeerID: "A", Name: "Alpha", API: "https://alpha.example", Status: federation.StatusActive},
		{PeerID: "B", Name: "Beta", API: "https://beta.example/", Status: federation.StatusActive},
		{PeerID: "S", Name: "Sleepy", API: "https://sleepy.example", Status: federation.StatusSuspended},
	}}}, nil
}

func seoSite(t *testing.T) *Site {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Deps{Charter: memberCharter{}, Platform: "A", DB: db}, Options{BaseURL: "https://alpha.example", SessionSecret: make([]byte, MinSecretBytes)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMemberURLIsAnActiveMembersStorefront(t *testing.T) {
	s := seoSite(t)
	for _, tc := range []struct {
		peer, want string
		ok         bool
	}{{"A", "https://alpha.example", true}, {"B", "https://beta.example", true}, {"S", "", false}, {"gone", "", false}} {
		if got, ok := s.MemberURL(tc.peer); got != tc.want || ok != tc.ok {
			t.Errorf("MemberURL(%s) = %q, %v; want %q, %v", tc.peer, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSocialMetaCarriesOpenGraphAndTwitter(t *testing.T) {
	s := seoSite(t)
	tags := s.SocialMeta(Card{Type: "product", Title: "Skillet", Description: strings.Repeat("x", 300), URL: "https://beta.example/listings/1", Image: "https://img.example/a.jpg"})
	got := map[string]string{}
	for _, m := range tags {
		got[m.Property+m.Name] = m.Content
	}
	for k, want := range map[string]string{"og:type": "product", "og:url": "https://beta.example/listings/1", "og:site_name": "Alpha",
		"twitter:card": "summary_large_image", "twitter:image": "https://img.example/a.jpg", "twitter:title": "Skillet"} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	if n := len([]rune(got["og:description"])); n != maxCardDescription {
		t.Errorf("og:description has %d characters, want %d", n, maxCardDescription)
	}
	if c := s.SocialMeta(Card{Type: "article", Title: "About"}); c[len(c)-2].Content != "summary" {
		t.Errorf("a card without a picture is %q, want summary", c[len(c)-2].Content)
	}
}

func TestCategoryDescriptionsAreKeptAndChecked(t *testing.T) {
	s := seoSite(t)
	if err := s.SetCategoryDescription("Home > Kitchen", "  Pans and pots.\r\n\r\nKnives too.  "); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CategoryDescription("Home > Kitchen"); got != "Pans and pots.\n\nKnives too." {
		t.Fatalf("description = %q", got)
	}
	for _, tc := range []struct{ path, text, field string }{
		{"", "x", "category"}, {"Home >  Kitchen", "x", "category"}, {"Home>Kitchen", "x", "category"},
		{"Home", strings.Repeat("é", MaxCategoryDescription+1), "description"}, {"Home", "bell\a", "description"},
	} {
		err := s.SetCategoryDescription(tc.path, tc.text)
		if !errors.Is(err, ErrCategory) || !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("SetCategoryDescription(%q) = %v, want ErrCategory naming %s", tc.path, err, tc.field)
		}
	}
	all, err := s.CategoryDescriptions()
	if err != nil || len(all) != 1 {
		t.Fatalf("descriptions = %v, %v", all, err)
	}
	if err := s.SetCategoryDescription("Home > Kitchen", " "); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CategoryDescription("Home > Kitchen"); got != "" {
		t.Fatalf("a blank description left %q", got)
	}
}

func TestBreadcrumbLDNumbersItsItems(t *testing.T) {
	ld := BreadcrumbLD([]Crumb{{"Home", "https://a/"}, {"Kitchen", ""}})
	items := ld["itemListElement"].([]map[string]any)
	if ld["@type"] != "BreadcrumbList" || len(items) != 2 || items[1]["position"] != 2 || items[0]["item"] != "https://a/" || items[1]["item"] != nil {
		t.Fatalf("breadcrumbs = %v", ld)
	}
}

func TestCategoryURLNamesSegmentsBySlug(t *testing.T) {
	for path, want := range map[string]string{
		"Home & Garden > Kitchen":  "/c/home-garden/kitchen",
		"Électroménager > Fours":   "/c/%C3%A9lectrom%C3%A9nager/fours",
		"家居 > 厨房":                  "/c/%E5%AE%B6%E5%B1%85/%E5%8E%A8%E6%88%BF",
		"T-Shirts / Tops > 2 Pack": "/c/t-shirts-tops/2-pack",
	} {
		if got := CategoryURL(path); got != want {
			t.Errorf("CategoryURL(%q) = %s, want %s", path, got, want)
		}
	}
	if s := CategorySlug("!!!"); s == "" || s == CategorySlug("???") || strings.ContainsAny(s, "/!?") {
		t.Errorf("a name without letters has slug %q", s)
	}
}
