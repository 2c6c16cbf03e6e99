package content

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// The kinds of docs.
const (
	// KindPage is a page of the storefront's footer and menu.
	KindPage = "page"
	// KindArticle is a help centre article.
	KindArticle = "article"
)

// The sections of the help centre.
const (
	SectionShoppers  = "shoppers"
	SectionMerchants = "merchants"
)

// Limits of a doc.
const (
	MaxSlug        = 64
	MaxTitle       = 120
	MaxBody        = 64 << 10
	MaxSEOTitle    = 120
	MaxSEODesc     = 300
	MaxCategory    = 60
	maxOriginBytes = 128
)

// Doc is a page or a help article as a storefront shows it.
type Doc struct {
	// Kind is KindPage or KindArticle.
	Kind string `json:"kind"`
	// Slug names the doc in its URL (/pages/<slug>, /help/<slug>): lower
	// case letters, digits and single hyphens.
	Slug  string `json:"slug"`
	Title string `json:"title"`
	// Body is Markdown.
	Body string `json:"body"`
	// SEOTitle and SEODescription are what search engines show; empty:
	// the title and the body's first words.
	SEOTitle       string `json:"seo_title,omitempty"`
	SEODescription string `json:"seo_description,omitempty"`
	// Section (SectionShoppers or SectionMerchants) and Category place an
	// article in the help centre; pages have neither.
	Section  string `json:"section,omitempty"`
	Category string `json:"category,omitempty"`
	// Origin is the peer ID of the member that published a federation
	// doc; empty for this storefront's own.
	Origin string `json:"origin,omitempty"`
	// Version counts the doc's published versions, from 1.
	Version uint64 `json:"version"`
	// UpdatedAt is when this version was published.
	UpdatedAt time.Time `json:"updated_at"`
	// Translations are the doc's versions in other languages, by BCP 47
	// tag (translation.go); none in most docs.
	Translations map[string]Translation `json:"translations,omitempty"`
}

// Input is what an operator writes.
type Input struct {
	Kind           string `json:"kind"`
	Slug           string `json:"slug"`
	Title          string `json:"title"`
	Body           string `json:"body"`
	SEOTitle       string `json:"seo_title"`
	SEODescription string `json:"seo_description"`
	Section        string `json:"section"`
	Category       string `json:"category"`
	// Translations are the doc's versions in other languages.
	Translations map[string]Translation `json:"translations,omitempty"`
}

// Input returns what d was written from.
func (d *Doc) Input() Input {
	return Input{Kind: d.Kind, Slug: d.Slug, Title: d.Title, Body: d.Body, SEOTitle: d.SEOTitle,
		SEODescription: d.SEODescription, Section: d.Section, Category: d.Category, Translations: d.Translations}
}

// docOf builds the doc in describes (trimmed), without origin or version.
func docOf(in Input) Doc {
	return Doc{Kind: in.Kind, Slug: strings.TrimSpace(in.Slug), Title: strings.TrimSpace(in.Title), Body: in.Body,
		SEOTitle: strings.TrimSpace(in.SEOTitle), SEODescription: strings.TrimSpace(in.SEODescription),
		Section: in.Section, Category: strings.TrimSpace(in.Category), Translations: trimTranslations(in.Translations)}
}

// Key is how a storefront names d in URLs: its slug, or <origin>.<slug>
// when qualified (a federation doc whose slug a doc nearer home uses).
func (d *Doc) Key(qualified bool) string {
	if qualified && d.Origin != "" {
		return d.Origin + "." + d.Slug
	}
	return d.Slug
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s may name a doc.
func ValidSlug(s string) bool { return len(s) <= MaxSlug && slugPattern.MatchString(s) }

// Validate checks in: the fields an operator writes, each problem named
// by its field.
func Validate(in Input) error {
	var f fields
	switch in.Kind {
	case KindPage:
		if in.Section != "" {
			f.add("section", "only help articles have a section")
		}
		if in.Category != "" {
			f.add("category", "only help articles have a category")
		}
	case KindArticle:
		if in.Section != SectionShoppers && in.Section != SectionMerchants {
			f.add("section", fmt.Sprintf("must be %q or %q, not %q", SectionShoppers, SectionMerchants, clip(in.Section)))
		}
		text(&f, "category", in.Category, true, MaxCategory)
	default:
		f.add("kind", fmt.Sprintf("must be %q or %q, not %q", KindPage, KindArticle, clip(in.Kind)))
	}
	slug := strings.TrimSpace(in.Slug)
	switch {
	case slug == "":
		f.add("slug", "is required")
	case !ValidSlug(slug):
		f.add("slug", fmt.Sprintf("must be lower-case letters, digits and single hyphens, at most %d characters (such as \"shipping-and-returns\"), not %q", MaxSlug, clip(slug)))
	}
	text(&f, "title", in.Title, true, MaxTitle)
	if len(in.Body) > MaxBody {
		f.add("body", fmt.Sprintf("is %d bytes, at most %d", len(in.Body), MaxBody))
	} else if !utf8.ValidString(in.Body) || strings.ContainsRune(in.Body, 0) {
		f.add("body", "must be UTF-8 text")
	}
	text(&f, "seo_title", in.SEOTitle, false, MaxSEOTitle)
	text(&f, "seo_description", in.SEODescription, false, MaxSEODesc)
	checkTranslations(&f, in.Translations)
	return f.err()
}

// text checks a one-line text field.
func text(f *fields, field, s string, required bool, limit int) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		f.add(field, "is required")
	case utf8.RuneCountInString(s) > limit:
		f.add(field, fmt.Sprintf("is %d characters, at most %d", utf8.RuneCountInString(s), limit))
	case !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\r\n\t"):
		f.add(field, "must be one line of text")
	}
}

// CheckPublished checks a doc received from another member: what
// Validate checks, and that it is published (version and time set).
func CheckPublished(d *Doc) error {
	if err := Validate(d.Input()); err != nil {
		return err
	}
	var f fields
	if d.Version == 0 {
		f.add("version", "must be at least 1")
	}
	if d.UpdatedAt.IsZero() {
		f.add("updated_at", "is missing")
	}
	if len(d.Origin) > maxOriginBytes {
		f.add("origin", "is too long")
	}
	return f.err()
}

// Summary is the doc's description for search engines and result lists:
// its SEO description, else the start of its body as plain words.
func (d *Doc) Summary() string {
	if d.SEODescription != "" {
		return d.SEODescription
	}
	return excerpt(d.Body, 160)
}

// excerpt returns the first words of Markdown md, without its marks, in at
// most n runes.
func excerpt(md string, n int) string {
	var b strings.Builder
	space := false
	for _, r := range md {
		switch {
		case strings.ContainsRune("#*_`>[]()!|~", r):
			continue
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		if utf8.RuneCountInString(b.String()) >= n {
			return b.String() + "…"
		}
	}
	return b.String()
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
