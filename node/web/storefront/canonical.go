package storefront

import (
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// Every member shows every listing, but search engines should find one
// page of it: the one on its home member's storefront, whose base URL the
// charter holds. So the listing page of a replicated listing names that
// page as canonical (and as og:url and the JSON-LD's url), and the home
// names its own. A listing whose home the charter no longer names as an
// active member (suspended, or gone while its records linger) has no
// canonical page anyone can vouch for: its copies say noindex,follow and
// name no canonical, rather than each claiming to be the original.

// listingCanonical is the absolute URL of l's canonical page and whether
// there is one; without one it is this storefront's own page, for link
// previews.
func (sf *Storefront) listingCanonical(l catalog.Listing) (string, bool) {
	own := sf.site.AbsURL(web.ListingURL(l.ID))
	if l.Platform == sf.deps.Merchants.Platform() {
		return own, true
	}
	base, ok := sf.site.MemberURL(l.Platform)
	if !ok {
		return own, false
	}
	return base + web.ListingURL(l.ID), true
}
