package storefront

import (
	"context"
	"net/url"

	"github.com/fedmart/fedmart/catalog/content"
)

// A federation page or article is shown on every member's storefront; as
// a replicated listing names its home, its copies name the page on the
// storefront of the member that published it as canonical, and only that
// member's sitemap lists it. The storefront's own pages are canonical to
// themselves.

// docCanonical is the canonical URL of doc l shown at path here.
func (sf *Storefront) docCanonical(l content.Listed, path string) string {
	own := sf.site.AbsURL(path)
	if l.Origin == "" || l.Origin == sf.deps.Merchants.Platform() {
		return own
	}
	base, ok := sf.site.MemberURL(l.Origin)
	if !ok {
		return own
	}
	return base + docPath(l.Kind, l.Slug)
}

// docPath is where doc kind/key is shown on a storefront.
func docPath(kind, key string) string {
	if kind == content.KindArticle {
		return "/help/" + url.PathEscape(key)
	}
	return "/pages/" + url.PathEscape(key)
}

// contentSitemap lists the storefront's own published pages and articles,
// and the federation ones this member published, for the sitemap.
type contentSitemap struct{ sf *Storefront }

func (s contentSitemap) SitemapEntries(ctx context.Context) ([]SitemapEntry, error) {
	c := s.sf.deps.Content
	pages, err := c.Pages(ctx)
	if err != nil {
		return nil, err
	}
	articles, err := c.Articles(ctx)
	if err != nil {
		return nil, err
	}
	self := s.sf.deps.Merchants.Platform()
	var out []SitemapEntry
	for _, l := range append(pages, articles...) {
		if l.Origin != "" && l.Origin != self {
			continue
		}
		out = append(out, SitemapEntry{Path: docPath(l.Kind, l.Key), LastMod: l.UpdatedAt})
	}
	if len(articles) > 0 {
		out = append(out, SitemapEntry{Path: "/help"})
	}
	return out, nil
}
