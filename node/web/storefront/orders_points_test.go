package storefront

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestOrderPaidWithPoints: the page of an order paid partly with points
// says how many points paid and what they were worth, as the page writes
// money; once the merchant refunded the order, it says how many points
// came back, the part's refund says what went to the card and what came
// back in points, and the shopper's points page has them again. The page is
// looked at in Chromium at a phone's and a desktop's size.
func TestOrderPaidWithPoints(t *testing.T) {
	h := newHarness(t)
	b, shopper := earnPoints(t, h)
	l := h.List(webtest.Input("Linen towel", "Weaver", "Home > Textiles", 80, 10))
	webtest.AddToCart(b, l.ID, l.Variants[0].SKU, 1)
	loc := webtest.OrderLocation(t, webtest.PostCheckout(b, b.Get("/checkout"), func(f url.Values) { f.Set("points", "40") }))
	r := b.Get(loc)
	if !strings.Contains(r.Body, `<span class="points-paid">40 points</span> (€0.40`) || strings.Contains(r.Body, "points-back") {
		t.Errorf("the order paid with 40 points:\n%s", r.Body)
	}
	ctx := context.Background()
	o, err := h.Self.Orders.GetOrder(ctx, shopper, strings.TrimPrefix(loc, "/orders/"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Self.Orders.Refund(ctx, o.Parts[0].Merchant, o.Parts[0].ID); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		r = b.Get(loc)
		if !strings.Contains(r.Body, `<span class="points-back">40 points given back</span>`) || strings.Contains(r.Body, "points-due") ||
			!strings.Contains(r.Body, "€0.40 refunded to the card ending in 4242 and €0.40 in points.") || !strings.Contains(r.Body, "Cancelled, refunded €0.80") {
			return fmt.Errorf("the order after its refund:\n%s", r.Body)
		}
		return nil
	})
	if p := b.Get("/points"); !strings.Contains(p.Body, `id="points-spendable">51 points`) || !strings.Contains(p.Body, "Given back by a refund") {
		t.Errorf("the points page after the refund:\n%s", p.Body)
	}
	h.shootPages(t, "", []string{"order-points"}, map[string]string{"order-points": r.Body})
}
