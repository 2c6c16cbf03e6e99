package storefront

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// deliveredPart has a new shopper buy quantity of a listing of Self's
// merchant, whose policies take returns within 14 days with a 10 %
// restocking fee, and the merchant ship and deliver it. It returns the
// shopper's browser, the order's page and the part's id.
func (h *harness) deliveredPart(quantity int, price int64) (*webtest.Browser, string, string) {
	h.T.Helper()
	_, err := h.Self.Cat.SetMerchantProfile(h.T.Context(), h.Merchant.ID, catalog.MerchantProfileInput{Name: "Alpha Goods & Co", Country: "DE",
		Email: "help@alpha.example", Policies: catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper, RestockingFeeBPS: 1000}})
	if err != nil {
		h.T.Fatal(err)
	}
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", price, 10))
	b, at := h.buy(quantity, lamp)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	if _, err := h.Self.Orders.ShipWith(h.T.Context(), h.Merchant.ID, part, order.Shipment{Carrier: "dhl-paket", Tracking: "JD0001"}); err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Self.Orders.Deliver(h.T.Context(), h.Merchant.ID, part); err != nil {
		h.T.Fatal(err)
	}
	return b, at, part
}

func TestShopperReturnsItems(t *testing.T) {
	h := newHarness(t)
	h.opts.SessionTTL = 30 * 24 * time.Hour // the shopper comes back after the window
	h.rebuild()
	b, at, part := h.deliveredPart(3, 1500)
	link := at + "/parts/" + part + "/return"
	p := partOf(b.Get(at).Body, part)
	wantAll(t, "the delivered part", p, `Returns accepted until <strong class="return-until">15 Mar 2026</strong>`,
		"You pay the return shipping.", "A restocking fee of 10.00% of the price is kept from the refund.",
		`<a href="`+link+`" class="return-some button secondary">Return items`)
	form := b.Get(link)
	webtest.WantStatus(t, form, http.StatusOK)
	wantAll(t, "the return form", form.Body, "€15.00 each; 3 of 3 you may return.", `name="lines[0].quantity" value="" min="0" max="3"`,
		`<option value="damaged">It arrived damaged</option>`, `<textarea id="`+web.InputID("note")+`" name="note"`)
	token, key := webtest.CSRF(t, form), regexpValue(form.Body, "key")
	webtest.WantStatus(t, b.Post(link, url.Values{"csrf": {"forged"}, "lines[0].quantity": {"1"}, "reason": {"damaged"}}), http.StatusForbidden)
	// Over the units, without a reason, or "other" without a note: refused at the input.
	r := b.Post(link, url.Values{"csrf": {token}, "key": {key}, "lines[0].quantity": {"4"}, "reason": {"damaged"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, quantityInput(0), "Desk lamp: only 3 left to return, not 4.")
	r = b.Post(link, url.Values{"csrf": {token}, "key": {key}, "lines[0].quantity": {"1"}, "reason": {"bored"}})
	webtest.HasFieldError(t, r.Body, "reason", "Choose a reason from the list.")
	r = b.Post(link, url.Values{"csrf": {token}, "key": {key}, "lines[0].quantity": {"1"}, "reason": {"other"}})
	webtest.HasFieldError(t, r.Body, "note", "Say in a few words why you return the items.")
	r = b.Post(link, url.Values{"csrf": {token}, "key": {key}, "reason": {"damaged"}})
	webtest.HasFieldError(t, r.Body, quantityInput(0), "Enter how many units of at least one line to return.")
	if strings.Contains(partOf(b.Get(at).Body, part), "part-return\"") {
		t.Fatal("a refused request was sent")
	}
	// A good request, submitted twice, asks once.
	ask := url.Values{"csrf": {token}, "key": {key}, "lines[0].quantity": {"2"}, "reason": {"damaged"}, "note": {"The shade is cracked."}}
	webtest.WantRedirect(t, b.Post(link, ask), at+"?done=return-requested")
	webtest.WantRedirect(t, b.Post(link, ask), at+"?done=return-requested")
	page := b.Get(at + "?done=return-requested")
	webtest.WantText(t, page, shopperNotices["return-requested"])
	p = partOf(page.Body, part)
	if n := strings.Count(p, `class="part-return"`); n != 1 {
		t.Fatalf("%d returns after one request sent twice:\n%s", n, p)
	}
	wantAll(t, "the requested return", p, `data-state="requested"`, "<strong>2 × Desk lamp</strong>", "It arrived damaged: “The shade is cracked.”",
		`<strong>Requested</strong> <time datetime="2026-03-01T12:00:00Z">1 Mar 2026</time>`)
	// One unit is left to return.
	form = b.Get(link)
	wantAll(t, "the form after a return", form.Body, "1 of 3 you may return.", `max="1"`)
	r = b.Post(link, url.Values{"csrf": {token}, "key": {key + "2"}, "lines[0].quantity": {"2"}, "reason": {"wrong_item"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, quantityInput(0), "Desk lamp: only 1 left to return, not 2; the others are in a return still open.")
	// The merchant approves with a drop-off code, an address and a label, and receives the units.
	rid := h.returnOf(part)
	if _, err := h.Self.Orders.ApproveReturn(t.Context(), h.Merchant.ID, part, rid, order.ReturnInstructions{Address: "Alpha Goods, Hafenstr. 1, 28195 Bremen",
		LabelURL: "https://labels.example/RET-123456.pdf", DropOffCode: "RET-123456"}); err != nil {
		t.Fatal(err)
	}
	p = partOf(b.Get(at).Body, part)
	wantAll(t, "the approved return", p, `data-state="approved"`, `Drop them off at the carrier with code <code class="drop-off-code">RET-123456</code>`,
		`Send them to <span class="return-address">Alpha Goods, Hafenstr. 1, 28195 Bremen</span>`,
		`<a href="https://labels.example/RET-123456.pdf" class="return-label"`, "You pay the return shipping.")
	if _, err := h.Self.Orders.ReceiveReturn(t.Context(), h.Merchant.ID, part, rid); err != nil {
		t.Fatal(err)
	}
	p = partOf(b.Get(at).Body, part)
	wantAll(t, "the received return", p, `data-state="received"`, `<span class="return-refund">€27.00 refunded</span>`,
		"(restocking fee of €3.00 kept)")
	// After the window, the part offers no return, and a request is refused above the form.
	h.Clock.Advance(15 * 24 * time.Hour)
	if p := partOf(b.Get(at).Body, part); strings.Contains(p, "return-some") {
		t.Error("the part offers a return after its window")
	}
	webtest.WantRedirect(t, b.Get(link), at)
	r = b.Post(link, url.Values{"csrf": {token}, "key": {key + "x"}, "lines[0].quantity": {"1"}, "reason": {"damaged"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.WantText(t, r, "The return window of this part ended on 15 Mar 2026: 14 days after its delivery.")
}

func TestReturnRefusedByTheMerchant(t *testing.T) {
	h := newHarness(t)
	b, at, part := h.deliveredPart(1, 2000)
	form := b.Get(at + "/parts/" + part + "/return")
	webtest.WantRedirect(t, b.Post(at+"/parts/"+part+"/return", url.Values{"csrf": {webtest.CSRF(t, form)}, "key": {regexpValue(form.Body, "key")},
		"lines[0].quantity": {"1"}, "reason": {"no_longer_needed"}}), at+"?done=return-requested")
	if _, err := h.Self.Orders.RefuseReturn(t.Context(), h.Merchant.ID, part, h.returnOf(part), "The lamp was used."); err != nil {
		t.Fatal(err)
	}
	p := partOf(b.Get(at).Body, part)
	wantAll(t, "the refused return", p, `data-state="refused"`, "I no longer need it", `<strong>Refused</strong>`,
		`<span class="return-refusal">The lamp was used.</span>`, "Returns accepted until") // the unit may be asked for again
}

// returnOf is the id of the first return of part at its home.
func (h *harness) returnOf(part string) string {
	h.T.Helper()
	p, err := h.Self.Orders.HomePartOf(h.T.Context(), h.Merchant.ID, part)
	if err != nil || len(p.Returns) == 0 {
		h.T.Fatalf("the home holds no return of %s: %v", part, err)
	}
	return p.Returns[0].ID
}
