package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant's offers are published like its shipping profiles: every
// storefront applies them to its listings, and the merchant funds them.
// The page lists them, live first, with what each gave (uptake and cost
// from the parts this home accepted), creates one from a form, and ends
// one (a signed tombstone, after a confirmation).

// Offers are a merchant's offers; *catalog.Catalog satisfies it. Bad
// input is a *catalog.ValidationError naming the field; another
// merchant's offer is catalog.ErrNotFound.
type Offers interface {
	AllOffers(ctx context.Context, platform, merchant string) ([]catalog.OfferState, error)
	PutOffer(ctx context.Context, merchantID, id string, in catalog.OfferInput) (catalog.Offer, error)
	EndOffer(ctx context.Context, merchantID, id string) error
}

// Uptake is what each of a merchant's offers gave in the parts this home
// accepted, by offer id; *order.Service satisfies it.
type Uptake interface {
	OfferUptake(ctx context.Context, merchant string) (map[string]order.OfferUptake, error)
}

// offersView is what the offers page shows.
type offersView struct {
	Rows     []offerRow
	Form     *web.Form
	Kinds    []web.Choice
	Currency string
}

// offerRow is one offer in the list.
type offerRow struct {
	ID, Name, What, Scope, When, EndURL string
	Ended, Live                         bool
	Parts, Units                        int64
	Cost                                string
}

// offerNotices confirm an action, by "done".
var offerNotices = map[string]string{
	"created": "Offer created. It is signed and replicating to the federation; storefronts apply it from its start.",
	"ended":   "Offer ended. Storefronts stop applying it as they receive its end; your node refuses it at once.",
}

// offerLabels name the form's inputs in messages, by the catalog's
// field names (which are the inputs' names).
var offerLabels = map[string]string{
	"name": "Name", "kind": "Kind", "percent_bps": "Percent off", "amount": "Amount off", "buy": "Buy", "get": "Get",
	"min_subtotal": "Minimum", "listings": "Listings", "categories": "Categories", "per_order_limit": "Limit per order",
	"starts": "Starts", "ends": "Ends",
}

// offersPage lists the merchant's offers with the form for a new one:
// GET /merchant/offers.
func (c *Console) offersPage(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm()
	today := c.site.Now().UTC()
	f.Set("kind", catalog.OfferPercent)
	f.Set("starts", today.Format(time.DateOnly))
	f.Set("ends", today.AddDate(0, 1, 0).Format(time.DateOnly))
	c.renderOffers(w, r, mv, http.StatusOK, f)
}

func (c *Console) renderOffers(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, f *web.Form) {
	ctx := r.Context()
	all, err := c.deps.Offers.AllOffers(ctx, c.deps.Merchants.Platform(), mv.merchant.ID)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	up, err := c.deps.Uptake.OfferUptake(ctx, mv.merchant.ID)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	cur := c.site.Currency()
	v := offersView{Form: f, Currency: cur}
	now := c.site.Now()
	var ended []offerRow
	for _, o := range all {
		u := up[o.ID]
		row := offerRow{ID: o.ID, Name: o.Name, Ended: o.Ended, Parts: u.Parts, Units: u.Units, Cost: web.FormatMoney(u.Cost.Amount, cur)}
		if o.Ended {
			row.Name, row.What = "Ended offer", "ended at version "+strconv.FormatUint(o.Version, 10)
			ended = append(ended, row)
			continue
		}
		row.What, row.Scope = offerWhat(o.Offer, cur), offerScope(o.Offer)
		row.When = web.FormatTime(o.Starts, c.site.Zone()) + " to " + web.FormatTime(o.Ends, c.site.Zone())
		row.Live = o.Active(now)
		row.EndURL = "/merchant/offers/" + url.PathEscape(o.ID) + "/end"
		v.Rows = append(v.Rows, row)
	}
	v.Rows = append(v.Rows, ended...)
	for _, k := range []web.Choice{{Value: catalog.OfferPercent, Label: "Percent off"}, {Value: catalog.OfferAmount, Label: "Amount off each unit"},
		{Value: catalog.OfferBuyGet, Label: "Buy X, get Y free"}, {Value: catalog.OfferFreeShipping, Label: "Free shipping from an amount"}} {
		k.Selected = k.Value == f.Value("kind")
		v.Kinds = append(v.Kinds, k)
	}
	p := c.consolePage(mv, "Offers", "/merchant/offers", v)
	p.Notice = web.NoticeIn(r, offerNotices)
	c.pages.Render(w, r, status, "merchant_offers", p)
}

// offerWhat says what an offer gives: "15 % off", "2.50 EUR off each",
// "buy 2, get 1 free", "free shipping from 50.00 EUR", with its limit.
func offerWhat(o catalog.Offer, cur string) string {
	var s string
	switch o.Kind {
	case catalog.OfferPercent:
		s = strings.TrimPrefix(o.Label(), "−") + " off"
	case catalog.OfferAmount:
		s = web.FormatMoney(o.Amount, cur) + " off each"
	case catalog.OfferBuyGet:
		s = fmt.Sprintf("buy %d, get %d free", o.Buy, o.Get)
	case catalog.OfferFreeShipping:
		s = "free shipping from " + web.FormatMoney(o.MinSubtotal, cur)
	}
	if o.PerOrderLimit > 0 {
		s += fmt.Sprintf(", at most %d units an order", o.PerOrderLimit)
	}
	return s
}

// offerScope says what an offer covers.
func offerScope(o catalog.Offer) string {
	var parts []string
	if n := len(o.Listings); n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", n, map[bool]string{true: "listing", false: "listings"}[n == 1]))
	}
	if len(o.Categories) > 0 {
		parts = append(parts, strings.Join(o.Categories, ", "))
	}
	if parts == nil {
		return "Your whole shop"
	}
	return strings.Join(parts, "; ")
}

// createOffer signs a new offer from the form: POST /merchant/offers.
func (c *Console) createOffer(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm()
	in := readOfferForm(r.PostForm, f, c.site.Currency(), c.site.Zone())
	if f.OK() {
		_, err := c.deps.Offers.PutOffer(r.Context(), mv.merchant.ID, "", in)
		if !addOfferErrors(f, err) && err != nil {
			c.site.Fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		c.renderOffers(w, r, mv, http.StatusUnprocessableEntity, f)
		return
	}
	web.SeeOther(w, r, "/merchant/offers?done=created")
}

// readOfferForm reads the offer form into an input, and the form with
// what was typed and what cannot be read.
func readOfferForm(pf url.Values, f *web.Form, cur string, zone *time.Location) catalog.OfferInput {
	get := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	in := catalog.OfferInput{Name: get("name"), Kind: get("kind")}
	var err error
	switch in.Kind {
	case catalog.OfferPercent:
		if in.PercentBPS, err = parsePercent(get("percent")); err != nil {
			f.Add("percent", "Percent off must be a percentage such as 15 or 12.5.")
		}
	case catalog.OfferAmount:
		if in.Amount, err = web.ParseAmount(get("amount"), cur); err != nil {
			f.Add("amount", "Amount off "+err.Error()+".")
		}
	case catalog.OfferBuyGet:
		in.Buy, in.Get = number(f, get("buy"), "buy", "Buy"), number(f, get("get"), "get", "Get")
	case catalog.OfferFreeShipping:
		if in.MinSubtotal, err = web.ParseAmount(get("min_subtotal"), cur); err != nil {
			f.Add("min_subtotal", "Minimum "+err.Error()+".")
		}
	}
	if s := get("per_order_limit"); s != "" {
		in.PerOrderLimit = number(f, s, "per_order_limit", "Limit per order")
	}
	for _, c := range strings.Split(get("categories"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			in.Categories = append(in.Categories, c)
		}
	}
	in.Listings = strings.Fields(strings.ReplaceAll(get("listings"), ",", " "))
	in.Starts, in.Ends = day(f, get("starts"), "starts", "Starts", zone), day(f, get("ends"), "ends", "Ends", zone)
	return in
}

// number reads a whole number for input, or says it cannot.
func number(f *web.Form, s, input, label string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.Add(input, label+" must be a whole number.")
	}
	return n
}

// day reads a date (the start of the day in zone), or says it cannot.
func day(f *web.Form, s, input, label string, zone *time.Location) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, zone)
	if err != nil {
		f.Add(input, label+" must be a date such as 2026-12-01.")
	}
	return t
}

// addOfferErrors puts the problems of a *catalog.ValidationError next to
// the offer form's inputs; it reports false for any other error.
func addOfferErrors(f *web.Form, err error) bool {
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Errors {
		input, _, _ := strings.Cut(fe.Field, "[")
		label, ok := offerLabels[input]
		switch {
		case input == "percent_bps":
			input = "percent"
		case !ok:
			input, label = "", "The offer:"
		}
		f.Add(input, fmt.Sprintf("%s %s.", label, fe.Message))
	}
	return true
}

// endOfferForm asks to confirm the end of an offer:
// GET /merchant/offers/{id}/end.
func (c *Console) endOfferForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	o, err := c.ownOffer(r.Context(), mv, r.PathValue("id"))
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := struct{ Name, What, Action string }{o.Name, offerWhat(o, c.site.Currency()), "/merchant/offers/" + url.PathEscape(o.ID) + "/end"}
	c.pages.Render(w, r, http.StatusOK, "merchant_offer_end", c.consolePage(mv, "End the offer "+o.Name, "/merchant/offers", v))
}

// endOffer signs the offer's end: POST /merchant/offers/{id}/end.
func (c *Console) endOffer(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	if err := c.deps.Offers.EndOffer(r.Context(), mv.merchant.ID, r.PathValue("id")); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/merchant/offers?done=ended")
}

// ownOffer is one of the merchant's live offers.
func (c *Console) ownOffer(ctx context.Context, mv merchantVisit, id string) (catalog.Offer, error) {
	all, err := c.deps.Offers.AllOffers(ctx, c.deps.Merchants.Platform(), mv.merchant.ID)
	if err != nil {
		return catalog.Offer{}, err
	}
	for _, o := range all {
		if o.ID == id && !o.Ended {
			return o.Offer, nil
		}
	}
	return catalog.Offer{}, fmt.Errorf("%w: offer %s", catalog.ErrNotFound, id)
}
