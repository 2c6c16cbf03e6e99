package web

import (
	"bytes"
	"net/http"
)

// page is what the layout renders: the shared frame and one page's Data.
type page struct {
	// Site is the storefront's name, in the header and the title.
	Site string
	// Title is the page's own title (the <h1> and the first part of <title>).
	Title string
	// Area picks the sub-navigation: "store", "merchant" or "operator".
	Area string
	// Nav is the area's sub-navigation; empty in the storefront.
	Nav []navItem
	// SignedIn shows the area's sign-out button.
	SignedIn bool
	// Query is the header search box's text.
	Query string
	// CSRF is the token every POST form of the page carries; set by
	// withSession.
	CSRF string
	// Notice is a confirmation shown above the content.
	Notice string
	// Canonical is the page's absolute URL, when it has one.
	Canonical string
	// Meta are <meta property content> tags (OpenGraph).
	Meta []metaTag
	// JSONLD is structured data, encoded by html/template with
	// encoding/json into a <script type="application/ld+json">; nil for none.
	JSONLD any
	// Scripts are static JavaScript files the page loads (deferred).
	Scripts []string
	// Styles are static style sheets the page loads after site.css.
	Styles []string
	// NoIndex asks search engines not to index the page.
	NoIndex bool
	// TestPayments shows the banner saying that payments are tests (the
	// sandbox card provider is on); set by render.
	TestPayments bool
	// Data is the page's own content.
	Data any
}

// metaTag is one <meta property="..." content="...">.
type metaTag struct{ Property, Content string }

// render writes a page with status. The page is executed into a buffer
// first, so that a template error is a clean 500 rather than half a page.
func (wb *Web) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := wb.pages[name]
	if !ok {
		panic("web: no page template " + name) // a test renders every page
	}
	p.Site = wb.siteName()
	p.TestPayments = wb.opts.testPayments()
	if p.Area == "" {
		p.Area = "store"
	}
	if p.Area == "store" && !p.SignedIn {
		// A signed-in shopper sees their links on every storefront page,
		// and its forms (add to cart) carry the session's CSRF token. An
		// anonymous visitor gets no session from it.
		if sess, ok := wb.sessions.load(r); ok && sess.Values[valueShopper] != "" {
			p.SignedIn = true
			if p.CSRF == "" {
				p.CSRF = wb.sessions.csrfToken(sess)
			}
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		wb.log.Error("web: rendering page", "page", name, "path", clip(r.URL.Path, maxLoggedPath), "err", err)
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

// withSession starts the visitor's session when needed and puts its CSRF
// token in p, for pages that hold a POST form.
func (wb *Web) withSession(w http.ResponseWriter, r *http.Request, p *page) *page {
	sess, err := wb.sessions.start(w, r)
	if err != nil {
		wb.log.Error("web: starting session", "err", err)
		return p
	}
	p.CSRF = wb.sessions.csrfToken(sess)
	return p
}

// siteName is Options.NodeName, else this node's name in the charter,
// else "fedmart".
func (wb *Web) siteName() string {
	if wb.opts.NodeName != "" {
		return wb.opts.NodeName
	}
	if n := wb.platformNames()[wb.deps.Merchants.Platform()]; n != "" {
		return n
	}
	return "fedmart"
}

// platformNames maps each charter member's peer ID to its name; empty
// without a charter.
func (wb *Web) platformNames() map[string]string {
	sc, err := wb.deps.Federation.Charter()
	if err != nil || sc == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(sc.Charter.Members))
	for _, m := range sc.Charter.Members {
		out[m.PeerID] = m.Name
	}
	return out
}

// platformName names one platform, or abbreviates its peer ID.
func platformName(names map[string]string, peerID string) string {
	if n := names[peerID]; n != "" {
		return n
	}
	return shortID(peerID)
}

// currency is the federation's settlement currency, "" without a charter.
func (wb *Web) currency() string {
	sc, err := wb.deps.Federation.Charter()
	if err != nil || sc == nil {
		return ""
	}
	return sc.Charter.Currency
}

// absURL joins Options.BaseURL and a path.
func (wb *Web) absURL(path string) string { return wb.opts.BaseURL + path }
