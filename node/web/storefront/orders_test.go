package storefront

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestCancelOrderLeavesShippedParts(t *testing.T) {
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
	if !strings.Contains(page.Body, `id="cancel-order"`) {
		t.Fatal("no cancel button while a part can be cancelled")
	}
	if !strings.Contains(page.Body, `<dd class="order-status">Accepted, being prepared</dd>`) {
		t.Errorf("order status in words missing:\n%s", page.Body)
	}
	webtest.WantRedirect(t, b.Post(at+"/cancel", url.Values{"csrf": {webtest.CSRF(t, page)}}), at+"?done=cancelled")
	page = b.Get(at + "?done=cancelled")
	if !strings.Contains(partOf(page.Body, open), `data-status="cancelled"`) || !strings.Contains(partOf(page.Body, shipped), `data-status="shipped"`) {
		t.Errorf("after cancelling:\n%s", page.Body)
	}
	if strings.Contains(page.Body, `id="cancel-order"`) || !strings.Contains(page.Body, template.HTMLEscapeString(shopperNotices["cancelled"])) {
		t.Error("the cancel button is still offered, or no notice")
	}
	r := b.Post(at+"/cancel", url.Values{"csrf": {webtest.CSRF(t, page)}})
	webtest.WantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Body, "Nothing was cancelled") {
		t.Error("a refused cancel does not say why")
	}
	// Another shopper's order is not found.
	other := h.shopper()
	webtest.WantStatus(t, other.Get(at), http.StatusNotFound)
	webtest.WantStatus(t, other.Post(at+"/cancel", url.Values{"csrf": {webtest.CSRF(t, other.Get("/cart"))}}), http.StatusNotFound)
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
