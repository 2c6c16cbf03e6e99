package storefront

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// lowStock is the stock at or under which a variant says how few are left.
const lowStock = 5

// listingPage is what the listing template shows.
type listingPage struct {
	ID, Title, Description, Brand, GTIN string
	Trail                               []facetLink // category path, each a link to its category page
	Images                              []string    // full size
	Thumbs                              []string    // the same pictures small, for the gallery's thumbnails
	Picker                              picker
	Merchant                            string // "" when its name is not known here
	Platform, PlatformID                string
	Attributes                          []attribute
	Regions                             string
	Updated                             time.Time
	// Policies are the shipping and returns line.
	Policies policiesView
	// Offers are the merchant's offers that apply to the listing now.
	Offers []offerBadge
	// Reviews are the listing's reviews, nil without any.
	Reviews *reviewsView
	// Record is the merchant's measured record, nil when not kept.
	Record *recordView
}

// offerBadge is one of a merchant's offers as a page names it: "−15 %",
// "buy 2 get 1", with the offer's name and when it ends.
type offerBadge struct {
	Label, Name string
	Ends        time.Time
}

// attribute is one name/value fact.
type attribute struct{ Name, Value string }

// listing is a listing's page: GET /listings/{id}. It starts the
// visitor's session, so that its add-to-cart form posts at once, a
// guest's as a shopper's.
func (sf *Storefront) listing(w http.ResponseWriter, r *http.Request) {
	l, err := sf.deps.Listings.Listing(r.Context(), r.PathValue("id"))
	if err != nil {
		if web.StatusOf(err) == http.StatusBadRequest { // a malformed id names no listing
			err = fmt.Errorf("%w: %v", catalog.ErrNotFound, err)
		}
		sf.site.Fail(w, r, err)
		return
	}
	names := sf.site.PlatformNames()
	v := listingView(l, names, sf.speechOf(r))
	// A listing is shown as its merchant wrote it, unless it carries a
	// translation into the shopper's language.
	v.Title, v.Description = l.Translated(sf.site.Locale(r).Tag)
	v.Merchant = sf.merchantName(r.Context(), l)
	lt, err := sf.termsOf(r.Context(), &l)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	if lt.profile != nil && lt.profile.Name != "" { // the merchant's published name supersedes the one signed with the listing
		v.Merchant = lt.profile.Name
	}
	v.Policies = sf.policiesOf(r, l, lt, v.Merchant)
	v.Offers = sf.offersOn(r.Context(), l)
	v.Reviews = sf.reviewsOf(r, l)
	v.Record = sf.recordOf(r, l.Platform, l.Merchant)
	canonical, homed := sf.listingCanonical(l)
	ld := productData(l, v, canonical, lt)
	ld.AggregateRating, ld.Review = reviewData(v.Reviews)
	ld.Image = sf.absImages(v.Images)
	p := &web.Page{Title: v.Title, Canonical: canonical, Data: v,
		Meta:   sf.openGraph(l, v, canonical),
		JSONLD: ld}
	if !homed {
		p.Canonical, p.Robots = "", web.RobotsNoIndexFollow
	}
	if !sf.shopperSignedIn(r) {
		p = sf.site.WithSession(w, r, p)
	}
	sf.render(w, r, http.StatusOK, "listing", p)
}

// listingView builds the page's content from the listing.
func listingView(l catalog.Listing, names map[string]string, sp speech) listingPage {
	v := listingPage{ID: l.ID, Title: l.Title, Description: l.Description, Brand: l.Brand, GTIN: l.GTIN,
		Platform: web.PlatformName(names, l.Platform), PlatformID: l.Platform,
		Regions: strings.Join(l.ShippingRegions, ", "), Updated: l.UpdatedAt, Picker: newPicker(l, "", sp)}
	v.Trail = categoryTrail(l.Category)
	v.Images = imageURLs(l.Images, web.ImageFull)
	v.Thumbs = imageURLs(l.Images, web.ImageThumb)
	for k, val := range l.Attributes {
		v.Attributes = append(v.Attributes, attribute{k, val})
	}
	slices.SortFunc(v.Attributes, func(a, b attribute) int { return strings.Compare(a.Name, b.Name) })
	return v
}

// imageURLs are the URLs of a listing's images that the pages may show
// (see imageURL), in order.
func imageURLs(refs []string, size string) []string {
	var out []string
	for _, ref := range refs {
		if u := imageURL(ref, size); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// firstImage is the URL of a listing's first image that the pages may
// show, "" for none: cards and cart lines show the placeholder then.
func firstImage(refs []string, size string) string {
	if urls := imageURLs(refs, size); len(urls) > 0 {
		return urls[0]
	}
	return ""
}

// imageURL turns one of Listing.Images into a URL a page may show at
// size, "" when none may be: an uploaded picture from this node's /media,
// or an absolute https URL (the pages' Content-Security-Policy loads no
// other, and a plain http image would be mixed content on an https
// storefront). See web.ImageURL. This is the one place that reads them.
func imageURL(ref, size string) string { return web.ImageURL(ref, size) }

// merchantName names the listing's merchant: by its published profile
// (one record, which a rename re-signs), else this node's merchants by
// their current name and others' by the name their home node signed
// with the description ("" in descriptions signed before names were
// carried).
func (sf *Storefront) merchantName(ctx context.Context, l catalog.Listing) string {
	if mp, err := sf.deps.Profiles.MerchantProfile(ctx, l.Platform, l.Merchant); err == nil && mp.Name != "" {
		return mp.Name
	}
	if l.Platform != sf.deps.Merchants.Platform() {
		return l.MerchantName
	}
	m, err := sf.deps.Merchants.Merchant(ctx, l.Merchant)
	if err != nil {
		return l.MerchantName
	}
	return m.Name
}

// openGraph are the listing's OpenGraph and Twitter card tags for link
// previews, with its price.
func (sf *Storefront) openGraph(l catalog.Listing, v listingPage, canonical string) []web.MetaTag {
	card := web.Card{Type: "product", Title: l.Title, Description: l.Description, URL: canonical}
	if imgs := sf.absImages(v.Images); len(imgs) > 0 {
		card.Image = imgs[0]
	}
	tags := sf.site.SocialMeta(card)
	if lo, ok := web.LowestPrice(l); ok {
		tags = append(tags, web.MetaTag{Property: "product:price:amount", Content: web.FormatAmount(lo.Amount, lo.Currency)},
			web.MetaTag{Property: "product:price:currency", Content: lo.Currency})
	}
	return tags
}

// absImages makes the pictures this node serves (/media/...) absolute,
// for link previews and structured data read off the page.
func (sf *Storefront) absImages(imgs []string) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		if strings.HasPrefix(img, "/") {
			img = sf.site.AbsURL(img)
		}
		out[i] = img
	}
	return out
}

// offersOn are the offers of l's merchant that apply to l now, as this
// node holds them; none when they cannot be read (the page still shows).
func (sf *Storefront) offersOn(ctx context.Context, l catalog.Listing) []offerBadge {
	offers, err := sf.deps.Profiles.Offers(ctx, l.Platform, l.Merchant)
	if err != nil {
		sf.site.Log().Warn("web: reading offers", "listing", l.ID, "err", err)
		return nil
	}
	now := sf.site.Now()
	var out []offerBadge
	for _, o := range offers {
		if !o.Active(now) || !o.Covers(l.ID, l.Category) {
			continue
		}
		label := o.Label()
		switch o.Kind {
		case catalog.OfferAmount:
			label = "−" + web.FormatMoney(o.Amount, l.Variants[0].Price.Currency) + " each"
		case catalog.OfferFreeShipping:
			label = "Free shipping from " + web.FormatMoney(o.MinSubtotal, l.Variants[0].Price.Currency)
		}
		out = append(out, offerBadge{Label: label, Name: o.Name, Ends: o.Ends})
	}
	return out
}
