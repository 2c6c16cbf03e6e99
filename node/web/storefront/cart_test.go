package storefront

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestListingPageOffersAddToCart(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Linen shirt", "Acme", "Clothing", 3500, 4)
	in.Variants[0].Options = map[string]string{"size": "M"}
	in.Variants = append(in.Variants,
		catalog.Variant{SKU: webtest.NextSKU(), Options: map[string]string{"size": "L"}, Price: catalog.Money{Amount: 3900, Currency: "EUR"}, Stock: 0})
	l := h.List(in)
	body := h.browser().Get(web.ListingURL(l.ID)).Body
	// The page starts the visitor's session, so that its form posts at
	// once, a guest's as a shopper's.
	if !strings.Contains(body, `<form method="post" action="/cart/items" class="add-to-cart" id="add-to-cart-form">`) {
		t.Error("listing page has no add-to-cart form that posts")
	}
	for _, want := range []string{
		`<input type="hidden" name="listing" value="` + l.ID + `">`,
		`<legend>Size</legend>`,
		`<input type="radio" class="option-input" id="opt-0-0" name="option.size" value="M" checked>`,
		`<label for="opt-0-0" class="option">M<span class="option-price">€35.00</span></label>`,
		`<input type="radio" class="option-input" id="opt-0-1" name="option.size" value="L">`,
		`<label for="opt-0-1" class="option sold-out">L<span class="option-price">€39.00</span><span class="option-note">Sold out</span></label>`,
		`<span class="price big" id="variant-price">From €35.00</span> <span class="stock in" id="variant-stock">Only 4 left</span>`,
		`<label for="add-quantity">Quantity</label>`,
		`<button type="submit" id="add-to-cart">Add to cart</button>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("listing page lacks %s", want)
		}
	}
	// Shoppers never read a SKU, an option's raw form or the listing's id.
	shown := visibleText(body)
	for _, hidden := range []string{l.Variants[0].SKU, l.Variants[1].SKU, "size=", l.ID} {
		if strings.Contains(shown, hidden) {
			t.Errorf("the listing page shows %q to shoppers:\n%s", hidden, shown)
		}
	}
	gone := h.List(webtest.Input("Sold out lamp", "Acme", "Home", 1000, 0))
	body = h.browser().Get(web.ListingURL(gone.ID)).Body
	if !strings.Contains(body, `<button type="submit" id="add-to-cart" disabled>Out of stock</button>`) ||
		!strings.Contains(body, `<input type="hidden" name="sku" value="`+gone.Variants[0].SKU+`">`) {
		t.Error("an item out of stock does not say so on a disabled button")
	}
}

// visibleText is what a page shows a reader: its text without scripts,
// tags and attributes.
func visibleText(body string) string {
	body = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>`).ReplaceAllString(body, " ")
	body = regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ")
	return webtest.UnescapeHTML(strings.Join(strings.Fields(body), " "))
}

func TestOptionButtonsChooseTheVariant(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Carbon pan", "Ferro", "Home > Kitchen", 3290, 5)
	in.Variants[0].Options = map[string]string{"size": "20cm"}
	in.Variants = append(in.Variants,
		catalog.Variant{SKU: webtest.NextSKU(), Options: map[string]string{"size": "24cm"}, Price: catalog.Money{Amount: 3690, Currency: "EUR"}, Stock: 2},
		catalog.Variant{SKU: webtest.NextSKU(), Options: map[string]string{"size": "28cm"}, Price: catalog.Money{Amount: 4290, Currency: "EUR"}, Stock: 0})
	l := h.List(in)
	b := h.shopper()
	page := b.Get(web.ListingURL(l.ID))
	for _, want := range []string{">20 cm<", ">24 cm<", ">28 cm<", `value="24cm"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the option buttons lack %s", want)
		}
	}
	post := func(form url.Values) webtest.Response {
		form.Set("csrf", webtest.CSRF(t, page))
		form.Set("listing", l.ID)
		form.Set("quantity", "1")
		return b.Post("/cart/items", form)
	}
	webtest.WantRedirect(t, post(url.Values{"option.size": {"24cm"}}), "/cart?done=added")
	cart := b.Get("/cart")
	if !strings.Contains(cart.Body, `<span class="line-options">Size: 24 cm</span>`) || !strings.Contains(cart.Body, "€36.90") {
		t.Errorf("the cart does not hold the 24 cm pan at €36.90:\n%s", cart.Body)
	}
	// A size that is sold out, or one the listing does not have.
	r := post(url.Values{"option.size": {"28cm"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "quantity", "This item is out of stock.")
	r = post(url.Values{"option.size": {"32cm"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if webtest.FieldError(r.Body, "sku") != "Choose a size." {
		t.Errorf("an unknown size says %q", webtest.FieldError(r.Body, "sku"))
	}
	if !strings.Contains(r.Body, `name="option.size" value="20cm"`) {
		t.Error("the form shown again has no option buttons")
	}
}

func TestCartGroupsLinesByPlatform(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	pan := h.List(webtest.Input("Iron pan", "Acme", "Kitchen", 4550, 5))
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.shopper()
	webtest.WantRedirect(t, webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 2), "/cart?done=added")
	webtest.WantRedirect(t, webtest.AddToCart(b, pan.ID, pan.Variants[0].SKU, 1), "/cart?done=added")
	webtest.WantRedirect(t, webtest.AddToCart(b, chair.ID, chair.Variants[0].SKU, 1), "/cart?done=added")
	webtest.WantRedirect(t, webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1), "/cart?done=added") // adds to the line
	page := b.Get("/cart?done=added")
	webtest.WantStatus(t, page, http.StatusOK)
	groups := regexp.MustCompile(`(?s)<section class="cart-group".*?</section>`).FindAllString(page.Body, -1)
	if len(groups) != 2 {
		t.Fatalf("%d platform groups, want 2:\n%s", len(groups), page.Body)
	}
	alpha, beta := groups[0], groups[1]
	if strings.Contains(groups[0], "Beta Bazaar") {
		alpha, beta = beta, alpha
	}
	for _, want := range []string{">From Alpha Market</h2>", "Desk lamp", `data-sku="` + lamp.Variants[0].SKU + `"`,
		`value="3"`, `<td class="unit" data-label="Unit price">€20.00</td>`, `<td class="subtotal" data-label="Subtotal">€60.00</td>`,
		"Iron pan", `<td class="group-total">€105.50</td>`, `<span class="muted small">Sold by Alpha Goods &amp; Co</span>`} {
		if !strings.Contains(alpha, want) {
			t.Errorf("Alpha Market's group lacks %s", want)
		}
	}
	for _, want := range []string{">From Beta Bazaar</h2>", "Oak chair", `<td class="group-total">€120.00</td>`, "Sold by Beta Seller"} {
		if !strings.Contains(beta, want) {
			t.Errorf("Beta Bazaar's group lacks %s", want)
		}
	}
	for _, want := range []string{"Added to your cart.", `<span id="cart-total">€225.50</span>`, `href="/checkout" id="checkout"`,
		`<a href="` + web.ListingURL(lamp.ID) + `" class="line-title">Desk lamp</a>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("cart page lacks %s", want)
		}
	}
	r := b.Post("/cart/remove", url.Values{"csrf": {webtest.CSRF(t, page)}, "listing": {pan.ID}, "sku": {pan.Variants[0].SKU}})
	webtest.WantRedirect(t, r, "/cart?done=removed")
	page = b.Get("/cart?done=removed")
	if strings.Contains(page.Body, "Iron pan") || !strings.Contains(page.Body, `<span id="cart-total">€180.00</span>`) {
		t.Error("the removed line is still in the cart")
	}
	// Removing it twice is no error.
	r = b.Post("/cart/remove", url.Values{"csrf": {webtest.CSRF(t, page)}, "listing": {pan.ID}, "sku": {pan.Variants[0].SKU}})
	webtest.WantRedirect(t, r, "/cart?done=removed")
}

func TestEmptyCartPointsToSearch(t *testing.T) {
	h := newHarness(t)
	r := h.shopper().Get("/cart")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `Your cart is empty. <a href="/search">Search the catalog</a>`) {
		t.Errorf("the empty cart does not point to search:\n%s", r.Body)
	}
	webtest.WantRedirect(t, h.shopper().Get("/checkout"), "/cart")
}

func TestAddToCartShowsProblemsNextToInputs(t *testing.T) {
	h := newHarness(t)
	l := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 3))
	b := h.shopper()
	r := webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 5)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "quantity", "Only 3 available; you asked for 5.")
	webtest.WantRedirect(t, webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 2), "/cart?done=added")
	r = webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 2)
	webtest.HasFieldError(t, r.Body, "quantity", "Only 3 available, and your cart already holds 2.")
	r = webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 0)
	webtest.HasFieldError(t, r.Body, "quantity", "Quantity must be a whole number from 1 to 100.")
	if !strings.Contains(r.Body, `<a href="`+web.ListingURL(l.ID)+`">Desk lamp</a>`) {
		t.Error("the form does not name the listing")
	}
	webtest.WantStatus(t, webtest.AddToCart(b, l.ID, "NO-SUCH-SKU", 1), http.StatusUnprocessableEntity)
	webtest.WantStatus(t, webtest.AddToCart(b, "not-a-listing", "X", 1), http.StatusNotFound)
}

func TestAddToCartConfirmPage(t *testing.T) {
	h := newHarness(t)
	l := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 3))
	sku := l.Variants[0].SKU
	path := "/cart/add?" + url.Values{"listing": {l.ID}, "sku": {sku}, "quantity": {"2"}}.Encode()
	for name, b := range map[string]*webtest.Browser{"guest": h.browser(), "shopper": h.shopper()} {
		page := b.Get(path)
		webtest.WantStatus(t, page, http.StatusOK)
		for _, want := range []string{`<form method="post" action="/cart/items" class="add-to-cart" novalidate>`,
			`<input type="hidden" name="sku" value="` + sku + `">`, `name="quantity" type="number" min="1" max="100" step="1" value="2"`} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("%s's confirm page lacks %s", name, want)
			}
		}
		r := b.Post("/cart/items", url.Values{"csrf": {webtest.CSRF(t, page)}, "listing": {l.ID}, "sku": {sku}, "quantity": {"1"}})
		webtest.WantRedirect(t, r, "/cart?done=added")
		webtest.WantStatus(t, b.Get("/cart/add?listing=nope"), http.StatusNotFound)
	}
}

func TestCartQuantityChanges(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	b := h.shopper()
	sku := lamp.Variants[0].SKU
	webtest.WantRedirect(t, webtest.AddToCart(b, lamp.ID, sku, 1), "/cart?done=added")
	page := b.Get("/cart")
	if !strings.Contains(page.Body, `<label for="line-0-0-note-quantity" class="visually-hidden">Quantity of Desk lamp</label>`) {
		t.Fatalf("the line's quantity input has no label:\n%s", page.Body)
	}
	set := func(q string) webtest.Response {
		return b.Post("/cart/quantity", url.Values{"csrf": {webtest.CSRF(t, page)}, "listing": {lamp.ID}, "sku": {sku}, "quantity": {q}})
	}
	webtest.WantRedirect(t, set("3"), "/cart?done=updated")
	if p := b.Get("/cart?done=updated"); !strings.Contains(p.Body, `<span id="cart-total">€60.00</span>`) || !strings.Contains(p.Body, "Quantity changed.") {
		t.Errorf("after setting 3:\n%s", p.Body)
	}
	// More than the stock, or no number, is said next to the line; the
	// cart keeps what it held.
	for q, msg := range map[string]string{"9": "Only 5 available; you asked for 9.", "0": "Enter a quantity from 1 to 100; Remove takes the item out.",
		"x": "Enter a quantity from 1 to 100; Remove takes the item out."} {
		r := set(q)
		webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, `<p class="field-error" id="line-0-0-note">`+msg+`</p>`) || !strings.Contains(r.Body, `aria-describedby="line-0-0-note"`) {
			t.Errorf("quantity %q: the line does not say %q:\n%s", q, msg, r.Body)
		}
		if !strings.Contains(r.Body, `<span id="cart-total">€60.00</span>`) {
			t.Errorf("quantity %q changed the cart", q)
		}
	}
}
