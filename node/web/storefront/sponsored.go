package storefront

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
)

// Sponsored listings. A search's first page, and a category page's,
// shows, above the organic results and clearly labelled, up to the
// charter's slots per page of its own results whose merchant runs a live
// campaign covering them (and, on a search, whose keywords the query
// contains), in stock, shipping to the shopper's country (the one the
// session keeps for the cart, else the storefront's), ordered by the
// campaign's fee times the result's rank (first is most relevant). The
// organic results stay as they are: a slot never hides one. A slot's
// link goes through /sponsored/click, which remembers the click (the
// attribution a later reserve names) and goes on to the listing: in the
// order service for a signed-in shopper, in the session cookie for a
// guest, whose clicks move to the account at sign-in or sign-up
// (adoptAdClicks). Nothing is billed per slot or per click: each slot
// shown and each click is counted (AdCounts) for the operator's
// dashboard only. The operator's settings (web.SponsoredSettings) may
// switch the slots off or keep categories free of them: no slot, and no
// click remembered.

// Sponsored is what the storefront needs for sponsored slots: the
// campaigns every member published that run now and the charter's slots
// per page (0: ads off, or the operator switched slots off), and the
// shopper's clicks, remembered as of at (a guest's click is remembered
// when the guest signs in). SponsoredCampaigns should return the same
// slice while nothing changes, and nobody may change it: the storefront
// keeps an index of it until it gets another.
type Sponsored interface {
	SponsoredCampaigns(ctx context.Context, now time.Time) ([]catalog.Campaign, int, error)
	RecordAdClick(ctx context.Context, shopper, listingID, campaign string, at time.Time) error
}

// AdCounts counts the slots the storefront showed and the clicks on
// them, per campaign, for the operator's dashboard; never billed. It
// must be cheap: it is called on the request path.
type AdCounts interface {
	Impressions(campaigns ...string)
	Click(campaign string)
}

// sponsoredSlot is one slot: a result card and the campaign it shows.
type sponsoredSlot struct {
	resultItem
	Campaign string
}

// slotsFor picks the sponsored slots of a first page of results for
// text; on a category page (browse) a campaign's keywords do not
// narrow it when nothing was typed. None without Sponsored.
func (sf *Storefront) slotsFor(r *http.Request, text string, browse bool, res search.Result, items []resultItem) []sponsoredSlot {
	if sf.deps.Sponsored == nil || len(items) != len(res.Items) {
		return nil
	}
	set, err := sf.site.SponsoredSettings()
	if err != nil || set.Off {
		return nil
	}
	ctx := r.Context()
	camps, slots, err := sf.deps.Sponsored.SponsoredCampaigns(ctx, time.Now())
	if err != nil || slots <= 0 || len(camps) == 0 {
		return nil
	}
	picks := slotPicks(strings.ToLower(text), browse, res.Items, sf.slots.indexOf(camps), set)
	dest, known := sf.slotDestination(r)
	var out []sponsoredSlot
	var shown []string
	for _, p := range picks {
		if len(out) == slots {
			break
		}
		if known && !sf.shipsTo(ctx, res.Items[p.i].ID, dest) {
			continue
		}
		it := items[p.i]
		it.URL = "/sponsored/click?" + url.Values{"listing": {res.Items[p.i].ID}, "campaign": {p.c.ID}}.Encode()
		out = append(out, sponsoredSlot{resultItem: it, Campaign: p.c.ID})
		shown = append(shown, p.c.ID)
	}
	if sf.deps.AdCounts != nil && len(shown) > 0 {
		sf.deps.AdCounts.Impressions(shown...)
	}
	return out
}

// slotPick is a result a campaign may sponsor, and its score.
type slotPick struct {
	i     int
	c     catalog.Campaign
	score int64
}

// slotPicks are the results of docs some campaign of ix may sponsor
// under set for text (in lower case, so that matching a keyword does
// not copy it), each with its best campaign, best score first.
func slotPicks(text string, browse bool, docs []search.Doc, ix *slotIndex, set web.SponsoredSettings) []slotPick {
	var picks []slotPick
	for i, d := range docs {
		if !d.InStock || !set.Shows(d.Category) {
			continue
		}
		best := slotPick{i: i}
		for _, c := range ix.byOwner[owner{d.Platform, d.Merchant}] {
			if !(browse && text == "" || c.Matches(text)) || !c.covers(d.ID, d.Category) {
				continue
			}
			if s := c.FeeBPS * int64(len(docs)-i); s > best.score {
				best.c, best.score = *c.Campaign, s
			}
		}
		if best.score > 0 {
			picks = append(picks, best)
		}
	}
	slices.SortStableFunc(picks, func(a, b slotPick) int { return cmp.Compare(b.score, a.score) })
	return picks
}

// owner is a merchant of a member.
type owner struct{ platform, merchant string }

// slotIndex is the campaigns running now by merchant, each with the
// listings it names as a set; the storefront keeps the last one it made
// for as long as Sponsored returns the same slice.
type slotIndex struct {
	camps   []catalog.Campaign
	byOwner map[owner][]slotCampaign
}

// slotCampaign is a campaign of the index.
type slotCampaign struct {
	*catalog.Campaign
	listings map[string]bool
}

// covers is Campaign.Covers with the listings looked up in the set.
func (c slotCampaign) covers(id, category string) bool {
	if len(c.Listings) == 0 && len(c.Categories) == 0 || c.listings[id] {
		return true
	}
	o := catalog.Offer{Categories: c.Categories}
	return len(c.Categories) > 0 && o.Covers(id, category)
}

// slotMemo keeps the last slot index; the zero value is ready.
type slotMemo struct {
	mu sync.Mutex // guards ix
	ix *slotIndex
}

// indexOf returns the index of camps, made again unless camps is the
// slice the last one was made of.
func (m *slotMemo) indexOf(camps []catalog.Campaign) *slotIndex {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ix := m.ix; ix != nil && len(ix.camps) == len(camps) && &ix.camps[0] == &camps[0] {
		return ix
	}
	ix := &slotIndex{camps: camps, byOwner: map[owner][]slotCampaign{}}
	for i := range camps {
		c := &camps[i]
		sc := slotCampaign{Campaign: c, listings: make(map[string]bool, len(c.Listings))}
		for _, id := range c.Listings {
			sc.listings[id] = true
		}
		ix.byOwner[owner{c.Platform, c.Merchant}] = append(ix.byOwner[owner{c.Platform, c.Merchant}], sc)
	}
	m.ix = ix
	return ix
}

// slotDestination is the country slots must ship to: the one the
// session keeps for the cart (and the listing pages' quotes), else the
// storefront's; false when neither is known, and slots are not
// filtered by destination.
func (sf *Storefront) slotDestination(r *http.Request) (shipping.Destination, bool) {
	if sess, ok := sf.sessions.Load(r); ok {
		if d, ok := sessionShipTo(sess); ok {
			return d, true
		}
	}
	if sf.opts.Country != "" {
		return shipping.Destination{Country: sf.opts.Country}, true
	}
	return shipping.Destination{}, false
}

// sponsoredClick is GET /sponsored/click: it counts and remembers a
// click on a slot of a campaign that runs now and covers the listing
// (for a guest, in the session), then goes on to the listing's page
// whatever happened.
func (sf *Storefront) sponsoredClick(w http.ResponseWriter, r *http.Request) {
	listing, campaign := r.URL.Query().Get("listing"), r.URL.Query().Get("campaign")
	if _, _, _, err := catalog.ParseID(listing); err != nil {
		web.SeeOther(w, r, "/search")
		return
	}
	if sf.deps.Sponsored != nil && sf.coversNow(r.Context(), campaign, listing) {
		if sf.deps.AdCounts != nil {
			sf.deps.AdCounts.Click(campaign)
		}
		sv, ok, err := sf.shopperOf(w, r)
		switch {
		case err != nil: // never in the shopper's way
		case ok:
			_ = sf.deps.Sponsored.RecordAdClick(r.Context(), sv.shopper.ID, listing, campaign, sf.site.Now())
		default:
			sf.rememberGuestClick(w, sv.sess, listing, campaign)
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
