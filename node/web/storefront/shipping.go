package storefront

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A cart ships to one destination (a country, and a region where a
// merchant charges by region), which the shopper picks on the cart page
// before anything is quoted. Each part of the cart (one merchant's lines)
// then shows the rates its merchant offers there, each with its price and
// the days it is expected to arrive (the merchant's handling days, then
// the rate's transit, in business days from today), the cheapest chosen
// until the shopper picks another. Lines that do not ship there are
// flagged, naming the line and the country, and the cart cannot be
// checked out there. The order service keeps a signed-in shopper's
// destination and choices in the cart; a guest's are kept in the session
// cookie beside the guest's lines, quoted with Carts.QuoteItems, and go
// into the account's cart at sign-in. Both kinds of visit also keep the
// destination in the session, so that listing pages quote it.

// Session values of shipping.
const (
	// valueShipTo is the destination chosen: "DE", or "ES-CN".
	valueShipTo = "shipto"
	// valueRates are a guest's chosen rates, by part: URL-encoded
	// partHash=rate pairs.
	valueRates = "rates"
)

// maxRateName is the longest rate name a guest's session keeps; a
// longer one is quoted at the cheapest rate, so that the cookie stays
// small.
const maxRateName = 40

// shipView is a cart's destination and totals, as the cart and checkout
// pages show them.
type shipView struct {
	// To is the destination chosen ("DE", "ES-CN"), "" when none is.
	To, Country, Region string
	// Name names it: "Germany".
	Name string
	// Shippable is false when a line does not ship there.
	Shippable bool
	// Items, Shipping and Total are the cart's totals; Shipping is ""
	// until a destination is chosen.
	Items, Shipping, Total string
	// Countries are the choices of the selector.
	Countries []country
	// Form holds the selector's problems.
	Form *web.Form
}

// partShipView is the shipping of one part of a cart: one merchant's
// lines.
type partShipView struct {
	// Platform and Merchant name the part to the form.
	Platform, Merchant string
	MerchantName       string
	// ID is the prefix of the part's element ids.
	ID      string
	Options []optionView
	// Chosen is the option chosen, nil when the part does not ship.
	Chosen *optionView
	// Items, Shipping and Total are the part's totals.
	Items, Shipping, Total string
	// Unshippable says which lines do not ship to the destination.
	Unshippable string
}

// optionView is one rate a part may ship at.
type optionView struct {
	ID, Rate, Price string
	// Arrives is the estimated delivery: "Tue 8 – Thu 10 Dec".
	Arrives string
	Chosen  bool
}

// partKey names a part of a cart: one merchant of one platform.
func partKey(platform, merchant string) string { return platform + "/" + merchant }

// partHash is the short name of a part in a guest's session.
func partHash(platform, merchant string) string {
	h := sha256.Sum256([]byte(partKey(platform, merchant)))
	return hex.EncodeToString(h[:4])
}

// arrivesText says when a part is expected: "Tue 8 – Thu 10 Dec", "Mon 30
// Nov – Wed 2 Dec", or "Tue 8 Dec" when both days are one. The days are
// UTC dates.
func arrivesText(earliest, latest time.Time) string {
	e, l := earliest.UTC(), latest.UTC()
	switch {
	case e.Equal(l):
		return e.Format("Mon 2 Jan")
	case e.Month() == l.Month() && e.Year() == l.Year():
		return e.Format("Mon 2") + " – " + l.Format("Mon 2 Jan")
	}
	return e.Format("Mon 2 Jan") + " – " + l.Format("Mon 2 Jan")
}

// arrivesShort says it without weekdays: "3–5 Dec", "30 Nov – 2 Dec",
// "3 Dec".
func arrivesShort(earliest, latest time.Time) string {
	e, l := earliest.UTC(), latest.UTC()
	switch {
	case e.Equal(l):
		return e.Format("2 Jan")
	case e.Month() == l.Month() && e.Year() == l.Year():
		return e.Format("2") + "–" + l.Format("2 Jan")
	}
	return e.Format("2 Jan") + " – " + l.Format("2 Jan")
}

// parseDestination reads a ship-to code ("DE", "ES-CN"), "" and false
// when it is none.
func parseDestination(s string) (shipping.Destination, bool) {
	switch {
	case shipping.IsCountry(s):
		return shipping.Destination{Country: s}, true
	case shipping.IsRegion(s):
		return shipping.Destination{Country: s[:2], Region: s}, true
	}
	return shipping.Destination{}, false
}

// sessionShipTo is the destination the session keeps, if any.
func sessionShipTo(sess *web.Session) (shipping.Destination, bool) {
	if sess == nil {
		return shipping.Destination{}, false
	}
	return parseDestination(sess.Values[valueShipTo])
}

// guestRates are the rates a guest chose, by partHash.
func guestRates(sess *web.Session) url.Values {
	if sess == nil {
		return url.Values{}
	}
	v, err := url.ParseQuery(sess.Values[valueRates])
	if err != nil {
		return url.Values{}
	}
	return v
}

// quoteGuest quotes a guest's cart c to the destination of sess, at the
// rates the guest chose; a cart without one stays unquoted.
func (sf *Storefront) quoteGuest(ctx context.Context, sess *web.Session, c *order.Cart) error {
	dest, ok := sessionShipTo(sess)
	if !ok {
		return nil
	}
	c.ShipTo = &dest
	if len(c.Lines) == 0 {
		return nil
	}
	items := make([]order.ItemInput, len(c.Lines))
	for i, l := range c.Lines {
		items[i] = order.ItemInput{ListingID: l.ListingID, SKU: l.SKU, Quantity: l.Quantity}
	}
	cs, err := sf.deps.Carts.QuoteItems(ctx, dest, items)
	var fe order.FieldErrors
	if errors.As(err, &fe) { // a listing gone between the two reads: shown unquoted
		return nil
	}
	if err != nil {
		return err
	}
	rates := guestRates(sess)
	cs.Shipping.Amount = 0
	cs.Total.Amount = c.Total.Amount
	for i := range cs.Parts {
		p := &cs.Parts[i]
		if o, ok := shipping.Pick(p.Options, rates.Get(partHash(p.Platform, p.Merchant))); ok && len(p.Unshippable) == 0 {
			p.Rate, p.Price.Amount = o.Rate, o.Price
		}
		cs.Shipping.Amount += p.Price.Amount
		cs.Total.Amount += p.Price.Amount
	}
	c.Shipping = &cs
	return nil
}

// shippingView adds the shipping of cart c to v: the destination and
// totals, each part's options with their dates, and a note on each line
// that does not ship there. listings are the cart's listings, by id (nil
// for one gone).
func (sf *Storefront) shippingView(ctx context.Context, v *cartView, c order.Cart, listings map[string]*catalog.Listing) {
	sp := sf.speechIn(ctx)
	s := &shipView{Items: sf.site.MoneyIn(ctx, c.Total.Amount, c.Total.Currency), Total: sf.site.MoneyIn(ctx, c.Total.Amount, c.Total.Currency),
		Shippable: true, Countries: sp.countries(), Form: web.NewForm()}
	v.Ship = s
	if c.ShipTo == nil {
		return
	}
	s.To, s.Country, s.Region, s.Name = c.ShipTo.String(), c.ShipTo.Country, c.ShipTo.Region, sp.destination(*c.ShipTo)
	s.Form.Set("country", s.Country)
	s.Form.Set("region", s.Region)
	if c.Shipping == nil {
		return
	}
	cs := c.Shipping
	s.Shippable = cs.Shippable
	s.Shipping = sf.site.MoneyIn(ctx, cs.Shipping.Amount, cs.Shipping.Currency)
	s.Total = sf.site.MoneyIn(ctx, cs.Total.Amount, cs.Total.Currency)
	now := sf.site.Now()
	for pi, ps := range cs.Parts {
		gi := slices.IndexFunc(v.Groups, func(g cartGroupView) bool { return g.PlatformID == ps.Platform })
		if gi < 0 {
			continue
		}
		g := &v.Groups[gi]
		pv := partShipView{Platform: ps.Platform, Merchant: ps.Merchant, ID: fmt.Sprintf("ship-%d", pi)}
		var items int64
		cur := c.Total.Currency
		handling := 0
		for li := range g.Lines {
			l := &g.Lines[li]
			if l.MerchantID != ps.Merchant {
				continue
			}
			items += l.amount
			if pv.MerchantName == "" {
				pv.MerchantName = l.Merchant
			}
			if listing := listings[l.ListingID]; listing != nil {
				if t, err := sf.deps.Profiles.ShippingFor(ctx, listing); err == nil {
					handling = max(handling, t.HandlingDays)
				}
			}
		}
		if pv.MerchantName == "" {
			pv.MerchantName = sp.t("ostatus.merchant_n", "ID", web.ShortID(ps.Merchant))
		}
		var names []string
		for _, u := range ps.Unshippable {
			names = append(names, u.Title)
			if l := v.line(u.ListingID, u.SKU); l != nil {
				l.NoShip = sp.noShipLine(u.Title, s.Name)
			}
		}
		if len(names) > 0 {
			pv.Unshippable = sp.noShipPart(names, s.Name)
		}
		for oi, o := range ps.Options {
			e, l := shipping.Deliveries(now, handling, o.Transit)
			ov := optionView{ID: fmt.Sprintf("%s-%d", pv.ID, oi), Rate: o.Rate, Price: sf.site.MoneyIn(ctx, o.Price, cur),
				Arrives: sp.arrivesText(e, l), Chosen: strings.EqualFold(o.Rate, ps.Rate)}
			if o.Price == 0 {
				ov.Price = sp.t("ostatus.free")
			}
			pv.Options = append(pv.Options, ov)
			if ov.Chosen {
				chosen := ov
				pv.Chosen = &chosen
			}
		}
		pv.Items = sf.site.MoneyIn(ctx, items, cur)
		pv.Shipping = sf.site.MoneyIn(ctx, ps.Price.Amount, cur)
		pv.Total = sf.site.MoneyIn(ctx, items+ps.Price.Amount, cur)
		g.Parts = append(g.Parts, pv)
	}
}

// shipToLabels are the messages that name the selector's inputs.
var shipToLabels = map[string]string{"ship_to": "refusal.label.country", "country": "refusal.label.country", "region": "refusal.label.region"}

// readShipTo reads the selector's country and region into a destination,
// with the form's problems.
func readShipTo(sp speech, pf url.Values) (shipping.Destination, *web.Form) {
	f := web.NewForm()
	country := strings.ToUpper(strings.TrimSpace(pf.Get("country")))
	region := strings.ToUpper(strings.TrimSpace(pf.Get("region")))
	f.Set("country", country)
	f.Set("region", region)
	if !shipping.IsCountry(country) {
		f.Add("country", sp.t("refusal.choose_ship_country"))
	}
	if region != "" && !strings.Contains(region, "-") {
		region = country + "-" + region
	}
	if region != "" && (!shipping.IsRegion(region) || !strings.HasPrefix(region, country+"-")) {
		f.Add("region", sp.t("refusal.region_code", "Example", country+"-BY"))
	}
	return shipping.Destination{Country: country, Region: region}, f
}

// setShipTo sets where the cart ships to, a signed-in shopper's or a
// guest's: POST /cart/ship-to.
func (sf *Storefront) setShipTo(w http.ResponseWriter, r *http.Request) {
	sv, signedIn, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	dest, f := readShipTo(sf.speechOf(r), r.PostForm)
	if f.OK() && signedIn {
		c, err := sf.currentCart(r.Context(), w, sv, true)
		if err == nil {
			_, err = sf.deps.Carts.SetShipTo(r.Context(), sv.shopper.ID, c.ID, dest)
		}
		if !addFieldErrors(sf.speechOf(r), f, err, shipToLabels) && err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
	}
	if !f.OK() {
		sf.cartWithShipTo(w, r, sv, signedIn, f)
		return
	}
	sv.sess.Values[valueShipTo] = dest.String()
	if err := sf.sessions.Save(w, sv.sess); err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/cart?done=ship-to")
}

// chooseShipping picks the rate of one part of the cart:
// POST /cart/shipping.
func (sf *Storefront) chooseShipping(w http.ResponseWriter, r *http.Request) {
	sv, signedIn, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	platform, merchant, rate := r.PostForm.Get("platform"), r.PostForm.Get("merchant"), r.PostForm.Get("rate")
	if signedIn {
		id := sv.sess.Values[valueCart]
		if id == "" {
			web.SeeOther(w, r, "/cart")
			return
		}
		_, err := sf.deps.Carts.ChooseShipping(r.Context(), sv.shopper.ID, id, platform, merchant, rate)
		var fe order.FieldErrors
		switch {
		case errors.As(err, &fe) || errors.Is(err, order.ErrNotFound): // the part or the rate changed meanwhile: the cart shows them as they are
			web.SeeOther(w, r, "/cart")
			return
		case err != nil:
			sf.site.FailOrder(w, r, err)
			return
		}
		web.SeeOther(w, r, "/cart?done=shipping")
		return
	}
	rates := guestRates(sv.sess)
	if rate == "" || len(rate) > maxRateName || platform == "" || merchant == "" {
		web.SeeOther(w, r, "/cart")
		return
	}
	rates.Set(partHash(platform, merchant), rate)
	// Only the parts the cart holds keep a choice.
	c, err := sf.guestCart(r.Context(), sv.sess)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	keep := url.Values{}
	for _, l := range c.Lines {
		if h := partHash(l.Platform, l.Merchant); rates.Get(h) != "" {
			keep.Set(h, rates.Get(h))
		}
	}
	sv.sess.Values[valueRates] = keep.Encode()
	if err := sf.sessions.Save(w, sv.sess); err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/cart?done=shipping")
}

// cartWithShipTo shows the cart again with the selector's problems.
func (sf *Storefront) cartWithShipTo(w http.ResponseWriter, r *http.Request, sv shopperVisit, signedIn bool, f *web.Form) {
	v, err := sf.cartPageOf(w, r, sv, signedIn)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	v.Cart.Ship.Form = f
	p := sf.guestPage(w, r, sf.site.T(r, "cart.title"), v)
	if signedIn {
		p = sf.shopperPage(sv, sf.site.T(r, "cart.title"), v)
	}
	sf.render(w, r, http.StatusUnprocessableEntity, "cart", p)
}

// carryShipping gives the account's cart cartID the destination and the
// rates a guest chose, at sign-in. What no longer applies is left.
func (sf *Storefront) carryShipping(ctx context.Context, shopper, cartID string, sess *web.Session) {
	dest, ok := sessionShipTo(sess)
	if !ok || cartID == "" {
		return
	}
	c, err := sf.deps.Carts.SetShipTo(ctx, shopper, cartID, dest)
	if err != nil || c.Shipping == nil {
		return
	}
	rates := guestRates(sess)
	for _, p := range c.Shipping.Parts {
		if rate := rates.Get(partHash(p.Platform, p.Merchant)); rate != "" && !strings.EqualFold(rate, p.Rate) {
			if _, err := sf.deps.Carts.ChooseShipping(ctx, shopper, cartID, p.Platform, p.Merchant, rate); err != nil {
				sf.site.Log().Debug("web: a guest's shipping choice no longer applies", "cart", cartID, "err", err)
			}
		}
	}
}
