package content

import (
	"bytes"
	"html/template"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// Renderer turns Markdown into sanitized HTML. It is safe for concurrent
// use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// httpsOnly matches the only picture sources a doc may use.
var httpsOnly = regexp.MustCompile(`^https://[^\s]+$`)

// NewRenderer returns a Renderer: GitHub-flavoured Markdown (tables,
// strikethrough, autolinks, task lists) without raw HTML, sanitized with
// bluemonday's UGC policy, links with http, https or mailto schemes only
// (rel="nofollow noopener", and target="_blank" on links to other sites),
// pictures by https URL only, no style, class or data URIs anywhere.
func NewRenderer() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Replaces the UGC policy's src on img: https only, never data:.
	p.AllowAttrs("src").Matching(httpsOnly).OnElements("img")
	p.AllowAttrs("checked", "disabled").OnElements("input")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	return &Renderer{md: md, policy: p}
}

// Render returns the sanitized HTML of Markdown src. The result is safe
// to place in a page as is: that is why it is typed template.HTML.
func (r *Renderer) Render(src string) template.HTML {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only on a failing writer; a bytes.Buffer has none.
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(r.policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitized just now
}

// Sanitize cleans HTML that did not come from Render (tests and imports).
func (r *Renderer) Sanitize(html string) string { return r.policy.Sanitize(html) }

// Render renders Markdown with the store's renderer (see Renderer.Render).
func (s *Store) Render(src string) template.HTML { return s.r.Render(src) }
