package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// profileForm is a valid posted profile form.
func profileForm() url.Values {
	return url.Values{"name": {"Alpha Goods"}, "description": {"Pans and mugs."}, "logo_url": {""}, "country": {"DE"},
		"email": {"help@alpha.example"}, "policies.return_days": {"30"}, "policies.return_shipping": {"merchant"},
		"policies.restocking_fee": {"2.5"}, "policies.handling_days": {"2"}, "policies.legal": {"Alpha GmbH, HRB 1234"},
		"default_shipping": {""}}
}

// wantError fails unless the page shows msg next to input, marked
// invalid and linked from the summary.
func wantError(t *testing.T, r webtest.Response, input, msg string) {
	t.Helper()
	webtest.HasFieldError(t, webtest.UnescapeHTML(r.Body), input, msg)
}

func TestProfileSavesAndNamesTheBadField(t *testing.T) {
	h := newHarness(t)
	m := h.browser()
	m.SignInMerchant(h.Token)
	page := m.Get("/merchant/profile")
	webtest.WantStatus(t, page, http.StatusOK)
	for _, want := range []string{`value="Alpha Goods &amp; Co"`, `<option value="shopper" selected>`, `<optgroup label="Europe">`,
		`<option value="DE">Germany</option>`, `<label for="f-policies-restocking_fee">Restocking fee (%)</label>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the new profile form lacks %s", want)
		}
	}
	form := profileForm()
	form.Set("email", "help at alpha")
	form.Set("policies.restocking_fee", "120")
	form.Set("csrf", webtest.CSRF(t, page))
	r := m.Post("/merchant/profile", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantError(t, r, "policies.restocking_fee", "Restocking fee must be at most 100%.")
	if _, err := h.Self.Cat.MerchantProfile(t.Context(), h.Self.Cat.Platform(), h.Merchant.ID); err == nil {
		t.Fatal("a form with a bad fee published a profile")
	}
	// The catalog refuses the e-mail, said next to its input.
	form.Set("policies.restocking_fee", "2.5")
	r = m.Post("/merchant/profile", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantError(t, r, "email", `Customer-service e-mail must be a plain e-mail address such as help@example.com, not "help at alpha".`)
	if !strings.Contains(r.Body, `value="Pans and mugs."`) && !strings.Contains(r.Body, `>Pans and mugs.</textarea>`) {
		t.Error("the refused form lost the description")
	}
	form.Set("email", "help@alpha.example")
	webtest.WantRedirect(t, m.Post("/merchant/profile", form), "/merchant/profile?done=saved")
	p, err := h.Self.Cat.MerchantProfile(t.Context(), h.Self.Cat.Platform(), h.Merchant.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := catalog.Policies{ReturnDays: 30, ReturnShipping: "merchant", RestockingFeeBPS: 250, HandlingDays: 2, Legal: "Alpha GmbH, HRB 1234"}
	if p.Name != "Alpha Goods" || p.Country != "DE" || p.Email != "help@alpha.example" || p.Policies != want {
		t.Errorf("published %+v", p)
	}
	page = m.Get("/merchant/profile?done=saved")
	for _, want := range []string{inEnglish(t, profileNotices["saved"]), `value="2.5"`, `<option value="DE" selected>Germany</option>`, `<option value="merchant" selected>`} {
		if !strings.Contains(webtest.UnescapeHTML(page.Body), want) {
			t.Errorf("the saved profile's page lacks %s", want)
		}
	}
}
