package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/fedmart/fedmart/node/web/locale"
)

// Every page speaks the visitor's language (node/web/locale): the one
// they picked with the selector in the footer, else the best match of
// their browser's Accept-Language, else English. The selector is a list
// of links to the same page with ?lang=<tag>: following one remembers
// the choice in a cookie for a year. The parameter rather than a path
// prefix (/zh-CN/...) keeps every route where the three audiences mount
// it, and still gives each language of a page its own URL, which
// hreflang alternates need: a crawler sends no cookie and no
// Accept-Language, and sees each language at its ?lang= URL.
//
// Each audience's templates are parsed once and cloned per language,
// the clone's "t", "money", "date" and "ago" speaking that language, so
// that a template writes {{t "nav.cart"}} whatever its dot.

const (
	// LangParam is the query parameter of the language selector's links.
	LangParam = "lang"
	// LangCookie remembers the language a visitor picked.
	LangCookie = "lang"
	// langCookieAge is how long the choice is remembered.
	langCookieAge = 365 * 24 * time.Hour
)

type localeKey struct{}

// LangLink is one language of a page: a link of the selector and an
// hreflang alternate.
type LangLink struct {
	Tag, Name string
	// URL is the page in that language: its path and query with ?lang=.
	URL string
	// Href is URL made absolute on Options.BaseURL, for hreflang.
	Href    string
	Current bool
}

// language picks the request's language and puts it in its context;
// a ?lang= the catalog knows sets the cookie that remembers it.
func (s *Site) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chosen := r.URL.Query().Get(LangParam)
		if l, ok := s.locales.Lookup(chosen); ok {
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: l.Tag, Path: "/", MaxAge: int(langCookieAge / time.Second),
				HttpOnly: true, Secure: s.opts.secure(), SameSite: http.SameSiteLaxMode})
		} else if c, err := r.Cookie(LangCookie); err == nil {
			chosen = c.Value
		}
		w.Header().Add("Vary", "Accept-Language, Cookie")
		l := s.locales.Choose(chosen, r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localeKey{}, l)))
	})
}

// Locale is the language of r's page.
func (s *Site) Locale(r *http.Request) *locale.Locale {
	if l, ok := r.Context().Value(localeKey{}).(*locale.Locale); ok {
		return l
	}
	chosen := r.URL.Query().Get(LangParam)
	if c, err := r.Cookie(LangCookie); chosen == "" && err == nil {
		chosen = c.Value
	}
	return s.locales.Choose(chosen, r.Header.Get("Accept-Language"))
}

// T is the message id in r's language, with args as name-value pairs;
// see locale.Locale.T. Handlers use it for the titles, notices and form
// problems they set in Go.
func (s *Site) T(r *http.Request, id string, args ...any) string {
	return s.Locale(r).T(id, args...)
}

// Money writes amount minor units of cur as r's language writes prices.
func (s *Site) Money(r *http.Request, amount int64, cur string) string {
	return s.moneyFunc(s.Locale(r).Tag)(amount, cur)
}

// moneyFunc writes prices in the language tag, CLDR's way: "€19.99" in
// English, "¥19.99" for yuan in Chinese.
func (s *Site) moneyFunc(tag string) func(int64, string) string {
	if m, ok := s.money[tag]; ok {
		return m.Format
	}
	return FormatMoney
}

// localeFuncs are the template functions that speak l's language.
func (s *Site) localeFuncs(l *locale.Locale) template.FuncMap {
	return template.FuncMap{
		"t":     l.T,
		"money": s.moneyFunc(l.Tag),
		"date":  func(t time.Time) string { return FormatTimeIn(l.Tag, t, s.Zone()) },
		"ago":   func(t time.Time) string { return AgoIn(l.Tag, s.now(), t) },
	}
}

// localized clones t, parsed with English's functions, once per other
// language with that language's functions: the templates by tag.
func (s *Site) localized(t *template.Template) (map[string]*template.Template, error) {
	out := map[string]*template.Template{locale.English: t}
	for _, l := range s.locales.Locales() {
		if l.Tag == locale.English {
			continue
		}
		c, err := t.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: template %s in %s: %w", t.Name(), l.Tag, err)
		}
		out[l.Tag] = c.Funcs(s.localeFuncs(l))
	}
	return out, nil
}

// langLinks are r's page in each language, the current one marked: its
// path and query (a search keeps its words) with ?lang=.
func (s *Site) langLinks(r *http.Request, current string) []LangLink {
	out := make([]LangLink, 0, len(s.locales.Locales()))
	for _, l := range s.locales.Locales() {
		q := r.URL.Query()
		q.Set(LangParam, l.Tag)
		// A sign-in's next is the page's to check: the selector does not
		// echo one, lest a page carry a foreign URL the page refused.
		q.Del("next")
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		out = append(out, LangLink{Tag: l.Tag, Name: l.Name, URL: u.String(), Href: s.opts.BaseURL + u.String(), Current: l.Tag == current})
	}
	return out
}

// localize picks the page's template in its language, and sets the
// page's language and its links to the others.
func (ps *Pages) localize(r *http.Request, byLang map[string]*template.Template, p *Page) *template.Template {
	s := ps.site
	l := s.Locale(r)
	if p.Lang != "" {
		if own, ok := s.locales.Lookup(p.Lang); ok {
			l = own
		}
	} else {
		p.Lang = l.Tag
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		p.Languages = s.langLinks(r, l.Tag)
	}
	if l.Tag != locale.English {
		nav := make([]NavItem, len(p.Nav))
		for i, it := range p.Nav {
			if it.MsgID != "" {
				it.Label = l.T(it.MsgID)
			}
			nav[i] = it
		}
		p.Nav = nav
	}
	return byLang[l.Tag]
}

// LocaleIn is the language of the request ctx was derived from, for
// views built from a request's context rather than the request; English
// outside a request.
func (s *Site) LocaleIn(ctx context.Context) *locale.Locale {
	if l, ok := ctx.Value(localeKey{}).(*locale.Locale); ok {
		return l
	}
	return s.locales.Default()
}

// MoneyIn writes amount minor units of cur as the language of ctx's
// request writes prices.
func (s *Site) MoneyIn(ctx context.Context, amount int64, cur string) string {
	return s.moneyFunc(s.LocaleIn(ctx).Tag)(amount, cur)
}
