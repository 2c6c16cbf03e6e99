package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	// No session, no token.
	r := b.Post("/merchant/signin", url.Values{"token": {h.Token}})
	webtest.WantStatus(t, r, http.StatusForbidden)
	if !strings.Contains(r.Body, "Form refused") {
		t.Errorf("the 403 page does not say why:\n%s", r.Body)
	}
	// A session, but a wrong or missing token.
	b.Get("/merchant/signin")
	for _, token := range []string{"", "forged", webtest.CSRF(t, h.browser().Get("/merchant/signin"))} {
		r = b.Post("/merchant/signin", url.Values{"token": {h.Token}, "csrf": {token}})
		webtest.WantStatus(t, r, http.StatusForbidden)
	}
	if _, ok := b.Cookies[h.site.Sessions().Name()]; !ok {
		t.Fatal("the sign-in page set no session cookie")
	}
	// Every POST route is checked, even those behind sign-in.
	b.SignInMerchant(h.Token)
	l := h.List(webtest.Input("Lamp", "Acme", "Home", 1000, 1))
	for _, path := range []string{"/merchant/listings", "/merchant/listings/" + l.ID + "/takedown", "/merchant/bulk", "/merchant/bulk/apply", "/merchant/signout", "/operator/signin", "/search"} {
		webtest.WantStatus(t, b.Post(path, url.Values{"title": {"x"}}), http.StatusForbidden)
	}
	if _, err := h.Self.Cat.Listing(t.Context(), l.ID); err != nil {
		t.Errorf("a refused POST changed the listing: %v", err)
	}
	// The header carries the token for scripts.
	req := httptest.NewRequest(http.MethodPost, "/merchant/signout", nil)
	req.Header.Set("X-CSRF-Token", webtest.CSRF(t, b.Get("/merchant")))
	if r := b.Do(req); r.Code != http.StatusSeeOther {
		t.Errorf("POST with the X-CSRF-Token header: %d", r.Code)
	}
}

func TestMerchantSignInAndOut(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	r := b.Submit("/merchant/signin", "/merchant/signin", url.Values{"token": {"fmm_wrong"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, `id="f-token-error">This is not the token of a merchant of this platform.</p>`) {
		t.Errorf("no error next to the token input:\n%s", r.Body)
	}
	webtest.WantStatus(t, b.Submit("/merchant/signin", "/merchant/signin", url.Values{}), http.StatusUnprocessableEntity)
	before := b.Cookies[h.site.Sessions().Name()].Value
	b.SignInMerchant(h.Token)
	if b.Cookies[h.site.Sessions().Name()].Value == before {
		t.Error("sign-in kept the session")
	}
	page := b.Get("/merchant")
	webtest.WantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, `<p class="account">Signed in as <strong>Alpha Goods &amp; Co</strong></p>`) || strings.Contains(page.Body, h.Token) {
		t.Error("the console's header does not name the merchant, or the page shows its token")
	}
	// The header is the console's: no storefront search box.
	if strings.Contains(page.Body, `class="site-search"`) || strings.Contains(page.Body, `href="/search"`) {
		t.Error("the console's header has the storefront's search")
	}
	if strings.Contains(b.Cookies[h.site.Sessions().Name()].Value, strings.TrimPrefix(h.Token, "fmm_")) {
		t.Error("the session cookie carries the merchant token in the clear")
	}
	r = b.Post("/merchant/signout", url.Values{"csrf": {webtest.CSRF(t, page)}})
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/merchant/signin?done=signed-out" {
		t.Fatalf("sign-out: %d %s", r.Code, r.Header.Get("Location"))
	}
	if r := b.Get("/merchant"); r.Code != http.StatusSeeOther {
		t.Errorf("after sign-out /merchant is %d", r.Code)
	}
}

func TestRotatedTokenEndsMerchantSession(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	if _, err := h.Self.Cat.RotateMerchantToken(t.Context(), h.Merchant.ID); err != nil {
		t.Fatal(err)
	}
	if r := b.Get("/merchant"); r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/merchant/signin" {
		t.Errorf("after rotation /merchant is %d %s", r.Code, r.Header.Get("Location"))
	}
}

// listingForm is a valid listing form with one variant.
func listingForm() url.Values {
	return url.Values{
		"title": {"Enamel kettle"}, "description": {"Two litres.\r\nInduction ready."}, "category": {"Home>Kitchen"},
		"brand": {"Acme"}, "gtin": {""}, "images": {"https://img.example/k1.jpg\r\n\r\nhttps://img.example/k2.jpg"},
		"shipping_regions": {"de, fr nl"}, "attributes": {"Material=Enamel\r\nVolume=2 l"},
		"variants[0].sku": {"KET-1"}, "variants[0].price": {"39.90"}, "variants[0].stock": {"12"},
		"variants[0].options": {"color=red"},
		"variants[1].sku":     {""}, "variants[1].price": {""}, "variants[1].stock": {""}, "variants[1].options": {""},
	}
}

func TestCreateListingShowsErrorsNextToFields(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	cases := []struct {
		name   string
		change func(url.Values)
		input  string
		want   string
	}{
		{"unreadable price", func(f url.Values) { f.Set("variants[0].price", "12,50€") }, "variants[0].price", "Price must be an amount such as 19.99."},
		{"zero price", func(f url.Values) { f.Set("variants[0].price", "0") }, "variants[0].price", "Price must be more than zero."},
		{"too many decimals", func(f url.Values) { f.Set("variants[0].price", "1.999") }, "variants[0].price", "Price has more decimals than the currency allows."},
		{"negative stock", func(f url.Values) { f.Set("variants[0].stock", "-1") }, "variants[0].stock", "Stock must be a whole number of units, 0 or more."},
		{"no title", func(f url.Values) { f.Set("title", " ") }, "title", "Title is required."},
		{"bad image", func(f url.Values) { f.Set("images", "ftp://x/y.jpg") }, "images", "Pictures (line 1) must be an absolute http or https URL, or an uploaded picture&#39;s reference (sha256:&lt;hash&gt;)."},
		{"bad region", func(f url.Values) { f.Set("shipping_regions", "DE Germany") }, "shipping_regions", `Shipping regions (region 2) must be a two-letter upper-case ISO 3166-1 alpha-2 code, not &#34;GERMANY&#34;.`},
		{"bad attribute", func(f url.Values) { f.Set("attributes", "Material=Enamel\r\nheavy") }, "attributes", "Attributes: line 2 needs a name and a value, as in Material=Steel."},
		{"second row bad sku", func(f url.Values) {
			f.Set("variants[1].sku", "bad sku!")
			f.Set("variants[1].price", "5")
		}, "variants[1].sku", "SKU must be 1 to 64 characters from A-Z, a-z, 0-9, &#39;.&#39;, &#39;_&#39; and &#39;-&#39;."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			form := listingForm()
			c.change(form)
			r := b.Submit("/merchant/listings/new", "/merchant/listings", form)
			webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
			if got := webtest.FieldError(r.Body, c.input); got != c.want {
				t.Errorf("error next to %s = %q, want %q", c.input, got, c.want)
			}
			id := web.InputID(c.input)
			if !regexp.MustCompile(`id="` + id + `"[^>]*aria-describedby="[^"]*` + id + `-error"[^>]*aria-invalid="true"`).MatchString(r.Body) {
				t.Errorf("input %s is not marked invalid and described by its error", id)
			}
			if !strings.Contains(r.Body, `<a href="#`+id+`">`) {
				t.Error("the error summary does not link to the input")
			}
			if !strings.Contains(r.Body, `value="Acme"`) {
				t.Error("the form lost what was typed")
			}
		})
	}
	list, _, _ := h.Self.Cat.MerchantListings(t.Context(), h.Merchant.ID, "", 10)
	if len(list) != 0 {
		t.Errorf("refused forms created %d listings", len(list))
	}
}

func TestCreateAndEditListing(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	r := b.Submit("/merchant/listings/new", "/merchant/listings", listingForm())
	loc := r.Header.Get("Location")
	if r.Code != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=created") {
		t.Fatalf("create: %d %s\n%s", r.Code, loc, r.Body)
	}
	list, _, err := h.Self.Cat.MerchantListings(t.Context(), h.Merchant.ID, "", 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("listings after create: %v %v", list, err)
	}
	l := list[0]
	if l.Category != "Home > Kitchen" || l.Description != "Two litres.\nInduction ready." || len(l.Images) != 2 ||
		strings.Join(l.ShippingRegions, ",") != "DE,FR,NL" || l.Attributes["Volume"] != "2 l" ||
		len(l.Variants) != 1 || l.Variants[0].Price != (catalog.Money{Amount: 3990, Currency: "EUR"}) ||
		l.Variants[0].Stock != 12 || l.Variants[0].Options["color"] != "red" {
		t.Fatalf("created %+v", l)
	}
	edit := b.Get(loc)
	webtest.WantStatus(t, edit, http.StatusOK)
	if !strings.Contains(edit.Body, "Listing created.") || !strings.Contains(edit.Body, `value="39.90"`) {
		t.Error("the edit page lacks the notice or the price")
	}
	// Saving the form unchanged keeps the listing as it is.
	form := formValues(edit.Body)
	r = b.Post("/merchant/listings/"+l.ID, form)
	if r.Code != http.StatusSeeOther {
		t.Fatalf("save unchanged: %d\n%s", r.Code, r.Body)
	}
	same, _ := h.Self.Cat.Listing(t.Context(), l.ID)
	if same.Version != l.Version {
		t.Errorf("saving the form unchanged signed version %d", same.Version)
	}
	// "Add another variant" saves nothing and adds a row.
	form.Set("variants[1].sku", "KET-2")
	form.Set("variants[1].price", "45")
	form.Set("add_variant", "1")
	r = b.Post("/merchant/listings/"+l.ID, form)
	if r.Code != http.StatusOK || !strings.Contains(r.Body, `name="variants[2].sku"`) {
		t.Fatalf("add variant: %d", r.Code)
	}
	form.Del("add_variant")
	if r = b.Post("/merchant/listings/"+l.ID, form); r.Code != http.StatusSeeOther {
		t.Fatalf("save two variants: %d\n%s", r.Code, r.Body)
	}
	if got, _ := h.Self.Cat.Listing(t.Context(), l.ID); len(got.Variants) != 2 || got.Variants[1].Price.Amount != 4500 {
		t.Errorf("after edit: %+v", got.Variants)
	}
}

// formValues reads the inputs and textareas of a page's listing form.
// csrfInput finds the CSRF token of a page's forms.
var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formValues are the values of a page's inputs and text areas, with its
// CSRF token.
func formValues(body string) url.Values {
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input id="[^"]*" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		v.Set(m[1], webtest.UnescapeHTML(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(body, -1) {
		v.Set(m[1], webtest.UnescapeHTML(m[2]))
	}
	v.Set("csrf", csrfInput.FindStringSubmatch(body)[1])
	return v
}

func TestStockAndTakeDown(t *testing.T) {
	h := newHarness(t)
	l := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 1))
	sku := l.Variants[0].SKU
	b := h.browser()
	b.SignInMerchant(h.Token)
	table := b.Get("/merchant")
	if !strings.Contains(table.Body, "Desk lamp") {
		t.Fatal("the table lacks the listing")
	}
	stockURL := "/merchant/listings/" + l.ID + "/stock"
	r := b.Post(stockURL, url.Values{"csrf": {webtest.CSRF(t, table)}, "variant": {sku}, "units": {"-4"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if webtest.FieldError(r.Body, "units") == "" {
		t.Error("a bad stock shows no error next to the input")
	}
	r = b.Post(stockURL, url.Values{"csrf": {webtest.CSRF(t, table)}, "variant": {sku}, "units": {"40"}})
	if r.Code != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=stock") {
		t.Fatalf("set stock: %d %s", r.Code, r.Header.Get("Location"))
	}
	if got, _ := h.Self.Cat.Listing(t.Context(), l.ID); got.Variants[0].Stock != 40 {
		t.Errorf("stock %d, want 40", got.Variants[0].Stock)
	}
	webtest.WantStatus(t, b.Post(stockURL, url.Values{"csrf": {webtest.CSRF(t, table)}, "variant": {"NOPE"}, "units": {"1"}}), http.StatusNotFound)
	confirm := b.Get("/merchant/listings/" + l.ID + "/takedown")
	webtest.WantStatus(t, confirm, http.StatusOK)
	r = b.Post("/merchant/listings/"+l.ID+"/takedown", url.Values{"csrf": {webtest.CSRF(t, confirm)}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("take down: %d", r.Code)
	}
	webtest.WantStatus(t, h.browser().Get(web.ListingURL(l.ID)), http.StatusNotFound)
	webtest.WantStatus(t, b.Get("/merchant/listings/"+l.ID), http.StatusNotFound)
}

func TestMerchantReachesOnlyOwnListings(t *testing.T) {
	h := newHarness(t)
	other, _, err := h.Self.Cat.CreateMerchant(t.Context(), "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := h.Self.Cat.CreateListing(t.Context(), other.ID, webtest.Input("Their chair", "Acme", "Home", 9000, 1))
	if err != nil {
		t.Fatal(err)
	}
	remote := h.ListOther(webtest.Input("Remote chair", "Acme", "Home", 9000, 1))
	b := h.browser()
	b.SignInMerchant(h.Token)
	page := b.Get("/merchant")
	for _, id := range []string{theirs.ID, remote.ID, "garbage"} {
		webtest.WantStatus(t, b.Get("/merchant/listings/"+id), http.StatusNotFound)
		webtest.WantStatus(t, b.Get("/merchant/listings/"+id+"/takedown"), http.StatusNotFound)
		webtest.WantStatus(t, b.Post("/merchant/listings/"+id+"/takedown", url.Values{"csrf": {webtest.CSRF(t, page)}}), http.StatusNotFound)
		webtest.WantStatus(t, b.Post("/merchant/listings/"+id, url.Values{"csrf": {webtest.CSRF(t, page)}, "title": {"mine now"}}), http.StatusNotFound)
	}
	if _, err := h.Self.Cat.Listing(t.Context(), theirs.ID); err != nil {
		t.Errorf("another merchant's listing was taken down: %v", err)
	}
}

func TestOversizeFormIsRefused(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	page := b.Get("/merchant/signin")
	form := url.Values{"csrf": {webtest.CSRF(t, page)}, "token": {strings.Repeat("x", 2<<20)}}
	webtest.WantStatus(t, b.Post("/merchant/signin", form), http.StatusRequestEntityTooLarge)
}
