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
)

// buy has a new shopper buy quantity of each listing's first SKU and
// returns the shopper's browser and the order's page path.
func (h *harness) buy(quantity int, ls ...catalog.Listing) (*browser, string) {
	h.t.Helper()
	b := h.shopper()
	for _, l := range ls {
		if r := b.addToCart(l.ID, l.Variants[0].SKU, quantity); r.Code != http.StatusSeeOther {
			h.t.Fatalf("add to cart: %d\n%s", r.Code, r.Body)
		}
	}
	return b, orderLocation(h.t, b.checkout(nil))
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
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	shopper, at := h.buy(2, lamp)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	m := h.browser()
	m.signInMerchant(h.token)
	list := m.get("/merchant/orders")
	wantStatus(t, list, http.StatusOK)
	row := partRowOf(list.Body, part)
	for _, want := range []string{`data-status="accepted"`, "2 × ", "Desk lamp", "40.00 EUR", "Alpha Market", "N1 9GU London",
		`<label for="f-ship-` + part + `-carrier">Carrier</label>`, `id="f-ship-` + part + `-tracking"`,
		`class="ship small"`, `<a href="/merchant/orders/` + part + `/refund" class="button refund danger small">Refund 40.00 EUR…`} {
		if !strings.Contains(row, want) {
			t.Errorf("the part's row lacks %s:\n%s", want, row)
		}
	}
	if strings.Contains(row, `class="deliver`) {
		t.Error("an accepted part offers delivery")
	}
	// Shipping needs a tracking number, said next to this part's input.
	r := m.post("/merchant/orders/"+part+"/ship", url.Values{"csrf": {csrf(t, list)}, "carrier": {"DHL"}, "tracking": {" "}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	hasFieldError(t, r.Body, partInput(part, "tracking"), "Enter the tracking number the carrier gave you.")
	if !strings.Contains(partRowOf(r.Body, part), `value="DHL"`) {
		t.Error("the ship form lost the carrier")
	}
	r = m.post("/merchant/orders/"+part+"/ship", url.Values{"csrf": {csrf(t, list)}, "carrier": {"DHL"}, "tracking": {"JD0002"}})
	wantRedirect(t, r, "/merchant/orders?done=shipped")
	list = m.get("/merchant/orders?done=shipped")
	row = partRowOf(list.Body, part)
	if !strings.Contains(list.Body, template.HTMLEscapeString(partNotices["shipped"])) || !strings.Contains(row, `data-status="shipped"`) ||
		!strings.Contains(row, `<code class="tracking-number">JD0002</code>`) || !strings.Contains(row, `class="deliver small"`) {
		t.Errorf("after shipping:\n%s", row)
	}
	// The shopper sees the status and the tracking number.
	o := partOf(shopper.get(at).Body, part)
	for _, want := range []string{`data-status="shipped"`, `<span class="part-status status-shipped">Shipped</span>`,
		`<strong class="carrier">DHL</strong>`, `<code class="tracking-number">JD0002</code>`} {
		if !strings.Contains(o, want) {
			t.Errorf("the shopper's part lacks %s:\n%s", want, o)
		}
	}
	// Shipping twice is refused with why, next to the part.
	r = m.post("/merchant/orders/"+part+"/ship", url.Values{"csrf": {csrf(t, list)}, "carrier": {"DHL"}, "tracking": {"JD0003"}})
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(partRowOf(r.Body, part), "Part "+part+" can no longer be shipped: it is shipped now.") {
		t.Errorf("no reason next to the part:\n%s", r.Body)
	}
	wantRedirect(t, m.post("/merchant/orders/"+part+"/deliver", url.Values{"csrf": {csrf(t, list)}, "status": {"shipped"}}),
		"/merchant/orders?done=delivered&status=shipped")
	// A delivered part can be refunded, once the merchant confirms.
	confirm := m.get("/merchant/orders/" + part + "/refund")
	wantStatus(t, confirm, http.StatusOK)
	for _, want := range []string{"Refund part <code>" + part + "</code> (Delivered) in full: <strong>40.00 EUR</strong> to Ada Lovelace?",
		`<form method="post" action="/merchant/orders/` + part + `/refund">`, `<button type="submit" class="danger">Refund 40.00 EUR</button>`} {
		if !strings.Contains(confirm.Body, want) {
			t.Errorf("the refund confirmation lacks %s", want)
		}
	}
	if strings.Contains(confirm.Body, "go back to your stock") {
		t.Error("a delivered part's units are said to go back to stock")
	}
	wantRedirect(t, m.post("/merchant/orders/"+part+"/refund", url.Values{"csrf": {csrf(t, confirm)}}), "/merchant/orders?done=refunded")
	o = partOf(shopper.get(at).Body, part)
	if !strings.Contains(o, `data-status="refunded"`) || !strings.Contains(o, "Refunded: 40.00 EUR") {
		t.Errorf("the shopper's part after the refund:\n%s", o)
	}
	wantStatus(t, m.post("/merchant/orders/"+part+"/refund", url.Values{"csrf": {csrf(t, list)}}), http.StatusConflict)
	// The filter narrows the list.
	if r := m.get("/merchant/orders?status=accepted"); strings.Contains(r.Body, `data-part="`+part+`"`) {
		t.Error("the accepted filter shows a refunded part")
	}
	if r := m.get("/merchant/orders?status=refunded"); !strings.Contains(r.Body, `data-part="`+part+`"`) {
		t.Error("the refunded filter hides a refunded part")
	}
	wantStatus(t, m.get("/merchant/orders?status=bogus"), http.StatusBadRequest)
}

func TestMerchantReachesOnlyOwnParts(t *testing.T) {
	h := newHarness(t)
	other, _, err := h.self.cat.CreateMerchant(t.Context(), "Other shop")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := h.self.cat.CreateListing(t.Context(), other.ID, input("Their chair", "Acme", "Home", 9000, 3))
	if err != nil {
		t.Fatal(err)
	}
	_, at := h.buy(1, theirs)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	m := h.browser()
	m.signInMerchant(h.token)
	list := m.get("/merchant/orders")
	if strings.Contains(list.Body, part) || !strings.Contains(list.Body, "No orders yet.") {
		t.Error("another merchant's part is listed")
	}
	for _, action := range []string{"ship", "deliver", "refund"} {
		r := m.post("/merchant/orders/"+part+"/"+action, url.Values{"csrf": {csrf(t, list)}, "carrier": {"DHL"}, "tracking": {"X1"}})
		wantStatus(t, r, http.StatusNotFound)
	}
	wantStatus(t, m.get("/merchant/orders/"+part+"/refund"), http.StatusNotFound)
	wantRedirect(t, h.browser().get("/merchant/orders"), "/merchant/signin")
}

func TestMerchantOrdersPageThrough(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 100))
	b := h.shopper()
	for range merchantPartsPageSize + 1 {
		b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1)
		orderLocation(t, b.checkout(nil))
	}
	m := h.browser()
	m.signInMerchant(h.token)
	first := m.get("/merchant/orders?status=accepted")
	if n := strings.Count(first.Body, `<tr class="part"`); n != merchantPartsPageSize {
		t.Fatalf("%d parts on the first page", n)
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(first.Body)
	if next == nil || !strings.Contains(next[1], "status=accepted") {
		t.Fatalf("no next page link keeping the filter:\n%s", first.Body)
	}
	second := m.get(unescapeHTML(next[1]))
	if n := strings.Count(second.Body, `<tr class="part"`); n != 1 {
		t.Errorf("%d parts on the second page, want 1", n)
	}
	// An action on the second page comes back to it.
	part := regexp.MustCompile(`<tr class="part" data-part="([^"]+)"`).FindStringSubmatch(second.Body)[1]
	cursor := regexp.MustCompile(`name="cursor" value="([^"]+)"`).FindStringSubmatch(second.Body)[1]
	r := m.post("/merchant/orders/"+part+"/refund", url.Values{"csrf": {csrf(t, second)}, "status": {"accepted"}, "cursor": {cursor}})
	wantRedirect(t, r, fmt.Sprintf("/merchant/orders?%s", url.Values{"done": {"refunded"}, "status": {"accepted"}, "cursor": {cursor}}.Encode()))
}
