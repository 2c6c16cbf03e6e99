package dashboard

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/fedmart/fedmart/settlement"
)

// withPoints turns loyalty on in the charter and the order services, and
// has a shopper of Alpha earn points on a part of Beta's delivered, and
// Alpha's statement with Beta carry points entries.
func withPoints(t *testing.T, h *harness) {
	t.Helper()
	h.Fed.Edit(func(sc **federation.SignedCharter, _ *[]federation.MemberState) {
		c := (*sc).Charter
		c.Loyalty = federation.Loyalty{EarnBPS: 10000, PointValue: 1, Funder: federation.FunderHome, SpendableOn: federation.SpendableOnDelivered,
			Expiry: federation.Duration(365 * 24 * time.Hour), MaxShareBPS: 5000}
		*sc = &federation.SignedCharter{Charter: c, Signatures: (*sc).Signatures}
	})
	h.SetLoyalty(order.LoyaltyTerms{EarnBPS: 10000, PointValue: 1, PayableOn: order.StatusDelivered, SpendableOn: order.StatusDelivered, Currency: "EUR"})
	ctx := context.Background()
	l := h.ListOther(webtest.Input("Cast iron pan", "Forge", "Home > Kitchen", 2599, 10))
	sh, _, err := h.Self.Orders.CreateShopper(ctx, order.ShopperInput{Name: "Ada", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	cart, err := h.Self.Orders.CreateCart(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Self.Orders.AddItem(ctx, sh.ID, cart.ID, order.ItemInput{ListingID: l.ID, SKU: l.Variants[0].SKU, Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	o, _, err := h.Self.Orders.Checkout(ctx, sh.ID, cart.ID, "k1", order.CheckoutRequest{ShippingAddress: order.Address{Name: "Ada",
		Line1: "1 Analytical Row", City: "London", PostalCode: "N1", Country: "GB"}, Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: "4242424242424242"}})
	if err != nil {
		t.Fatal(err)
	}
	p := o.Parts[0]
	testwait.For(t, 10*time.Second, func() error { _, err := h.Other.Orders.Ship(ctx, p.Merchant, p.ID, "DHL", "JD1"); return err })
	if _, err := h.Other.Orders.Deliver(ctx, p.Merchant, p.ID); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		if r, _ := h.Self.Orders.PointsReport(ctx, 24*time.Hour); r.Outstanding != 51 {
			return fmt.Errorf("points report %+v", r)
		}
		return nil
	})
	self, other := h.Self.ID.String(), h.Other.ID.String()
	h.WithSettlement(t)
	eur := func(a int64) settlement.Money { return settlement.Money{Amount: a, Currency: "EUR"} }
	h.Settlement.SetStatements(webtest.ClosedPeriod, settlement.Statement{Period: webtest.ClosedPeriod, Parties: [2]string{min(self, other), max(self, other)},
		Currency: "EUR", Count: 2, Digest: strings.Repeat("d1", 32), Status: settlement.StatusAgreed,
		Totals: []settlement.Total{
			{Kind: settlement.EntryPointsFunding, From: other, To: self, Amount: eur(51), Count: 1},
			{Kind: settlement.EntryPointsRedemption, From: self, To: other, Amount: eur(20), Count: 1},
		}})
}

// TestLoyaltyPage: the operator sees the charter's policy, the points
// this node's shoppers hold and what they are worth, the period's
// earnings, and the points entries with the other member.
func TestLoyaltyPage(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInOperator(webtest.Operator)
	r := b.Get("/operator/loyalty")
	webtest.WantText(t, r, "runs no loyalty programme")
	withPoints(t, h)
	r = b.Get("/operator/loyalty")
	for _, want := range []string{"100.00 % of a point per EUR unit", "the merchant&#39;s home member", `id="loyalty-liability">51 points, worth €0.51`,
		`<td data-label="Earned">51</td>`, "Beta Bazaar", "365 days after", "€0.51", "€0.20", `href="/operator/loyalty"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("loyalty page lacks %q", want)
		}
	}
	r = b.Get("/operator/settlement/" + webtest.ClosedPeriod)
	webtest.WantText(t, r, "Loyalty points funded")
}

// TestLoyaltyPageInChromium looks at the loyalty page at a phone's and a
// desktop's size: nothing overflows on the phone.
func TestLoyaltyPageInChromium(t *testing.T) {
	h := newHarness(t)
	withPoints(t, h)
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/operator/signin"), chromedp.SendKeys(chromedp.CSS(`#f-token`), webtest.Operator),
			chromedp.Submit(chromedp.CSS(`#f-token`)), chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
			chromedp.Navigate(srv.URL+"/operator/loyalty"), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
			t.Fatal(err)
		}
		check.Shoot(t, ctx, shots, fmt.Sprintf("loyalty-%d.png", size.w), size.w, "/operator/loyalty")
	}
}
