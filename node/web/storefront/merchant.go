package storefront

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant's page (GET /merchants/{platform}.{merchant}) shows any
// member's merchant from the profile its home node published: its name,
// description, logo, country and customer-service address, its policies
// in plain words, where it ships (each shipping profile's zones and
// rates) and its listings. The search has no merchant filter, so the
// listings are the catalog's, a page at a time.

// merchantListingsPage is how many listings a merchant's page shows.
const merchantListingsPage = 24

// merchantView is what the merchant template shows.
type merchantView struct {
	ID, Name, Description string
	// Logo is the logo's URL, "" when there is none a page may show
	// (web.ImageURL).
	Logo                 string
	Country, Email       string
	Platform, PlatformID string
	// Published is false for a merchant that published no profile yet.
	Published bool
	Policies  []string
	Legal     string
	Profiles  []profileView
	Listings  []resultItem
	// Record is the merchant's measured record, nil when not kept.
	Record *recordView
	// NextURL continues the listings; FirstURL starts them again.
	NextURL, FirstURL string
}

// profileView is one shipping profile: its zones' rates.
type profileView struct {
	Name    string
	Default bool
	Rows    []rateRow
}

// rateRow is one rate of one zone.
type rateRow struct {
	Zone, Places                   string
	Rate, Price, Transit, Carriers string
}

// merchantPage is GET /merchants/{id}.
func (sf *Storefront) merchantPage(w http.ResponseWriter, r *http.Request) {
	platform, merchant, err := catalog.ParseMerchantID(r.PathValue("id"))
	if err != nil {
		sf.site.NotFound(w, r)
		return
	}
	ctx, sp := r.Context(), sf.speechOf(r)
	v := merchantView{ID: catalog.FormatMerchantID(platform, merchant), PlatformID: platform,
		Platform: web.PlatformName(sf.site.PlatformNames(), platform)}
	mp, err := sf.deps.Profiles.MerchantProfile(ctx, platform, merchant)
	switch {
	case err == nil:
		sf.profileView(&v, mp, sp)
	case !errors.Is(err, catalog.ErrNotFound):
		sf.site.Fail(w, r, err)
		return
	}
	v.Record = sf.recordOf(r, platform, merchant)
	cursor := r.URL.Query().Get("cursor")
	listings, next, err := sf.deps.Profiles.ListingsOf(ctx, platform, merchant, cursor, merchantListingsPage)
	if errors.Is(err, catalog.ErrInvalid) && cursor != "" { // a mistyped cursor
		web.SeeOther(w, r, merchantURL(platform, merchant))
		return
	}
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	if !v.Published && len(listings) == 0 && cursor == "" {
		sf.site.NotFound(w, r)
		return
	}
	for _, l := range listings {
		if v.Name == "" {
			v.Name = sf.merchantName(ctx, l)
		}
		v.Listings = append(v.Listings, listingCard(l, v.Platform))
	}
	if v.Name == "" {
		v.Name = sp.t("merchant.fallback_name", "ID", web.ShortID(merchant))
	}
	if next != "" {
		v.NextURL = merchantURL(platform, merchant) + "?" + url.Values{"cursor": {next}}.Encode()
	}
	if cursor != "" {
		v.FirstURL = merchantURL(platform, merchant)
	}
	if err := sf.shippingProfilesView(ctx, sp, &v, platform, merchant, mp.DefaultShipping); err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	p := &web.Page{Title: v.Name, Canonical: sf.site.AbsURL(merchantURL(platform, merchant)), Data: v}
	sf.render(w, r, http.StatusOK, "merchant", p)
}

// profileView fills v from a published profile.
func (sf *Storefront) profileView(v *merchantView, mp catalog.MerchantProfile, sp speech) {
	v.Published, v.Name, v.Description, v.Email, v.Legal = true, mp.Name, mp.Description, mp.Email, mp.Policies.Legal
	v.Logo = web.ImageURL(mp.LogoURL, web.ImageThumb)
	if mp.Country != "" {
		v.Country = sp.country(mp.Country)
	}
	v.Policies = sp.policies(mp.Policies)
}

// listingCard is a listing as a card of the cards partial.
func listingCard(l catalog.Listing, platform string) resultItem {
	it := resultItem{URL: web.ListingURL(l.ID), Title: l.Title, Image: firstImage(l.Images, web.ImageCard), Brand: l.Brand, Platform: platform}
	if lo, ok := web.LowestPrice(l); ok {
		it.Price = lo
	}
	for _, vr := range l.Variants {
		it.InStock = it.InStock || vr.Stock > 0
	}
	return it
}

// shippingProfilesView adds a merchant's shipping profiles to v, the
// default one first.
func (sf *Storefront) shippingProfilesView(ctx context.Context, sp speech, v *merchantView, platform, merchant, def string) error {
	profiles, err := sf.deps.Profiles.ShippingProfiles(ctx, platform, merchant)
	if err != nil {
		return err
	}
	carriers := sf.deps.Profiles.Carriers()
	currency := sf.site.Currency()
	for _, prof := range profiles {
		pv := profileView{Name: prof.Name, Default: prof.ID == def}
		for _, z := range prof.Zones {
			for _, rt := range z.Rates {
				pv.Rows = append(pv.Rows, rateRow{Zone: z.Name, Places: sp.places(z), Rate: rt.Name, Price: sp.rate(rt, currency),
					Transit: sp.transit(rt.Transit), Carriers: carriersText(sp, carriers, rt.Carriers)})
			}
		}
		if pv.Default {
			v.Profiles = append([]profileView{pv}, v.Profiles...)
		} else {
			v.Profiles = append(v.Profiles, pv)
		}
	}
	return nil
}

// carriersText names carriers by the table, unknown ids as they are.
func carriersText(sp speech, t shipping.Table, ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id
		if c, ok := t.Find(id); ok {
			names[i] = c.Name
		}
	}
	return sp.list(names)
}
