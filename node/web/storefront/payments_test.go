package storefront

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestCheckoutOffersTheMethodsTheStorefrontTakes(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	for _, c := range []struct {
		name    string
		methods []string
		has     []string
		lacks   []string
	}{
		{"both", []string{order.MethodSandboxCard, order.MethodManual}, []string{`value="sandbox_card" checked`, `value="manual"`}, []string{"does not take payments"}},
		{"manual only", []string{order.MethodManual}, []string{`value="manual" checked`, `<label for="f-payment-method">Pay later`}, []string{`value="sandbox_card"`, "Card number"}},
		{"none", nil, []string{"This storefront does not take payments yet"}, []string{`value="sandbox_card"`, `value="manual"`}},
	} {
		h.payments = c.methods
		h.rebuild()
		b := h.shopper()
		webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1)
		page := b.Get("/checkout")
		for _, want := range c.has {
			if !strings.Contains(page.Body, want) {
				t.Errorf("%s: the checkout lacks %s", c.name, want)
			}
		}
		for _, not := range c.lacks {
			if strings.Contains(page.Body, not) {
				t.Errorf("%s: the checkout shows %s", c.name, not)
			}
		}
	}
}

func TestImagesComeOverHTTPSOnly(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Desk lamp", "Acme", "Home", 2000, 5)
	in.Images = []string{"http://plain.example/a.jpg", "https://img.example/b.jpg"}
	l := h.List(in)
	r := h.browser().Get(web.ListingURL(l.ID))
	webtest.WantStatus(t, r, http.StatusOK)
	if strings.Contains(r.Body, "plain.example") || !strings.Contains(r.Body, "https://img.example/b.jpg") {
		t.Error("the listing page shows a plain http image, or not the https one")
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self' https:;") || strings.Contains(csp, "http:") || strings.Contains(csp, "data:") {
		t.Errorf("Content-Security-Policy %q lets images come from more than this node and https hosts", csp)
	}
	if got := r.Header.Get("Strict-Transport-Security"); got != "max-age=31536000" {
		t.Errorf("an https storefront sends Strict-Transport-Security %q", got)
	}
}
