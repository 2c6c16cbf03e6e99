package storefront

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestCancelOrderLeavesShippedParts(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	chair := h.listOther(input("Oak chair", "Woodco", "Home", 12000, 2))
	b, at := h.buy(1, lamp, chair)
	page := b.get(at)
	ids := regexp.MustCompile(`<li class="part" data-part="([^"]+)"`).FindAllStringSubmatch(page.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("%d parts", len(ids))
	}
	// This node's merchant ships its part; the other is still accepted.
	m := h.browser()
	m.signInMerchant(h.token)
	list := m.get("/merchant/orders")
	var shipped, open string
	for _, id := range ids {
		if partRowOf(list.Body, id[1]) != "" {
			shipped = id[1]
		} else {
			open = id[1]
		}
	}
	r := m.post("/merchant/orders/"+shipped+"/ship", url.Values{"csrf": {csrf(t, list)}, "carrier": {"UPS"}, "tracking": {"1Z999"}})
	wantRedirect(t, r, "/merchant/orders?done=shipped")
	page = b.get(at)
	if !strings.Contains(page.Body, `id="cancel-order"`) {
		t.Fatal("no cancel button while a part can be cancelled")
	}
	if !strings.Contains(page.Body, `<dd class="order-status">Accepted, being prepared</dd>`) {
		t.Errorf("order status in words missing:\n%s", page.Body)
	}
	wantRedirect(t, b.post(at+"/cancel", url.Values{"csrf": {csrf(t, page)}}), at+"?done=cancelled")
	page = b.get(at + "?done=cancelled")
	if !strings.Contains(partOf(page.Body, open), `data-status="cancelled"`) || !strings.Contains(partOf(page.Body, shipped), `data-status="shipped"`) {
		t.Errorf("after cancelling:\n%s", page.Body)
	}
	if strings.Contains(page.Body, `id="cancel-order"`) || !strings.Contains(page.Body, template.HTMLEscapeString(shopperNotices["cancelled"])) {
		t.Error("the cancel button is still offered, or no notice")
	}
	r = b.post(at+"/cancel", url.Values{"csrf": {csrf(t, page)}})
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Body, "Nothing was cancelled") {
		t.Error("a refused cancel does not say why")
	}
	// Another shopper's order is not found.
	other := h.shopper()
	wantStatus(t, other.get(at), http.StatusNotFound)
	wantStatus(t, other.post(at+"/cancel", url.Values{"csrf": {csrf(t, other.get("/cart"))}}), http.StatusNotFound)
}

func TestOrdersPageThroughNewestFirst(t *testing.T) {
	h := newHarness(t)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 100))
	b := h.shopper()
	var placed []string
	for range ordersPageSize + 1 {
		b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1)
		placed = append(placed, strings.TrimPrefix(orderLocation(t, b.checkout(nil)), "/orders/"))
	}
	first := b.get("/orders")
	rows := regexp.MustCompile(`<tr class="order" data-order="([^"]+)"`).FindAllStringSubmatch(first.Body, -1)
	if len(rows) != ordersPageSize || rows[0][1] != placed[len(placed)-1] {
		t.Fatalf("first page: %d orders, newest %v", len(rows), rows[0])
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(first.Body)
	if next == nil {
		t.Fatal("no link to older orders")
	}
	second := b.get(unescapeHTML(next[1]))
	rows = regexp.MustCompile(`<tr class="order" data-order="([^"]+)"`).FindAllStringSubmatch(second.Body, -1)
	if len(rows) != 1 || rows[0][1] != placed[0] {
		t.Errorf("second page: %v, want the oldest order %s", rows, placed[0])
	}
	wantRedirect(t, b.get("/orders?cursor=bogus"), "/orders")
}

func TestHostileTitleIsEscapedOnOrderPages(t *testing.T) {
	h := newHarness(t)
	hostile := `<script>alert(1)</script>`
	l := h.list(input(hostile, "Acme", "Home", 2000, 5))
	b := h.shopper()
	b.addToCart(l.ID, l.Variants[0].SKU, 1)
	pages := map[string]string{"cart": b.get("/cart").Body, "checkout": b.get("/checkout").Body}
	sb, at := h.buy(1, l)
	pages["order"] = sb.get(at).Body
	m := h.browser()
	m.signInMerchant(h.token)
	pages["merchant orders"] = m.get("/merchant/orders").Body
	for name, body := range pages {
		if strings.Contains(body, "<script>alert") {
			t.Errorf("%s page holds the title unescaped", name)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s page does not show the title escaped", name)
		}
	}
}
