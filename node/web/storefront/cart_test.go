package storefront

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
)

func TestListingPageOffersAddToCart(t *testing.T) {
	h := newHarness(t)
	in := input("Linen shirt", "Acme", "Clothing", 3500, 4)
	in.Variants[0].Options = map[string]string{"size": "M"}
	in.Variants = append(in.Variants,
		catalog.Variant{SKU: nextSKU(), Options: map[string]string{"size": "L"}, Price: catalog.Money{Amount: 3900, Currency: "EUR"}, Stock: 0})
	l := h.list(in)
	body := h.browser().get(listingURL(l.ID)).Body
	// The form posts when the page carries a CSRF token, and otherwise
	// asks /cart/add to confirm with one.
	if !regexp.MustCompile(`<form (method="post" action="/cart/items"|method="get" action="/cart/add") class="add-to-cart" id="add-to-cart-form">`).MatchString(body) {
		t.Error("listing page has no add-to-cart form")
	}
	for _, want := range []string{
		`<input type="hidden" name="listing" value="` + l.ID + `">`,
		`<label for="add-sku">Variant</label>`,
		`<option value="` + l.Variants[0].SKU + `" selected>` + l.Variants[0].SKU + ` (size=M): 35.00 EUR, Only 4 left</option>`,
		`<option value="` + l.Variants[1].SKU + `" disabled>` + l.Variants[1].SKU + ` (size=L): 39.00 EUR, Out of stock</option>`,
		`<label for="add-quantity">Quantity</label>`,
		`<button type="submit" id="add-to-cart">Add to cart</button>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("listing page lacks %s", want)
		}
	}
	gone := h.list(input("Sold out lamp", "Acme", "Home", 1000, 0))
	body = h.browser().get(listingURL(gone.ID)).Body
	if !strings.Contains(body, `<button type="submit" id="add-to-cart" disabled>Out of stock</button>`) ||
		!strings.Contains(body, `<input type="hidden" name="sku" value="`+gone.Variants[0].SKU+`">`) {
		t.Error("an item out of stock does not say so on a disabled button")
	}
}

func TestAddToCartSignedOutGoesToSignIn(t *testing.T) {
	h := newHarness(t)
	l := h.list(input("Desk lamp", "Acme", "Home", 2000, 3))
	b := h.browser()
	r := b.addToCart(l.ID, l.Variants[0].SKU, 1)
	wantRedirect(t, r, "/signin/shopper?"+url.Values{"next": {listingURL(l.ID)}}.Encode())
}

func TestCartGroupsLinesByPlatform(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	pan := h.list(input("Iron pan", "Acme", "Kitchen", 4550, 5))
	chair := h.listOther(input("Oak chair", "Woodco", "Home", 12000, 2))
	b := h.shopper()
	wantRedirect(t, b.addToCart(lamp.ID, lamp.Variants[0].SKU, 2), "/cart?done=added")
	wantRedirect(t, b.addToCart(pan.ID, pan.Variants[0].SKU, 1), "/cart?done=added")
	wantRedirect(t, b.addToCart(chair.ID, chair.Variants[0].SKU, 1), "/cart?done=added")
	wantRedirect(t, b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1), "/cart?done=added") // adds to the line
	page := b.get("/cart?done=added")
	wantStatus(t, page, http.StatusOK)
	groups := regexp.MustCompile(`(?s)<section class="cart-group".*?</section>`).FindAllString(page.Body, -1)
	if len(groups) != 2 {
		t.Fatalf("%d platform groups, want 2:\n%s", len(groups), page.Body)
	}
	alpha, beta := groups[0], groups[1]
	if strings.Contains(groups[0], "Beta Bazaar") {
		alpha, beta = beta, alpha
	}
	for _, want := range []string{"From <span", "Alpha Market</span>", "Desk lamp", lamp.Variants[0].SKU,
		`value="3"`, "<td>20.00 EUR</td>", "<td>60.00 EUR</td>", "Iron pan", `<td class="group-total">105.50 EUR</td>`,
		"Sold by Alpha Goods &amp; Co · SKU"} {
		if !strings.Contains(alpha, want) {
			t.Errorf("Alpha Market's group lacks %s", want)
		}
	}
	for _, want := range []string{"Beta Bazaar</span>", "Oak chair", `<td class="group-total">120.00 EUR</td>`, "Sold by Beta Seller · SKU"} {
		if !strings.Contains(beta, want) {
			t.Errorf("Beta Bazaar's group lacks %s", want)
		}
	}
	for _, want := range []string{"Added to your cart.", `<span id="cart-total">225.50 EUR</span>`, `href="/checkout" id="checkout"`,
		`<a href="` + listingURL(lamp.ID) + `">Desk lamp</a>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("cart page lacks %s", want)
		}
	}
	r := b.post("/cart/remove", url.Values{"csrf": {csrf(t, page)}, "listing": {pan.ID}, "sku": {pan.Variants[0].SKU}})
	wantRedirect(t, r, "/cart?done=removed")
	page = b.get("/cart?done=removed")
	if strings.Contains(page.Body, "Iron pan") || !strings.Contains(page.Body, `<span id="cart-total">180.00 EUR</span>`) {
		t.Error("the removed line is still in the cart")
	}
	// Removing it twice is no error.
	r = b.post("/cart/remove", url.Values{"csrf": {csrf(t, page)}, "listing": {pan.ID}, "sku": {pan.Variants[0].SKU}})
	wantRedirect(t, r, "/cart?done=removed")
}

func TestEmptyCartPointsToSearch(t *testing.T) {
	h := newHarness(t)
	r := h.shopper().get("/cart")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `Your cart is empty. <a href="/search">Search the catalog</a>`) {
		t.Errorf("the empty cart does not point to search:\n%s", r.Body)
	}
	wantRedirect(t, h.shopper().get("/checkout"), "/cart")
}

func TestAddToCartShowsProblemsNextToInputs(t *testing.T) {
	h := newHarness(t)
	l := h.list(input("Desk lamp", "Acme", "Home", 2000, 3))
	b := h.shopper()
	r := b.addToCart(l.ID, l.Variants[0].SKU, 5)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	hasFieldError(t, r.Body, "quantity", "Only 3 available; you asked for 5.")
	wantRedirect(t, b.addToCart(l.ID, l.Variants[0].SKU, 2), "/cart?done=added")
	r = b.addToCart(l.ID, l.Variants[0].SKU, 2)
	hasFieldError(t, r.Body, "quantity", "Only 3 available, and your cart already holds 2.")
	r = b.addToCart(l.ID, l.Variants[0].SKU, 0)
	hasFieldError(t, r.Body, "quantity", "Quantity must be a whole number from 1 to 100.")
	if !strings.Contains(r.Body, `<a href="`+listingURL(l.ID)+`">Desk lamp</a>`) {
		t.Error("the form does not name the listing")
	}
	wantStatus(t, b.addToCart(l.ID, "NO-SUCH-SKU", 1), http.StatusUnprocessableEntity)
	wantStatus(t, b.addToCart("not-a-listing", "X", 1), http.StatusNotFound)
}

func TestAddToCartConfirmPage(t *testing.T) {
	h := newHarness(t)
	l := h.list(input("Desk lamp", "Acme", "Home", 2000, 3))
	sku := l.Variants[0].SKU
	path := "/cart/add?" + url.Values{"listing": {l.ID}, "sku": {sku}, "quantity": {"2"}}.Encode()
	wantRedirect(t, h.browser().get(path), "/signin/shopper?"+url.Values{"next": {listingURL(l.ID)}}.Encode())
	b := h.shopper()
	page := b.get(path)
	wantStatus(t, page, http.StatusOK)
	for _, want := range []string{`<form method="post" action="/cart/items" class="add-to-cart" novalidate>`,
		`<option value="` + sku + `" selected>`, `name="quantity" type="number" min="1" max="100" step="1" value="2"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("confirm page lacks %s", want)
		}
	}
	r := b.post("/cart/items", url.Values{"csrf": {csrf(t, page)}, "listing": {l.ID}, "sku": {sku}, "quantity": {"2"}})
	wantRedirect(t, r, "/cart?done=added")
	wantStatus(t, b.get("/cart/add?listing=nope"), http.StatusNotFound)
}

func TestCartQuantityChanges(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	b := h.shopper()
	sku := lamp.Variants[0].SKU
	wantRedirect(t, b.addToCart(lamp.ID, sku, 1), "/cart?done=added")
	page := b.get("/cart")
	if !strings.Contains(page.Body, `<label for="line-0-0-note-quantity" class="visually-hidden">Quantity of Desk lamp</label>`) {
		t.Fatalf("the line's quantity input has no label:\n%s", page.Body)
	}
	set := func(q string) response {
		return b.post("/cart/quantity", url.Values{"csrf": {csrf(t, page)}, "listing": {lamp.ID}, "sku": {sku}, "quantity": {q}})
	}
	wantRedirect(t, set("3"), "/cart?done=updated")
	if p := b.get("/cart?done=updated"); !strings.Contains(p.Body, `<span id="cart-total">60.00 EUR</span>`) || !strings.Contains(p.Body, "Quantity changed.") {
		t.Errorf("after setting 3:\n%s", p.Body)
	}
	// More than the stock, or no number, is said next to the line; the
	// cart keeps what it held.
	for q, msg := range map[string]string{"9": "Only 5 available; you asked for 9.", "0": "Enter a quantity from 1 to 100; Remove takes the item out.",
		"x": "Enter a quantity from 1 to 100; Remove takes the item out."} {
		r := set(q)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, `<p class="field-error" id="line-0-0-note">`+msg+`</p>`) || !strings.Contains(r.Body, `aria-describedby="line-0-0-note"`) {
			t.Errorf("quantity %q: the line does not say %q:\n%s", q, msg, r.Body)
		}
		if !strings.Contains(r.Body, `<span id="cart-total">60.00 EUR</span>`) {
			t.Errorf("quantity %q changed the cart", q)
		}
	}
}
