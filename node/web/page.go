package web

import (
	"bytes"
	"net/http"
	"net/url"
)

// Page is what the layout renders: the shared frame and one page's Data.
type Page struct {
	// Site is the storefront's name, in the header and the title; set by
	// Render.
	Site string
	// Lang is the page's language (BCP 47); Render sets the request's
	// (lang.go) unless the page names its own.
	Lang string
	// Languages are the page in each language, for the selector and the
	// hreflang alternates; set by Render on GET pages.
	Languages []LangLink
	// Title is the page's own title (the <h1> and the first part of <title>).
	Title string
	// Area picks the sub-navigation: "store", "merchant" or "operator".
	Area string
	// Nav is the area's sub-navigation; empty in the storefront.
	Nav []NavItem
	// SignedIn shows the area's sign-out button.
	SignedIn bool
	// Account names who is signed in (the merchant, in the console), shown
	// in the header; "" for none.
	Account string
	// Query is the header search box's text.
	Query string
	// CSRF is the token every POST form of the page carries; set by
	// WithSession.
	CSRF string
	// Notice is a confirmation shown above the content.
	Notice string
	// Canonical is the page's absolute URL, when it has one.
	Canonical string
	// Meta are <meta property content> tags (OpenGraph) and <meta name
	// content> tags (Twitter cards); see Site.SocialMeta.
	Meta []MetaTag
	// Links are <link rel href> tags beside the canonical one: a paged
	// list's prev and next, and hreflang alternates.
	Links []Link
	// JSONLD is structured data, encoded by html/template with
	// encoding/json into a <script type="application/ld+json">; nil for none.
	JSONLD any
	// Scripts are static JavaScript files the page loads (deferred).
	Scripts []string
	// Styles are static style sheets the page loads after site.css.
	Styles []string
	// NoIndex asks search engines not to index the page.
	NoIndex bool
	// Robots, when set, is the robots meta tag's whole content
	// ("noindex,follow"), in place of NoIndex's "noindex".
	Robots string
	// TestPayments shows the banner saying that payments are tests (the
	// sandbox card provider is on); set by Render.
	TestPayments bool
	// PageLinks are the storefront's pages (about, terms), shown in the
	// menu and the footer in the operator's order; storefront only.
	PageLinks []NavItem
	// HelpCentre links the help centre from the header; Help lists the
	// articles that answer what the page may raise.
	HelpCentre bool
	Help       []NavItem
	// Data is the page's own content.
	Data any
}

// MetaTag is one <meta property="..." content="...">, or <meta
// name="..." content="..."> when Name is set (Twitter reads names).
type MetaTag struct{ Property, Name, Content string }

// Link is one <link rel="..." href="...">, with hreflang for a page's
// version in another language.
type Link struct{ Rel, Href, HrefLang string }

// NavItem is one link of an area's sub-navigation.
type NavItem struct {
	Label string
	// MsgID, when set, is the message Render writes as the label in the
	// page's language (Label stays the English one).
	MsgID   string
	Href    string
	Current bool
}

// Nav returns items with the one linking to current marked.
func Nav(current string, items ...NavItem) []NavItem {
	for i := range items {
		items[i].Current = items[i].Href == current
	}
	return items
}

// ValueShopper is the key of Session.Values that holds the signed-in
// shopper's id: the storefront sets it, and the layout shows the
// shopper's links on every storefront page, failure pages included.
const ValueShopper = "shopper"

// Render writes the page name of ps with status. The page is executed
// into a buffer first, so that a template error is a clean 500 rather
// than half a page.
func (ps *Pages) Render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	byLang, ok := ps.set[name]
	if !ok {
		panic("web: no page template " + name) // a test renders every page
	}
	s := ps.site
	t := ps.localize(r, byLang, p)
	p.Site = s.Name()
	p.TestPayments = s.opts.TestPayments
	if p.Area == "" {
		p.Area = "store"
	}
	if p.Area == "store" && !p.SignedIn {
		// A signed-in shopper sees their links on every storefront page,
		// and its forms (add to cart) carry the session's CSRF token. An
		// anonymous visitor gets no session from it.
		if sess, ok := s.sessions.Load(r); ok && sess.Values[ValueShopper] != "" {
			p.SignedIn = true
			if p.CSRF == "" {
				p.CSRF = s.sessions.CSRFToken(sess)
			}
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		s.log.Error("web: rendering page", "page", name, "path", Clip(r.URL.Path, MaxLoggedPath), "err", err)
		http.Error(w, "internal error: the page could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if p.Area != "store" || p.CSRF != "" {
		h.Set("Cache-Control", "no-store") // private pages and per-session tokens
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// WithSession starts the visitor's session when needed and puts its CSRF
// token in p, for pages that hold a POST form.
func (s *Site) WithSession(w http.ResponseWriter, r *http.Request, p *Page) *Page {
	sess, err := s.sessions.Start(w, r)
	if err != nil {
		s.log.Error("web: starting session", "err", err)
		return p
	}
	p.CSRF = s.sessions.CSRFToken(sess)
	return p
}

// Name is Options.NodeName, else this node's name in the charter, else
// "fedmart".
func (s *Site) Name() string {
	if s.opts.NodeName != "" {
		return s.opts.NodeName
	}
	if n := s.PlatformNames()[s.platform]; n != "" {
		return n
	}
	return "fedmart"
}

// PlatformNames maps each charter member's peer ID to its name; empty
// without a charter.
func (s *Site) PlatformNames() map[string]string {
	sc, err := s.charter.Charter()
	if err != nil || sc == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(sc.Charter.Members))
	for _, m := range sc.Charter.Members {
		out[m.PeerID] = m.Name
	}
	return out
}

// PlatformName names one platform, or abbreviates its peer ID.
func PlatformName(names map[string]string, peerID string) string {
	if n := names[peerID]; n != "" {
		return n
	}
	return ShortID(peerID)
}

// Currency is the federation's settlement currency, "" without a charter.
func (s *Site) Currency() string {
	sc, err := s.charter.Charter()
	if err != nil || sc == nil {
		return ""
	}
	return sc.Charter.Currency
}

// AbsURL joins Options.BaseURL and a path.
func (s *Site) AbsURL(path string) string { return s.opts.BaseURL + path }

// ListingURL is the storefront page of a listing, which the console
// links to as well.
func ListingURL(id string) string { return "/listings/" + url.PathEscape(id) }

// BaseURL is Options.BaseURL, without a trailing slash.
func (s *Site) BaseURL() string { return s.opts.BaseURL }
