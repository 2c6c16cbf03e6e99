package storefront

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestCancelThroughTheConfirmation(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b, at := h.buy(1, lamp, chair)
	page := b.Get(at)
	ids := regexp.MustCompile(`<li class="part" data-part="([^"]+)"`).FindAllStringSubmatch(page.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("%d parts", len(ids))
	}
	// This node's merchant ships its part; the other is still accepted.
	var shipped, open string
	for _, id := range ids {
		if _, err := h.Self.Orders.HomePartOf(t.Context(), h.Merchant.ID, id[1]); err == nil {
			shipped = id[1]
		} else {
			open = id[1]
		}
	}
	if _, err := h.Self.Orders.Ship(t.Context(), h.Merchant.ID, shipped, "UPS", "1Z999"); err != nil {
		t.Fatal(err)
	}
	page = b.Get(at)
	for _, want := range []string{`<dd class="order-status">Partly shipped</dd>`, `href="` + at + `/cancel" id="cancel-order"`,
		`href="` + at + `/cancel?part=` + open + `" class="cancel-part"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the order page lacks %s", want)
		}
	}
	if strings.Contains(partOf(page.Body, shipped), "cancel-part") {
		t.Error("the shipped part offers a cancel")
	}
	// Cancelling is confirmed on a page that says what and how much.
	confirm := b.Get(at + "/cancel?part=" + open)
	webtest.WantStatus(t, confirm, http.StatusOK)
	for _, want := range []string{`name="part" value="` + open + `"`, "<strong>Beta Seller</strong> on Beta Bazaar: €120.00",
		`You are refunded <strong id="refund-total">€120.00</strong> to the card ending in 4242`,
		"Already on their way", "<strong>Alpha Goods &amp; Co</strong> on Alpha Market: Shipped, €20.00"} {
		if !strings.Contains(confirm.Body, want) {
			t.Errorf("the confirmation lacks %s", want)
		}
	}
	if strings.Contains(confirm.Body, `value="`+shipped+`"`) {
		t.Error("the confirmation offers to cancel the shipped part")
	}
	token := webtest.CSRF(t, confirm)
	r := b.Post(at+"/cancel", url.Values{"csrf": {token}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.WantText(t, r, "Tick at least one part to cancel.")
	r = b.Post(at+"/cancel", url.Values{"csrf": {token}, "part": {open, shipped}})
	webtest.WantStatus(t, r, http.StatusConflict)
	webtest.WantText(t, r, "Nothing was cancelled: a part you ticked has shipped or ended in the meantime.")
	if p := b.Get(at); !strings.Contains(partOf(p.Body, open), `data-status="accepted"`) {
		t.Fatal("a refused cancel cancelled a part")
	}
	webtest.WantRedirect(t, b.Post(at+"/cancel", url.Values{"csrf": {token}, "part": {open}}), at+"?done=cancelled")
	page = b.Get(at + "?done=cancelled")
	webtest.WantText(t, page, shopperNotices["cancelled"])
	if !strings.Contains(partOf(page.Body, open), `data-status="cancelled"`) || !strings.Contains(partOf(page.Body, shipped), `data-status="shipped"`) {
		t.Errorf("after cancelling:\n%s", page.Body)
	}
	if strings.Contains(page.Body, `id="cancel-order"`) {
		t.Error("the order still offers a cancel")
	}
	// The refund shows once the card is refunded.
	testwait.For(t, 10*time.Second, func() error {
		page = b.Get(at)
		for _, want := range []string{"€120.00 refunded to the card ending in 4242.",
			`<dd class="order-status">Shipped; 1 part cancelled, refunded €120.00</dd>`,
			`<dd class="payment-text">Card ending in 4242, €140.00 charged; €120.00 refunded</dd>`} {
			if !strings.Contains(page.Body, want) {
				return fmt.Errorf("the order page lacks %s", want)
			}
		}
		return nil
	})
	// Nothing is left to cancel: the confirmation goes back to the order.
	webtest.WantRedirect(t, b.Get(at+"/cancel"), at)
	r = b.Post(at+"/cancel", url.Values{"csrf": {token}, "part": {open}})
	webtest.WantStatus(t, r, http.StatusConflict)
	webtest.WantText(t, r, "Nothing was cancelled: every part of this order has shipped or ended already.")
	// Another shopper's order is not found.
	other := h.shopper()
	webtest.WantStatus(t, other.Get(at+"/cancel"), http.StatusNotFound)
	webtest.WantStatus(t, other.Post(at+"/cancel", url.Values{"csrf": {webtest.CSRF(t, other.Get("/cart"))}, "part": {open}}), http.StatusNotFound)
}

func TestOrdersPageThroughNewestFirst(t *testing.T) {
	h := newHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 100))
	b := h.shopper()
	var placed []string
	for range ordersPageSize + 1 {
		h.Clock.Advance(time.Second) // the newest first, one a second
		webtest.AddToCart(b, lamp.ID, lamp.Variants[0].SKU, 1)
		placed = append(placed, strings.TrimPrefix(webtest.OrderLocation(t, webtest.Checkout(b, nil)), "/orders/"))
	}
	first := b.Get("/orders")
	rows := regexp.MustCompile(`<tr class="order" data-order="([^"]+)"`).FindAllStringSubmatch(first.Body, -1)
	if len(rows) != ordersPageSize || rows[0][1] != placed[len(placed)-1] {
		t.Fatalf("first page: %d orders, newest %v", len(rows), rows[0])
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(first.Body)
	if next == nil {
		t.Fatal("no link to older orders")
	}
	second := b.Get(webtest.UnescapeHTML(next[1]))
	rows = regexp.MustCompile(`<tr class="order" data-order="([^"]+)"`).FindAllStringSubmatch(second.Body, -1)
	if len(rows) != 1 || rows[0][1] != placed[0] {
		t.Errorf("second page: %v, want the oldest order %s", rows, placed[0])
	}
	// The order service reads any cursor as a position: a mistyped one
	// pages on from wherever it falls.
	if r := b.Get("/orders?cursor=bogus"); r.Code != http.StatusOK {
		t.Errorf("a mistyped cursor: %d\n%s", r.Code, r.Body)
	}
}

func TestHostileTitleIsEscapedOnOrderPages(t *testing.T) {
	h := newHarness(t)
	hostile := `<script>alert(1)</script>`
	l := h.List(webtest.Input(hostile, "Acme", "Home", 2000, 5))
	b := h.shopper()
	webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 1)
	pages := map[string]string{"cart": b.Get("/cart").Body, "checkout": b.Get("/checkout").Body}
	sb, at := h.buy(1, l)
	pages["order"] = sb.Get(at).Body
	for name, body := range pages {
		if strings.Contains(body, "<script>alert") {
			t.Errorf("%s page holds the title unescaped", name)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s page does not show the title escaped", name)
		}
	}
}

// partOf returns the order page's element of part id.
func partOf(body, id string) string {
	return regexp.MustCompile(`(?s)<li class="part" data-part="` + regexp.QuoteMeta(id) + `".*?</li>\s*(<li class="part"|</ol>)`).FindString(body)
}

// buy has a new shopper buy quantity of each listing's first SKU and
// returns the shopper's browser and the order's page path.
func (h *harness) buy(quantity int, ls ...catalog.Listing) (*webtest.Browser, string) {
	h.T.Helper()
	b := h.shopper()
	for _, l := range ls {
		if r := webtest.AddToCart(b, l.ID, l.Variants[0].SKU, quantity); r.Code != http.StatusSeeOther {
			h.T.Fatalf("add to cart: %d\n%s", r.Code, r.Body)
		}
	}
	return b, webtest.OrderLocation(h.T, webtest.Checkout(b, nil))
}
