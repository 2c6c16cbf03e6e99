package node

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserShipsToGermanyAndFollowsTheParcel drives shipping in a real
// Chromium on a two-member federation: a shopper on Alpha chooses to ship
// to Germany, sees each home's options with their prices and dates (a pan
// of Beta's Bremen Forge, an apron of Alpha's own linen merchant), picks
// Express for the pan, checks out, and pays the total the cart showed;
// Beta's merchant ships the pan with DHL Paket from the carriers' table,
// and the order page links the parcel on DHL's site. The new pages pass
// the page checks on a phone.
func TestBrowserShipsToGermanyAndFollowsTheParcel(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a two-member federation")
	}
	br := newBrowser(t, 4*time.Minute)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "browser-ship", FederationName: "Browser Ship",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	tokA := newMerchant(t, c, 0, "Alpha Linen")
	tokB := newMerchant(t, c, 1, "Bremen Forge")
	apron := listFor(t, c, 0, tokA, "Linen apron", "APRON-1", "Linho", 2600)
	pan := listFor(t, c, 1, tokB, "Iron pan", "PAN-1", "Ferro", 4990)
	publishShipping(t, b, tokB, catalog.ShippingProfileInput{Name: "Forge parcels", Zones: []shipping.Zone{
		{Name: "Germany", Countries: []string{"DE"}, Rates: []shipping.Rate{
			{Name: "Standard", Flat: 490, PerItem: 100, Transit: shipping.Days{Min: 1, Max: 2}, Carriers: []string{"dhl-paket"}},
			{Name: "Express", Flat: 1490, Transit: shipping.Days{Min: 1, Max: 1}, Carriers: []string{"dhl-paket"}}}},
	}}, 2)
	publishShipping(t, a, tokA, catalog.ShippingProfileInput{Name: "Linen EU", Zones: []shipping.Zone{
		{Name: "EU", Countries: []string{"DE", "FR", "NL"}, Rates: []shipping.Rate{{Name: "Standard", Flat: 590, FreeOver: 5000, Transit: shipping.Days{Min: 2, Max: 4}}}},
	}}, 1)
	bID, mB := b.PeerID().String(), mustMerchantOf(t, b, pan)
	testwait.For(t, 45*time.Second, func() error { // Alpha holds Beta's merchant and its rates
		mp, err := a.Catalog().MerchantProfile(t.Context(), bID, mB)
		if err != nil || mp.DefaultShipping == "" {
			return fmt.Errorf("Beta's merchant on Alpha: %+v %v", mp, err)
		}
		_, err = a.Catalog().ShippingProfile(t.Context(), mp.DefaultShipping)
		return err
	})

	br.run("signup",
		chromedp.Navigate(a.APIURL()+"/signup"),
		chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Lise Meitner"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "lise@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#f-password`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)), // signed in, not the form again
	)
	for _, l := range []string{pan, apron} {
		br.run("add-"+l[len(l)-6:], chromedp.Navigate(a.APIURL()+"/listings/"+l), chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)),
			chromedp.Click(chromedp.CSS(`#add-to-cart`)), chromedp.WaitVisible(chromedp.CSS(`.cart-group`)))
	}
	br.run("ship-to-germany",
		chromedp.SetValue(chromedp.CSS(`#f-country`), "DE"),
		chromedp.Click(chromedp.CSS(`#set-ship-to`)),
		until(`document.querySelectorAll('.part-shipping').length === 2`, 20*time.Second),
	)
	panPart := fmt.Sprintf(`document.querySelector('.part-shipping[data-merchant="%s"]')`, mB)
	if got := eval[string](br, panPart+`.innerText`); !strings.Contains(got, "Standard") || !strings.Contains(got, "€5.90") ||
		!strings.Contains(got, "Express") || !strings.Contains(got, "€14.90") || !strings.Contains(got, "arrives") {
		t.Errorf("the pan's shipping reads %q", got)
	}
	if n := eval[int](br, `Array.from(document.querySelectorAll('.part-shipping .arrives')).filter(e => /arrives \w{3} \d+/.test(e.textContent)).length`); n != 3 {
		t.Errorf("%d options say when they arrive, want 3", n)
	}
	if got := br.text(`#cart-total`); got != "€87.70" { // 49.90 + 26.00 + 5.90 + 5.90
		t.Errorf("the cart to Germany totals %s, want €87.70", got)
	}
	// Picking Express submits at once (the button does it without JavaScript).
	br.run("pick-express",
		chromedp.Click(chromedp.CSS(`.part-shipping[data-merchant="`+mB+`"] input[value="Express"] + label`)),
		until(`location.search.includes('done=shipping') && document.readyState === 'complete' &&
			document.getElementById('cart-shipping').textContent === '€20.80'`, 20*time.Second),
	)
	if got := br.text(`#cart-total`); got != "€96.70" {
		t.Errorf("with Express the cart totals %s, want €96.70", got)
	}
	// The cart's checkout link, followed once the cart's page has loaded.
	if href := eval[string](br, `document.getElementById('checkout').getAttribute('href')`); href != "/checkout" {
		t.Fatalf("the cart's checkout link goes to %q", href)
	}
	br.run("checkout", chromedp.Navigate(a.APIURL()+"/checkout"), chromedp.WaitVisible(chromedp.CSS(`#place-order`)))
	if got := eval[string](br, `document.getElementById('f-shipping_address-country').value`); got != "DE" {
		t.Errorf("the address's country is %q, want the cart's DE", got)
	}
	if got := br.text(`#checkout-total`); got != "€96.70" {
		t.Errorf("the checkout totals %s, want €96.70", got)
	}
	br.run("place-order",
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-line1`), "Kaiser-Wilhelm-Str. 1"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-city`), "Berlin"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-postal_code`), "10115"),
		chromedp.Click(chromedp.CSS(`input[name="payment.method"][value="sandbox_card"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-payment-card_number`), "4242424242424242"),
		chromedp.Click(chromedp.CSS(`#place-order`)),
		chromedp.WaitVisible(chromedp.CSS(`li.part`)),
	)
	if got := br.text(`#order-total`); got != "€96.70" {
		t.Errorf("the order totals %s, want the cart's €96.70", got)
	}
	orderURL := eval[string](br, `location.origin + location.pathname`)

	// Beta's merchant ships the pan with a carrier of the table.
	part := partOn(t, b, tokB)
	testwait.For(t, 30*time.Second, func() error {
		if p, err := b.Orders().HomePartOf(t.Context(), "", part); err != nil || p.Status != order.StatusAccepted {
			return fmt.Errorf("the pan's part: %+v %v", p.Status, err)
		}
		return nil
	})
	merchantAct(t, b, tokB, part, "ship", map[string]string{"carrier": "dhl-paket", "tracking": "00340434"})
	link := `document.querySelector('li.part[data-part="` + part + `"] a.tracking-link')`
	br.reloadUntil("tracking-link", orderURL, link+` !== null`, 30*time.Second)
	if href := eval[string](br, link+`.href`); !strings.HasPrefix(href, "https://www.dhl.de/") || !strings.HasSuffix(href, "piececode=00340434") {
		t.Errorf("the tracking link goes to %q, want DHL Paket's page of the parcel", href)
	}
	if rel := eval[string](br, link+`.rel`); rel != "noopener noreferrer" {
		t.Errorf("the tracking link's rel is %q", rel)
	}

	// The new pages on a phone; a lamp in the cart again fills the cart and
	// checkout (the session kept Germany).
	br.run("add-again", chromedp.Navigate(a.APIURL()+"/listings/"+pan), chromedp.Click(chromedp.CSS(`#add-to-cart`)),
		chromedp.WaitVisible(chromedp.CSS(`.part-shipping`)), chromedp.EmulateViewport(390, 844))
	pages := []string{"/cart", "/checkout", strings.TrimPrefix(orderURL, a.APIURL()), "/listings/" + pan, "/merchants/" + bID + "." + mB}
	check := webtest.NewPageChecker(t)
	for i, p := range pages {
		br.run(fmt.Sprintf("ship-phone-%02d", i), chromedp.Navigate(a.APIURL()+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		br.checkPage(check, p)
	}
	br.run("back-to-desktop", chromedp.EmulateViewport(1280, 900))
	for i, p := range pages {
		br.run(fmt.Sprintf("ship-desktop-%02d", i), chromedp.Navigate(a.APIURL()+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	}
}
