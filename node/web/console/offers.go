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
	"created": "console.offers.notice_created",
	"ended":   "console.offers.notice_ended",
}

// offerLabels name the form's inputs in messages, by the catalog's
// field names (which are the inputs' names): the messages' ids.
var offerLabels = map[string]string{
	"name": "console.offers.name", "kind": "console.offers.kind", "percent_bps": "console.offers.percent",
	"amount": "console.offers.amount", "buy": "console.offers.buy", "get": "console.offers.get",
	"min_subtotal": "console.offers.minimum", "listings": "console.offers.listings", "categories": "console.offers.categories",
	"per_order_limit": "console.offers.limit", "starts": "console.offers.starts", "ends": "console.offers.ends",
}

// offerKinds are the form's kinds of offer, labelled by their messages.
var offerKinds = []web.Choice{{Value: catalog.OfferPercent, Label: "console.offers.kind_percent"},
	{Value: catalog.OfferAmount, Label: "console.offers.kind_amount"}, {Value: catalog.OfferBuyGet, Label: "console.offers.kind_buy_get"},
	{Value: catalog.OfferFreeShipping, Label: "console.offers.kind_free_shipping"}}

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
	l := c.site.Locale(r)
	money := func(v int64) string { return c.site.Money(r, v, cur) }
	v := offersView{Form: f, Currency: cur}
	now := c.site.Now()
	var ended []offerRow
	for _, o := range all {
		u := up[o.ID]
		row := offerRow{ID: o.ID, Name: o.Name, Ended: o.Ended, Parts: u.Parts, Units: u.Units, Cost: money(u.Cost.Amount)}
		if o.Ended {
			row.Name, row.What = l.T("console.offers.ended_name"), l.T("console.offers.ended_at", "Version", strconv.FormatUint(o.Version, 10))
			ended = append(ended, row)
			continue
		}
		row.What, row.Scope = offerWhat(l, o.Offer, money), offerScope(l, o.Offer)
		row.When = l.T("console.campaigns.from_to", "From", web.FormatTimeIn(l.Tag, o.Starts, c.site.Zone()), "To", web.FormatTimeIn(l.Tag, o.Ends, c.site.Zone()))
		row.Live = o.Active(now)
		row.EndURL = "/merchant/offers/" + url.PathEscape(o.ID) + "/end"
		v.Rows = append(v.Rows, row)
	}
	v.Rows = append(v.Rows, ended...)
	for _, k := range offerKinds {
		k.Label, k.Selected = l.T(k.Label), k.Value == f.Value("kind")
		v.Kinds = append(v.Kinds, k)
	}
	p := c.consolePage(mv, l.T("console.offers.title"), "/merchant/offers", v)
	p.Notice = c.notice(r, offerNotices)
	c.pages.Render(w, r, status, "merchant_offers", p)
}

// offerWhat says what an offer gives in l's language: "15 % off",
// "€2.50 off each", "buy 2, get 1 free", "free shipping from €50.00",
// with its limit; money writes an amount.
func offerWhat(l words, o catalog.Offer, money func(int64) string) string {
	var s string
	switch o.Kind {
	case catalog.OfferPercent:
		s = l.T("console.offers.gives_percent", "Percent", strings.TrimPrefix(o.Label(), "−"))
	case catalog.OfferAmount:
		s = l.T("console.offers.gives_amount", "Amount", money(o.Amount))
	case catalog.OfferBuyGet:
		s = l.T("console.offers.gives_buy_get", "Buy", o.Buy, "Get", o.Get)
	case catalog.OfferFreeShipping:
		s = l.T("console.offers.gives_free_shipping", "Amount", money(o.MinSubtotal))
	}
	if o.PerOrderLimit > 0 {
		s += l.T("console.offers.gives_limit", "Count", o.PerOrderLimit)
	}
	return s
}

// offerScope says what an offer covers in l's language.
func offerScope(l words, o catalog.Offer) string {
	return campaignScope(l, catalog.Campaign{Listings: o.Listings, Categories: o.Categories})
}

// createOffer signs a new offer from the form: POST /merchant/offers.
func (c *Console) createOffer(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm()
	in := readOfferForm(c.site.Locale(r), r.PostForm, f, c.site.Currency(), c.site.Zone())
	if f.OK() {
		_, err := c.deps.Offers.PutOffer(r.Context(), mv.merchant.ID, "", in)
		if !c.addOfferErrors(r, f, err) && err != nil {
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
func readOfferForm(l words, pf url.Values, f *web.Form, cur string, zone *time.Location) catalog.OfferInput {
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
			f.Add("percent", l.T("console.offers.percent_bad"))
		}
	case catalog.OfferAmount:
		if in.Amount, err = web.ParseAmount(get("amount"), cur); err != nil {
			f.Add("amount", l.T("console.problem.field", "Label", l.T("console.offers.amount"), "Problem", problemIn(l, err.Error())))
		}
	case catalog.OfferBuyGet:
		in.Buy, in.Get = number(l, f, get("buy"), "buy", "console.offers.buy"), number(l, f, get("get"), "get", "console.offers.get")
	case catalog.OfferFreeShipping:
		if in.MinSubtotal, err = web.ParseAmount(get("min_subtotal"), cur); err != nil {
			f.Add("min_subtotal", l.T("console.problem.field", "Label", l.T("console.offers.minimum"), "Problem", problemIn(l, err.Error())))
		}
	}
	if s := get("per_order_limit"); s != "" {
		in.PerOrderLimit = number(l, f, s, "per_order_limit", "console.offers.limit")
	}
	for _, c := range strings.Split(get("categories"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			in.Categories = append(in.Categories, c)
		}
	}
	in.Listings = strings.Fields(strings.ReplaceAll(get("listings"), ",", " "))
	in.Starts, in.Ends = dayIn(l, f, get("starts"), "starts", "console.offers.starts", zone), dayIn(l, f, get("ends"), "ends", "console.offers.ends", zone)
	return in
}

// number reads a whole number for input, or says it cannot in l's
// language; label is the message that names the input.
func number(l words, f *web.Form, s, input, label string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.Add(input, l.T("console.offers.bad_number", "Label", l.T(label)))
	}
	return n
}

// addOfferErrors puts the problems of a *catalog.ValidationError next to
// the offer form's inputs, in r's language; it reports false for any
// other error.
func (c *Console) addOfferErrors(r *http.Request, f *web.Form, err error) bool {
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
			input, label = "", "console.offers.the_offer"
		}
		f.Add(input, c.fieldProblem(r, c.site.T(r, label), fe.Message))
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
	l := c.site.Locale(r)
	money := func(v int64) string { return c.site.Money(r, v, c.site.Currency()) }
	v := struct{ Name, What, Action string }{o.Name, offerWhat(l, o, money), "/merchant/offers/" + url.PathEscape(o.ID) + "/end"}
	c.pages.Render(w, r, http.StatusOK, "merchant_offer_end", c.consolePage(mv, l.T("console.offers.end_title", "Name", o.Name), "/merchant/offers", v))
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
