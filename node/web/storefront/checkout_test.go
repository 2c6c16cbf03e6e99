package storefront

import (
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
)

var keyInput = regexp.MustCompile(`name="key" value="([^"]+)"`)

// cartInput finds the cart a checkout form was shown for.
var cartInput = regexp.MustCompile(`name="cart" value="([^"]+)"`)

// checkoutForm is a filled-in checkout form paying by approved card.
func checkoutForm() url.Values {
	return url.Values{"shipping_address.name": {"Ada Lovelace"}, "shipping_address.line1": {"1 Analytical Row"},
		"shipping_address.city": {"London"}, "shipping_address.postal_code": {"N1 9GU"}, "shipping_address.country": {"gb"},
		"payment.method": {"sandbox_card"}, "payment.card_number": {"4242 4242 4242 4242"}}
}

// checkout loads the checkout page and posts form with its CSRF token
// and idempotency key; change edits the form first.
func (b *browser) checkout(change func(url.Values)) response {
	b.t.Helper()
	page := b.get("/checkout")
	wantStatus(b.t, page, http.StatusOK)
	return b.postCheckout(page, change)
}

// postCheckout posts the checkout form of page.
func (b *browser) postCheckout(page response, change func(url.Values)) response {
	b.t.Helper()
	form := checkoutForm()
	form.Set("csrf", csrf(b.t, page))
	form.Set("key", keyInput.FindStringSubmatch(page.Body)[1])
	form.Set("cart", cartInput.FindStringSubmatch(page.Body)[1])
	if change != nil {
		change(form)
	}
	return b.post("/checkout", form)
}

// orderLocation is the order a checkout redirected to.
func orderLocation(t *testing.T, r response) string {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/orders/ord_") || !strings.HasSuffix(loc, "?done=placed") {
		t.Fatalf("checkout: %d to %q\n%s", r.Code, loc, r.Body)
	}
	return strings.TrimSuffix(loc, "?done=placed")
}

func TestCheckoutPlacesOneOrderPerKey(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.listOther(input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.shopper()
	b.addToCart(lamp.ID, lamp.Variants[0].SKU, 2)
	b.addToCart(chair.ID, chair.Variants[0].SKU, 1)
	page := b.get("/checkout")
	for _, want := range []string{`<span id="checkout-total">160.00 EUR</span>`, `id="place-order"`, `value="Ada Lovelace"`,
		`autocomplete="postal-code"`, `<label for="pay-manual">`, `<label for="f-payment-card_number">Card number</label>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("checkout page lacks %s", want)
		}
	}
	// A double click sends the form twice with the same cookie.
	twin := &browser{t: t, handler: b.handler, cookies: maps.Clone(b.cookies)}
	at := orderLocation(t, b.postCheckout(page, nil))
	if again := twin.postCheckout(page, nil); orderLocation(t, again) != at || h.orders.placedCount() != 1 {
		t.Errorf("a double submit placed %d orders", h.orders.placedCount())
	}
	// Sent again after the order was placed (a retry after a lost answer),
	// it shows the same order and places nothing.
	if again := orderLocation(t, b.postCheckout(page, nil)); again != at || h.orders.placedCount() != 1 {
		t.Errorf("a retry went to %s and placed %d orders, want %s and 1", again, h.orders.placedCount(), at)
	}
	o := b.get(at + "?done=placed")
	wantStatus(t, o, http.StatusOK)
	for _, want := range []string{"Thank you: your order is placed.", "Card ending in 4242, 160.00 EUR charged",
		"Ada Lovelace, 1 Analytical Row, N1 9GU London, GB", "Alpha Goods &amp; Co", "Beta Bazaar", "Alpha Market",
		`data-status="accepted"`, `<span class="part-status status-accepted">Accepted, being prepared</span>`} {
		if !strings.Contains(o.Body, want) {
			t.Errorf("order page lacks %s", want)
		}
	}
	if n := strings.Count(o.Body, `<li class="part" data-part="`); n != 2 {
		t.Errorf("%d parts shown, want 2", n)
	}
	if c := b.get("/cart"); !strings.Contains(c.Body, "Your cart is empty") {
		t.Error("the cart is not empty after checkout")
	}
	// The next item goes into a new cart.
	wantRedirect(t, b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1), "/cart?done=added")
	orderLocation(t, b.checkout(func(f url.Values) { f.Set("payment.method", "manual"); f.Del("payment.card_number") }))
	if o := b.get("/orders"); strings.Count(o.Body, `<tr class="order"`) != 2 {
		t.Errorf("the orders page does not list both orders:\n%s", o.Body)
	}
}

func TestCheckoutShowsFieldErrorsNextToInputs(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	b := h.shopper()
	b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1)
	cases := []struct {
		name   string
		change func(url.Values)
		input  string
		want   string
	}{
		{"no city", func(f url.Values) { f.Set("shipping_address.city", " ") }, "shipping_address.city", "Enter the town or city."},
		{"country name", func(f url.Values) { f.Set("shipping_address.country", "Germany") }, "shipping_address.country",
			"Enter the country as a two-letter code, such as DE or FR."},
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
			r := b.checkout(c.change)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if got := fieldError(r.Body, c.input); got != c.want {
				t.Errorf("next to %s: %q, want %q", c.input, got, c.want)
			}
			if !strings.Contains(r.Body, `href="#`+inputID(c.input)+`"`) {
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
	if h.orders.placedCount() != 0 {
		t.Error("an invalid checkout placed an order")
	}
}

func TestCheckoutOutOfStockNamesTheLines(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	pan := h.list(input("Iron pan", "Acme", "Kitchen", 4500, 5))
	b := h.shopper()
	b.addToCart(lamp.ID, lamp.Variants[0].SKU, 3)
	b.addToCart(pan.ID, pan.Variants[0].SKU, 1)
	if err := h.self.cat.SetStock(t.Context(), h.merchant.ID, lamp.ID, lamp.Variants[0].SKU, 1); err != nil {
		t.Fatal(err)
	}
	r := b.checkout(nil)
	wantStatus(t, r, http.StatusConflict)
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
	in := input("Desk lamp", "Acme", "Home", 2999, 5)
	lamp := h.list(in)
	b := h.shopper()
	b.addToCart(lamp.ID, lamp.Variants[0].SKU, 2)
	in.Variants[0].SKU, in.Variants[0].Price.Amount = lamp.Variants[0].SKU, 3450
	if _, err := h.self.cat.ReplaceListing(t.Context(), h.merchant.ID, lamp.ID, in); err != nil {
		t.Fatal(err)
	}
	page := b.get("/checkout")
	r := b.postCheckout(page, nil)
	wantStatus(t, r, http.StatusConflict)
	for _, want := range []string{"The price of Desk lamp changed from 29.99 EUR to 34.50 EUR.", "The new total is 69.00 EUR.",
		`<span id="checkout-total">69.00 EUR</span>`, "Place order: pay 69.00 EUR", "Prices changed since you filled your cart"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the re-shown checkout lacks %s", want)
		}
	}
	if h.orders.placedCount() != 0 {
		t.Fatal("a checkout at the old price placed an order")
	}
	at := orderLocation(t, b.postCheckout(r, nil))
	if o := b.get(at); !strings.Contains(o.Body, "Card ending in 4242, 69.00 EUR charged") {
		t.Error("the order is not at the new price")
	}
}

func TestCheckoutPaymentProblems(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	b := h.shopper()
	b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1)
	r := b.checkout(func(f url.Values) { f.Set("payment.card_number", order.CardDecline) })
	wantStatus(t, r, http.StatusUnprocessableEntity)
	hasFieldError(t, r.Body, "payment.card_number", msgDeclined)
	for _, c := range []struct {
		err  error
		want string
	}{{order.ErrUnavailable, msgUnavailable}, {order.ErrPaymentFailed, msgPaymentFailed}} {
		h.orders.failNext(c.err)
		r := b.checkout(nil)
		wantStatus(t, r, http.StatusServiceUnavailable)
		if !strings.Contains(r.Body, template.HTMLEscapeString(c.want)) {
			t.Errorf("%v: the page does not say %q", c.err, c.want)
		}
	}
	// A key that placed another order asks to confirm again with a new one.
	page := b.get("/checkout")
	h.orders.failNext(order.ErrConflict)
	r = b.postCheckout(page, nil)
	wantStatus(t, r, http.StatusConflict)
	if keyInput.FindStringSubmatch(r.Body)[1] == keyInput.FindStringSubmatch(page.Body)[1] {
		t.Error("the re-shown form keeps the refused key")
	}
	if h.orders.placedCount() != 0 {
		t.Fatal("a refused payment placed an order")
	}
	orderLocation(t, b.checkout(nil))
}

func TestCheckoutWithManualPayment(t *testing.T) {
	h := newHarness(t)
	in := input("Desk lamp", "Acme", "Home", 2000, 5)
	in.Variants = append(in.Variants, catalog.Variant{SKU: nextSKU(), Price: catalog.Money{Amount: 2500, Currency: "EUR"}, Stock: 1})
	lamp := h.list(in)
	b := h.shopper()
	b.addToCart(lamp.ID, lamp.Variants[1].SKU, 1)
	at := orderLocation(t, b.checkout(func(f url.Values) {
		f.Set("payment.method", "manual")
		f.Set("payment.card_number", "4242 4242 4242 4242") // typed, then the shopper chose to pay later
	}))
	if o := b.get(at); !strings.Contains(o.Body, "Pay later, on invoice: 25.00 EUR to be paid") {
		t.Errorf("order page does not show the pending payment:\n%s", o.Body)
	}
}
