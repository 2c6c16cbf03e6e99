package storefront

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// A listing page says in one line how the listing ships and what its
// merchant's returns are ("Ships to 27 countries · arrives 3–5 Dec ·
// 30-day returns"), quoted from the replicated records
// (Profiles.ShippingFor, Profiles.MerchantProfile) for one destination:
// the one the visitor chose for the cart, else the storefront's country
// (Options.Country), else the listing's cheapest zone. The same terms
// go into the offers of the page's schema.org data, as
// OfferShippingDetails and MerchantReturnPolicy.

// policiesView is the listing page's shipping and returns line.
type policiesView struct {
	// Line is the short line: "Ships to 27 countries · arrives 3–5 Dec ·
	// 30-day returns".
	Line string
	// Quote says the quote's destination and price: "Shipping to Germany:
	// from 4.90 EUR." or "Does not ship to Germany."
	Quote string
	// MerchantURL is the merchant's page; MerchantName names it.
	MerchantURL, MerchantName string
}

// listingTerms are what a listing page quotes from: the shipping terms
// of the listing and its merchant's profile, if published.
type listingTerms struct {
	terms   catalog.ShippingTerms
	profile *catalog.MerchantProfile
}

// termsOf reads the terms of l.
func (sf *Storefront) termsOf(ctx context.Context, l *catalog.Listing) (listingTerms, error) {
	t, err := sf.deps.Profiles.ShippingFor(ctx, l)
	if err != nil {
		return listingTerms{}, err
	}
	out := listingTerms{terms: t}
	mp, err := sf.deps.Profiles.MerchantProfile(ctx, l.Platform, l.Merchant)
	switch {
	case err == nil:
		out.profile = &mp
	case !errors.Is(err, catalog.ErrNotFound):
		return listingTerms{}, err
	}
	return out, nil
}

// merchantURL is a merchant's page.
func merchantURL(platform, merchant string) string {
	return "/merchants/" + catalog.FormatMerchantID(platform, merchant)
}

// shipsToCountries are the countries a profile's zones name, whole or by
// region, sorted.
func shipsToCountries(p shipping.Profile) []string {
	var out []string
	for _, z := range p.Zones {
		out = append(out, z.Countries...)
		for _, r := range z.Regions {
			out = append(out, r[:2])
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// zoneDestination is a destination inside zone z.
func zoneDestination(z shipping.Zone) (shipping.Destination, bool) {
	if len(z.Countries) > 0 {
		return shipping.Destination{Country: z.Countries[0]}, true
	}
	if len(z.Regions) > 0 {
		return shipping.Destination{Country: z.Regions[0][:2], Region: z.Regions[0]}, true
	}
	return shipping.Destination{}, false
}

// cheapestVariant is the variant a listing's quote is for: the cheapest
// in stock, else the cheapest.
func cheapestVariant(l catalog.Listing) (catalog.Variant, bool) {
	if len(l.Variants) == 0 {
		return catalog.Variant{}, false
	}
	best := -1
	for i, v := range l.Variants {
		if best < 0 || (v.Stock > 0) != (l.Variants[best].Stock > 0) && v.Stock > 0 ||
			(v.Stock > 0) == (l.Variants[best].Stock > 0) && v.Price.Amount < l.Variants[best].Price.Amount {
			best = i
		}
	}
	return l.Variants[best], true
}

// oneUnit is one unit of v, as a shipping quote takes it.
func oneUnit(v catalog.Variant) []shipping.Item {
	return []shipping.Item{{Quantity: 1, Subtotal: v.Price.Amount, Grams: v.Grams}}
}

// listingDestination is where a listing page quotes: the visitor's
// chosen destination, else the storefront's country, else the zone of
// the profile whose cheapest option for v is cheapest ("" country when
// the profile has none).
func (sf *Storefront) listingDestination(r *http.Request, p shipping.Profile, v catalog.Variant) shipping.Destination {
	if sess, ok := sf.sessions.Load(r); ok {
		if d, ok := sessionShipTo(sess); ok {
			return d
		}
	}
	if sf.opts.Country != "" {
		return shipping.Destination{Country: sf.opts.Country}
	}
	var best shipping.Destination
	bestPrice := int64(-1)
	for _, z := range p.Zones {
		d, ok := zoneDestination(z)
		if !ok {
			continue
		}
		if opts, err := p.Options(d, oneUnit(v)); err == nil && len(opts) > 0 && (bestPrice < 0 || opts[0].Price < bestPrice) {
			best, bestPrice = d, opts[0].Price
		}
	}
	return best
}

// policiesOf builds the listing page's line of l under lt.
func (sf *Storefront) policiesOf(r *http.Request, l catalog.Listing, lt listingTerms, merchantName string) policiesView {
	pv := policiesView{MerchantURL: merchantURL(l.Platform, l.Merchant), MerchantName: merchantName}
	if lt.profile != nil && lt.profile.Name != "" {
		pv.MerchantName = lt.profile.Name
	}
	var parts []string
	sp := sf.speechOf(r)
	p := lt.terms.Profile
	if n := len(shipsToCountries(p)); n == 0 {
		parts = append(parts, sp.t("terms.ships_nowhere"))
	} else {
		parts = append(parts, sp.t("terms.ships_to", "Count", n))
	}
	if v, ok := cheapestVariant(l); ok {
		dest := sf.listingDestination(r, p, v)
		opts, err := p.Options(dest, oneUnit(v))
		switch {
		case dest.Country == "":
		case err != nil || len(opts) == 0:
			pv.Quote = sp.t("terms.no_ship_to", "Place", sp.destination(dest))
		default:
			e, last := shipping.Deliveries(sf.site.Now(), lt.terms.HandlingDays, opts[0].Transit)
			parts = append(parts, sp.t("terms.arrives", "When", sp.arrives(e, last)))
			price := sp.t("terms.free_shipping")
			if opts[0].Price > 0 {
				price = sp.t("terms.shipping_from", "Price", sp.cash(opts[0].Price, v.Price.Currency))
			}
			pv.Quote = sp.t("terms.quote", "Place", sp.destination(dest), "Price", price)
		}
	}
	if lt.profile != nil {
		parts = append(parts, sp.returnsShort(lt.profile.Policies))
	}
	pv.Line = strings.Join(parts, sp.t("terms.line_sep"))
	return pv
}
