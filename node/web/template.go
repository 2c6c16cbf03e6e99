package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// templateFS holds the layout and the kit's own pages (the error page and
// the token sign-in the console and the dashboard share).
//
//go:embed templates/*.html
var templateFS embed.FS

// layoutFile is the layout every page fills: its "title" and "content"
// blocks, and the partials every page may use (csrf, pager, errors,
// summary, text-field, area-field).
const layoutFile = "templates/base.html"

// Pages are one audience's page templates, each parsed with the layout,
// so that each may define the layout's blocks. A page is named after its
// file without ".html".
type Pages struct {
	site *Site
	set  map[string]map[string]*template.Template // by page name, then language tag
}

// Pages parses every templates/*.html file of fsys as a page over the
// layout. The files named in partials are no pages: they are parsed into
// every page of the set, for the templates the audience's pages share.
func (s *Site) Pages(fsys fs.FS, partials ...string) (*Pages, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ps := &Pages{site: s, set: make(map[string]map[string]*template.Template, len(names))}
	funcs := s.funcs()
	for _, name := range names {
		if name == layoutFile || slices.Contains(partials, name) {
			continue
		}
		t, err := template.New(path.Base(name)).Funcs(funcs).ParseFS(templateFS, layoutFile)
		if err == nil && len(partials) > 0 {
			t, err = t.ParseFS(fsys, partials...)
		}
		if err == nil {
			t, err = t.ParseFS(fsys, name)
		}
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		byLang, err := s.localized(t)
		if err != nil {
			return nil, err
		}
		ps.set[strings.TrimSuffix(path.Base(name), ".html")] = byLang
	}
	return ps, nil
}

// funcs are the helpers templates may call, those that speak a language
// speaking English (localized gives each other language its own). None
// of them marks text as safe HTML: html/template escapes everything they
// return.
func (s *Site) funcs() template.FuncMap {
	fm := template.FuncMap{
		"asset":    func(name string) string { return s.static.url(name) },
		"pager":    NewPagerView,
		"percent":  FormatBPS,
		"short":    ShortID,
		"iso":      ISO,
		"clock":    func(t time.Time) string { return FormatClock(t, s.Zone()) },
		"duration": Duration,
		"zone":     func() string { return s.Zone().String() },
		"add1":     func(i int) int { return i + 1 },
		"image":    ImageURL,
	}
	maps.Copy(fm, s.localeFuncs(s.locales.Default()))
	return fm
}

// ShortID abbreviates a peer ID or listing id for display; the full value
// goes in a title attribute or a link.
func ShortID(id string) string {
	if len(id) <= 16 {
		return id
	}
	return id[:6] + "…" + id[len(id)-6:]
}

// ClipText cuts s to at most n characters, at a rune boundary, marking
// the cut.
func ClipText(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// FormatBPS writes basis points as a percentage: 250 is "2.50%".
func FormatBPS(bps int64) string {
	sign := ""
	if bps < 0 {
		sign, bps = "-", -bps
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, bps/100, bps%100)
}

// PagerView is what the "pager" partial shows: links to the first and the
// next page of a list, with their texts.
type PagerView struct {
	Label               string // the nav's aria-label
	FirstURL, FirstText string
	NextURL, NextText   string
}

// NewPagerView is the template function "pager".
func NewPagerView(label, firstURL, firstText, nextURL, nextText string) PagerView {
	return PagerView{Label: label, FirstURL: firstURL, FirstText: firstText, NextURL: nextURL, NextText: nextText}
}
