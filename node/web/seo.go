package web

import (
	"net/url"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/federation"
)

// What search engines and link previews read of the pages. A replicated
// listing is shown by every member, but it has one canonical page: the
// one on its home member's storefront, whose base URL the charter holds
// (federation.Member.API). Pages that any kind of page shows alike
// (OpenGraph and Twitter cards, breadcrumbs, the robots rules) are built
// here, so that the storefront's listing and category pages and the
// content pages written elsewhere say the same things the same way.

// Robots meta contents.
const (
	// RobotsNoIndexFollow keeps a page out of the index while its links
	// are still followed: facet combinations, sorts, a listing without a
	// canonical home.
	RobotsNoIndexFollow = "noindex,follow"
)

// MemberURL is the storefront base URL (without a trailing slash) of
// the charter's member peerID, and whether it has one: it must be an
// active member whose URL is an absolute http(s) URL. A suspended
// member's storefront is not one to send search engines to, nor a
// member the charter no longer names.
func (s *Site) MemberURL(peerID string) (string, bool) {
	sc, err := s.charter.Charter()
	if err != nil || sc == nil {
		return "", false
	}
	for _, m := range sc.Charter.Members {
		if m.PeerID != peerID {
			continue
		}
		if m.Status != federation.StatusActive {
			return "", false
		}
		u, err := url.Parse(m.API)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", false
		}
		return strings.TrimRight(m.API, "/"), true
	}
	return "", false
}

// Card is what a link preview shows of a page: its kind ("website",
// "product", "article"), title, a short description, its canonical
// URL and a picture's absolute URL ("" for none).
type Card struct {
	Type, Title, Description, URL, Image string
}

// maxCardDescription is the longest description a card carries, in
// characters.
const maxCardDescription = 200

// SocialMeta are the OpenGraph and Twitter card tags of c, with the
// site's name: a large-image card when c has a picture, a summary
// otherwise.
func (s *Site) SocialMeta(c Card) []MetaTag {
	tags := []MetaTag{{Property: "og:type", Content: c.Type}, {Property: "og:title", Content: c.Title},
		{Property: "og:url", Content: c.URL}, {Property: "og:site_name", Content: s.Name()}}
	desc := ClipText(c.Description, maxCardDescription)
	if desc != "" {
		tags = append(tags, MetaTag{Property: "og:description", Content: desc})
	}
	if c.Image != "" {
		tags = append(tags, MetaTag{Property: "og:image", Content: c.Image})
	}
	card := "summary"
	if c.Image != "" {
		card = "summary_large_image"
	}
	tags = append(tags, MetaTag{Name: "twitter:card", Content: card}, MetaTag{Name: "twitter:title", Content: c.Title})
	if desc != "" {
		tags = append(tags, MetaTag{Name: "twitter:description", Content: desc})
	}
	if c.Image != "" {
		tags = append(tags, MetaTag{Name: "twitter:image", Content: c.Image})
	}
	return tags
}

// Crumb is one step of a page's breadcrumbs: its name and its absolute
// URL ("" for the page itself, which schema.org allows to go unlinked).
type Crumb struct{ Name, URL string }

// BreadcrumbLD is the schema.org BreadcrumbList of crumbs, for Page.JSONLD.
func BreadcrumbLD(crumbs []Crumb) map[string]any {
	items := make([]map[string]any, 0, len(crumbs))
	for i, c := range crumbs {
		it := map[string]any{"@type": "ListItem", "position": i + 1, "name": c.Name}
		if c.URL != "" {
			it["item"] = c.URL
		}
		items = append(items, it)
	}
	return map[string]any{"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": items}
}

// Alternates are a page's hreflang links, one per language the page is
// written in (BCP 47 tag to absolute URL), for Page.Links. The
// storefront speaks one language today; the languages work fills this
// from the languages a page has.
func Alternates(byLang map[string]string) []Link {
	out := make([]Link, 0, len(byLang))
	for lang, href := range byLang {
		out = append(out, Link{Rel: "alternate", Href: href, HrefLang: lang})
	}
	slices.SortFunc(out, func(a, b Link) int { return strings.Compare(a.HrefLang, b.HrefLang) })
	return out
}

// AssetURL is the path of one of the kit's static files (with its
// content hash), as the layout's "asset" function writes it: for
// structured data that names the site's logo.
func (s *Site) AssetURL(name string) string { return s.static.url(name) }
