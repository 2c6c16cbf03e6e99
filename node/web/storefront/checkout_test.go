package storefront

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestCheckoutPlacesOneOrderPerKey(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.shopper()
	webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 2)
	webtest.AddToCart(b, chair.ID, chair.Variants[0].SKU, 1)
	page := b.Get("/checkout")
	for _, want := range []string{`<span id="checkout-total">€160.00</span>`, `id="place-order"`, `value="Ada Lovelace"`,
		`autocomplete="postal-code"`, `<label for="pay-manual">`, `<label for="f-payment-card_number">Card number</label>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("checkout page lacks %s", want)
		}
	}
	// A double click sends the form twice with the same cookie.
	twin := b.Copy()
	at := webtest.OrderLocation(t, webtest.PostCheckout(b, page, nil))
	if again := webtest.PostCheckout(twin, page, nil); webtest.OrderLocation(t, again) != at || h.placedCount() != 1 {
		t.Errorf("a double submit placed %d orders", h.placedCount())
	}
	// Sent again after the order was placed (a retry after a lost answer),
	// it shows the same order and places nothing.
	if again := webtest.OrderLocation(t, webtest.PostCheckout(b, page, nil)); again != at || h.placedCount() != 1 {
		t.Errorf("a retry went to %s and placed %d orders, want %s and 1", again, h.placedCount(), at)
	}
	o := b.Get(at + "?done=placed")
	webtest.WantStatus(t, o, http.StatusOK)
	for _, want := range []string{"Thank you: your order is placed.", "Card ending in 4242, €160.00 charged",
		"Ada Lovelace, 1 Analytical Row, N1 9GU London, United Kingdom", "Alpha Goods &amp; Co", "Beta Bazaar", "Alpha Market",
		`data-status="accepted"`, `<span class="part-status status-accepted">Accepted, being prepared</span>`} {
		if !strings.Contains(o.Body, want) {
			t.Errorf("order page lacks %s", want)
		}
	}
	if n := strings.Count(o.Body, `<li class="part" data-part="`); n != 2 {
		t.Errorf("%d parts shown, want 2", n)
	}
	if c := b.Get("/cart"); !strings.Contains(c.Body, "Your cart is empty") {
		t.Error("the cart is not empty after checkout")
	}
	// The next item goes into a new cart.
	webtest.WantRedirect(t, webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1), "/cart?done=added")
	webtest.OrderLocation(t, webtest.Checkout(b, func(f url.Values) { f.Set("payment.method", "manual"); f.Del("payment.card_number") }))
	if o := b.Get("/orders"); strings.Count(o.Body, `<tr class="order"`) != 2 {
		t.Errorf("the orders page does not list both orders:\n%s", o.Body)
	}
}

func TestCheckoutShowsFieldErrorsNextToInputs(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	b := h.shopper()
	webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1)
	cases := []struct {
		name   string
		change func(url.Values)
		input  string
		want   string
	}{
		{"no city", func(f url.Values) { f.Set("shipping_address.city", " ") }, "shipping_address.city", "Enter the town or city."},
		{"country name", func(f url.Values) { f.Set("shipping_address.country", "Germany") }, "shipping_address.country",
			"Choose the country the parcels go to from the list."},
		{"no card", func(f url.Values) { f.Set("payment.card_number", "") }, "payment.card_number", "Enter your card number."},
		{"no method", func(f url.Values) { f.Del("payment.method") }, "payment.method", "Choose how to pay."},
		// Refused by the order service, mapped by field path.
		{"bad card", func(f url.Values) { f.Set("payment.card_number", "4242 4242 4242 4241") }, "payment.card_number",
			"Card number is not a valid card number."},
		{"long name", func(f url.Values) { f.Set("shipping_address.name", strings.Repeat("a", 201)) }, "shipping_address.name",
			"Full name is longer than 200 characters."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := webtest.Checkout(b, c.change)
			webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
			if got := webtest.FieldError(r.Body, c.input); got != c.want {
				t.Errorf("next to %s: %q, want %q", c.input, got, c.want)
			}
			if !strings.Contains(r.Body, `href="#`+web.InputID(c.input)+`"`) {
				t.Error("the summary does not link to the input")
			}
			if !strings.Contains(r.Body, `value="London"`) && c.input != "shipping_address.city" {
				t.Error("the form lost what was typed")
			}
			if !strings.Contains(r.Body, `name="payment.card_number" value=""`) {
				t.Error("the card number is shown again")
			}
		})
	}
	if h.placedCount() != 0 {
		t.Error("an invalid checkout placed an order")
	}
}

func TestCheckoutOutOfStockNamesTheLines(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	pan := h.List(webtest.Input("Iron pan", "Acme", "Kitchen", 4500, 5))
	b := h.shopper()
	webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 3)
	webtest.AddToCart(b, pan.ID, pan.Variants[0].SKU, 1)
	if err := h.Self.Cat.SetStock(t.Context(), h.Merchant.ID, lamp.ID, lamp.Variants[0].SKU, 1); err != nil {
		t.Fatal(err)
	}
	r := webtest.Checkout(b, nil)
	webtest.WantStatus(t, r, http.StatusConflict)
	line := regexp.MustCompile(`(?s)<li class="line problem" data-sku="` + lamp.Variants[0].SKU + `">.*?</li>`).FindString(r.Body)
	if !strings.Contains(line, "Only 1 available; you asked for 3.") {
		t.Errorf("the lamp's line does not say how many are left:\n%s", r.Body)
	}
	if !strings.Contains(r.Body, "nothing was ordered and nothing was charged") {
		t.Error("no general message")
	}
	if strings.Contains(r.Body, `class="line problem" data-sku="`+pan.Variants[0].SKU) {
		t.Error("the pan's line is marked too")
	}
}

func TestCheckoutPriceChangeAsksToConfirm(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Desk lamp", "Acme", "Home", 2999, 5)
	lamp := h.List(in)
	b := h.shopper()
	webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 2)
	in.Variants[0].SKU, in.Variants[0].Price.Amount = lamp.Variants[0].SKU, 3450
	if _, err := h.Self.Cat.ReplaceListing(t.Context(), h.Merchant.ID, lamp.ID, in); err != nil {
		t.Fatal(err)
	}
	page := b.Get("/checkout")
	r := webtest.PostCheckout(b, page, nil)
	webtest.WantStatus(t, r, http.StatusConflict)
	for _, want := range []string{"The price of Desk lamp changed from €29.99 to €34.50.", "The new total is €69.00.",
		`<span id="checkout-total">€69.00</span>`, "Place order: pay €69.00", "Prices changed since you filled your cart"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the re-shown checkout lacks %s", want)
		}
	}
	if h.placedCount() != 0 {
		t.Fatal("a checkout at the old price placed an order")
	}
	at := webtest.OrderLocation(t, webtest.PostCheckout(b, r, nil))
	if o := b.Get(at); !strings.Contains(o.Body, "Card ending in 4242, €69.00 charged") {
		t.Error("the order is not at the new price")
	}
}

func TestCheckoutPaymentProblems(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	b := h.shopper()
	webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1)
	r := webtest.Checkout(b, func(f url.Values) { f.Set("payment.card_number", order.CardDecline) })
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "payment.card_number", english(t, msgDeclined))
	for _, c := range []struct {
		err  error
		want string
	}{{order.ErrUnavailable, english(t, msgUnavailable)}, {order.ErrPaymentFailed, english(t, msgPaymentFailed)}} {
		h.orders.failNext(c.err)
		r := webtest.Checkout(b, nil)
		webtest.WantStatus(t, r, http.StatusServiceUnavailable)
		if !strings.Contains(r.Body, template.HTMLEscapeString(c.want)) {
			t.Errorf("%v: the page does not say %q", c.err, c.want)
		}
	}
	// A key that placed another order asks to confirm again with a new one.
	page := b.Get("/checkout")
	h.orders.failNext(order.ErrConflict)
	r = webtest.PostCheckout(b, page, nil)
	webtest.WantStatus(t, r, http.StatusConflict)
	if webtest.KeyInput.FindStringSubmatch(r.Body)[1] == webtest.KeyInput.FindStringSubmatch(page.Body)[1] {
		t.Error("the re-shown form keeps the refused key")
	}
	if h.placedCount() != 0 {
		t.Fatal("a refused payment placed an order")
	}
	webtest.OrderLocation(t, webtest.Checkout(b, nil))
}

func TestCheckoutWithManualPayment(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Desk lamp", "Acme", "Home", 2000, 5)
	in.Variants = append(in.Variants, catalog.Variant{SKU: webtest.NextSKU(), Price: catalog.Money{Amount: 2500, Currency: "EUR"}, Stock: 1})
	lamp := h.List(in)
	b := h.shopper()
	webtest.AddToCart(b, lamp.ID, lamp.Variants[1].SKU, 1)
	at := webtest.OrderLocation(t, webtest.Checkout(b, func(f url.Values) {
		f.Set("payment.method", "manual")
		f.Set("payment.card_number", "4242 4242 4242 4242") // typed, then the shopper chose to pay later
	}))
	if o := b.Get(at); !strings.Contains(o.Body, "Pay later, on invoice: €25.00 to be paid") {
		t.Errorf("order page does not show the pending payment:\n%s", o.Body)
	}
}
