package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserGuestCartOptionButtonsAndCancel drives the shopper's side of
// a storefront in a real Chromium: a guest picks a size with the option
// buttons (the price follows), adds a pan from Alpha and an apron from
// Beta, sees the gallery and the placeholder, signs up from the checkout
// and finds both in the cart, orders, and cancels the apron's part
// through the confirmation page until the order shows its refund. Then
// every storefront page, on a phone, passes the page checks: nothing
// scrolls sideways, nothing overflows its box, axe-core finds no serious
// violation.
func TestBrowserGuestCartOptionButtonsAndCancel(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a two-member federation")
	}
	br := newBrowser(t, 4*time.Minute)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "browser-store", FederationName: "Browser Store",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a := c.Nodes[0]
	tokA := newMerchant(t, c, 0, "Alpha Forge")
	tokB := newMerchant(t, c, 1, "Bremen Linen")
	pan := listSizes(t, c, 0, tokA, "Carbon steel skillet")
	apron := listFor(t, c, 1, tokB, "Linen apron", "APRON-1", "Linho", 2479)

	// A guest sees the pan's gallery: two thumbnails, and pictures that
	// cannot load (img.example does not answer) covered by the drawing.
	br.run("listing-gallery",
		chromedp.Navigate(a.APIURL()+"/listings/"+pan),
		chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)),
		until(`Array.from(document.querySelectorAll('.gallery img')).filter(i => i.getClientRects().length).every(i => i.complete)`, 30*time.Second),
	)
	if n := eval[int](br, `document.querySelectorAll('.pictures .thumb').length`); n != 2 {
		t.Errorf("the gallery has %d thumbnails, want 2", n)
	}
	if !eval[bool](br, `Array.from(document.querySelectorAll('.gallery img')).filter(i => i.getClientRects().length).every(i => i.naturalWidth > 0 ||
		getComputedStyle(i, '::after').backgroundImage.includes('placeholder.svg'))`) {
		t.Error("a picture that failed to load is not covered by the placeholder")
	}
	shown := eval[string](br, `document.querySelector('main').innerText`)
	for _, hidden := range []string{"PAN-20", "PAN-24", "size=", pan} {
		if strings.Contains(shown, hidden) {
			t.Errorf("the listing page shows %q to a shopper", hidden)
		}
	}
	// Picks 24 cm with the option buttons: the price and stock follow.
	br.run("pick-24-cm",
		chromedp.Click(chromedp.CSS(`label.option[for="opt-0-1"]`)),
		until(`document.getElementById('variant-price').textContent === '€36.90'`, 10*time.Second),
	)
	if got := br.text(`#variant-stock`); got != "Only 2 left" {
		t.Errorf("24 cm says %q, want Only 2 left", got)
	}
	br.run("add-pan", chromedp.Click(chromedp.CSS(`#add-to-cart`)), chromedp.WaitVisible(chromedp.CSS(`.cart-group`)))
	br.run("apron-placeholder", chromedp.Navigate(a.APIURL()+"/listings/"+apron), chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)))
	if !eval[bool](br, `document.querySelector('.gallery svg.placeholder') !== null`) {
		t.Error("a listing without pictures shows no placeholder")
	}
	br.run("add-apron", chromedp.Click(chromedp.CSS(`#add-to-cart`)), chromedp.WaitVisible(chromedp.CSS(`.cart-group`)))
	if n := eval[int](br, `document.querySelectorAll('.cart-group').length`); n != 2 {
		t.Errorf("the guest's cart shows %d platform groups, want 2", n)
	}
	for _, want := range []string{"Size: 24 cm", "€36.90", "Linen apron", "kept in this browser"} {
		if !strings.Contains(eval[string](br, `document.querySelector('main').innerText`), want) {
			t.Errorf("the guest's cart does not say %q", want)
		}
	}
	// On a phone, every line's subtotal and remove button are in sight.
	br.run("guest-cart-on-a-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.cart-group`)))
	if !eval[bool](br, `Array.from(document.querySelectorAll('td.subtotal, button.remove')).every(e => {
		const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth })`) {
		t.Error("a subtotal or a remove button is out of sight on a phone")
	}
	br.run("back-to-desktop", chromedp.EmulateViewport(1280, 900))

	// Signs up from the checkout, and finds both items there.
	br.run("checkout-as-guest",
		chromedp.Navigate(a.APIURL()+"/cart"),
		chromedp.Click(chromedp.CSS(`#checkout`)),
		chromedp.WaitVisible(chromedp.CSS(`#checkout-signup`)),
	)
	br.run("signup-from-checkout",
		chromedp.Click(chromedp.CSS(`#checkout-signup`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Grace Hopper"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "grace@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#f-password`)),
		chromedp.WaitVisible(chromedp.CSS(`#place-order`)),
	)
	if n := eval[int](br, `document.querySelectorAll('.order-summary li.line').length`); n != 2 {
		t.Fatalf("after sign-up the checkout holds %d lines, want the guest's 2", n)
	}
	if got := br.text(`#checkout-total`); got != "€61.69" {
		t.Errorf("the checkout totals %s, want €61.69", got)
	}
	br.run("place-order",
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-line1`), "Am Markt 1"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-city`), "Bremen"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-postal_code`), "28195"),
		chromedp.SetValue(chromedp.CSS(`#f-shipping_address-country`), "DE"),
		chromedp.Click(chromedp.CSS(`input[name="payment.method"][value="sandbox_card"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-payment-card_number`), "4242424242424242"),
		chromedp.Click(chromedp.CSS(`#place-order`)),
		chromedp.WaitVisible(chromedp.CSS(`li.part`)),
	)
	orderURL := eval[string](br, `location.origin + location.pathname`)
	apronPart := `Array.from(document.querySelectorAll('li.part')).find(p => p.textContent.includes('Linen apron'))`
	// Cancels the apron's part through the confirmation page.
	br.reloadUntil("order-accepted", orderURL, apronPart+`.querySelector('a.cancel-part') !== null`, 30*time.Second)
	cancelLink := eval[string](br, apronPart+`.querySelector('a.cancel-part').href`)
	br.run("cancel-confirmation",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.cancel-part[href="%s"]`, strings.TrimPrefix(cancelLink, a.APIURL())))),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-cancel`)),
	)
	if got := br.text(`.refund-box`); !strings.Contains(got, "€24.79") || !strings.Contains(got, "card ending in 4242") {
		t.Errorf("the confirmation says %q, want the apron's €24.79 back to the card ending in 4242", got)
	}
	if n := eval[int](br, `document.querySelectorAll('input[name="part"]:checked').length`); n != 1 {
		t.Errorf("%d parts ticked, want the apron's only", n)
	}
	br.run("cancel-part", chromedp.Click(chromedp.CSS(`#confirm-cancel`)), chromedp.WaitVisible(chromedp.CSS(`li.part`)))
	br.reloadUntil("refund-shown", orderURL,
		`document.querySelector('.order-status').textContent.includes('refunded €24.79') && `+
			apronPart+`.textContent.includes('€24.79 refunded to the card ending in 4242')`, 30*time.Second)
	if got := br.text(`.order-status`); got != "Being prepared; 1 part cancelled, refunded €24.79" {
		t.Errorf("the order's status reads %q", got)
	}

	// Every storefront page on a phone. A lamp in the cart fills the cart
	// and checkout pages.
	br.run("add-again", chromedp.Navigate(a.APIURL()+"/listings/"+apron), chromedp.Click(chromedp.CSS(`#add-to-cart`)),
		chromedp.WaitVisible(chromedp.CSS(`.cart-group`)), chromedp.EmulateViewport(390, 844))
	pages := []string{"/", "/search?q=skillet", "/search?q=skilet", "/search?q=zzzz", "/listings/" + pan, "/listings/" + apron,
		"/cart", "/checkout", "/orders", strings.TrimPrefix(orderURL, a.APIURL()), strings.TrimPrefix(orderURL, a.APIURL()) + "/cancel"}
	check := webtest.NewPageChecker(t)
	for i, p := range pages {
		br.run(fmt.Sprintf("store-phone-%02d", i), chromedp.Navigate(a.APIURL()+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		br.checkPage(check, p)
	}
	if !eval[bool](br, `location.pathname.endsWith('/cancel')`) {
		t.Error("the pan's part could no longer be cancelled")
	}

	// On the phone, cancels the pan's units: too many is refused at the
	// line's input, the confirmation says what and to which card, and the
	// order page then lists the cancellation and what is left.
	panPart := `Array.from(document.querySelectorAll('li.part')).find(p => p.textContent.includes('Carbon steel skillet'))`
	br.run("order-again", chromedp.Navigate(orderURL), chromedp.WaitVisible(chromedp.CSS(`li.part`)))
	someLink := strings.TrimPrefix(eval[string](br, panPart+`.querySelector('a.cancel-some').href`), a.APIURL())
	br.run("cancel-some-form", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.cancel-some[href="%s"]`, someLink))),
		chromedp.WaitVisible(chromedp.CSS(`#review-cancel-units`)))
	br.checkPage(check, "cancel-some-form")
	br.run("cancel-too-many", chromedp.SendKeys(chromedp.CSS(`#f-lines-0-quantity`), "2"), chromedp.Click(chromedp.CSS(`#review-cancel-units`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-lines-0-quantity-error`)))
	if got := br.text(`#f-lines-0-quantity-error`); got != "Carbon steel skillet: only 1 left to cancel, not 2." {
		t.Errorf("too many units say %q next to the line", got)
	}
	br.checkPage(check, "cancel-some-refused")
	br.run("cancel-some-review", chromedp.SetValue(chromedp.CSS(`#f-lines-0-quantity`), "1"), chromedp.Click(chromedp.CSS(`#review-cancel-units`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-cancel-units`)))
	if got := br.text(`.refund-box`); !strings.Contains(got, "€36.90") || !strings.Contains(got, "card ending in 4242") {
		t.Errorf("the confirmation says %q, want the pan's €36.90 back to the card ending in 4242", got)
	}
	br.checkPage(check, "cancel-some-confirmation")
	br.run("cancel-some", chromedp.Click(chromedp.CSS(`#confirm-cancel-units`)), chromedp.WaitVisible(chromedp.CSS(`li.part`)))
	br.reloadUntil("partial-refund-shown", orderURL, panPart+`.querySelector('li.part-refund') !== null`, 30*time.Second)
	if got := eval[string](br, panPart+`.querySelector('li.part-refund').textContent`); !strings.Contains(got, "Cancelled €36.90: 1 × Carbon steel skillet") {
		t.Errorf("the pan's cancellation reads %q", got)
	}
	br.checkPage(check, "order-with-refunds")
	br.run("desktop-again", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`li.part`)))
}

// listSizes lists a pan in three sizes (the largest sold out) with two
// pictures, of the merchant with token on member i, and waits until every
// member holds it.
func listSizes(t *testing.T, c *Cluster, i int, token, title string) string {
	t.Helper()
	body := fmt.Sprintf(`{"title":%q,"description":"Hand-forged and seasoned.","category":"Home > Kitchen > Cookware","brand":"Ferro",
		"images":["https://img.example/skillet-front.jpg","https://img.example/skillet-side.jpg"],"shipping_regions":["US","DE"],
		"variants":[{"sku":"PAN-20","options":{"size":"20cm"},"price":{"amount":3290,"currency":"EUR"},"stock":5},
			{"sku":"PAN-24","options":{"size":"24cm"},"price":{"amount":3690,"currency":"EUR"},"stock":2},
			{"sku":"PAN-28","options":{"size":"28cm"},"price":{"amount":4290,"currency":"EUR"},"stock":0}]}`, title)
	s, raw := call(t, "POST", c.Nodes[i].APIURL()+"/v1/listings", "/v1/listings", token, []byte(body))
	var l struct{ ID string }
	if s != 201 || json.Unmarshal(raw, &l) != nil {
		t.Fatalf("listing %s: %d %s", title, s, raw)
	}
	testwait.For(t, 45*time.Second, func() error {
		for _, n := range c.Nodes {
			if _, err := n.Catalog().Listing(t.Context(), l.ID); err != nil {
				return fmt.Errorf("%s: %v", n.Name(), err)
			}
		}
		return nil
	})
	return l.ID
}
