package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// shippingForm is a posted shipping profile form: a domestic zone and
// an EU zone, each with one rate.
func shippingForm() url.Values {
	return url.Values{
		"name":                               {"Parcels"},
		"zones[0].name":                      {"Domestic"},
		"zones[0].countries":                 {"DE"},
		"zones[0].regions":                   {""},
		"zones[0].rates[0].name":             {"Standard"},
		"zones[0].rates[0].kind":             {"flat"},
		"zones[0].rates[0].amount":           {"4.90"},
		"zones[0].rates[0].free_over":        {"50"},
		"zones[0].rates[0].transit_days.min": {"1"},
		"zones[0].rates[0].transit_days.max": {"2"},
		"zones[0].rates[0].carriers":         {"dhl-paket"},
		"zones[1].name":                      {"EU"},
		"zones[1].countries":                 {"FR", "NL", "AT"},
		"zones[1].regions":                   {"ES-CN"},
		"zones[1].rates[0].name":             {"Economy"},
		"zones[1].rates[0].kind":             {"weight"},
		"zones[1].rates[0].amount":           {""},
		"zones[1].rates[0].weight_bands":     {"0-1000 7.90\r\n1000-5000 12.50"},
		"zones[1].rates[0].transit_days.min": {"3"},
		"zones[1].rates[0].transit_days.max": {"6"},
		"zones[1].rates[0].carriers":         {"dpd", "gls"},
	}
}

// postShipping posts form to action with m's CSRF token.
func postShipping(t *testing.T, m *webtest.Browser, action string, form url.Values) webtest.Response {
	t.Helper()
	form.Set("csrf", webtest.CSRF(t, m.Get("/merchant/shipping/new")))
	return m.Post(action, form)
}

func TestShippingProfileRefusesOverlapsAndShortTransitNamingTheInput(t *testing.T) {
	h := newHarness(t)
	m := h.browser()
	m.SignInMerchant(h.Token)
	form := shippingForm()
	form["zones[1].countries"] = []string{"FR", "DE"}
	form.Set("zones[0].rates[0].transit_days.min", "3")
	form.Set("zones[0].rates[0].transit_days.max", "2")
	r := postShipping(t, m, "/merchant/shipping", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantError(t, r, "zones[1].countries", "Zone 2 (EU): Germany (DE) is already in zone 1 (Domestic). A destination may be in one zone only.")
	wantError(t, r, "zones[0].rates[0].transit_days.max", "Zone 1 (Domestic), rate 1 (Standard): the most transit days (2) may not be fewer than the fewest (3).")
	body := webtest.UnescapeHTML(r.Body)
	for _, want := range []string{`name="zones[1].countries" value="DE" checked`, `name="zones[1].countries" value="FR" checked`,
		`name="zones[1].rates[0].weight_bands" rows="3" placeholder="0-1000 4.90">0-1000 7.90` + "\n1000-5000 12.50</textarea>",
		`name="zones[0].rates[0].carriers" value="dhl-paket" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lost %s", want)
		}
	}
	// In Chinese the form, its country lists (CLDR's names, in pinyin
	// order) and its problems say the same.
	form.Set("csrf", webtest.CSRF(t, m.Get("/merchant/shipping/new")))
	zh := postIn(m, "/merchant/shipping", zhAccept, form)
	webtest.WantStatus(t, zh, http.StatusUnprocessableEntity)
	wantError(t, zh, "zones[1].countries", "区域 2（EU）：德国 (DE) 已在区域 1（Domestic）中。一个目的地只能属于一个区域。")
	wantError(t, zh, "zones[0].rates[0].transit_days.max", "区域 1（Domestic），运费 1（Standard）：最多运输天数（2）不能少于最少运输天数（3）。")
	wantChinese(t, "the refused shipping profile", zh,
		[]string{"<h1>新建配送方案</h1>", "<legend>区域 2</legend>", "<legend>国家</legend>", "已勾选 2 个：德国、法国", "<summary>欧洲<span class=\"muted\">（已勾选 2 个）</span>",
			"> 奥地利</label>", ">按重量</option>", ">添加区域</button>", ">创建配送方案</button>", "<th scope=\"col\">运输天数</th>", "价格以 EUR 计"},
		[]string{"Germany (DE)", "> Germany</label>", "Zone 1", "Add a zone", "Countries", "Europe", "ticked", "By weight", "Transit days"})
	if a, b := strings.Index(zh.Body, "> 奥地利</label>"), strings.Index(zh.Body, "> 德国</label>"); a < 0 || b < a {
		t.Errorf("Europe's countries are not in pinyin order: 奥地利 at %d, 德国 at %d", a, b)
	}
	if sps, _ := h.Self.Cat.ShippingProfiles(t.Context(), h.Self.Cat.Platform(), h.Merchant.ID); len(sps) != 0 {
		t.Errorf("a refused profile was saved: %+v", sps)
	}
}

func TestShippingProfileRefusesAWeightBandGap(t *testing.T) {
	h := newHarness(t)
	m := h.browser()
	m.SignInMerchant(h.Token)
	form := shippingForm()
	form.Set("zones[1].rates[0].weight_bands", "0-1000 7.90\n1500-5000 12.50")
	r := postShipping(t, m, "/merchant/shipping", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantError(t, r, "zones[1].rates[0].weight_bands", "Zone 2 (EU), rate 1 (Economy): weight band 2 (line 2) must start at 1000 g, where band 1 ends, not at 1500 g. Bands may not leave a gap or overlap.")
	// A line that is not a band is said by its number, before the catalog
	// sees anything.
	form.Set("zones[1].rates[0].weight_bands", "0-1000 7.90\nheavy 12.50")
	r = postShipping(t, m, "/merchant/shipping", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantError(t, r, "zones[1].rates[0].weight_bands", "Zone 2 (EU), rate 1 (Economy): weight band line 2 needs grams from and to, and a price, such as 1000-5000 7.90.")
}

func TestShippingProfileCreateEditDefaultAndDelete(t *testing.T) {
	h := newHarness(t)
	m := h.browser()
	m.SignInMerchant(h.Token)
	list := m.Get("/merchant/shipping")
	webtest.WantStatus(t, list, http.StatusOK)
	webtest.WantText(t, list, "No shipping profiles yet.")
	// Without a published profile, the profile cannot be the default.
	form := shippingForm()
	form.Set("default", "1")
	r := postShipping(t, m, "/merchant/shipping", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantError(t, r, "default", "To make this profile your default, first save your profile and policies: the default is part of them.")
	pf := profileForm()
	pf.Set("csrf", webtest.CSRF(t, list))
	webtest.WantRedirect(t, m.Post("/merchant/profile", pf), "/merchant/profile?done=saved")
	webtest.WantRedirect(t, postShipping(t, m, "/merchant/shipping", form), "/merchant/shipping?done=created")
	sps, err := h.Self.Cat.ShippingProfiles(t.Context(), h.Self.Cat.Platform(), h.Merchant.ID)
	if err != nil || len(sps) != 1 {
		t.Fatalf("profiles %+v, %v", sps, err)
	}
	sp := sps[0]
	want := []shipping.Zone{
		{Name: "Domestic", Countries: []string{"DE"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 490, FreeOver: 5000,
			Transit: shipping.Days{Min: 1, Max: 2}, Carriers: []string{"dhl-paket"}}}},
		{Name: "EU", Countries: []string{"AT", "FR", "NL"}, Regions: []string{"ES-CN"}, Rates: []shipping.Rate{{Name: "Economy",
			Bands:   []shipping.Band{{From: 0, To: 1000, Amount: 790}, {From: 1000, To: 5000, Amount: 1250}},
			Transit: shipping.Days{Min: 3, Max: 6}, Carriers: []string{"dpd", "gls"}}}},
	}
	if sp.Name != "Parcels" || !zonesEqual(sp.Zones, want) {
		t.Errorf("saved %+v", sp.Profile)
	}
	if mp, _ := h.Self.Cat.MerchantProfile(t.Context(), h.Self.Cat.Platform(), h.Merchant.ID); mp.DefaultShipping != sp.ID || mp.Policies.ReturnDays != 30 {
		t.Errorf("the merchant's profile after making it the default: %+v", mp)
	}
	list = m.Get("/merchant/shipping?done=created")
	for _, want := range []string{inEnglish(t, shippingNotices["created"]), `<span class="badge default-badge">Default</span>`, "Domestic: Germany, 1 rate",
		"EU: Austria, France, Netherlands, 1 region, 1 rate"} {
		if !strings.Contains(webtest.UnescapeHTML(list.Body), want) {
			t.Errorf("the list lacks %s", want)
		}
	}
	if strings.Contains(list.Body, "/delete") {
		t.Error("the list offers to delete the default")
	}
	// The editor shows what was saved, and adds a rate and a zone.
	edit := m.Get("/merchant/shipping/" + sp.ID)
	webtest.WantStatus(t, edit, http.StatusOK)
	body := webtest.UnescapeHTML(edit.Body)
	for _, want := range []string{`id="f-default" name="default" value="1" checked`, `name="zones[0].rates[0].amount" value="4.90"`,
		`<option value="weight" selected>By weight</option>`, ">0-1000 7.90\n1000-5000 12.50</textarea>", `name="zones[1].regions" value="ES-CN"`,
		`name="zones[0].rates[0].free_over" value="50.00"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the editor lacks %s", want)
		}
	}
	form = shippingForm()
	form.Set("add_rate", "1")
	r = postShipping(t, m, "/merchant/shipping/"+sp.ID, form)
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `name="zones[1].rates[1].name"`) || strings.Contains(r.Body, `name="zones[0].rates[1].name"`) {
		t.Error("Add a rate did not add one empty rate to zone 2")
	}
	form.Del("add_rate")
	form.Set("add_zone", "1")
	r = postShipping(t, m, "/merchant/shipping/"+sp.ID, form)
	if !strings.Contains(r.Body, `name="zones[2].name"`) || !strings.Contains(r.Body, `name="zones[2].rates[0].name"`) {
		t.Error("Add a zone did not add an empty zone with a rate")
	}
	// Removing the EU zone, a blank zone skipped, and the box unticked:
	// saved with one zone, and no longer the default.
	form.Del("add_zone")
	form.Set("zones[1].remove", "1")
	form.Del("default")
	form.Set("zones[2].name", "")
	form.Set("zones[2].rates[0].name", "")
	webtest.WantRedirect(t, postShipping(t, m, "/merchant/shipping/"+sp.ID, form), "/merchant/shipping?done=saved")
	if got, _ := h.Self.Cat.ShippingProfile(t.Context(), sp.ID); len(got.Zones) != 1 || got.Zones[0].Name != "Domestic" {
		t.Errorf("after removing a zone: %+v", got.Zones)
	}
	if mp, _ := h.Self.Cat.MerchantProfile(t.Context(), h.Self.Cat.Platform(), h.Merchant.ID); mp.DefaultShipping != "" {
		t.Errorf("the profile is still the default: %+v", mp)
	}
	// Deleted after a confirmation.
	confirm := m.Get("/merchant/shipping/" + sp.ID + "/delete")
	webtest.WantStatus(t, confirm, http.StatusOK)
	webtest.WantText(t, confirm, "Delete the shipping profile “Parcels”?")
	r = m.Post("/merchant/shipping/"+sp.ID+"/delete", url.Values{"csrf": {webtest.CSRF(t, confirm)}})
	webtest.WantRedirect(t, r, "/merchant/shipping?done=deleted")
	if _, err := h.Self.Cat.ShippingProfile(t.Context(), sp.ID); err == nil {
		t.Error("the deleted profile is still live")
	}
	webtest.WantStatus(t, m.Get("/merchant/shipping/"+sp.ID), http.StatusNotFound)
}

func TestShippingProfileOfAnotherMerchantIsNotFound(t *testing.T) {
	h := newHarness(t)
	other, _, err := h.Self.Cat.CreateMerchant(t.Context(), "Other Shop")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := h.Self.Cat.PutShippingProfile(t.Context(), other.ID, "", catalog.ShippingProfileInput{Name: "Theirs",
		Zones: []shipping.Zone{{Name: "All", Countries: []string{"DE"}, Rates: []shipping.Rate{{Name: "Std", Transit: shipping.Days{Min: 1, Max: 2}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	m := h.browser()
	m.SignInMerchant(h.Token)
	for _, path := range []string{"/merchant/shipping/" + sp.ID, "/merchant/shipping/" + sp.ID + "/delete"} {
		webtest.WantStatus(t, m.Get(path), http.StatusNotFound)
	}
	r := postShipping(t, m, "/merchant/shipping/"+sp.ID+"/delete", url.Values{})
	webtest.WantStatus(t, r, http.StatusNotFound)
}

// zonesEqual compares zones field by field.
func zonesEqual(a, b []shipping.Zone) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || strings.Join(a[i].Countries, " ") != strings.Join(b[i].Countries, " ") ||
			strings.Join(a[i].Regions, " ") != strings.Join(b[i].Regions, " ") || len(a[i].Rates) != len(b[i].Rates) {
			return false
		}
		for j, r := range a[i].Rates {
			s := b[i].Rates[j]
			if r.Name != s.Name || r.Flat != s.Flat || r.PerItem != s.PerItem || r.FreeOver != s.FreeOver || r.Transit != s.Transit ||
				strings.Join(r.Carriers, " ") != strings.Join(s.Carriers, " ") || len(r.Bands) != len(s.Bands) {
				return false
			}
			for k := range r.Bands {
				if r.Bands[k] != s.Bands[k] {
					return false
				}
			}
		}
	}
	return true
}

func TestListingNamesItsShippingProfileAndWeights(t *testing.T) {
	h := newHarness(t)
	sp, err := h.Self.Cat.PutShippingProfile(t.Context(), h.Merchant.ID, "", catalog.ShippingProfileInput{Name: "Heavy goods",
		Zones: []shipping.Zone{{Name: "DE", Countries: []string{"DE"}, Rates: []shipping.Rate{{Name: "Freight", Flat: 2900, Transit: shipping.Days{Min: 3, Max: 5}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	m := h.browser()
	m.SignInMerchant(h.Token)
	page := m.Get("/merchant/listings/new")
	for _, want := range []string{`<option value="" selected>Default: free to the shipping regions below</option>`,
		`<option value="` + sp.ID + `">Heavy goods</option>`, `<label for="f-variants-0-weight_grams">Weight (g)</label>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the listing form lacks %s", want)
		}
	}
	form := listingForm()
	form.Set("shipping_profile", sp.ID)
	form.Set("shipping_regions", "")
	form.Set("variants[0].weight_grams", "-3")
	form.Set("csrf", webtest.CSRF(t, page))
	r := m.Post("/merchant/listings", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "variants[0].weight_grams", "Weight must be a whole number of grams, such as 850.")
	if !strings.Contains(r.Body, `<option value="`+sp.ID+`" selected>Heavy goods</option>`) {
		t.Error("the refused form lost the shipping profile")
	}
	form.Set("variants[0].weight_grams", "2400")
	form.Set("variants[0].dimensions_mm", "600 x 400 x 300")
	r = m.Post("/merchant/listings", form)
	if r.Code != http.StatusSeeOther {
		t.Fatalf("saving: %d\n%s", r.Code, r.Body)
	}
	id := strings.TrimPrefix(strings.Split(r.Header.Get("Location"), "?")[0], "/merchant/listings/")
	l, err := h.Self.Cat.Listing(t.Context(), id)
	if err != nil || l.ShippingProfile != sp.ID || l.Variants[0].Grams != 2400 || l.Variants[0].Dimensions == nil || *l.Variants[0].Dimensions != (catalog.Dimensions{Length: 600, Width: 400, Height: 300}) {
		t.Fatalf("saved %+v, %v", l, err)
	}
	edit := m.Get("/merchant/listings/" + id)
	for _, want := range []string{`<option value="` + sp.ID + `" selected>Heavy goods</option>`, `name="variants[0].weight_grams" value="2400"`,
		`name="variants[0].dimensions_mm" value="600 x 400 x 300"`} {
		if !strings.Contains(edit.Body, want) {
			t.Errorf("the editor lacks %s", want)
		}
	}
}
