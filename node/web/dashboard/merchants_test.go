package dashboard

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestOperatorAddsAMerchant(t *testing.T) {
	h := newHarness(t)
	op := h.operator()
	list := op.Get("/operator/merchants")
	webtest.WantStatus(t, list, http.StatusOK)
	for _, want := range []string{`<a href="/operator/merchants/` + h.Merchant.ID + `">Alpha Goods &amp; Co</a>`, `<span class="badge active">Active</span>`,
		`action="/operator/merchants"`, `id="f-name"`} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("merchants page lacks %s", want)
		}
	}
	for _, c := range []struct{ name, problem string }{
		{"   ", "Enter a name for the merchant."},
		{strings.Repeat("x", 101), "Keep the name to 100 characters or fewer."},
		{"Tab\tShop", "The name must not contain control characters."},
	} {
		r := op.Submit("/operator/merchants", "/operator/merchants", url.Values{"name": {c.name}})
		webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
		webtest.HasFieldError(t, r.Body, "name", c.problem)
	}
	r := op.Submit("/operator/merchants", "/operator/merchants", url.Values{"name": {"  Ferro <Works> "}})
	webtest.WantStatus(t, r, http.StatusCreated)
	token := regexpToken.FindStringSubmatch(r.Body)
	if token == nil || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("no token shown, or the page may be cached:\n%s", r.Body)
	}
	webtest.WantText(t, r, "Ferro <Works> is a merchant of this node")
	m, err := h.Self.Cat.MerchantByToken(context.Background(), token[1])
	if err != nil || m.Name != "Ferro <Works>" {
		t.Fatalf("the token shown is %+v, %v", m, err)
	}
	// The new merchant signs in to the console with it.
	h.browser().SignInMerchant(token[1])
	if list := op.Get("/operator/merchants"); !strings.Contains(list.Body, "Ferro &lt;Works&gt;") {
		t.Error("the new merchant is not listed")
	}
	// Only the operator adds merchants.
	stranger := h.browser()
	stranger.SignInMerchant(h.Token)
	r = stranger.Post("/operator/merchants", url.Values{"csrf": {webtest.CSRF(t, stranger.Get("/merchant"))}, "name": {"Sneaky"}})
	webtest.WantRedirect(t, r, "/operator/signin")
}

func TestOperatorRenamesAMerchant(t *testing.T) {
	h := newHarness(t)
	op := h.operator()
	path := "/operator/merchants/" + h.Merchant.ID
	page := op.Get(path)
	webtest.WantStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, `value="Alpha Goods &amp; Co"`) {
		t.Error("the rename form does not show the current name")
	}
	r := op.Submit(path, path+"/name", url.Values{"name": {""}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "name", "Enter a name for the merchant.")
	webtest.WantRedirect(t, op.Submit(path, path+"/name", url.Values{"name": {" Alpha Kitchen "}}), path+"?done=renamed")
	if m, _ := h.Self.Cat.Merchant(context.Background(), h.Merchant.ID); m.Name != "Alpha Kitchen" {
		t.Fatalf("name after the rename: %q", m.Name)
	}
	done := op.Get(path + "?done=renamed")
	webtest.WantText(t, done, "Merchant renamed.")
	if !strings.Contains(done.Body, "<h1>Alpha Kitchen ") {
		t.Error("the merchant's page is not titled with the new name")
	}
	webtest.WantStatus(t, op.Get("/operator/merchants/nobody"), http.StatusNotFound)
	webtest.WantStatus(t, op.Post("/operator/merchants/nobody/name", url.Values{"csrf": {webtest.CSRF(t, page)}, "name": {"X"}}), http.StatusNotFound)
}

// Suspending a merchant: the confirmation says what it does with the
// counts of what it touches; afterwards the merchant's token and console
// session are refused and its listing cannot be bought, until the
// operator reinstates it.
func TestOperatorSuspendsAndReinstatesAMerchant(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	pan := h.List(webtest.Input("Pan", "Ferro", "Home > Kitchen", 4900, 10))
	h.List(webtest.Input("Lid", "Ferro", "Home > Kitchen", 900, 10))
	buy(t, h, 1, pan) // one open order: accepted, not shipped
	console := h.browser()
	console.SignInMerchant(h.Token)
	op := h.operator()
	path := "/operator/merchants/" + h.Merchant.ID

	confirm := op.Get(path + "/suspend")
	webtest.WantStatus(t, confirm, http.StatusOK)
	for _, want := range []string{"Its token stops working", "Its 2 live listings stay published but cannot be bought.",
		"Its 1 open order stays open", `<form method="post" action="` + path + `/suspend">`} {
		if !strings.Contains(webtest.UnescapeHTML(confirm.Body), want) {
			t.Errorf("the confirmation lacks %q", want)
		}
	}
	webtest.WantRedirect(t, op.Post(path+"/suspend", url.Values{"csrf": {webtest.CSRF(t, confirm)}}), path+"?done=suspended")
	page := op.Get(path + "?done=suspended")
	for _, want := range []string{"Merchant suspended.", `<span class="badge suspended">Suspended</span>`, `action="` + path + `/reinstate"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the merchant's page lacks %s", want)
		}
	}
	if _, err := h.Self.Cat.MerchantByToken(ctx, h.Token); !errors.Is(err, catalog.ErrSuspended) {
		t.Errorf("the token of a suspended merchant: %v", err)
	}
	webtest.WantRedirect(t, console.Get("/merchant"), "/merchant/signin")
	if _, _, err := tryBuy(h, pan); !errors.Is(err, order.ErrOutOfStock) {
		t.Errorf("buying a suspended merchant's listing: %v, want out of stock", err)
	}
	if o, _, err := h.Self.Orders.Parts(ctx, order.PartFilter{Merchant: h.Merchant.ID, Status: order.StatusAccepted}, "", 10); err != nil || len(o) != 1 {
		t.Errorf("the open order after the suspension: %v, %v", o, err)
	}
	// The suspend page of a suspended merchant leads back to its page.
	webtest.WantRedirect(t, op.Get(path+"/suspend"), path)

	webtest.WantRedirect(t, op.Post(path+"/reinstate", url.Values{"csrf": {webtest.CSRF(t, page)}}), path+"?done=reinstated")
	webtest.WantText(t, op.Get(path+"?done=reinstated"), "Merchant reinstated.")
	h.browser().SignInMerchant(h.Token)
	if _, _, err := tryBuy(h, pan); err != nil {
		t.Errorf("buying after the reinstatement: %v", err)
	}
	for _, p := range []string{"/suspend", "/reinstate"} {
		webtest.WantStatus(t, op.Post("/operator/merchants/nobody"+p, url.Values{"csrf": {webtest.CSRF(t, page)}}), http.StatusNotFound)
	}
	webtest.WantRedirect(t, h.browser().Get(path+"/suspend"), "/operator/signin")
}

// tryBuy checks one unit of l out on Alpha's storefront.
func tryBuy(h *harness, l catalog.Listing) (order.Order, bool, error) {
	ctx := context.Background()
	svc := h.Self.Orders
	sh, _, err := svc.CreateShopper(ctx, order.ShopperInput{Name: "Grace Hopper", Email: "grace@example.org"})
	if err != nil {
		return order.Order{}, false, err
	}
	cart, err := svc.CreateCart(ctx, sh.ID)
	if err != nil {
		return order.Order{}, false, err
	}
	if _, err := svc.AddItem(ctx, sh.ID, cart.ID, order.ItemInput{ListingID: l.ID, SKU: l.Variants[0].SKU, Quantity: 1}); err != nil {
		return order.Order{}, false, err
	}
	return svc.Checkout(ctx, sh.ID, cart.ID, "key-"+sh.ID, order.CheckoutRequest{
		ShippingAddress: order.Address{Name: "Grace Hopper", Line1: "1 Bridge Street", City: "London", PostalCode: "N1 9GU", Country: "GB"},
		Payment:         order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}})
}
