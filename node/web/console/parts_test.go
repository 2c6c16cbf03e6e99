package console

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// buy has a new shopper buy quantity of each listing's first SKU and
// returns the shopper's browser and the order's page path.
func (h *harness) buy(quantity int, ls ...catalog.Listing) (*webtest.Browser, string) {
	h.T.Helper()
	b := h.shopper()
	for _, l := range ls {
		if r := webtest.AddToCart(b, l.ID, l.Variants[0].SKU, quantity); r.Code != http.StatusSeeOther {
			h.T.Fatalf("add to cart: %d\n%s", r.Code, r.Body)
		}
	}
	return b, webtest.OrderLocation(h.T, webtest.Checkout(b, nil))
}

// partRowOf returns the merchant orders table's row of part id.
func partRowOf(body, id string) string {
	return regexp.MustCompile(`(?s)<tr class="part" data-part="` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
}

// partOf returns the order page's element of part id.
func partOf(body, id string) string {
	return regexp.MustCompile(`(?s)<li class="part" data-part="` + regexp.QuoteMeta(id) + `".*?</li>\s*(<li class="part"|</ol>)`).FindString(body)
}

func TestMerchantShipsDeliversAndRefunds(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	shopper, at := h.buy(2, lamp)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	m := h.browser()
	m.SignInMerchant(h.Token)
	list := m.Get("/merchant/orders")
	webtest.WantStatus(t, list, http.StatusOK)
	row := partRowOf(list.Body, part)
	for _, want := range []string{`data-status="accepted"`, "2 × ", "Desk lamp", "€40.00", "Alpha Market", "N1 9GU London",
		`<label for="f-ship-` + part + `-carrier">Carrier</label>`, `id="f-ship-` + part + `-tracking"`,
		`class="ship small"`, `<a href="/merchant/orders/` + part + `/refund" class="button refund danger small">Refund €40.00…`} {
		if !strings.Contains(row, want) {
			t.Errorf("the part's row lacks %s:\n%s", want, row)
		}
	}
	if strings.Contains(row, `class="deliver`) {
		t.Error("an accepted part offers delivery")
	}
	// Shipping needs a tracking number, said next to this part's input.
	r := m.Post("/merchant/orders/"+part+"/ship", url.Values{"csrf": {webtest.CSRF(t, list)}, "carrier": {"dhl"}, "tracking": {" "}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, partInput(part, "tracking"), "Enter the tracking number the carrier gave you.")
	if !strings.Contains(partRowOf(r.Body, part), `<option value="dhl" selected>DHL</option>`) {
		t.Error("the ship form lost the carrier")
	}
	r = m.Post("/merchant/orders/"+part+"/ship", url.Values{"csrf": {webtest.CSRF(t, list)}, "carrier": {"dhl"}, "tracking": {"JD0002"}})
	webtest.WantRedirect(t, r, "/merchant/orders?done=shipped")
	list = m.Get("/merchant/orders?done=shipped")
	row = partRowOf(list.Body, part)
	if !strings.Contains(list.Body, template.HTMLEscapeString(inEnglish(t, partNotices["shipped"]))) || !strings.Contains(row, `data-status="shipped"`) ||
		!strings.Contains(row, `<code class="tracking-number">JD0002</code>`) || !strings.Contains(row, `class="deliver small"`) {
		t.Errorf("after shipping:\n%s", row)
	}
	// The shopper sees the status and the tracking number.
	o := partOf(shopper.Get(at).Body, part)
	for _, want := range []string{`data-status="shipped"`, `<span class="part-status status-shipped">Shipped</span>`,
		`<strong class="carrier">DHL</strong>`, `<code class="tracking-number">JD0002</code>`} {
		if !strings.Contains(o, want) {
			t.Errorf("the shopper's part lacks %s:\n%s", want, o)
		}
	}
	// Shipping twice is refused with why, next to the part.
	r = m.Post("/merchant/orders/"+part+"/ship", url.Values{"csrf": {webtest.CSRF(t, list)}, "carrier": {"dhl"}, "tracking": {"JD0003"}})
	webtest.WantStatus(t, r, http.StatusConflict)
	if !strings.Contains(partRowOf(r.Body, part), "Part "+part+" can no longer be shipped: it is shipped now.") {
		t.Errorf("no reason next to the part:\n%s", r.Body)
	}
	webtest.WantRedirect(t, m.Post("/merchant/orders/"+part+"/deliver", url.Values{"csrf": {webtest.CSRF(t, list)}, "status": {"shipped"}}),
		"/merchant/orders?done=delivered&status=shipped")
	// A delivered part can be refunded, once the merchant confirms.
	confirm := m.Get("/merchant/orders/" + part + "/refund")
	webtest.WantStatus(t, confirm, http.StatusOK)
	for _, want := range []string{"Refund part <code>" + part + "</code> (Delivered) in full: <strong>€40.00</strong> to Ada Lovelace?",
		`<form method="post" action="/merchant/orders/` + part + `/refund">`, `<button type="submit" class="danger">Refund €40.00</button>`} {
		if !strings.Contains(confirm.Body, want) {
			t.Errorf("the refund confirmation lacks %s", want)
		}
	}
	if strings.Contains(confirm.Body, "go back to your stock") {
		t.Error("a delivered part's units are said to go back to stock")
	}
	webtest.WantRedirect(t, m.Post("/merchant/orders/"+part+"/refund", url.Values{"csrf": {webtest.CSRF(t, confirm)}}), "/merchant/orders?done=refunded")
	o = partOf(shopper.Get(at).Body, part)
	if !strings.Contains(o, `data-status="refunded"`) || !strings.Contains(o, "A refund of €40.00 to the card ending in 4242") {
		t.Errorf("the shopper's part after the refund:\n%s", o)
	}
	webtest.WantStatus(t, m.Post("/merchant/orders/"+part+"/refund", url.Values{"csrf": {webtest.CSRF(t, list)}}), http.StatusConflict)
	// The filter narrows the list.
	if r := m.Get("/merchant/orders?status=accepted"); strings.Contains(r.Body, `data-part="`+part+`"`) {
		t.Error("the accepted filter shows a refunded part")
	}
	if r := m.Get("/merchant/orders?status=refunded"); !strings.Contains(r.Body, `data-part="`+part+`"`) {
		t.Error("the refunded filter hides a refunded part")
	}
	webtest.WantStatus(t, m.Get("/merchant/orders?status=bogus"), http.StatusBadRequest)
}

func TestMerchantReachesOnlyOwnParts(t *testing.T) {
	h := newHarness(t)
	other, _, err := h.Self.Cat.CreateMerchant(t.Context(), "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := h.Self.Cat.CreateListing(t.Context(), other.ID, webtest.Input("Their chair", "Acme", "Home", 9000, 3))
	if err != nil {
		t.Fatal(err)
	}
	_, at := h.buy(1, theirs)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	m := h.browser()
	m.SignInMerchant(h.Token)
	list := m.Get("/merchant/orders")
	if strings.Contains(list.Body, part) || !strings.Contains(list.Body, "No orders yet.") {
		t.Error("another merchant's part is listed")
	}
	for _, action := range []string{"ship", "deliver", "refund"} {
		r := m.Post("/merchant/orders/"+part+"/"+action, url.Values{"csrf": {webtest.CSRF(t, list)}, "carrier": {"dhl"}, "tracking": {"X1"}})
		webtest.WantStatus(t, r, http.StatusNotFound)
	}
	webtest.WantStatus(t, m.Get("/merchant/orders/"+part+"/refund"), http.StatusNotFound)
	webtest.WantRedirect(t, h.browser().Get("/merchant/orders"), "/merchant/signin")
}

func TestMerchantOrdersPageThrough(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 100))
	b := h.shopper()
	for range merchantPartsPageSize + 1 {
		webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1)
		webtest.OrderLocation(t, webtest.Checkout(b, nil))
	}
	m := h.browser()
	m.SignInMerchant(h.Token)
	first := m.Get("/merchant/orders?status=accepted")
	if n := strings.Count(first.Body, `<tr class="part"`); n != merchantPartsPageSize {
		t.Fatalf("%d parts on the first page", n)
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(first.Body)
	if next == nil || !strings.Contains(next[1], "status=accepted") {
		t.Fatalf("no next page link keeping the filter:\n%s", first.Body)
	}
	second := m.Get(webtest.UnescapeHTML(next[1]))
	if n := strings.Count(second.Body, `<tr class="part"`); n != 1 {
		t.Errorf("%d parts on the second page, want 1", n)
	}
	// An action on the second page comes back to it.
	part := regexp.MustCompile(`<tr class="part" data-part="([^"]+)"`).FindStringSubmatch(second.Body)[1]
	cursor := regexp.MustCompile(`name="cursor" value="([^"]+)"`).FindStringSubmatch(second.Body)[1]
	r := m.Post("/merchant/orders/"+part+"/refund", url.Values{"csrf": {webtest.CSRF(t, second)}, "status": {"accepted"}, "cursor": {cursor}})
	webtest.WantRedirect(t, r, fmt.Sprintf("/merchant/orders?%s", url.Values{"done": {"refunded"}, "status": {"accepted"}, "cursor": {cursor}}.Encode()))
}

func TestHostileTitleIsEscapedOnMerchantOrders(t *testing.T) {
	h := newHarness(t)
	l := h.List(webtest.Input(`<script>alert(1)</script>`, "Acme", "Home", 2000, 5))
	h.buy(1, l)
	m := h.browser()
	m.SignInMerchant(h.Token)
	body := m.Get("/merchant/orders").Body
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the merchant orders page does not show the title escaped:\n%s", body)
	}
}

func TestShipPicksACarrierOrAnotherWithAnHTTPSPage(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	_, at1 := h.buy(1, lamp)
	_, at2 := h.buy(1, lamp)
	table, other := strings.TrimPrefix(at1, "/orders/")+"-1", strings.TrimPrefix(at2, "/orders/")+"-1"
	m := h.browser()
	m.SignInMerchant(h.Token)
	list := m.Get("/merchant/orders")
	row := partRowOf(list.Body, table)
	for _, want := range []string{`<select id="f-ship-` + table + `-carrier" name="carrier" class="carrier-pick">`,
		`<option value="dhl-paket">DHL Paket (Germany)</option>`, `<option value="other">Other carrier</option>`,
		`name="carrier_name"`, `name="tracking_url" type="url"`} {
		if !strings.Contains(row, want) {
			t.Errorf("the ship form lacks %s:\n%s", want, row)
		}
	}
	csrf := webtest.CSRF(t, list)
	// A carrier of the table: its page is the part's tracking link.
	r := m.Post("/merchant/orders/"+table+"/ship", url.Values{"csrf": {csrf}, "carrier": {"dpd"}, "tracking": {"0134 5678"},
		"carrier_name": {"ignored"}, "tracking_url": {"http://ignored.example"}})
	webtest.WantRedirect(t, r, "/merchant/orders?done=shipped")
	hp, err := h.Self.Orders.HomePartOf(t.Context(), h.Merchant.ID, table)
	if err != nil || hp.Carrier != "DPD" || hp.TrackingURL != "https://tracking.dpd.de/status/en_US/parcel/0134%205678" {
		t.Errorf("shipped with DPD: %+v, %v", hp, err)
	}
	row = partRowOf(m.Get("/merchant/orders").Body, table)
	if !strings.Contains(row, `<a href="https://tracking.dpd.de/status/en_US/parcel/0134%205678" class="tracking-link"`) {
		t.Errorf("the shipped part shows no tracking link:\n%s", row)
	}
	// Nothing picked, a name typed without "Other": refused.
	r = m.Post("/merchant/orders/"+other+"/ship", url.Values{"csrf": {csrf}, "carrier": {""}, "tracking": {"X1"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, partInput(other, "carrier"), "Choose the carrier, or Other carrier and its name.")
	r = m.Post("/merchant/orders/"+other+"/ship", url.Values{"csrf": {csrf}, "carrier": {"Speedy"}, "tracking": {"X1"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, partInput(other, "carrier"), "Choose a carrier from the list, or Other carrier and its name.")
	// Another carrier needs its name, and a tracking page in https.
	r = m.Post("/merchant/orders/"+other+"/ship", url.Values{"csrf": {csrf}, "carrier": {"other"}, "carrier_name": {""},
		"tracking": {"SP-77"}, "tracking_url": {"http://speedy.example/t/SP-77"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, partInput(other, "carrier_name"), "Enter the name of the carrier.")
	webtest.HasFieldError(t, r.Body, partInput(other, "tracking_url"),
		"The tracking page must be an https:// address, such as https://carrier.example/track/JD0002.")
	// The order service's own check of the page is said there too.
	r = m.Post("/merchant/orders/"+other+"/ship", url.Values{"csrf": {csrf}, "carrier": {"other"}, "carrier_name": {"Speedy"},
		"tracking": {"SP-77"}, "tracking_url": {"https://"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if got := webtest.UnescapeHTML(webtest.FieldError(r.Body, partInput(other, "tracking_url"))); got != `The tracking page must be an https URL, not "https://".` {
		t.Errorf("next to the tracking page: %q", got)
	}
	if hp, _ := h.Self.Orders.HomePartOf(t.Context(), h.Merchant.ID, other); hp.Status != "accepted" {
		t.Fatalf("a refused shipment changed the part: %+v", hp)
	}
	r = m.Post("/merchant/orders/"+other+"/ship", url.Values{"csrf": {csrf}, "carrier": {"other"}, "carrier_name": {"Speedy"},
		"tracking": {"SP-77"}, "tracking_url": {"https://speedy.example/t/SP-77"}})
	webtest.WantRedirect(t, r, "/merchant/orders?done=shipped")
	if hp, _ := h.Self.Orders.HomePartOf(t.Context(), h.Merchant.ID, other); hp.Carrier != "Speedy" || hp.TrackingURL != "https://speedy.example/t/SP-77" {
		t.Errorf("shipped with another carrier: %+v", hp)
	}
}
