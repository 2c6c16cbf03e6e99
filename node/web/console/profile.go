package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// The profile page edits the merchant's published profile (display name,
// description, logo, country, customer-service e-mail) and its policies
// in one form. Inputs are named after the catalog's field paths
// ("policies.return_days"), so that a *catalog.ValidationError lands next
// to its input; the restocking fee is shown and typed as a percentage
// (2.5) and stored in basis points (250).

// profileLabels name the profile's inputs in messages: the messages'
// ids.
var profileLabels = map[string]string{
	"name": "console.profile.name", "description": "console.profile.desc", "logo_url": "console.profile.logo",
	"country": "console.profile.country", "email": "console.profile.email", "policies.return_days": "console.profile.return_days",
	"policies.return_shipping": "console.profile.return_shipping", "policies.restocking_fee": "console.profile.restocking_fee",
	"policies.handling_days": "console.profile.handling_days", "policies.legal": "console.profile.legal",
	"default_shipping": "console.profile.default_shipping",
}

// returnPayers are who may pay a return's shipping, labelled by their
// messages.
var returnPayers = []web.Choice{{Value: catalog.ReturnPaidByShopper, Label: "console.profile.payer_shopper"},
	{Value: catalog.ReturnPaidByMerchant, Label: "console.profile.payer_merchant"}}

// profileView is what the profile template shows.
type profileView struct {
	Form           *web.Form
	Countries      []countryGroup // with the merchant's country selected
	ReturnShipping []web.Choice
	Shipping       []web.Choice // the default shipping profile's options
	Published      bool         // the merchant has published a profile
	Version        uint64
	Currency       string
}

// profileForm is GET /merchant/profile.
func (c *Console) profileForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, err := c.deps.Profiles.MerchantProfile(r.Context(), c.deps.Merchants.Platform(), mv.merchant.ID)
	published := err == nil
	if err != nil && !errors.Is(err, catalog.ErrNotFound) {
		c.site.Fail(w, r, err)
		return
	}
	f := web.NewForm()
	if published {
		fillProfileForm(f, p)
	} else {
		f.Set("name", mv.merchant.Name)
		f.Set("policies.return_shipping", catalog.ReturnPaidByShopper)
		f.Set("policies.handling_days", "1")
	}
	c.profilePage(w, r, mv, http.StatusOK, f, published, p.Version)
}

// profilePage renders the profile form with status.
func (c *Console) profilePage(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, f *web.Form, published bool, version uint64) {
	sps, err := c.deps.Profiles.ShippingProfiles(r.Context(), c.deps.Merchants.Platform(), mv.merchant.ID)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	l := c.site.Locale(r)
	v := profileView{Form: f, Published: published, Version: version, Currency: c.site.Currency(),
		Countries: countryGroups(l, l.Tag, nonEmpty(f.Value("country"))),
		Shipping:  shippingChoices(sps, f.Value("default_shipping"), l.T("console.profile.no_default_shipping"))}
	for _, ch := range returnPayers {
		ch.Label, ch.Selected = l.T(ch.Label), ch.Value == f.Value("policies.return_shipping")
		v.ReturnShipping = append(v.ReturnShipping, ch)
	}
	p := c.consolePage(mv, l.T("console.profile.title"), "/merchant/profile", v)
	p.Notice = c.notice(r, profileNotices)
	c.pages.Render(w, r, status, "merchant_profile", p)
}

// profileNotices confirm a save, by "done".
var profileNotices = map[string]string{
	"saved": "console.profile.notice_saved",
}

// nonEmpty is s as a list, empty when s is "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// shippingChoices are the options of a select of the merchant's shipping
// profiles, with selected chosen; none is the label of the empty option.
func shippingChoices(sps []catalog.ShippingProfile, selected, none string) []web.Choice {
	out := []web.Choice{{Value: "", Label: none, Selected: selected == ""}}
	for _, sp := range sps {
		out = append(out, web.Choice{Value: sp.ID, Label: sp.Name, Selected: sp.ID == selected})
	}
	return out
}

// fillProfileForm shows a published profile in f.
func fillProfileForm(f *web.Form, p catalog.MerchantProfile) {
	f.Set("name", p.Name)
	f.Set("description", p.Description)
	f.Set("logo_url", p.LogoURL)
	f.Set("country", p.Country)
	f.Set("email", p.Email)
	f.Set("policies.return_days", strconv.Itoa(p.Policies.ReturnDays))
	f.Set("policies.return_shipping", p.Policies.ReturnShipping)
	f.Set("policies.restocking_fee", strings.TrimSuffix(strings.TrimSuffix(web.FormatAmount(int64(p.Policies.RestockingFeeBPS), ""), "0"), ".0"))
	f.Set("policies.handling_days", strconv.Itoa(p.Policies.HandlingDays))
	f.Set("policies.legal", p.Policies.Legal)
	f.Set("default_shipping", p.DefaultShipping)
}

// readProfileForm reads a posted profile form into f, its problems in
// l's language.
func readProfileForm(l words, pf url.Values, f *web.Form) catalog.MerchantProfileInput {
	text := func(name string) string {
		v := strings.ReplaceAll(pf.Get(name), "\r\n", "\n")
		f.Set(name, v)
		return v
	}
	in := catalog.MerchantProfileInput{Name: strings.TrimSpace(text("name")), Description: strings.TrimSpace(text("description")),
		LogoURL: strings.TrimSpace(text("logo_url")), Country: strings.ToUpper(strings.TrimSpace(text("country"))),
		Email: strings.TrimSpace(text("email")), DefaultShipping: text("default_shipping")}
	p := &in.Policies
	p.ReturnShipping = text("policies.return_shipping")
	p.Legal = strings.TrimSpace(text("policies.legal"))
	p.ReturnDays = days(l, f, "policies.return_days", text("policies.return_days"), "console.profile.return_days", "console.profile.return_days_missing")
	p.HandlingDays = days(l, f, "policies.handling_days", text("policies.handling_days"), "console.profile.handling_days", "console.profile.handling_days_missing")
	fee := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text("policies.restocking_fee")), "%"))
	if fee != "" {
		bps, err := web.ParseAmount(fee, "")
		switch {
		case err != nil:
			f.Add("policies.restocking_fee", l.T("console.profile.fee_percent"))
		case bps > 10000:
			f.Add("policies.restocking_fee", l.T("console.profile.fee_max"))
		default:
			p.RestockingFeeBPS = int(bps)
		}
	}
	return in
}

// days reads a whole number of days into input name; the message
// missing is said when it is empty, label names the input.
func days(l words, f *web.Form, name, s, label, missing string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		f.Add(name, l.T(missing))
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		f.Add(name, l.T("console.profile.days_whole", "Label", l.T(label)))
		return 0
	}
	return n
}

// saveProfile signs the posted profile: POST /merchant/profile.
func (c *Console) saveProfile(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	f := web.NewForm()
	in := readProfileForm(c.site.Locale(r), r.PostForm, f)
	var version uint64
	if old, err := c.deps.Profiles.MerchantProfile(r.Context(), c.deps.Merchants.Platform(), mv.merchant.ID); err == nil {
		version = old.Version
	}
	if f.OK() {
		_, err := c.deps.Profiles.SetMerchantProfile(r.Context(), mv.merchant.ID, in)
		if !c.addProfileErrors(r, f, err) && err != nil {
			c.site.Fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		c.profilePage(w, r, mv, http.StatusUnprocessableEntity, f, version > 0, version)
		return
	}
	web.SeeOther(w, r, "/merchant/profile?done=saved")
}

// addProfileErrors puts the problems of a *catalog.ValidationError next
// to the profile's inputs, in r's language; it reports false for any
// other error.
func (c *Console) addProfileErrors(r *http.Request, f *web.Form, err error) bool {
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Errors {
		input, msg := fe.Field, fe.Message
		switch input {
		case "policies.restocking_fee_bps":
			f.Add("policies.restocking_fee", c.site.T(r, "console.profile.fee_between"))
			continue
		case "logo_url":
			msg = strings.Replace(msg, "images", "logo", 1)
		}
		label := fe.Field
		if id, ok := profileLabels[input]; ok {
			label = c.site.T(r, id)
		} else {
			input, label = "", c.site.T(r, "console.profile.the_profile", "Field", fe.Field)
		}
		f.Add(input, c.fieldProblem(r, label, msg))
	}
	return true
}
