package storefront

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The storefront's pages (about, terms, shipping and returns) and its
// help centre: this node's own and the alliance's, as the content store
// lists them. Pages are linked from the menu and the footer of every
// storefront page, in the operator's order; help articles live under
// /help, grouped by section and category, with a search over them, the
// most viewed on the help home, related articles and a "was this
// helpful?" question. Pages that a shopper reads when a question comes
// up (returns, shipping, points, signing in with another member) link
// the article that answers it.

// Content is the storefront's pages and help articles; *content.Store
// satisfies it.
type Content interface {
	Pages(ctx context.Context) ([]content.Listed, error)
	Articles(ctx context.Context) ([]content.Listed, error)
	Find(ctx context.Context, kind, key string) (content.Listed, error)
	Related(ctx context.Context, a content.Listed, n int) ([]content.Listed, error)
	// SearchIn searches the articles' versions in a language.
	SearchIn(ctx context.Context, lang, q, section string, limit int) ([]content.Hit, error)
	MostViewed(ctx context.Context, n int) ([]content.Listed, error)
	Viewed(ctx context.Context, key string) error
	Vote(ctx context.Context, key string, helpful bool) (content.Votes, error)
	VotesOf(ctx context.Context, key string) (content.Votes, error)
	// Render turns Markdown into sanitized HTML.
	Render(md string) template.HTML
}

// Sizes of the help centre's lists.
const (
	helpMostViewed = 5
	helpRelated    = 5
	helpResults    = 20
	maxHelpQuery   = 200
)

// pageHelp names, by storefront template, the help articles (by slug)
// that answer what a shopper on that page may ask.
var pageHelp = map[string][]string{
	"listing":  {"shipping", "returns"},
	"cart":     {"shipping", "loyalty-points"},
	"checkout": {"shipping", "returns", "loyalty-points"},
	"order":    {"returns", "shipping"},
	"return":   {"returns"},
	"points":   {"loyalty-points"},
	"signin":   {"sign-in-with-another-member"},
	"orders":   {"returns"},
}

func (sf *Storefront) mountContent(mux *http.ServeMux) {
	mux.HandleFunc("GET /pages/{key}", sf.contentPage)
	mux.HandleFunc("GET /help", sf.helpHome)
	mux.HandleFunc("GET /help/{key}", sf.helpArticle)
	mux.HandleFunc("POST /help/{key}/vote", sf.helpVote)
}

// decorate adds the pages' links to the menu and footer of p, and the
// help articles that answer questions of the page named name.
func (sf *Storefront) decorate(ctx context.Context, name string, p *web.Page) {
	if sf.deps.Content == nil {
		return
	}
	p.HelpCentre = true
	pages, err := sf.deps.Content.Pages(ctx)
	if err != nil {
		sf.site.Log().Warn("storefront: listing pages", "err", err)
		return
	}
	for _, pg := range pages {
		p.PageLinks = append(p.PageLinks, web.NavItem{Label: pg.Title, Href: "/pages/" + url.PathEscape(pg.Key)})
	}
	for _, slug := range pageHelp[name] {
		if a, err := sf.deps.Content.Find(ctx, content.KindArticle, slug); err == nil {
			p.Help = append(p.Help, web.NavItem{Label: a.Title, Href: articleURL(a)})
		}
	}
}

func articleURL(a content.Listed) string { return "/help/" + url.PathEscape(a.Key) }

// docView is a page or article as the templates show it.
type docView struct {
	Title, URL, Summary, Category, Section string
	Body                                   template.HTML
	Updated                                string
	UpdatedISO                             string
	// By names the member that published a federation doc; "" for this
	// storefront's own.
	By string
}

// docViewOf is l as r's page shows it, in r's language.
func (sf *Storefront) docViewOf(r *http.Request, l content.Listed, body bool) docView {
	loc := sf.site.Locale(r)
	l.Doc = l.Doc.In(loc.Tag)
	v := docView{Title: l.Title, Summary: l.Summary(), Category: l.Category, Section: sectionName(loc, l.Section),
		Updated: web.FormatTimeIn(loc.Tag, l.UpdatedAt, sf.site.Zone()), UpdatedISO: l.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	if l.Kind == content.KindArticle {
		v.URL = articleURL(l)
	} else {
		v.URL = "/pages/" + url.PathEscape(l.Key)
	}
	if l.Origin != "" {
		v.By = web.PlatformName(sf.site.PlatformNames(), l.Origin)
	}
	if body {
		v.Body = sf.deps.Content.Render(l.Body)
	}
	return v
}

// sectionName is the help centre's name of section s in loc's language.
func sectionName(loc *locale.Locale, s string) string {
	switch s {
	case content.SectionShoppers:
		return loc.T("help.for_shoppers")
	case content.SectionMerchants:
		return loc.T("help.for_merchants")
	}
	return ""
}

// docMeta sets a doc page's title, canonical URL and OpenGraph tags.
func (sf *Storefront) docMeta(p *web.Page, l content.Listed, v docView) {
	if l.SEOTitle != "" {
		p.Title = l.SEOTitle
	}
	p.Canonical = sf.docCanonical(l, v.URL)
	p.Meta = append(p.Meta, web.MetaTag{Property: "og:title", Content: l.Title},
		web.MetaTag{Property: "og:description", Content: v.Summary}, web.MetaTag{Property: "og:type", Content: "article"},
		web.MetaTag{Property: "og:url", Content: p.Canonical})
}

// contentPage shows a published page: GET /pages/{key}.
func (sf *Storefront) contentPage(w http.ResponseWriter, r *http.Request) {
	l, err := sf.deps.Content.Find(r.Context(), content.KindPage, r.PathValue("key"))
	if err != nil {
		sf.failContent(w, r, err)
		return
	}
	l.Doc = l.Doc.In(sf.site.Locale(r).Tag) // the page's version in the visitor's language, if it has one
	v := sf.docViewOf(r, l, true)
	p := &web.Page{Title: l.Title, Area: "store", Data: v}
	sf.docMeta(p, l, v)
	sf.render(w, r, http.StatusOK, "content_page", p)
}

// helpHomePage is what the help centre's home shows.
type helpHomePage struct {
	Query      string
	Searched   bool
	Results    []docView
	MostViewed []docView
	Sections   []helpSection
}

// helpSection is one section of the help centre with its categories.
type helpSection struct {
	Name, ID   string
	Categories []helpCategory
}

// helpCategory is one category with its articles.
type helpCategory struct {
	Name     string
	Articles []docView
}

// helpHome is the help centre: its search, most viewed articles and every
// article by section and category: GET /help (?q= searches).
func (sf *Storefront) helpHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > maxHelpQuery {
		q = q[:maxHelpQuery]
	}
	v := helpHomePage{Query: q, Searched: q != ""}
	p := &web.Page{Title: sf.site.T(r, "help.title"), Area: "store", Data: &v}
	if v.Searched {
		hits, err := sf.deps.Content.SearchIn(ctx, sf.site.Locale(r).Tag, q, "", helpResults)
		if err != nil {
			sf.site.Fail(w, r, err)
			return
		}
		for _, h := range hits {
			v.Results = append(v.Results, sf.docViewOf(r, h.Listed, false))
		}
		p.Title, p.NoIndex = sf.site.T(r, "help.title_for", "Q", q), true
		sf.render(w, r, http.StatusOK, "help", p)
		return
	}
	mv, err := sf.deps.Content.MostViewed(ctx, helpMostViewed)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	for _, a := range mv {
		v.MostViewed = append(v.MostViewed, sf.docViewOf(r, a, false))
	}
	all, err := sf.deps.Content.Articles(ctx)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	for _, a := range all {
		name := sectionName(sf.site.Locale(r), a.Section)
		if len(v.Sections) == 0 || v.Sections[len(v.Sections)-1].Name != name {
			v.Sections = append(v.Sections, helpSection{Name: name, ID: "section-" + a.Section})
		}
		s := &v.Sections[len(v.Sections)-1]
		if len(s.Categories) == 0 || s.Categories[len(s.Categories)-1].Name != a.Category {
			s.Categories = append(s.Categories, helpCategory{Name: a.Category})
		}
		c := &s.Categories[len(s.Categories)-1]
		c.Articles = append(c.Articles, sf.docViewOf(r, a, false))
	}
	p.Canonical = sf.site.AbsURL("/help")
	sf.render(w, r, http.StatusOK, "help", p)
}

// helpArticlePage is what an article's page shows.
type helpArticlePage struct {
	Doc     docView
	Related []docView
	Votes   content.Votes
	Total   int64
	VoteURL string
	// Voted is set once this visitor answered; Thanks right after.
	Voted, Thanks bool
}

// valueVoted is the key of Session.Values that lists the articles (by
// key, space-separated, newest last) this visitor answered about.
const valueVoted = "voted"

// maxVotedKept is how many answered articles a session remembers.
const maxVotedKept = 20

func votedIn(sess *web.Session, key string) bool {
	return sess != nil && slices.Contains(strings.Fields(sess.Values[valueVoted]), key)
}

// helpArticle shows a help article: GET /help/{key}.
func (sf *Storefront) helpArticle(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l, err := sf.deps.Content.Find(ctx, content.KindArticle, r.PathValue("key"))
	if err != nil {
		sf.failContent(w, r, err)
		return
	}
	l.Doc = l.Doc.In(sf.site.Locale(r).Tag)
	if err := sf.deps.Content.Viewed(ctx, l.Key); err != nil {
		sf.site.Log().Warn("storefront: counting a help view", "err", err)
	}
	v := &helpArticlePage{Doc: sf.docViewOf(r, l, true), VoteURL: articleURL(l) + "/vote", Thanks: r.URL.Query().Get("done") == "voted"}
	if v.Votes, err = sf.deps.Content.VotesOf(ctx, l.Key); err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	v.Total = v.Votes.Yes + v.Votes.No
	rel, err := sf.deps.Content.Related(ctx, l, helpRelated)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	for _, a := range rel {
		v.Related = append(v.Related, sf.docViewOf(r, a, false))
	}
	sess, _ := sf.sessions.Load(r)
	v.Voted = votedIn(sess, l.Key)
	p := &web.Page{Title: l.Title, Area: "store", Data: v}
	sf.docMeta(p, l, v.Doc)
	if !v.Voted {
		p = sf.site.WithSession(w, r, p)
	}
	sf.render(w, r, http.StatusOK, "help_article", p)
}

// helpVote counts a visitor's answer to "was this helpful?", once per
// session and article: POST /help/{key}/vote (helpful=yes|no).
func (sf *Storefront) helpVote(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	sess, ok := sf.sessions.Load(r)
	if !ok {
		sf.site.Status(w, r, http.StatusForbidden, sf.site.T(r, "help.session_expired"), sf.site.T(r, "help.reload_and_answer"))
		return
	}
	if !votedIn(sess, key) {
		if _, err := sf.deps.Content.Vote(r.Context(), key, r.PostFormValue("helpful") == "yes"); err != nil {
			sf.failContent(w, r, err)
			return
		}
		kept := append(strings.Fields(sess.Values[valueVoted]), key)
		if sess.Values == nil {
			sess.Values = map[string]string{}
		}
		sess.Values[valueVoted] = strings.Join(kept[max(0, len(kept)-maxVotedKept):], " ")
		if err := sf.sessions.Save(w, sess); err != nil {
			sf.site.Fail(w, r, err)
			return
		}
	}
	web.SeeOther(w, r, "/help/"+url.PathEscape(key)+"?done=voted#helpful")
}

// failContent answers an unknown page or article as not found.
func (sf *Storefront) failContent(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, content.ErrNotFound) {
		sf.site.NotFound(w, r)
		return
	}
	sf.site.Fail(w, r, err)
}
