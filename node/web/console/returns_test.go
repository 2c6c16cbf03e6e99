package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// returnAsked has a shopper buy 3 lamps at €15.00 of the merchant,
// whose policy takes returns within 14 days at the shopper's cost with a
// 10 % restocking fee; the merchant ships and delivers them, and the
// shopper asks, on the storefront, to return 2 that arrived damaged. It
// returns the shopper, the order's page, the part and the return's page.
func (h *harness) returnAsked() (*webtest.Browser, string, string, string) {
	h.T.Helper()
	_, err := h.Self.Cat.SetMerchantProfile(h.T.Context(), h.Merchant.ID, catalog.MerchantProfileInput{Name: "Alpha Goods & Co", Country: "DE",
		Email: "help@alpha.example", Policies: catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper, RestockingFeeBPS: 1000}})
	if err != nil {
		h.T.Fatal(err)
	}
	b, at := h.buy(3, h.List(webtest.Input("Desk lamp", "Acme", "Home", 1500, 10)))
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	if _, err := h.Self.Orders.ShipWith(h.T.Context(), h.Merchant.ID, part, order.Shipment{Carrier: "dhl-paket", Tracking: "JD0001"}); err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Self.Orders.Deliver(h.T.Context(), h.Merchant.ID, part); err != nil {
		h.T.Fatal(err)
	}
	h.Clock.Advance(2 * time.Hour)
	link := at + "/parts/" + part + "/return"
	r := b.Submit(link, link, url.Values{"lines[0].quantity": {"2"}, "reason": {"damaged"}, "note": {"The shades are cracked."}})
	webtest.WantRedirect(h.T, r, at+"?done=return-requested")
	p, err := h.Self.Orders.HomePartOf(h.T.Context(), h.Merchant.ID, part)
	if err != nil || len(p.Returns) != 1 {
		h.T.Fatalf("the home holds no return of %s: %v", part, err)
	}
	h.Clock.Advance(3 * time.Hour)
	return b, at, part, returnPageURL(part, p.Returns[0].ID)
}

// returnRowOf is the returns table's row of the return on page.
func returnRowOf(body, page string) string {
	rid := page[strings.LastIndexByte(page, '/')+1:]
	return regexp.MustCompile(`(?s)<tr class="return" data-return="` + rid + `".*?</tr>`).FindString(body)
}

func TestMerchantApprovesAndReceivesAReturn(t *testing.T) {
	h := newHarness(t)
	shopper, at, part, page := h.returnAsked()
	m := h.browser()
	m.SignInMerchant(h.Token)
	list := m.Get("/merchant/returns")
	webtest.WantStatus(t, list, http.StatusOK)
	wantIn(t, "the returns list", list.Body, `<a href="/merchant/returns" aria-current="page">Returns</a>`)
	wantIn(t, "the return's row", returnRowOf(list.Body, page), `<code class="part-id">`+part+`</code>`, "2 × Desk lamp",
		"Arrived damaged<br><span class=\"muted small return-note\">“The shades are cracked.”</span>", ">3 h ago</time>", "To answer",
		`<a href="`+page+`" class="button small">Answer…`)
	wantIn(t, "the orders list", partRowOf(m.Get("/merchant/orders").Body, part), `<a href="`+page+`" class="button open-return small">Return to answer…`)
	form := m.Get(page)
	webtest.WantStatus(t, form, http.StatusOK)
	wantIn(t, "the return's page", form.Body, "Asked by the shopper",
		"Approving states your policy now: the shopper pays the return shipping, and a restocking fee of 10.00% is kept from the refund.")
	token := webtest.CSRF(t, form)
	webtest.WantStatus(t, m.Post(page+"/approve", url.Values{"csrf": {"forged"}, "drop_off_code": {"RET-1"}}), http.StatusForbidden)
	// No instructions, or a label that is not https: refused at the input.
	r := m.Post(page+"/approve", url.Values{"csrf": {token}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "drop_off_code", "Give a drop-off code, an address or a label: the shopper needs one of them to send the units back.")
	r = m.Post(page+"/approve", url.Values{"csrf": {token}, "drop_off_code": {"RET-123456"}, "label_url": {"http://labels.example/RET.pdf"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "label_url", "The label must be an https:// address, such as https://labels.example/RET-123456.pdf.")
	if strings.Contains(shopper.Get(at).Body, `data-state="approved"`) {
		t.Fatal("a refused approval was sent")
	}
	webtest.WantRedirect(t, m.Post(page+"/approve", url.Values{"csrf": {token}, "drop_off_code": {"RET-123456"},
		"address": {"Alpha Goods, Hafenstr. 1, 28195 Bremen"}}), "/merchant/returns?done=approved")
	// The shopper sees how to send them back.
	wantIn(t, "the shopper's part", shopper.Get(at).Body, `data-state="approved"`, `<code class="drop-off-code">RET-123456</code>`)
	// A second approval is refused in words, the page showing where it stands.
	r = m.Post(page+"/approve", url.Values{"csrf": {token}, "drop_off_code": {"RET-9"}})
	webtest.WantStatus(t, r, http.StatusConflict)
	webtest.WantText(t, r, "This return can no longer be approved: it is approved, awaiting the units now.")
	// The receipt's confirmation says the refund and the fee.
	form = m.Get(page)
	wantIn(t, "the receipt's confirmation", form.Body, `the shopper is refunded <strong id="return-refund">€27.00</strong>: €30.00 for the units, less a restocking fee of €3.00 (10.00%).`,
		"Mark received and refund €27.00", "Drop-off code <code>RET-123456</code>", "The shopper pays the return shipping.")
	wantIn(t, "the orders list", partRowOf(m.Get("/merchant/orders").Body, part), "Return approved: mark received…")
	webtest.WantRedirect(t, m.Post(page+"/receive", url.Values{"csrf": {token}}), "/merchant/returns?done=received")
	list = m.Get("/merchant/returns?done=received")
	webtest.WantText(t, list, inEnglish(t, returnNotices["received"]))
	wantIn(t, "the received row", returnRowOf(list.Body, page), "Received and refunded")
	wantIn(t, "the received return", m.Get(page).Body, "Refunded €27.00; restocking fee of €3.00 kept.")
	if strings.Contains(partRowOf(m.Get("/merchant/orders").Body, part), "open-return") {
		t.Error("the orders list links a return that is closed")
	}
	wantIn(t, "the shopper's part", shopper.Get(at).Body, `<span class="return-refund">€27.00 refunded</span>`)
}

func TestMerchantRefusesAReturn(t *testing.T) {
	h := newHarness(t)
	shopper, at, _, page := h.returnAsked()
	m := h.browser()
	m.SignInMerchant(h.Token)
	token := webtest.CSRF(t, m.Get(page))
	webtest.WantStatus(t, m.Post(page+"/refuse", url.Values{"csrf": {"forged"}, "reason": {"no"}}), http.StatusForbidden)
	r := m.Post(page+"/refuse", url.Values{"csrf": {token}, "reason": {"  "}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "reason", "Say why you refuse the return: the shopper sees it.")
	webtest.WantRedirect(t, m.Post(page+"/refuse", url.Values{"csrf": {token}, "reason": {"The lamps were used."}}), "/merchant/returns?done=refused")
	wantIn(t, "the refused return", m.Get(page).Body, "Refused by you</strong>", ": The lamps were used.")
	wantIn(t, "the shopper's part", shopper.Get(at).Body, `<span class="return-refusal">The lamps were used.</span>`)
	// Receiving a refused return is refused in words.
	r = m.Post(page+"/receive", url.Values{"csrf": {token}})
	webtest.WantStatus(t, r, http.StatusConflict)
	webtest.WantText(t, r, "This return can no longer be received: it is refused now.")
	webtest.WantStatus(t, m.Get(page+"x"), http.StatusNotFound)
}

func wantIn(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %s:\n%s", what, w, body)
		}
	}
}
