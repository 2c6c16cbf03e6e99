package dashboard

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
)

// buy checks out quantity of each listing's first SKU on Alpha's
// storefront with the sandbox card, as a new shopper, and waits until
// every part is accepted by its home.
func buy(t *testing.T, h *harness, quantity int64, listings ...catalog.Listing) order.Order {
	t.Helper()
	ctx := context.Background()
	svc := h.Self.Orders
	sh, _, err := svc.CreateShopper(ctx, order.ShopperInput{Name: "Ada Lovelace", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	cart, err := svc.CreateCart(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range listings {
		if _, err := svc.AddItem(ctx, sh.ID, cart.ID, order.ItemInput{ListingID: l.ID, SKU: l.Variants[0].SKU, Quantity: quantity}); err != nil {
			t.Fatal(err)
		}
	}
	o, _, err := svc.Checkout(ctx, sh.ID, cart.ID, fmt.Sprintf("key-%d", time.Now().UnixNano()), order.CheckoutRequest{
		ShippingAddress: order.Address{Name: "Ada Lovelace", Line1: "1 Analytical Row", City: "London", PostalCode: "N1 9GU", Country: "GB"},
		Payment:         order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}})
	if err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := svc.GetOrder(ctx, "", o.ID)
		if err != nil {
			return err
		}
		for _, p := range got.Parts {
			if p.Status != order.StatusAccepted {
				return fmt.Errorf("part %s is %s", p.ID, p.Status)
			}
		}
		o = got
		return nil
	})
	return o
}

// waitStatus waits until Alpha's storefront holds part in status.
func waitStatus(t *testing.T, h *harness, part, status string) {
	t.Helper()
	testwait.For(t, 10*time.Second, func() error {
		o, err := h.Self.Orders.GetOrder(context.Background(), "", orderOf(part))
		if err != nil {
			return err
		}
		for _, p := range o.Parts {
			if p.ID == part && p.Status == status {
				return nil
			}
		}
		return fmt.Errorf("part %s is not %s yet", part, status)
	})
}

// orderOf is the order of a part id ("<order>-<n>").
func orderOf(part string) string { return part[:strings.LastIndexByte(part, '-')] }
