package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant's shipping profiles say where its listings ship and at what
// price. The list shows each with its zones; the editor (shipping_form.go)
// creates or replaces one; a profile is deleted after a confirmation,
// except the default, which listings naming no profile ship under.

// shippingListView is what the shipping profiles list shows.
type shippingListView struct {
	Rows      []shippingRow
	Published bool // the merchant has a profile to hold a default
}

// shippingRow is one shipping profile in the list.
type shippingRow struct {
	ID, Name, EditURL, DeleteURL string
	Default                      bool
	Zones                        []string // “EU: 27 countries, 2 rates”
}

// shippingNotices confirm an action, by "done": the messages' ids.
var shippingNotices = map[string]string{
	"saved":   "console.shipping.notice_saved",
	"created": "console.shipping.notice_created",
	"deleted": "console.shipping.notice_deleted",
}

// shippingProfiles lists the merchant's shipping profiles:
// GET /merchant/shipping.
func (c *Console) shippingProfiles(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	sps, err := c.deps.Profiles.ShippingProfiles(r.Context(), c.deps.Merchants.Platform(), mv.merchant.ID)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	mp, published, err := c.merchantProfile(r.Context(), mv)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := shippingListView{Published: published}
	l := c.site.Locale(r)
	for _, sp := range sps {
		base := "/merchant/shipping/" + url.PathEscape(sp.ID)
		row := shippingRow{ID: sp.ID, Name: sp.Name, EditURL: base, DeleteURL: base + "/delete", Default: sp.ID == mp.DefaultShipping}
		for _, z := range sp.Zones {
			row.Zones = append(row.Zones, zoneSummary(l, l.Tag, z))
		}
		v.Rows = append(v.Rows, row)
	}
	p := c.consolePage(mv, l.T("console.shipping.title"), "/merchant/shipping", v)
	p.Notice = c.notice(r, shippingNotices)
	c.pages.Render(w, r, http.StatusOK, "merchant_shipping", p)
}

// zoneSummary says what a zone covers in l's language, whose tag is
// tag: “EU: 27 countries, 2 rates”.
func zoneSummary(l words, tag string, z shipping.Zone) string {
	var parts []string
	switch n := len(z.Countries); {
	case n == 1:
		parts = append(parts, countryName(tag, z.Countries[0]))
	case n > 1 && n <= 3:
		names := make([]string, n)
		for i, c := range z.Countries {
			names[i] = countryName(tag, c)
		}
		parts = append(parts, strings.Join(names, l.T("console.common.list_sep")))
	case n > 3:
		parts = append(parts, l.T("console.shipping.n_countries", "Count", n))
	}
	if n := len(z.Regions); n > 0 {
		parts = append(parts, l.T("console.shipping.n_regions", "Count", n))
	}
	parts = append(parts, l.T("console.shipping.n_rates", "Count", len(z.Rates)))
	return l.T("console.shipping.zone", "Name", z.Name, "Parts", strings.Join(parts, l.T("console.common.list_sep")))
}

// merchantProfile returns the merchant's published profile, and false
// before the first.
func (c *Console) merchantProfile(ctx context.Context, mv merchantVisit) (catalog.MerchantProfile, bool, error) {
	mp, err := c.deps.Profiles.MerchantProfile(ctx, c.deps.Merchants.Platform(), mv.merchant.ID)
	if errors.Is(err, catalog.ErrNotFound) {
		return catalog.MerchantProfile{}, false, nil
	}
	return mp, err == nil, err
}

// ownShipping returns one of the merchant's own shipping profiles; any
// other id is catalog.ErrNotFound.
func (c *Console) ownShipping(r *http.Request, mv merchantVisit, id string) (catalog.ShippingProfile, error) {
	sp, err := c.deps.Profiles.ShippingProfile(r.Context(), id)
	if err == nil && (sp.Platform != c.deps.Merchants.Platform() || sp.Merchant != mv.merchant.ID) {
		err = catalog.ErrNotFound
	}
	if errors.Is(err, catalog.ErrInvalid) {
		err = catalog.ErrNotFound
	}
	return sp, err
}

// shippingEditor is what the shipping profile form shows.
type shippingEditor struct {
	Form      *web.Form
	ID        string // empty for a new profile
	Action    string
	Submit    string
	Currency  string
	Published bool // the merchant has a profile to hold a default
	Zones     []zoneRow
}

// zoneRow is one zone of the form.
type zoneRow struct {
	Index                           int
	Name, Countries, Regions, Rates web.Field
	Remove                          string // the remove box's name
	Groups                          []countryGroup
	RateRows                        []rateRow
	Chosen                          string // the ticked countries, by name
}

// rateRow is one rate of a zone.
type rateRow struct {
	Name, Kind, Amount, Bands, FreeOver, Min, Max, Carriers web.Field
	Remove                                                  string
	Kinds, CarrierChoices                                   []web.Choice
	Chosen                                                  string // the ticked carriers' names
}

// editorRows builds the form's rows in l's language (whose tag is tag):
// rates[z] rate rows in zone row z.
func (c *Console) editorRows(l words, tag string, f *web.Form, rates []int) []zoneRow {
	carriers := c.deps.Profiles.Carriers()
	out := make([]zoneRow, len(rates))
	for z, n := range rates {
		key := zoneKey(z)
		countries := strings.Fields(f.Value(key + ".countries"))
		zr := zoneRow{Index: z, Name: f.Input(key+".name", l.T("console.ship.zone_name"), l.T("console.ship.zone_name_hint")),
			Countries: f.Field(key + ".countries"),
			Regions:   f.Input(key+".regions", l.T("console.ship.regions"), l.T("console.ship.regions_hint")),
			Rates:     f.Field(key + ".rates"), Remove: key + ".remove", Groups: countryGroups(l, tag, countries)}
		names := make([]string, len(countries))
		for i, code := range countries {
			names[i] = countryName(tag, code)
		}
		sortNames(tag, names, func(n string) string { return n })
		if len(names) > 0 {
			zr.Chosen = l.T("console.ship.ticked", "Count", len(names), "Names", strings.Join(names, l.T("console.common.list_sep")))
		}
		for r := range n {
			rk := rateKey(z, r)
			rr := rateRow{Name: f.Field(rk + ".name"), Kind: f.Field(rk + ".kind"), Amount: f.Field(rk + ".amount"),
				Bands: f.Field(rk + ".weight_bands"), FreeOver: f.Field(rk + ".free_over"), Min: f.Field(rk + ".transit_days.min"),
				Max: f.Field(rk + ".transit_days.max"), Carriers: f.Field(rk + ".carriers"), Remove: rk + ".remove"}
			for _, k := range rateKinds {
				k.Label, k.Selected = l.T(k.Label), k.Value == rr.Kind.Value
				rr.Kinds = append(rr.Kinds, k)
			}
			ticked, chosen := strings.Fields(rr.Carriers.Value), []string{}
			for _, cr := range carriers {
				ch := web.Choice{Value: cr.ID, Label: cr.Name}
				for _, t := range ticked {
					ch.Selected = ch.Selected || t == cr.ID
				}
				if ch.Selected {
					chosen = append(chosen, cr.Name)
				}
				rr.CarrierChoices = append(rr.CarrierChoices, ch)
			}
			rr.Chosen = strings.Join(chosen, l.T("console.common.list_sep"))
			zr.RateRows = append(zr.RateRows, rr)
		}
		out[z] = zr
	}
	return out
}

// shippingPage renders the shipping profile form with status.
func (c *Console) shippingPage(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, v shippingEditor, rates []int) {
	v.Currency = c.site.Currency()
	l := c.site.Locale(r)
	v.Zones = c.editorRows(l, l.Tag, v.Form, rates)
	_, published, err := c.merchantProfile(r.Context(), mv)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v.Published = published
	title, current, submit := l.T("console.ship.new_title"), "/merchant/shipping", l.T("console.ship.create")
	if v.ID != "" {
		title, submit = l.T("console.ship.edit_title"), l.T("console.ship.save")
	}
	v.Submit = submit
	c.pages.Render(w, r, status, "merchant_shipping_form", c.consolePage(mv, title, current, v))
}

// newShippingForm is GET /merchant/shipping/new: one zone with one rate.
func (c *Console) newShippingForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm()
	f.Set(rateKey(0, 0)+".kind", kindFlat)
	c.shippingPage(w, r, mv, http.StatusOK, shippingEditor{Form: f, Action: "/merchant/shipping"}, []int{1})
}

// editShippingForm shows one of the merchant's shipping profiles in the
// form: GET /merchant/shipping/{id}.
func (c *Console) editShippingForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	sp, err := c.ownShipping(r, mv, r.PathValue("id"))
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	mp, _, err := c.merchantProfile(r.Context(), mv)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	f := web.NewForm()
	rates := fillShippingForm(f, sp.Profile, c.site.Currency(), mp.DefaultShipping == sp.ID)
	c.shippingPage(w, r, mv, http.StatusOK, shippingEditor{Form: f, ID: sp.ID, Action: r.URL.Path}, rates)
}

// createShipping is POST /merchant/shipping.
func (c *Console) createShipping(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	c.saveShipping(w, r, mv, shippingEditor{Action: r.URL.Path})
}

// replaceShipping is POST /merchant/shipping/{id}.
func (c *Console) replaceShipping(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	if _, err := c.ownShipping(r, mv, id); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	c.saveShipping(w, r, mv, shippingEditor{Action: r.URL.Path, ID: id})
}

// saveShipping reads the posted form and saves it, then makes it the
// merchant's default or no longer the default as its box says. Problems
// re-render the form with 422, each next to its input; "Add a zone" and
// "Add a rate" re-render it with one more row and save nothing.
func (c *Console) saveShipping(w http.ResponseWriter, r *http.Request, mv merchantVisit, v shippingEditor) {
	v.Form = web.NewForm()
	l := c.site.Locale(r)
	si := readShippingForm(l, l.Tag, r.PostForm, c.site.Currency(), v.Form)
	if r.PostForm.Has("add_zone") || r.PostForm.Has("add_rate") {
		v.Form = v.Form.WithoutErrors()
		c.shippingPage(w, r, mv, http.StatusOK, v, si.rates)
		return
	}
	mp, published, err := c.merchantProfile(r.Context(), mv)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	if si.def && !published {
		v.Form.Add("default", l.T("console.ship.default_needs_profile"))
	}
	if !v.Form.OK() {
		c.shippingPage(w, r, mv, http.StatusUnprocessableEntity, v, si.rates)
		return
	}
	sp, err := c.deps.Profiles.PutShippingProfile(r.Context(), mv.merchant.ID, v.ID, si.in)
	if addShippingErrors(v.Form, err, si) {
		c.shippingPage(w, r, mv, http.StatusUnprocessableEntity, v, si.rates)
		return
	}
	if err == nil && published && si.def != (mp.DefaultShipping == sp.ID) {
		in := profileInput(mp)
		in.DefaultShipping = ""
		if si.def {
			in.DefaultShipping = sp.ID
		}
		_, err = c.deps.Profiles.SetMerchantProfile(r.Context(), mv.merchant.ID, in)
	}
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	done := "saved"
	if v.ID == "" {
		done = "created"
	}
	web.SeeOther(w, r, "/merchant/shipping?done="+done)
}

// profileInput is what would publish p again.
func profileInput(p catalog.MerchantProfile) catalog.MerchantProfileInput {
	return catalog.MerchantProfileInput{Name: p.Name, Description: p.Description, LogoURL: p.LogoURL, Country: p.Country,
		Email: p.Email, Policies: p.Policies, DefaultShipping: p.DefaultShipping}
}

// shippingDelete is what the delete confirmation shows.
type shippingDelete struct {
	Name, Action string
	Default      bool   // the merchant's default cannot be deleted
	Problem      string // why the last attempt was refused
}

// deleteShippingForm asks the merchant to confirm:
// GET /merchant/shipping/{id}/delete.
func (c *Console) deleteShippingForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	c.deleteShippingPage(w, r, mv, http.StatusOK, "")
}

// deleteShippingPage renders the confirmation with status and problem.
func (c *Console) deleteShippingPage(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, problem string) {
	sp, err := c.ownShipping(r, mv, r.PathValue("id"))
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	mp, _, err := c.merchantProfile(r.Context(), mv)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := shippingDelete{Name: sp.Name, Action: "/merchant/shipping/" + url.PathEscape(sp.ID) + "/delete", Default: mp.DefaultShipping == sp.ID, Problem: problem}
	c.pages.Render(w, r, status, "merchant_shipping_delete", c.consolePage(mv, c.site.T(r, "console.shipping.delete_title"), "/merchant/shipping", v))
}

// deleteShipping takes a shipping profile down:
// POST /merchant/shipping/{id}/delete.
func (c *Console) deleteShipping(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	if _, err := c.ownShipping(r, mv, id); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	err := c.deps.Profiles.TakeDownShippingProfile(r.Context(), mv.merchant.ID, id)
	switch {
	case errors.Is(err, catalog.ErrConflict):
		c.deleteShippingPage(w, r, mv, http.StatusConflict, c.site.T(r, "console.shipping.delete_default"))
	case err != nil:
		c.site.Fail(w, r, err)
	default:
		web.SeeOther(w, r, "/merchant/shipping?done=deleted")
	}
}
