package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

// baseTemplate is the layout every page fills: its "title" and "content"
// blocks, and the partials other pages share.
const baseTemplate = "templates/base.html"

// parsePages parses each page template with the layout, one set per page
// so that each may define the layout's blocks. A page is named after its
// file without ".html".
func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template, len(names))
	for _, name := range names {
		if name == baseTemplate {
			continue
		}
		t, err := template.New(path.Base(name)).Funcs(funcs).ParseFS(templateFS, baseTemplate, name)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[strings.TrimSuffix(path.Base(name), ".html")] = t
	}
	return pages, nil
}

// funcs are the helpers templates may call. None of them marks text as
// safe HTML: html/template escapes everything they return.
func (wb *Web) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":   func(name string) string { return wb.static.url(name) },
		"money":   formatMoney,
		"pager":   newPagerView,
		"percent": formatBPS,
		"short":   shortID,
		"ago":     func(t time.Time) string { return ago(wb.now(), t) },
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"date":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"add1":    func(i int) int { return i + 1 },
	}
}

// shortID abbreviates a peer ID or listing id for display; the full value
// goes in a title attribute or a link.
func shortID(id string) string {
	if len(id) <= 16 {
		return id
	}
	return id[:6] + "…" + id[len(id)-6:]
}

// formatBPS writes basis points as a percentage: 250 is "2.50%".
func formatBPS(bps int64) string {
	sign := ""
	if bps < 0 {
		sign, bps = "-", -bps
	}
	return fmt.Sprintf("%s%d.%02d%%", sign, bps/100, bps%100)
}

// ago describes how long before now t was, coarsely; the zero time is
// "never".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if d := now.Sub(t); d >= 2*time.Second {
		return elapsed(d) + " ago"
	}
	return "just now"
}

// elapsed writes a span of time coarsely, in its largest whole unit up to
// days: "12s", "4m", "3h" (up to 48 hours), "5d". Less than a second, or
// a negative span (another clock ahead of this one), is "0s".
func elapsed(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(max(d, 0).Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// pagerView is what the "pager" partial shows: links to the first and the
// next page of a list, with their texts.
type pagerView struct {
	Label               string // the nav's aria-label
	FirstURL, FirstText string
	NextURL, NextText   string
}

// newPagerView is the template function "pager".
func newPagerView(label, firstURL, firstText, nextURL, nextText string) pagerView {
	return pagerView{Label: label, FirstURL: firstURL, FirstText: firstText, NextURL: nextURL, NextText: nextText}
}
