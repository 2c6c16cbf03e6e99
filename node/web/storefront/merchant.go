package storefront

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

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
	ctx := r.Context()
	v := merchantView{ID: catalog.FormatMerchantID(platform, merchant), PlatformID: platform,
		Platform: web.PlatformName(sf.site.PlatformNames(), platform)}
	mp, err := sf.deps.Profiles.MerchantProfile(ctx, platform, merchant)
	switch {
	case err == nil:
		sf.profileView(&v, mp)
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
		v.Name = "Merchant " + web.ShortID(merchant)
	}
	if next != "" {
		v.NextURL = merchantURL(platform, merchant) + "?" + url.Values{"cursor": {next}}.Encode()
	}
	if cursor != "" {
		v.FirstURL = merchantURL(platform, merchant)
	}
	if err := sf.shippingProfilesView(ctx, &v, platform, merchant, mp.DefaultShipping); err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	p := &web.Page{Title: v.Name, Canonical: sf.site.AbsURL(merchantURL(platform, merchant)), Data: v}
	sf.render(w, r, http.StatusOK, "merchant", p)
}

// profileView fills v from a published profile.
func (sf *Storefront) profileView(v *merchantView, mp catalog.MerchantProfile) {
	v.Published, v.Name, v.Description, v.Email, v.Legal = true, mp.Name, mp.Description, mp.Email, mp.Policies.Legal
	v.Logo = web.ImageURL(mp.LogoURL, web.ImageThumb)
	if mp.Country != "" {
		v.Country = countryName(mp.Country)
	}
	v.Policies = policiesText(mp.Policies)
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
func (sf *Storefront) shippingProfilesView(ctx context.Context, v *merchantView, platform, merchant, def string) error {
	profiles, err := sf.deps.Profiles.ShippingProfiles(ctx, platform, merchant)
	if err != nil {
		return err
	}
	carriers := sf.deps.Profiles.Carriers()
	currency := sf.site.Currency()
	for _, sp := range profiles {
		pv := profileView{Name: sp.Name, Default: sp.ID == def}
		for _, z := range sp.Zones {
			for _, rt := range z.Rates {
				pv.Rows = append(pv.Rows, rateRow{Zone: z.Name, Places: placesText(z), Rate: rt.Name, Price: rateText(rt, currency),
					Transit: transitText(rt.Transit), Carriers: carriersText(carriers, rt.Carriers)})
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

// placesText names a zone's countries and regions.
func placesText(z shipping.Zone) string {
	var names []string
	for _, c := range z.Countries {
		names = append(names, countryName(c))
	}
	for _, r := range z.Regions {
		names = append(names, countryName(r[:2])+" ("+r+")")
	}
	return strings.Join(names, ", ")
}

// rateText says how a rate is priced: "4.90 EUR per order + 1.00 EUR per
// item; free over 50.00 EUR".
func rateText(r shipping.Rate, currency string) string {
	money := func(v int64) string { return web.FormatMoney(v, currency) }
	var parts []string
	if r.Flat > 0 {
		parts = append(parts, money(r.Flat)+" per order")
	}
	if r.PerItem > 0 {
		parts = append(parts, money(r.PerItem)+" per item")
	}
	if len(r.Bands) > 0 {
		var bands []string
		for _, b := range r.Bands {
			bands = append(bands, fmt.Sprintf("%s up to %s", money(b.Amount), gramsText(b.To)))
		}
		parts = append(parts, "by weight: "+strings.Join(bands, ", "))
	}
	s := strings.Join(parts, " + ")
	if s == "" {
		s = "Free"
	}
	if r.FreeOver > 0 && s != "Free" {
		s += "; free over " + money(r.FreeOver)
	}
	return s
}

// gramsText writes a weight: "500 g", "2 kg", "2.5 kg".
func gramsText(g int64) string {
	switch {
	case g < 1000:
		return fmt.Sprintf("%d g", g)
	case g%1000 == 0:
		return fmt.Sprintf("%d kg", g/1000)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%03d", g/1000, g%1000), "0") + " kg"
}

// transitText says a transit time: "1–2 business days".
func transitText(d shipping.Days) string {
	unit := "business days"
	if d.Max == 1 {
		unit = "business day"
	}
	if d.Min == d.Max {
		return fmt.Sprintf("%d %s", d.Max, unit)
	}
	return fmt.Sprintf("%d–%d %s", d.Min, d.Max, unit)
}

// carriersText names carriers by the table, unknown ids as they are.
func carriersText(t shipping.Table, ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id
		if c, ok := t.Find(id); ok {
			names[i] = c.Name
		}
	}
	return strings.Join(names, ", ")
}
