package web_test

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"image/png"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web/webtest"
)

// iconLink finds the layout's icon links: rel, href and the type or
// sizes that follow.
var iconLink = regexp.MustCompile(`<link rel="(icon|apple-touch-icon)" href="([^"]+)"(?: type="([^"]+)")?(?: sizes="(\d+)x\d+")?>`)

// Every page, of every audience and the failure pages, links the SVG icon
// and its PNG fallbacks by versioned URL; each is served, of the type and
// size the link says, cacheable for a year.
func TestEveryPageLinksTheFavicon(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	for _, path := range []string{"/", "/search", "/merchant/signin", "/operator/signin", "/nowhere"} {
		r := b.Get(path)
		links := iconLink.FindAllStringSubmatch(r.Body, -1)
		if len(links) != 3 || links[0][3] != "image/svg+xml" {
			t.Fatalf("%s links the icons %q, want the SVG first, then the 32 px PNG and the touch icon", path, links)
		}
		for _, l := range links {
			rel, href, typ, size := l[1], webtest.UnescapeHTML(l[2]), l[3], l[4]
			if !strings.Contains(href, "?v=") {
				t.Errorf("%s links %s without a version", path, href)
			}
			f := b.Get(href)
			webtest.WantStatus(t, f, http.StatusOK)
			if cc := f.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("%s: Cache-Control %q, want immutable", href, cc)
			}
			ct := f.Header.Get("Content-Type")
			switch {
			case typ == "image/svg+xml":
				if ct != typ {
					t.Errorf("%s served as %q", href, ct)
				}
				var svg struct {
					XMLName xml.Name
					ViewBox string `xml:"viewBox,attr"`
					Title   string `xml:"title"`
				}
				if err := xml.Unmarshal([]byte(f.Body), &svg); err != nil || svg.XMLName.Local != "svg" || svg.ViewBox == "" || svg.Title == "" {
					t.Errorf("%s is not an SVG with a viewBox and a title (%v): %+v", href, err, svg)
				}
			default:
				want := map[string]int{"icon": 32, "apple-touch-icon": 180}[rel]
				if size != "" && size != "32" {
					t.Errorf("%s says sizes %s", href, size)
				}
				cfg, err := png.DecodeConfig(strings.NewReader(f.Body))
				if ct != "image/png" || err != nil || cfg.Width != want || cfg.Height != want {
					t.Errorf("%s: %s, %dx%d (%v); want a %d px square PNG", href, ct, cfg.Width, cfg.Height, err, want)
				}
			}
		}
	}
}

// Browsers ask for /favicon.ico without reading a page: it is the 32 px
// PNG in an ICO container, kept a day and revalidated by its ETag.
func TestFaviconICO(t *testing.T) {
	h := newHarness(t)
	r := h.browser().Get("/favicon.ico")
	webtest.WantStatus(t, r, http.StatusOK)
	if ct, cc := r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"); ct != "image/x-icon" || cc != "public, max-age=86400" {
		t.Errorf("Content-Type %q, Cache-Control %q", ct, cc)
	}
	ico := []byte(r.Body)
	if len(ico) < 22 || binary.LittleEndian.Uint16(ico[0:]) != 0 || binary.LittleEndian.Uint16(ico[2:]) != 1 || binary.LittleEndian.Uint16(ico[4:]) != 1 {
		t.Fatalf("not an ICO with one image: % x", ico[:min(len(ico), 22)])
	}
	size, offset := binary.LittleEndian.Uint32(ico[14:]), binary.LittleEndian.Uint32(ico[18:])
	if int(offset)+int(size) != len(ico) {
		t.Fatalf("the ICO's image is %d bytes at %d in a %d-byte file", size, offset, len(ico))
	}
	img, err := png.Decode(bytes.NewReader(ico[offset:]))
	if err != nil || img.Bounds().Dx() != int(ico[6]) || img.Bounds().Dy() != int(ico[7]) || ico[6] != 32 {
		t.Fatalf("the ICO's image: %v, %v; the directory says %dx%d", err, img.Bounds(), ico[6], ico[7])
	}
	etag := r.Header.Get("ETag")
	req := httptest.NewRequest(http.MethodGet, "/favicon.ico", nil)
	req.Header.Set("If-None-Match", etag)
	if again := h.browser().Do(req); etag == "" || again.Code != http.StatusNotModified {
		t.Errorf("asked again with its ETag %q: %d, want 304", etag, again.Code)
	}
}
