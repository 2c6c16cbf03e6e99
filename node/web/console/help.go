package console

import (
	"context"
	"net/url"
	"time"

	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/node/web"
)

// Help finds the help articles the console links (the storefront's help
// centre serves them); *content.Store satisfies it.
type Help interface {
	Find(ctx context.Context, kind, key string) (content.Listed, error)
}

// consoleHelp names, by console page, the help articles (by slug) that
// answer what a merchant on it may ask.
var consoleHelp = map[string][]string{
	"/merchant/feeds":    {"feeds"},
	"/merchant/shipping": {"shipping-profiles"},
	"/merchant/profile":  {"shipping-profiles"},
	"/merchant/offers":   {"offers"},
	"/merchant/earnings": {"getting-paid"},
}

// helpLookup bounds finding a page's articles: the store answers from
// memory once built.
const helpLookup = 2 * time.Second

// helpFor lists the published articles that answer questions of the
// console page current.
func (c *Console) helpFor(current string) []web.NavItem {
	if c.deps.Help == nil || len(consoleHelp[current]) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), helpLookup)
	defer cancel()
	var out []web.NavItem
	for _, slug := range consoleHelp[current] {
		if a, err := c.deps.Help.Find(ctx, content.KindArticle, slug); err == nil {
			out = append(out, web.NavItem{Label: a.Title, Href: "/help/" + url.PathEscape(a.Key)})
		}
	}
	return out
}
