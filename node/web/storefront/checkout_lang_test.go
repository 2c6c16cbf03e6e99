package storefront

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/locale"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// english is message id in English, as the English tests read what the
// storefront says.
func english(t *testing.T, id string, args ...any) string {
	t.Helper()
	c, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := c.Default().T(id, args...)
	if s == id {
		t.Fatalf("no English message %q", id)
	}
	return s
}

// A shopper reading Chinese is told in Chinese why the cart or the
// checkout refuses: a line that does not ship where the cart goes, as it
// is added and at checkout, a missing street address, a declined card, a
// price changed, a quantity over the stock, an item sold out; the English
// page still says a missing street in English.
func TestCheckoutRefusesInChinese(t *testing.T) {
	h := newShippingCart(t)
	b := h.shopper()
	b.Get("/?lang=zh-CN") // the cookie remembers the choice
	for _, l := range []catalog.Listing{h.pan, h.lamp} {
		webtest.WantRedirect(t, webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 1), "/cart?done=added")
	}
	// Before any checkout holds a unit of the lamp.
	r := webtest.AddToCart(b, h.lamp.ID, h.lamp.Variants[0].SKU, 5)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "quantity", "仅剩 5 件，您的购物车中已有 1 件。")
	webtest.WantRedirect(t, shipTo(t, b, "GB", ""), "/cart?done=ship-to")

	cup := h.ListOtherOf(h.forge.ID, webtest.Input("Tin cup", "Ferro", "Home", 990, 3))
	r = webtest.AddToCart(b, cup.ID, cup.Variants[0].SKU, 1)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.WantText(t, r, "“Tin cup” 不配送至英国（您购物车的收货地）。如需添加，请在购物车中选择其他国家/地区。")

	r = webtest.Checkout(b, nil)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "shipping_address.country", "“Iron pan” 不配送至英国。")
	noEnglish(t, "the checkout to the UK", r.Body)

	r = webtest.Checkout(b, func(f url.Values) { f.Set("shipping_address.line1", " ") })
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "shipping_address.line1", "请输入街道地址。")
	noEnglish(t, "the checkout without a street", r.Body)

	webtest.WantRedirect(t, shipTo(t, b, "DE", ""), "/cart?done=ship-to")
	toDE := func(f url.Values) { f.Set("shipping_address.country", "DE") }
	// A checkout of a lamp gone comes before any checkout holds one, whose
	// release would give it back.
	setStock := func(n int64) {
		if err := h.Self.Cat.SetStock(t.Context(), h.Merchant.ID, h.lamp.ID, h.lamp.Variants[0].SKU, n); err != nil {
			t.Fatal(err)
		}
	}
	setStock(0)
	r = webtest.Checkout(b, toDE)
	webtest.WantStatus(t, r, http.StatusConflict)
	wantAll(t, "the checkout of a lamp gone", r.Body, "部分商品的库存不足您所选的数量，因此未下单，也未扣款。", "该商品已售罄。")
	noEnglish(t, "the checkout of a lamp gone", r.Body)
	setStock(5)
	r = webtest.Checkout(b, func(f url.Values) { toDE(f); f.Set("payment.card_number", order.CardDecline) })
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "payment.card_number", "您的银行卡被拒绝，未扣款。请使用其他银行卡，或选择稍后付款。")
	noEnglish(t, "the declined checkout", r.Body)

	r = webtest.Checkout(b, func(f url.Values) { toDE(f); f.Set("coupon", "NOPE10") })
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "coupon", "“NOPE10”不是本店的优惠码。")
	now := h.Clock.Now()
	big := order.CouponInput{Code: "BIG50", Kind: order.CouponAmount, Amount: 5000, Budget: 100000, MinCart: 100000,
		Starts: now.Add(-time.Hour), Ends: now.Add(24 * time.Hour)}
	if _, err := h.Self.Orders.CreateCoupon(t.Context(), big); err != nil {
		t.Fatal(err)
	}
	r = webtest.Checkout(b, func(f url.Values) { toDE(f); f.Set("coupon", "BIG50") })
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "coupon", "BIG50 需商品金额至少 €1,000.00 才可使用。")
	noEnglish(t, "the checkout with a coupon for bigger carts", r.Body)

	in := webtest.Input("Desk lamp", "Acme", "Home", 2500, 5)
	in.Variants[0].SKU = h.lamp.Variants[0].SKU
	if _, err := h.Self.Cat.ReplaceListing(t.Context(), h.Merchant.ID, h.lamp.ID, in); err != nil {
		t.Fatal(err)
	}
	r = webtest.Checkout(b, toDE)
	webtest.WantStatus(t, r, http.StatusConflict)
	wantAll(t, "the checkout at a new price", r.Body, "Desk lamp 的价格已从 €20.00 变为 €25.00。", "新的总额为 €80.80。")
	noEnglish(t, "the checkout at a new price", r.Body)

	b.Get("/?lang=en")
	r = webtest.Checkout(b, func(f url.Values) { toDE(f); f.Set("shipping_address.line1", "") })
	webtest.HasFieldError(t, r.Body, "shipping_address.line1", "Enter the street address.")
}

// noEnglish fails if a Chinese page says a refusal in English.
func noEnglish(t *testing.T, what, body string) {
	t.Helper()
	for _, en := range []string{"nothing was charged", "does not ship", "Enter ", "Only ", "out of stock", "Country ", "The price of", "The new total"} {
		if strings.Contains(body, en) {
			t.Errorf("%s says %q in English", what, en)
		}
	}
}
