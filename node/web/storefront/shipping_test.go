package storefront

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/locale"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// shippingCart is a harness whose other member's merchant "Bremen Forge"
// ships by webtest.ForgeShipping (Germany and France) and whose own
// merchant ships free to its listings' regions (DE, FR, GB), with a pan
// of each.
type shippingCart struct {
	*harness
	forge         catalog.Merchant
	pan, lamp     catalog.Listing
	forgeShipping string
}

func newShippingCart(t *testing.T) *shippingCart {
	h := &shippingCart{harness: newHarness(t)}
	h.forge = h.OtherMerchant("Bremen Forge")
	h.forgeShipping = h.PublishShipping(h.Other, h.forge.ID, "Bremen Forge", webtest.ForgeShipping(), webtest.ReturnsIn30())
	h.pan = h.ListOtherOf(h.forge.ID, webtest.Input("Iron pan", "Ferro", "Home > Kitchen", 4990, 10))
	h.lamp = h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	return h
}

// shipTo posts the cart's ship-to selector.
func shipTo(t *testing.T, b *webtest.Browser, country, region string) webtest.Response {
	t.Helper()
	return b.Submit("/cart", "/cart/ship-to", url.Values{"country": {country}, "region": {region}})
}

// partOfCart is the shipping block of the part merchant sells.
func partOfCart(body, merchant string) string {
	m := regexp.MustCompile(`(?s)<div class="part-shipping" id="[^"]+" data-merchant="` + regexp.QuoteMeta(merchant) + `">.*?</dl>`).FindString(body)
	return m
}

func wantAll(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %s", what, w)
		}
	}
}

func TestCartShipsToACountryWithOptionsDatesAndTotals(t *testing.T) {
	h := newShippingCart(t)
	b := h.shopper()
	for _, l := range []catalog.Listing{h.pan, h.lamp} {
		if r := webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 2); r.Code != http.StatusSeeOther {
			t.Fatalf("add: %d\n%s", r.Code, r.Body)
		}
	}
	page := b.Get("/cart")
	wantAll(t, "the cart before a destination", page.Body, `<select id="f-country" name="country" autocomplete="country">`,
		`<option value="DE">Germany</option>`, "chosen with the country it ships to", `<span id="cart-total">€139.80</span>`)
	if strings.Contains(page.Body, `class="part-shipping"`) {
		t.Error("the cart shows shipping options before it has a destination")
	}
	// Bad input is said next to the selector, and changes nothing.
	r := shipTo(t, b, "XX", "")
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "country", "Choose the country the parcels go to.")
	r = shipTo(t, b, "DE", "FR-75")
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "region", "Enter the region as its ISO 3166-2 code, such as DE-BY, or leave it empty.")

	webtest.WantRedirect(t, shipTo(t, b, "DE", ""), "/cart?done=ship-to")
	page = b.Get("/cart?done=ship-to")
	// Sunday 1 March: two handling days, then one or two in transit.
	forge := partOfCart(page.Body, h.forge.ID)
	wantAll(t, "Bremen Forge's shipping", forge, "Shipping of the items from Bremen Forge",
		`value="Standard" checked>`, `<span class="rate-price">€6.90</span> <span class="arrives">arrives Thu 5 – Fri 6 Mar</span>`,
		`value="Express">`, `<span class="rate-price">€14.90</span> <span class="arrives">arrives Thu 5 Mar</span>`,
		`<dt>Items</dt><dd>€99.80</dd>`, `<dd class="part-shipping-price">€6.90</dd>`, `<dd class="part-total">€106.70</dd>`)
	// Alpha's merchant published nothing: free to its regions in 2-5 days after one day's handling.
	wantAll(t, "Alpha's shipping", partOfCart(page.Body, h.Merchant.ID), `<span class="rate-price">Free</span> <span class="arrives">arrives Thu 5 – Tue 10 Mar</span>`)
	wantAll(t, "the cart to Germany", page.Body, `Shipping to <strong id="ship-to-name">Germany</strong>`, `<option value="DE" selected>Germany</option>`,
		`<dd id="cart-items">€139.80</dd>`, `<dd id="cart-shipping">€6.90</dd>`, `<span id="cart-total">€146.70</span>`)

	// Express for the pan's part.
	r = b.Post("/cart/shipping", url.Values{"csrf": {webtest.CSRF(t, page)}, "platform": {h.Other.ID.String()}, "merchant": {h.forge.ID}, "rate": {"Express"}})
	webtest.WantRedirect(t, r, "/cart?done=shipping")
	page = b.Get("/cart")
	wantAll(t, "the cart with Express", page.Body, `value="Express" checked>`, `<dd id="cart-shipping">€14.90</dd>`, `<span id="cart-total">€154.70</span>`)
	// A rate the part is not offered changes nothing.
	webtest.WantRedirect(t, b.Post("/cart/shipping", url.Values{"csrf": {webtest.CSRF(t, page)}, "platform": {h.Other.ID.String()},
		"merchant": {h.forge.ID}, "rate": {"Teleport"}}), "/cart")
	wantAll(t, "the cart after a bad rate", b.Get("/cart").Body, `<span id="cart-total">€154.70</span>`)

	// The checkout's address goes to Germany, and its summary splits items and shipping.
	co := b.Get("/checkout")
	wantAll(t, "the checkout", co.Body, `<option value="DE" selected>Germany</option>`, "Shipping from Bremen Forge: Express, <strong class=\"part-shipping-price\">€14.90</strong>, arrives Thu 5 Mar",
		`<dd id="checkout-shipping">€14.90</dd>`, `<span id="checkout-total">€154.70</span>`, "Place order: pay €154.70")
	at := webtest.OrderLocation(t, webtest.PostCheckout(b, co, func(f url.Values) { f.Set("shipping_address.country", "DE") }))
	o := b.Get(at)
	wantAll(t, "the order", o.Body, `<span id="order-total">€154.70</span> <span class="muted small">(items €139.80, shipping €14.90)</span>`,
		`Shipping (Express): <span class="part-shipping-price">€14.90</span> · expected <span class="arrives">Thu 5 Mar</span>`, "Germany")
}

func TestCartFlagsLinesThatDoNotShipThere(t *testing.T) {
	h := newShippingCart(t)
	b := h.shopper()
	for _, l := range []catalog.Listing{h.pan, h.lamp} {
		webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 1)
	}
	webtest.WantRedirect(t, shipTo(t, b, "GB", ""), "/cart?done=ship-to")
	page := b.Get("/cart")
	wantAll(t, "the cart to the UK", page.Body, `<p class="field-error no-ship">Iron pan does not ship to United Kingdom. Remove it, or choose another country.</p>`,
		`<p class="field-error unshippable">&#34;Iron pan&#34; does not ship to United Kingdom.</p>`, `id="cart-unshippable"`)
	if strings.Contains(page.Body, "Desk lamp does not ship") {
		t.Error("the lamp, which ships to the UK, is flagged")
	}
	// In Chinese the same lines are flagged, the country named in Chinese
	// and chosen from a list in pinyin order.
	zh := b.Get("/cart?lang=zh-CN").Body
	wantAll(t, "the cart to the UK in zh-CN", zh, `<p class="field-error no-ship">Iron pan 不配送至英国。请移除该商品，或选择其他国家。</p>`,
		`<p class="field-error unshippable">“Iron pan” 不配送至英国。</p>`, ">英国</option>")
	if a, z := strings.Index(zh, ">阿尔巴尼亚</option>"), strings.Index(zh, ">英国</option>"); a < 0 || z < a {
		t.Errorf("the countries are not in pinyin order: 阿尔巴尼亚 at %d, 英国 at %d", a, z)
	}
	if strings.Contains(zh, "does not ship") || strings.Contains(zh, "United Kingdom") {
		t.Error("the Chinese cart says where a line does not ship in English")
	}
	b.Get("/cart?lang=en")
	// Adding another line that does not ship there is refused, naming it.
	cup := h.ListOtherOf(h.forge.ID, webtest.Input("Tin cup", "Ferro", "Home", 990, 3))
	r := webtest.AddToCart(b, cup.ID, cup.Variants[0].SKU, 1)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantAll(t, "the refusal", r.Body, "&#34;Tin cup&#34; does not ship to GB.")
	// Checkout there is refused with the lines named by the country input.
	r = webtest.Checkout(b, nil)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "shipping_address.country", "Country must be a country every line ships to: &#34;Iron pan&#34; does not ship to GB.")
}

func TestGuestShipToAndChoiceFollowTheSignUp(t *testing.T) {
	h := newShippingCart(t)
	b := h.browser()
	webtest.WantRedirect(t, guestAdd(t, b, h.pan.ID, h.pan.Variants[0].SKU, 1), "/cart?done=added")
	webtest.WantRedirect(t, shipTo(t, b, "de", ""), "/cart?done=ship-to")
	page := b.Get("/cart")
	wantAll(t, "the guest's cart", page.Body, `value="Standard" checked>`, `<span class="rate-price">€5.90</span>`, `<span id="cart-total">€55.80</span>`)
	webtest.WantRedirect(t, b.Post("/cart/shipping", url.Values{"csrf": {webtest.CSRF(t, page)}, "platform": {h.Other.ID.String()},
		"merchant": {h.forge.ID}, "rate": {"Express"}}), "/cart?done=shipping")
	wantAll(t, "the guest's cart with Express", b.Get("/cart").Body, `value="Express" checked>`, `<span id="cart-total">€64.80</span>`)
	// The listing page quotes where the guest's cart ships.
	wantAll(t, "the listing", b.Get("/listings/"+h.pan.ID).Body, "To Germany: shipping from €5.90.")
	webtest.SignUp(b)
	page = b.Get("/cart")
	wantAll(t, "the account's cart", page.Body, `Shipping to <strong id="ship-to-name">Germany</strong>`, `value="Express" checked>`, `<span id="cart-total">€64.80</span>`)
}

func TestCheckoutShippingPriceChangeAsksToConfirm(t *testing.T) {
	h := newShippingCart(t)
	b := h.shopper()
	webtest.AddToCart(b, h.pan.ID, h.pan.Variants[0].SKU, 2)
	webtest.WantRedirect(t, shipTo(t, b, "DE", ""), "/cart?done=ship-to")
	co := b.Get("/checkout")
	// Bremen Forge raises its rate, and the storefront learns it.
	raised := webtest.ForgeShipping()
	raised.Zones[0].Rates[0].Flat = 590
	if _, err := h.Other.Cat.PutShippingProfile(t.Context(), h.forge.ID, h.forgeShipping, raised); err != nil {
		t.Fatal(err)
	}
	h.Replicate()
	set := func(f url.Values) { f.Set("shipping_address.country", "DE") }
	r := webtest.PostCheckout(b, co, set)
	webtest.WantStatus(t, r, http.StatusConflict)
	wantAll(t, "the confirmation", r.Body, "Please confirm the new prices", "Shipping of the items from Bremen Forge (Standard) is now €7.90.",
		"The new total is €107.70.", "Place order: pay €107.70")
	at := webtest.OrderLocation(t, webtest.PostCheckout(b, r, set))
	wantAll(t, "the order", b.Get(at).Body, `<span id="order-total">€107.70</span>`)
}

func TestOrderPageLinksTheParcelOnTheCarriersSite(t *testing.T) {
	h := newShippingCart(t)
	h.PublishShipping(h.Self, h.Merchant.ID, "Alpha Goods", webtest.ForgeShipping(), webtest.ReturnsIn30())
	b := h.shopper()
	webtest.AddToCart(b, h.lamp.ID, h.lamp.Variants[0].SKU, 1)
	webtest.WantRedirect(t, shipTo(t, b, "DE", ""), "/cart?done=ship-to")
	at := webtest.OrderLocation(t, webtest.Checkout(b, func(f url.Values) { f.Set("shipping_address.country", "DE") }))
	part := regexp.MustCompile(`<li class="part" data-part="([^"]+)"`).FindStringSubmatch(b.Get(at).Body)[1]
	if _, err := h.Self.Orders.ShipWith(t.Context(), h.Merchant.ID, part, order.Shipment{Carrier: "dhl-paket", Tracking: "0034 043"}); err != nil {
		t.Fatal(err)
	}
	page := b.Get(at)
	wantAll(t, "the shipped part", page.Body, `Shipped with <strong class="carrier">DHL Paket (Germany)</strong>, tracking number <code class="tracking-number">0034 043</code>.`,
		`<a href="https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode=0034&#43;043" class="tracking-link" rel="noopener noreferrer" target="_blank">`)

	// A link the carrier table does not make is shown escaped, and only when https.
	sf := h.store
	o := order.Order{ID: "ord_x", Total: order.Money{Amount: 100, Currency: "EUR"}, Parts: []order.Part{
		{ID: "p1", Status: order.StatusShipped, Carrier: "Courier", Tracking: "T1", TrackingURL: `https://track.example/t?id=1&x="><script>alert(1)</script>`, Total: order.Money{Amount: 50, Currency: "EUR"}},
		{ID: "p2", Status: order.StatusShipped, Carrier: "Courier", Tracking: "T2", TrackingURL: "javascript:alert(1)", Total: order.Money{Amount: 50, Currency: "EUR"}},
		{ID: "p3", Status: order.StatusShipped, Carrier: "Courier", Tracking: "T3", TrackingURL: "http://track.example/t3", Total: order.Money{Amount: 50, Currency: "EUR"}},
	}}
	v := sf.orderViewOf(t.Context(), o)
	if v.Parts[0].TrackingURL == "" || v.Parts[1].TrackingURL != "" || v.Parts[2].TrackingURL != "" {
		t.Errorf("tracking links %q %q %q: want the https one only", v.Parts[0].TrackingURL, v.Parts[1].TrackingURL, v.Parts[2].TrackingURL)
	}
	rendered := renderOrder(t, h.harness, v)
	if strings.Contains(rendered, "<script>alert") || !strings.Contains(rendered, `class="tracking-link" rel="noopener noreferrer"`) {
		t.Errorf("the tracking link is not escaped:\n%s", rendered)
	}
	if strings.Contains(rendered, "javascript:") || strings.Contains(rendered, "http://track.example") {
		t.Error("a tracking link that is not https is linked")
	}
}

// renderOrder renders the order template with v.
func renderOrder(t *testing.T, h *harness, v orderView) string {
	t.Helper()
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/orders/"+v.ID, nil)
	h.store.render(w, r, http.StatusOK, "order", h.store.guestPage(w, r, "Order", v))
	return w.Body.String()
}

func TestRefundSaysWhetherShippingWasRefunded(t *testing.T) {
	eur := func(a int64) order.Money { return order.Money{Amount: a, Currency: "EUR"} }
	for _, tt := range []struct {
		p    order.Part
		want string
	}{
		{order.Part{Shipping: eur(690), Refunded: eur(10670), RefundedShipping: eur(690)}, "The refund includes the shipping (€6.90)."},
		{order.Part{Shipping: eur(690), Refunded: eur(9980)}, "The shipping (€6.90) was not refunded."},
		{order.Part{Shipping: eur(690), Refunded: eur(10000), RefundedShipping: eur(200)}, "€2.00 of the shipping (€6.90) was refunded."},
		{order.Part{Shipping: eur(0), Refunded: eur(9980)}, ""},
		{order.Part{Shipping: eur(690)}, ""},
	} {
		if got := speechFor(t, locale.English).shippingRefundText(tt.p); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestArrivalDates(t *testing.T) {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	for _, tt := range []struct {
		e, l        time.Time
		long, short string
	}{
		{d(12, 8), d(12, 10), "Tue 8 – Thu 10 Dec", "8–10 Dec"},
		{d(11, 30), d(12, 2), "Mon 30 Nov – Wed 2 Dec", "30 Nov – 2 Dec"},
		{d(12, 3), d(12, 3), "Thu 3 Dec", "3 Dec"},
	} {
		if got := arrivesText(tt.e, tt.l); got != tt.long {
			t.Errorf("arrivesText = %q, want %q", got, tt.long)
		}
		if got := arrivesShort(tt.e, tt.l); got != tt.short {
			t.Errorf("arrivesShort = %q, want %q", got, tt.short)
		}
	}
}

func TestListingSaysWhereWhenAndReturns(t *testing.T) {
	h := newShippingCart(t)
	page := h.browser().Get("/listings/" + h.pan.ID)
	// No destination chosen and none configured: the cheapest zone, Germany.
	wantAll(t, "the listing", page.Body, `<p class="policies-line">Ships to 2 countries · arrives 5–6 Mar · 30-day returns</p>`,
		"To Germany: shipping from €5.90.", `href="/merchants/`+h.Other.ID.String()+"."+h.forge.ID+`" class="merchant-link">About Bremen Forge: shipping and returns</a>`)
	h.country = "FR"
	h.rebuild()
	wantAll(t, "the listing quoted to France", h.browser().Get("/listings/"+h.pan.ID).Body, "arrives 9–11 Mar", "To France: shipping from €9.90.")
	h.country = "US"
	h.rebuild()
	wantAll(t, "the listing quoted to the US", h.browser().Get("/listings/"+h.pan.ID).Body, "Does not ship to United States.")

	// The offer's structured data: a rate per zone, with handling and transit, and the return policy.
	raw := regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`).FindStringSubmatch(page.Body)
	if raw == nil {
		t.Fatal("no JSON-LD")
	}
	var ld struct {
		Offers []struct {
			Type            string `json:"@type"`
			ShippingDetails []struct {
				Type string `json:"@type"`
				Rate struct {
					Type            string `json:"@type"`
					Value, Currency string
				} `json:"shippingRate"`
				Destination []struct {
					Type    string `json:"@type"`
					Country string `json:"addressCountry"`
				} `json:"shippingDestination"`
				DeliveryTime struct {
					Type     string `json:"@type"`
					Handling struct {
						Type               string `json:"@type"`
						MinValue, MaxValue int
						UnitCode           string
					} `json:"handlingTime"`
					Transit struct {
						MinValue, MaxValue int
						UnitCode           string
					} `json:"transitTime"`
				} `json:"deliveryTime"`
			} `json:"shippingDetails"`
			Return struct {
				Type       string   `json:"@type"`
				Countries  []string `json:"applicableCountry"`
				Category   string   `json:"returnPolicyCategory"`
				Days       int      `json:"merchantReturnDays"`
				Fees       string   `json:"returnFees"`
				ReturnMode string   `json:"returnMethod"`
			} `json:"hasMerchantReturnPolicy"`
		} `json:"offers"`
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(raw[1])), &ld); err != nil {
		t.Fatalf("JSON-LD: %v\n%s", err, raw[1])
	}
	if len(ld.Offers) != 1 || len(ld.Offers[0].ShippingDetails) != 3 {
		t.Fatalf("offers: %+v", ld.Offers)
	}
	sd := ld.Offers[0].ShippingDetails[0]
	if sd.Type != "OfferShippingDetails" || sd.Rate.Type != "MonetaryAmount" || sd.Rate.Value != "5.90" || sd.Rate.Currency != "EUR" ||
		len(sd.Destination) != 1 || sd.Destination[0].Type != "DefinedRegion" || sd.Destination[0].Country != "DE" ||
		sd.DeliveryTime.Type != "ShippingDeliveryTime" || sd.DeliveryTime.Handling.Type != "QuantitativeValue" ||
		sd.DeliveryTime.Handling.MinValue != 2 || sd.DeliveryTime.Handling.MaxValue != 2 || sd.DeliveryTime.Handling.UnitCode != "DAY" ||
		sd.DeliveryTime.Transit.MinValue != 1 || sd.DeliveryTime.Transit.MaxValue != 2 || sd.DeliveryTime.Transit.UnitCode != "DAY" {
		t.Errorf("the first shipping details: %+v", sd)
	}
	if fr := ld.Offers[0].ShippingDetails[2]; fr.Destination[0].Country != "FR" || fr.Rate.Value != "9.90" {
		t.Errorf("France's shipping details: %+v", fr)
	}
	rp := ld.Offers[0].Return
	if rp.Type != "MerchantReturnPolicy" || rp.Category != "https://schema.org/MerchantReturnFiniteReturnWindow" || rp.Days != 30 ||
		rp.Fees != "https://schema.org/ReturnFeesCustomerResponsibility" || rp.ReturnMode != "https://schema.org/ReturnByMail" ||
		strings.Join(rp.Countries, ",") != "DE,FR" {
		t.Errorf("the return policy: %+v", rp)
	}
	// No returns, and a restocking fee, in schema.org's words.
	if r := returnData(catalog.Policies{}, nil); r.Category != "https://schema.org/MerchantReturnNotPermitted" || r.Days != 0 {
		t.Errorf("no returns: %+v", r)
	}
	if r := returnData(catalog.Policies{ReturnDays: 14, RestockingFeeBPS: 1250}, nil); r.Fees != "https://schema.org/RestockingFees" || r.RestockingFee != "12.5" {
		t.Errorf("a restocking fee: %+v", r)
	}
}

func TestMerchantPage(t *testing.T) {
	h := newShippingCart(t)
	if _, err := h.Other.Cat.SetMerchantProfile(t.Context(), h.forge.ID, catalog.MerchantProfileInput{Name: "Bremen Forge", Country: "DE",
		Email: "help@forge.example", Description: "Pans forged by hand <b>in Bremen</b>.", LogoURL: "https://img.example/forge.png",
		DefaultShipping: h.forgeShipping, Policies: catalog.Policies{ReturnDays: 30, ReturnShipping: catalog.ReturnPaidByMerchant, RestockingFeeBPS: 500,
			HandlingDays: 2, Legal: "Bremen Forge GmbH, HRB 1234"}}); err != nil {
		t.Fatal(err)
	}
	h.Replicate()
	page := h.browser().Get("/merchants/" + h.Other.ID.String() + "." + h.forge.ID)
	webtest.WantStatus(t, page, http.StatusOK)
	wantAll(t, "the merchant page", page.Body, "<h1>Bremen Forge</h1>", `<img class="merchant-logo" src="https://img.example/forge.png"`,
		"Pans forged by hand &lt;b&gt;in Bremen&lt;/b&gt;.", "shipping from Germany", `<a href="mailto:help@forge.example" class="merchant-email">`,
		"You may return items within 30 days of delivery; the merchant pays the return shipping.", "A restocking fee of 5.00% of the price",
		"Orders are sent within 2 business days.", "Bremen Forge GmbH, HRB 1234",
		`<th scope="row" class="zone">Germany</th>`, `<td class="price" data-label="Price">€4.90 per order &#43; €1.00 per item</td>`,
		`<td class="transit" data-label="Delivery">1–2 business days</td>`, `<td class="carriers" data-label="Carriers">DHL Paket (Germany)</td>`,
		`<td class="rate" data-label="Rate">Express</td>`, `<td class="transit" data-label="Delivery">3–5 business days</td>`,
		`<a href="/listings/`+h.pan.ID+`">Iron pan</a>`)
	// A logo that is not https is not shown.
	v := merchantView{}
	h.store.profileView(&v, catalog.MerchantProfile{Name: "X", LogoURL: "http://img.example/x.png"}, h.store.speechIn(t.Context()))
	if v.Logo != "" {
		t.Errorf("an http logo is shown: %q", v.Logo)
	}
	// This node's merchant without a profile has a page from its listings; nobody else does.
	wantAll(t, "a merchant without a profile", h.browser().Get(merchantURL(h.Self.ID.String(), h.Merchant.ID)).Body,
		"<h1>Alpha Goods &amp; Co</h1>", "has not published its shipping and returns policies yet", "Desk lamp")
	for _, bad := range []string{"nope", h.Other.ID.String() + ".m_unknown", "x.y"} {
		webtest.WantStatus(t, h.browser().Get("/merchants/"+bad), http.StatusNotFound)
	}
}
