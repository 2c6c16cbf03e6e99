package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestMerchantRefundsPartOfAPart(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	shopper, at := h.buy(3, lamp)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	m := h.browser()
	m.SignInMerchant(h.Token)
	list := m.Get("/merchant/orders")
	link := "/merchant/orders/" + part + "/refund-some"
	if row := partRowOf(list.Body, part); !strings.Contains(row, `<a href="`+link+`" class="button refund-some secondary small">Refund part of this…`) {
		t.Fatalf("the part offers no partial refund:\n%s", row)
	}
	form := m.Get(link)
	webtest.WantStatus(t, form, http.StatusOK)
	in := web.InputID(refundQuantity(0))
	for _, want := range []string{"Left to refund: €60.00 of items.", `<label for="` + in + `">Desk lamp`, "€20.00 each; 3 of 3 left to refund.",
		`name="lines[0].quantity" value="" min="0" max="3"`, `name="amount"`, `name="restock" value="yes"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the refund form lacks %s", want)
		}
	}
	token := webtest.CSRF(t, form)
	webtest.WantStatus(t, m.Post(link, url.Values{"csrf": {"forged"}, "lines[0].quantity": {"1"}}), http.StatusForbidden)
	// Beyond the refundable rest is refused at the input that asked.
	r := m.Post(link, url.Values{"csrf": {token}, "lines[0].quantity": {"4"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, refundQuantity(0), "Desk lamp: only 3 left to refund, not 4.")
	r = m.Post(link, url.Values{"csrf": {token}, "amount": {"70"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "amount", "€70.00 is more than the €60.00 of items left to refund.")
	r = m.Post(link, url.Values{"csrf": {token}, "amount": {"5"}, "restock": {"yes"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "restock", "Name the units that go back to stock, or untick this.")
	r = m.Post(link, url.Values{"csrf": {token}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "amount", "Enter units to refund, an amount, or tick the shipping.")
	// The confirmation says the amount and to whom; only it refunds.
	r = m.Post(link, url.Values{"csrf": {token}, "lines[0].quantity": {"1"}, "restock": {"yes"}, "reason": {"Scratched"}})
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{`Refund <strong id="refund-amount">€20.00</strong> to Ada Lovelace?`,
		"For 1 × Desk lamp, which go back to your stock.", "Reason given to the shopper: Scratched"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the confirmation lacks %s:\n%s", want, r.Body)
		}
	}
	if row := partRowOf(m.Get("/merchant/orders").Body, part); strings.Contains(row, "part-refund") {
		t.Fatal("the review refunded")
	}
	done := url.Values{"csrf": {token}, "lines[0].quantity": {"1"}, "restock": {"yes"}, "reason": {"Scratched"}, "confirm": {"yes"},
		"key": {hiddenValue(r.Body, "key")}}
	webtest.WantRedirect(t, m.Post(link, done), "/merchant/orders?done=partly-refunded")
	webtest.WantRedirect(t, m.Post(link, done), "/merchant/orders?done=partly-refunded") // the same confirmation refunds once
	list = m.Get("/merchant/orders?done=partly-refunded")
	row := partRowOf(list.Body, part)
	for _, want := range []string{`data-status="accepted"`, "Refunded €20.00: 1 × Desk lamp; back in stock, <time",
		"Refundable: €40.00 of items, €0.00 of shipping.<br>Units left: 2 × Desk lamp.", "Refund €40.00…"} {
		if !strings.Contains(row, want) {
			t.Errorf("the row lacks %s:\n%s", want, row)
		}
	}
	if n := strings.Count(row, `class="part-refund"`); n != 1 {
		t.Errorf("%d refunds after one confirmed twice", n)
	}
	zh := partRowOf(m.Get("/merchant/orders?lang=zh-CN").Body, part)
	if !strings.Contains(zh, "已退款 €20.00: 1 × Desk lamp；已放回库存") {
		t.Errorf("the row in Chinese lacks its refund:\n%s", zh)
	}
	m.Get("/merchant/orders?lang=en")
	if o := partOf(shopper.Get(at).Body, part); !strings.Contains(o, "<strong>Refunded €20.00</strong>: 1 × Desk lamp") {
		t.Errorf("the shopper does not see the refund:\n%s", o)
	}
	// An amount alone, over what is left now, is refused; within it, refunded.
	r = m.Post(link, url.Values{"csrf": {token}, "amount": {"40.01"}})
	webtest.HasFieldError(t, r.Body, "amount", "€40.01 is more than the €40.00 of items left to refund.")
	r = m.Post(link, url.Values{"csrf": {token}, "amount": {"5.50"}})
	webtest.WantText(t, r, "Shipping not included.")
	webtest.WantRedirect(t, m.Post(link, url.Values{"csrf": {token}, "amount": {"5.50"}, "confirm": {"yes"}, "key": {hiddenValue(r.Body, "key")}}),
		"/merchant/orders?done=partly-refunded")
	if row := partRowOf(m.Get("/merchant/orders").Body, part); !strings.Contains(row, "Refunded €5.50, <time") || !strings.Contains(row, "Refundable: €34.50 of items") {
		t.Errorf("after an amount alone:\n%s", row)
	}
}

// hiddenValue is the value of the hidden input name in body.
func hiddenValue(body, name string) string {
	_, rest, _ := strings.Cut(body, `name="`+name+`" value="`)
	v, _, _ := strings.Cut(rest, `"`)
	return v
}
