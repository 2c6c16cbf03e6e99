package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestShopperCancelsBeforeShipping: the storefront's cancel reaches the
// home, the units go back to stock, the shopper's card is refunded, and
// both sides book the accepted and the cancelled status once each.
func TestShopperCancelsBeforeShipping(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 2, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)
	if _, err := a.svc.CancelOrder(context.Background(), o.Shopper, o.ID); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, part, StatusCancelled)
	if n := f.stockOf(pan); n != 10 {
		t.Errorf("stock %d after the cancel, want 10", n)
	}
	if _, err := b.svc.Ship(context.Background(), "forge", part, "DHL", "JD1"); !errors.Is(err, ErrConflict) {
		t.Errorf("shipping a cancelled part: %v, want a conflict", err)
	}
	if _, err := a.svc.CancelOrder(context.Background(), o.Shopper, o.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("cancelling twice: %v, want a conflict", err)
	}
	f.drained()
	testwait.For(t, 10*time.Second, func() error { // refunds are paid within a second
		got, err := a.svc.GetOrder(context.Background(), o.Shopper, o.ID)
		if err != nil || got.Payment.Refunded.Amount != o.Total.Amount {
			return fmt.Errorf("payment after the cancel: %+v (%v), want %d refunded", got.Payment, err, o.Total.Amount)
		}
		return nil
	})
	for _, m := range []*member{a, b} {
		if got := booked(t, m, part); !slices.Equal(got, []string{"accepted/2", "cancelled/3"}) {
			t.Errorf("%s booked %v", shortPeer(m.id), got)
		}
	}
}

// TestShopperCancelsOnePart: a cancel that names parts cancels those
// alone and refunds their total; one naming a part that shipped, or that
// the order does not have, cancels nothing.
func TestShopperCancelsOnePart(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	apron := f.list(b, "linen", "APRON", 2479, 10)
	kettle := f.list(b, "tin", "KETTLE", 3500, 10)
	o, err := f.buy(a, "k1", 1, pan, apron, kettle)
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, p := range o.Parts {
		parts[p.Merchant] = p.ID
		statusOn(t, a, p.ID, StatusAccepted)
	}
	if _, err := b.svc.Ship(ctx, "tin", parts["tin"], "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, parts["tin"], StatusShipped)
	for _, bad := range []struct {
		parts []string
		want  error
	}{
		{[]string{parts["linen"], parts["tin"]}, ErrConflict}, // the kettle shipped
		{[]string{parts["linen"], o.ID + "-99"}, ErrNotFound},
	} {
		if _, err := a.svc.CancelParts(ctx, o.Shopper, o.ID, bad.parts); !errors.Is(err, bad.want) {
			t.Errorf("cancelling %v: %v, want %v", bad.parts, err, bad.want)
		}
	}
	var fe FieldErrors
	if _, err := a.svc.CancelParts(ctx, o.Shopper, o.ID, nil); !errors.As(err, &fe) || fe[0].Field != "parts" {
		t.Errorf("cancelling no part: %v, want a FieldErrors naming parts", err)
	}
	if _, err := a.svc.CancelParts(ctx, "shp_someone_else", o.ID, []string{parts["linen"]}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another shopper cancelling: %v, want not found", err)
	}
	if p := partOn(t, a, parts["linen"]); p.Status != StatusAccepted {
		t.Fatalf("a refused cancel left the apron's part %s", p.Status)
	}
	if _, err := a.svc.CancelParts(ctx, o.Shopper, o.ID, []string{parts["linen"]}); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, parts["linen"], StatusCancelled)
	if got := partOn(t, a, parts["forge"]).Status; got != StatusAccepted {
		t.Errorf("the pan's part is %s after the apron's cancel, want accepted", got)
	}
	if n := f.stockOf(apron); n != 10 {
		t.Errorf("apron stock %d after its cancel, want 10", n)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := a.svc.GetOrder(ctx, o.Shopper, o.ID)
		if err != nil || got.Payment.Refunded.Amount != 2479 {
			return fmt.Errorf("payment after the apron's cancel: %+v (%v), want 24.79 refunded", got.Payment, err)
		}
		return nil
	})
	if _, err := a.svc.CancelParts(ctx, o.Shopper, o.ID, []string{parts["linen"]}); !errors.Is(err, ErrConflict) {
		t.Errorf("cancelling the apron twice: %v, want a conflict", err)
	}
}

// TestLatestCart: a shopper signing in again finds the cart changed
// last; a checked-out cart is no longer one.
func TestLatestCart(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	sh, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.LatestCart(ctx, sh.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a new shopper's latest cart: %v, want not found", err)
	}
	older, err := a.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.clk.add(time.Second)
	newer, err := a.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.clk.add(time.Second)
	if _, err := a.svc.AddItem(ctx, sh.ID, older.ID, ItemInput{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	if c, err := a.svc.LatestCart(ctx, sh.ID); err != nil || c.ID != older.ID {
		t.Errorf("latest cart %s (%v), want %s, changed last", c.ID, err, older.ID)
	}
	if _, _, err := a.svc.Checkout(ctx, sh.ID, older.ID, "k1", CheckoutRequest{ShippingAddress: testShipTo,
		Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}}); err != nil {
		t.Fatal(err)
	}
	if c, err := a.svc.LatestCart(ctx, sh.ID); err != nil || c.ID != newer.ID {
		t.Errorf("after checking out, latest cart %s (%v), want %s", c.ID, err, newer.ID)
	}
}

// TestMerchantShipsDeliversAndRefunds: each merchant action is one signed
// status that reaches the storefront in order; a refund after delivery
// leaves the stock alone, one before shipping returns it, and an action
// out of turn is refused without a status.
func TestMerchantShipsDeliversAndRefunds(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	sent, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := f.buy(a, "k2", 3, pan)
	if err != nil {
		t.Fatal(err)
	}
	part, other := sent.Parts[0].ID, kept.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)
	if _, err := b.svc.Deliver(ctx, "forge", part); !errors.Is(err, ErrConflict) {
		t.Errorf("delivering an unshipped part: %v, want a conflict", err)
	}
	if _, err := b.svc.Ship(ctx, "linen", part, "DHL", "JD1"); err == nil {
		t.Error("another merchant shipped forge's part")
	}
	if _, err := b.svc.Ship(ctx, "forge", part, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, part, StatusShipped)
	if p := partOn(t, a, part); p.Carrier != "DHL" || p.Tracking != "JD1" {
		t.Errorf("storefront shows carrier %q tracking %q", p.Carrier, p.Tracking)
	}
	if _, err := b.svc.Deliver(ctx, "forge", part); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, part, StatusDelivered)
	if _, err := b.svc.Refund(ctx, "forge", part); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, part, StatusRefunded)
	if n := f.stockOf(pan); n != 6 {
		t.Errorf("stock %d after refunding a delivered part, want 6", n)
	}
	if _, err := b.svc.Refund(ctx, "forge", other); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, other, StatusRefunded)
	if n := f.stockOf(pan); n != 9 {
		t.Errorf("stock %d after refunding an unshipped part, want 9", n)
	}
	if _, err := b.svc.Refund(ctx, "forge", part); !errors.Is(err, ErrConflict) {
		t.Errorf("refunding twice: %v, want a conflict", err)
	}
	f.drained()
	testwait.For(t, 10*time.Second, func() error {
		for _, o := range []Order{sent, kept} {
			got, err := a.svc.GetOrder(ctx, o.Shopper, o.ID)
			if err != nil || got.Payment.Refunded.Amount != o.Total.Amount {
				return fmt.Errorf("order %s's payment: %+v (%v), want %d refunded", o.ID, got.Payment, err, o.Total.Amount)
			}
		}
		return nil
	})
	if p := partOn(t, a, part); p.Seq != 5 || p.Refunded != p.Total {
		t.Errorf("storefront holds seq %d refunded %s of %s, want seq 5 and all of it", p.Seq, p.Refunded, p.Total)
	}
	for _, m := range []*member{a, b} {
		if got := booked(t, m, part); !slices.Equal(got, []string{"accepted/2", "delivered/4", "refunded/5"}) {
			t.Errorf("%s booked %v for the delivered part", shortPeer(m.id), got)
		}
		if got := booked(t, m, other); !slices.Equal(got, []string{"accepted/2", "refunded/3"}) {
			t.Errorf("%s booked %v for the unshipped part", shortPeer(m.id), got)
		}
	}
}
