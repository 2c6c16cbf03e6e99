package content

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// A doc is written in the storefront's default language and may carry a
// version in each of TranslationLanguages: its title, body and SEO
// texts, by BCP 47 tag. A storefront shows a visitor's language version
// when the doc has one, else the doc as written (In); help search
// searches each language's versions apart (SearchIn). The versions are
// part of the doc: published, versioned, signed and replicated with it.

// TranslationLanguages are the tags a doc may have a version in.
var TranslationLanguages = []string{"zh-CN"}

// Translation is a doc's version in one language. Title and Body are
// required; empty SEO texts fall back as the doc's own do.
type Translation struct {
	Title          string `json:"title"`
	Body           string `json:"body"`
	SEOTitle       string `json:"seo_title,omitempty"`
	SEODescription string `json:"seo_description,omitempty"`
}

// In is d as a visitor reading lang sees it: its version in lang when it
// has one, else d itself.
func (d Doc) In(lang string) Doc {
	t, ok := d.Translations[lang]
	if !ok {
		return d
	}
	d.Title, d.Body, d.SEOTitle, d.SEODescription = t.Title, t.Body, t.SEOTitle, t.SEODescription
	return d
}

// checkTranslations names every bad field of ts: an unknown language, a
// missing title, an over-long body.
func checkTranslations(f *fields, ts map[string]Translation) {
	for lang, t := range ts {
		field := "translations." + clip(lang)
		if !slices.Contains(TranslationLanguages, lang) {
			f.add(field, fmt.Sprintf("must be one of %s", strings.Join(TranslationLanguages, ", ")))
			continue
		}
		text(f, field+".title", t.Title, true, MaxTitle)
		switch {
		case strings.TrimSpace(t.Body) == "":
			f.add(field+".body", "is required")
		case len(t.Body) > MaxBody:
			f.add(field+".body", fmt.Sprintf("is %d bytes, at most %d", len(t.Body), MaxBody))
		case !utf8.ValidString(t.Body) || strings.ContainsRune(t.Body, 0):
			f.add(field+".body", "must be UTF-8 text")
		}
		text(f, field+".seo_title", t.SEOTitle, false, MaxSEOTitle)
		text(f, field+".seo_description", t.SEODescription, false, MaxSEODesc)
	}
}

// trimTranslations is ts with its one-line texts trimmed; nil for none.
func trimTranslations(ts map[string]Translation) map[string]Translation {
	if len(ts) == 0 {
		return nil
	}
	out := make(map[string]Translation, len(ts))
	for lang, t := range ts {
		out[lang] = Translation{Title: strings.TrimSpace(t.Title), Body: t.Body,
			SEOTitle: strings.TrimSpace(t.SEOTitle), SEODescription: strings.TrimSpace(t.SEODescription)}
	}
	return out
}
