package web_test

import (
	"image/color"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestImageURL(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	for _, c := range []struct{ image, size, want string }{
		{"sha256:" + hash, web.ImageCard, "/media/" + hash + "/card"},
		{"sha256:" + hash, web.ImageThumb, "/media/" + hash + "/thumb"},
		{"sha256:" + hash, "huge", "/media/" + hash + "/full"},
		{"https://img.example/a.jpg", web.ImageCard, "https://img.example/a.jpg"},
		{"http://img.example/a.jpg", web.ImageCard, ""},
		{"sha256:" + strings.ToUpper(hash), web.ImageCard, ""},
		{"javascript:alert(1)", web.ImageCard, ""},
		{"https://", web.ImageCard, ""},
	} {
		if got := web.ImageURL(c.image, c.size); got != c.want {
			t.Errorf("ImageURL(%q, %q) = %q, want %q", c.image, c.size, got, c.want)
		}
	}
}

func TestServePictures(t *testing.T) {
	h := newHarness(t)
	own := h.Upload(h.Self, h.Merchant.ID, webtest.Picture(t, 800, 600, color.RGBA{200, 60, 40, 255}))
	b := h.browser()
	path := "/media/" + webtest.ImageHash(t, own) + "/card"
	r := b.Get(path)
	webtest.WantStatus(t, r, http.StatusOK)
	for k, want := range map[string]string{"Content-Type": "image/jpeg", "Cache-Control": "public, max-age=31536000, immutable",
		"X-Content-Type-Options": "nosniff", "ETag": `"` + webtest.ImageHash(t, own) + `-card"`} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(r.Body, "\xff\xd8\xff") || r.Header.Get("Content-Length") == "" {
		t.Errorf("not a JPEG of a stated length: % x", r.Body[:min(len(r.Body), 4)])
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("If-None-Match", r.Header.Get("ETag"))
	if r := b.Do(req); r.Code != http.StatusNotModified || r.Body != "" {
		t.Errorf("revalidation: %d, %d bytes", r.Code, len(r.Body))
	}
	if r := b.Do(httptest.NewRequest(http.MethodHead, path, nil)); r.Code != http.StatusOK || r.Body != "" || r.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("HEAD: %d %q, %d bytes", r.Code, r.Header.Get("Content-Type"), len(r.Body))
	}
	for _, bad := range []string{
		"/media/" + strings.Repeat("0", 64) + "/card",                    // no such picture
		"/media/" + webtest.ImageHash(t, own) + "/original",              // no such size
		"/media/" + strings.ToUpper(webtest.ImageHash(t, own)) + "/card", // not a hash
		"/media/..%2f..%2fetc%2fpasswd/card",
	} {
		r := b.Get(bad)
		if r.Code != http.StatusNotFound || r.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(r.Body, "<svg") {
			t.Errorf("%s: %d %q, want 404 with the placeholder", bad, r.Code, r.Header.Get("Content-Type"))
		}
		if r.Header.Get("Cache-Control") == "public, max-age=31536000, immutable" {
			t.Errorf("%s: a missing picture is cached for a year", bad)
		}
	}
}

func TestPicturesOfOtherMembersAreFetchedOnceAndCharged(t *testing.T) {
	h := newHarness(t)
	h.Budgets = budget.New(budget.Config{MediaFetches: budget.Rate{N: 1, Per: time.Hour}, Clients: 10}, nil, h.Clock.Now)
	h.rebuild()
	m, _, err := h.Other.Cat.CreateMerchant(t.Context(), "Beta Seller")
	if err != nil {
		t.Fatal(err)
	}
	first := h.Upload(h.Other, m.ID, webtest.Picture(t, 300, 300, color.RGBA{20, 90, 200, 255}))
	second := h.Upload(h.Other, m.ID, webtest.Picture(t, 300, 300, color.RGBA{20, 200, 90, 255}))
	unlisted := h.Upload(h.Other, m.ID, webtest.Picture(t, 300, 300, color.RGBA{90, 20, 200, 255}))
	in := webtest.Input("Blue jug", "Beta", "Home > Kitchen", 1500, 3)
	in.Images = []string{first, second}
	if _, err := h.Other.Cat.CreateListing(t.Context(), m.ID, in); err != nil {
		t.Fatal(err)
	}
	h.Replicate()
	b := h.browser()
	// A picture no listing here shows is not fetched, and costs nothing.
	if r := b.Get("/media/" + webtest.ImageHash(t, unlisted) + "/card"); r.Code != http.StatusNotFound || h.MediaFetches() != 0 {
		t.Fatalf("an unlisted picture: %d, %d fetches", r.Code, h.MediaFetches())
	}
	r := b.Get("/media/" + webtest.ImageHash(t, first) + "/thumb")
	webtest.WantStatus(t, r, http.StatusOK)
	if h.MediaFetches() != 1 {
		t.Fatalf("%d fetches, want 1", h.MediaFetches())
	}
	// Held now: another size, and the same again, cost no fetch.
	for _, size := range []string{"thumb", "card", "full"} {
		webtest.WantStatus(t, b.Get("/media/"+webtest.ImageHash(t, first)+"/"+size), http.StatusOK)
	}
	// The client spent its one fetch: the next picture it makes the node
	// fetch is refused, with the placeholder and when to come back.
	r = b.Get("/media/" + webtest.ImageHash(t, second) + "/card")
	if r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("over the budget: %d, Retry-After %q, %q", r.Code, r.Header.Get("Retry-After"), r.Header.Get("Content-Type"))
	}
	if h.MediaFetches() != 1 {
		t.Errorf("%d fetches after the refusal, want 1", h.MediaFetches())
	}
	// Another client has a budget of its own.
	other := h.browser()
	other.Addr = "198.51.100.7"
	webtest.WantStatus(t, other.Get("/media/"+webtest.ImageHash(t, second)+"/card"), http.StatusOK)
}
