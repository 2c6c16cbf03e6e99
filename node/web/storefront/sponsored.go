package storefront

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node/web"
)

// Sponsored listings. A search's first page shows, above the organic
// results and clearly labelled, up to the charter's slots per page of
// its own results whose merchant runs a live campaign covering them (and
// whose keywords the query contains), in stock, ordered by the
// campaign's fee times the result's rank (first is most relevant). The
// organic results stay as they are: a slot never hides one. A slot's
// link goes through /sponsored/click, which remembers the click for the
// signed-in shopper (the attribution a later reserve names) and goes on
// to the listing. Nothing is billed per slot or per click. The
// operator's settings (web.SponsoredSettings) may switch the slots off
// or keep categories free of them: no slot, and no click remembered.

// Sponsored is what the storefront needs for sponsored slots: the
// campaigns every member published that run now and the charter's slots
// per page (0: ads off, or the operator switched slots off), and the
// shopper's clicks.
type Sponsored interface {
	SponsoredCampaigns(ctx context.Context, now time.Time) ([]catalog.Campaign, int, error)
	RecordAdClick(ctx context.Context, shopper, listingID, campaign string) error
}

// sponsoredSlot is one slot: a result card and the campaign it shows.
type sponsoredSlot struct {
	resultItem
	Campaign string
}

// slotsFor picks the sponsored slots of a first page of results for
// text; none without Sponsored or past the first page.
func (sf *Storefront) slotsFor(ctx context.Context, text string, res search.Result, items []resultItem) []sponsoredSlot {
	if sf.deps.Sponsored == nil || len(items) != len(res.Items) {
		return nil
	}
	set, err := sf.site.SponsoredSettings()
	if err != nil || set.Off {
		return nil
	}
	camps, slots, err := sf.deps.Sponsored.SponsoredCampaigns(ctx, time.Now())
	if err != nil || slots <= 0 || len(camps) == 0 {
		return nil
	}
	type pick struct {
		i     int
		c     catalog.Campaign
		score int64
	}
	var picks []pick
	for i, d := range res.Items {
		if !d.InStock || !set.Shows(d.Category) {
			continue
		}
		best := pick{i: i}
		for _, c := range camps {
			if c.Platform != d.Platform || c.Merchant != d.Merchant || !c.Covers(d.ID, d.Category) || !c.Matches(text) {
				continue
			}
			if s := c.FeeBPS * int64(len(res.Items)-i); s > best.score {
				best.c, best.score = c, s
			}
		}
		if best.score > 0 {
			picks = append(picks, best)
		}
	}
	slices.SortStableFunc(picks, func(a, b pick) int { return cmp.Compare(b.score, a.score) })
	var out []sponsoredSlot
	for _, p := range picks[:min(len(picks), slots)] {
		it := items[p.i]
		it.URL = "/sponsored/click?" + url.Values{"listing": {res.Items[p.i].ID}, "campaign": {p.c.ID}}.Encode()
		out = append(out, sponsoredSlot{resultItem: it, Campaign: p.c.ID})
	}
	return out
}

// sponsoredClick is GET /sponsored/click: it remembers a signed-in
// shopper's click on a slot of a campaign that runs now and covers the
// listing, then goes on to the listing's page whatever happened.
func (sf *Storefront) sponsoredClick(w http.ResponseWriter, r *http.Request) {
	listing, campaign := r.URL.Query().Get("listing"), r.URL.Query().Get("campaign")
	if _, _, _, err := catalog.ParseID(listing); err != nil {
		web.SeeOther(w, r, "/search")
		return
	}
	if sf.deps.Sponsored != nil && sf.coversNow(r.Context(), campaign, listing) {
		if sv, ok, err := sf.shopperOf(w, r); err == nil && ok {
			_ = sf.deps.Sponsored.RecordAdClick(r.Context(), sv.shopper.ID, listing, campaign) // never in the shopper's way
		}
	}
	web.SeeOther(w, r, web.ListingURL(listing))
}

// coversNow reports whether campaign runs now and sponsors listing.
func (sf *Storefront) coversNow(ctx context.Context, campaign, listing string) bool {
	camps, _, err := sf.deps.Sponsored.SponsoredCampaigns(ctx, time.Now())
	if err != nil {
		return false
	}
	l, err := sf.deps.Listings.Listing(ctx, listing)
	if err != nil {
		return false
	}
	if set, err := sf.site.SponsoredSettings(); err != nil || !set.Shows(l.Category) {
		return false // the operator switched slots off or keeps the category free of them since
	}
	for _, c := range camps {
		if c.ID == campaign && c.Platform == l.Platform && c.Merchant == l.Merchant && c.Covers(l.ID, l.Category) {
			return true
		}
	}
	return false
}
