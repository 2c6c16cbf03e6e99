package storefront

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestCancelSomeUnits(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	b, at := h.buy(3, lamp)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	page := b.Get(at)
	link := at + "/parts/" + part + "/cancel"
	if !strings.Contains(partOf(page.Body, part), `<a href="`+link+`" class="cancel-some">Cancel some items`) {
		t.Fatalf("the accepted part offers no partial cancel:\n%s", partOf(page.Body, part))
	}
	form := b.Get(link)
	webtest.WantStatus(t, form, http.StatusOK)
	in := web.InputID(quantityInput(0))
	wantAll(t, "the quantities", form.Body, `<label for="`+in+`"><strong>Desk lamp</strong>`, "€20.00 each; 3 of 3 left to cancel.",
		`type="number" id="`+in+`" name="lines[0].quantity" value="" min="0" max="3"`)
	token := webtest.CSRF(t, form)
	// A forged form is refused.
	webtest.WantStatus(t, b.Post(link, url.Values{"csrf": {"forged"}, "lines[0].quantity": {"1"}}), http.StatusForbidden)
	// More than is left, or nothing, is refused at the line's input.
	r := b.Post(link, url.Values{"csrf": {token}, "lines[0].quantity": {"4"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, quantityInput(0), "Desk lamp: only 3 left to cancel, not 4.")
	r = b.Post(link, url.Values{"csrf": {token}, "lines[0].quantity": {"0"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, quantityInput(0), "Enter how many units of at least one line to cancel.")
	// The confirmation says what is cancelled and refunded, and to which card.
	r = b.Post(link, url.Values{"csrf": {token}, "lines[0].quantity": {"1"}})
	webtest.WantStatus(t, r, http.StatusOK)
	wantAll(t, "the confirmation", r.Body, "<li>1 × Desk lamp</li>",
		`You are refunded <strong id="refund-total">€20.00</strong> to the card ending in 4242`,
		`<input type="hidden" name="lines[0].quantity" value="1">`, `name="confirm" value="yes"`)
	if p := b.Get(at); !strings.Contains(partOf(p.Body, part), `data-status="accepted"`) || strings.Contains(p.Body, "part-refund") {
		t.Fatal("the confirmation cancelled before it was confirmed")
	}
	key := regexpValue(r.Body, "key")
	done := url.Values{"csrf": {token}, "lines[0].quantity": {"1"}, "key": {key}, "confirm": {"yes"}}
	webtest.WantRedirect(t, b.Post(link, done), at+"?done=cancelled-some")
	// The same confirmation again cancels nothing more.
	webtest.WantRedirect(t, b.Post(link, done), at+"?done=cancelled-some")
	page = b.Get(at + "?done=cancelled-some")
	webtest.WantText(t, page, shopperNotices["cancelled-some"])
	p := partOf(page.Body, part)
	wantAll(t, "the part", p, `data-status="accepted"`, "<strong>Cancelled €20.00</strong>: 1 × Desk lamp, <time",
		"Left: 2 × Desk lamp (€40.00 of items")
	if n := strings.Count(p, `class="part-refund"`); n != 1 {
		t.Errorf("%d refunds after one cancel confirmed twice", n)
	}
	// What is left is what may be cancelled now.
	form = b.Get(link)
	wantAll(t, "the quantities", form.Body, "€20.00 each; 2 of 3 left to cancel.", `max="2"`)
	r = b.Post(link, url.Values{"csrf": {token}, "lines[0].quantity": {"3"}, "confirm": {"yes"}, "key": {key + "x"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, quantityInput(0), "Desk lamp: only 2 left to cancel, not 3.")
	// Cancelling every unit left cancels the part, its shipping refunded.
	r = b.Post(link, url.Values{"csrf": {token}, "lines[0].quantity": {"2"}})
	webtest.WantText(t, r, "That is every unit left of this part: the whole part is cancelled.")
	webtest.WantRedirect(t, b.Post(link, url.Values{"csrf": {token}, "lines[0].quantity": {"2"}, "confirm": {"yes"}, "key": {regexpValue(r.Body, "key")}}),
		at+"?done=cancelled-some")
	p = partOf(b.Get(at).Body, part)
	wantAll(t, "the cancelled part", p, `data-status="cancelled"`, "Nothing is left of this part.", "<strong>Cancelled €40.00</strong>: 2 × Desk lamp, <time")
	if strings.Contains(p, "cancel-some") {
		t.Error("a cancelled part offers a partial cancel")
	}
	webtest.WantRedirect(t, b.Get(link), at)
}

// regexpValue is the value of the hidden input name in body.
func regexpValue(body, name string) string {
	_, rest, _ := strings.Cut(body, `name="`+name+`" value="`)
	v, _, _ := strings.Cut(rest, `"`)
	return v
}
