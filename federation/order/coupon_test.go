package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// couponIn is a coupon live around the cluster's clock.
func (f *cluster) couponIn(code, kind string, value, budget int64) CouponInput {
	in := CouponInput{Code: code, Kind: kind, Budget: budget, Starts: f.clk.now().Add(-time.Hour), Ends: f.clk.now().Add(time.Hour)}
	if kind == CouponPercent {
		in.PercentBPS = value
	} else {
		in.Amount = value
	}
	return in
}

// cartOf opens a cart for a new shopper on m holding qty of each offer.
func (f *cluster) cartOf(m *member, qty int64, offers ...offer) (shopper, cart string) {
	f.t.Helper()
	ctx := context.Background()
	sh, _, err := m.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: fmt.Sprintf("ada+%s@example.org", newMessageID()[:8])})
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := m.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, o := range offers {
		if _, err := m.svc.AddItem(ctx, sh.ID, c.ID, ItemInput{ListingID: o.ListingID, SKU: o.SKU, Quantity: qty}); err != nil {
			f.t.Fatal(err)
		}
	}
	return sh.ID, c.ID
}

func couponError(err error) string {
	var fe FieldErrors
	if errors.As(err, &fe) && fe[0].Field == "coupon" {
		return fe[0].Message
	}
	return ""
}

// TestCouponsAreFundedByTheStorefront: the shopper pays the order less
// the coupon, the home is paid the undiscounted part, and the storefront
// records the use; the per-shopper limit, the minimum cart, the window
// and the categories refuse with the coupon's error and change nothing.
func TestCouponsAreFundedByTheStorefront(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 5000, 20)
	if _, err := a.svc.CreateCoupon(ctx, CouponInput{Code: "x", Kind: "half", Budget: 0}); err == nil ||
		!strings.Contains(err.Error(), "code:") || !strings.Contains(err.Error(), "kind:") || !strings.Contains(err.Error(), "budget:") || !strings.Contains(err.Error(), "starts:") {
		t.Errorf("a bad coupon: %v", err)
	}
	in := f.couponIn("welcome10", CouponPercent, 1000, 100000)
	in.PerShopper, in.MinCart = 1, 6000
	if _, err := a.svc.CreateCoupon(ctx, in); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.CreateCoupon(ctx, in); !errors.Is(err, ErrConflict) {
		t.Errorf("the same code twice: %v", err)
	}
	pay := PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}
	sh, cart := f.cartOf(a, 1, pan)
	_, _, err := a.svc.Checkout(ctx, sh, cart, "k0", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay, Coupon: "welcome10"})
	if msg := couponError(err); !strings.Contains(msg, "at least") {
		t.Fatalf("under the minimum cart: %v", err)
	}
	if _, err := a.svc.SetQuantity(ctx, sh, cart, ItemInput{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	o, _, err := a.svc.Checkout(ctx, sh, cart, "k1", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay, Coupon: " Welcome10 "})
	if err != nil {
		t.Fatal(err)
	}
	if o.Total.Amount != 9000 || o.CouponDiscount.Amount != 1000 || o.Coupon != "WELCOME10" || o.Parts[0].Total.Amount != 10000 || o.Payment.Amount.Amount != 9000 {
		t.Fatalf("the order: %+v", o)
	}
	statusOn(t, a, o.Parts[0].ID, StatusAccepted)
	if hp, err := b.svc.HomePartOf(ctx, "forge", o.Parts[0].ID); err != nil || hp.Total.Amount != 10000 {
		t.Fatalf("the home is paid %v, want the undiscounted 100.00: %v", hp.Total, err)
	}
	c, _ := a.svc.Coupon(ctx, "WELCOME10")
	uses, _ := a.svc.CouponUses(ctx, "WELCOME10", 10)
	if c.Spent != 1000 || c.Uses != 1 || len(uses) != 1 || uses[0].Order != o.ID || uses[0].Discount.Amount != 1000 {
		t.Fatalf("the coupon after one use: %+v, uses %+v", c, uses)
	}

	// The merchant refunds the whole part: the shopper gets back what it
	// paid, never the coupon's share, which stays the storefront's cost.
	if _, err := b.svc.Refund(ctx, "forge", o.Parts[0].ID); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := a.svc.GetOrder(ctx, sh, o.ID)
		if err != nil || got.Payment.Refunded.Amount != 9000 {
			return fmt.Errorf("refunded %v of the 90.00 paid: %v", got.Payment.Refunded, err)
		}
		return nil
	})

	// The same shopper again: over its limit.
	cart2, _ := a.svc.CreateCart(ctx, sh)
	if _, err := a.svc.AddItem(ctx, sh, cart2.ID, ItemInput{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	_, _, err = a.svc.Checkout(ctx, sh, cart2.ID, "k2", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay, Coupon: "WELCOME10"})
	if msg := couponError(err); !strings.Contains(msg, "used 1 times by you") {
		t.Fatalf("over the per-shopper limit: %v", err)
	}
	// Expired, ended, unknown, for other categories: refused, nothing changes.
	old := f.couponIn("OLD", CouponAmount, 500, 100000)
	old.Starts, old.Ends = f.clk.now().Add(-48*time.Hour), f.clk.now().Add(-24*time.Hour)
	garden := f.couponIn("GARDEN", CouponAmount, 500, 100000)
	garden.Categories = []string{"Garden"}
	for _, in := range []CouponInput{old, garden} {
		if _, err := a.svc.CreateCoupon(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.svc.EndCoupon(ctx, "welcome10"); err != nil {
		t.Fatal(err)
	}
	sh3, cart3 := f.cartOf(a, 2, pan)
	for code, want := range map[string]string{"OLD": "expired", "WELCOME10": "not a coupon", "NOPE": "not a coupon", "GARDEN": "does not apply"} {
		_, _, err := a.svc.Checkout(ctx, sh3, cart3, "k-"+code, CheckoutRequest{ShippingAddress: testShipTo, Payment: pay, Coupon: code})
		if msg := couponError(err); !strings.Contains(msg, want) {
			t.Errorf("coupon %s: %v, want %q", code, err, want)
		}
	}
	if c, _ := a.svc.Coupon(ctx, "WELCOME10"); c.Spent != 1000 || c.Uses != 1 {
		t.Errorf("refused checkouts changed the coupon: %+v", c)
	}
	if n := f.stockOf(pan); n != 20 { // the refunded part's units went back
		t.Errorf("refused checkouts hold stock: %d left, want 20", n)
	}
	if got, err := a.svc.GetCart(ctx, sh3, cart3); err != nil || got.Items != 2 {
		t.Errorf("the cart after refused checkouts: %+v %v", got, err)
	}
}

// TestTheLastUseOfACouponIsTakenOnce: concurrent checkouts from
// different shoppers race for a coupon whose budget covers one use;
// exactly one order is placed with it, the others are refused with the
// coupon's error, and what they held and paid is given back.
func TestTheLastUseOfACouponIsTakenOnce(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 5000, 100)
	if _, err := a.svc.CreateCoupon(ctx, f.couponIn("LAST", CouponAmount, 1500, 1500)); err != nil {
		t.Fatal(err)
	}
	const n = 8
	type cart struct{ shopper, id string }
	carts := make([]cart, n)
	for i := range carts {
		carts[i].shopper, carts[i].id = f.cartOf(a, 1, pan)
	}
	pay := PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}
	orders := make([]Order, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range carts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			orders[i], _, errs[i] = a.svc.Checkout(ctx, c.shopper, c.id, "k", CheckoutRequest{ShippingAddress: testShipTo, Payment: pay, Coupon: "LAST"})
		}()
	}
	close(start)
	wg.Wait()
	placed := 0
	for i, err := range errs {
		switch {
		case err == nil:
			placed++
			if orders[i].CouponDiscount.Amount != 1500 || orders[i].Total.Amount != 3500 {
				t.Errorf("the winner's order: %+v", orders[i])
			}
		case couponError(err) == "":
			t.Errorf("checkout %d: %v, want the coupon's error", i, err)
		}
	}
	if placed != 1 {
		t.Fatalf("%d checkouts took the last use", placed)
	}
	c, _ := a.svc.Coupon(ctx, "LAST")
	uses, _ := a.svc.CouponUses(ctx, "LAST", 100)
	if c.Spent != 1500 || c.Uses != 1 || len(uses) != 1 {
		t.Fatalf("the coupon: %+v, %d uses recorded", c, len(uses))
	}
	testwait.For(t, 10*time.Second, func() error { // the losers' holds are released through the outbox
		if got := f.stockOf(pan); got != 99 {
			return fmt.Errorf("%d pans left, want 99", got)
		}
		return nil
	})
}
