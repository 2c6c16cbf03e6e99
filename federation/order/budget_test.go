package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestHoldBudgetsStopAFlood: another member's storefront cannot hold more
// than its budget of unconfirmed parts and units, send reserves faster
// than its rate, or keep stock locked by letting holds expire and
// reserving again; what it is refused holds nothing.
func TestHoldBudgetsStopAFlood(t *testing.T) {
	f := newCluster(t, 2)
	f.cfg.MaxHolds, f.cfg.MaxHeldUnits, f.cfg.MaxExpiredPerHour = 3, 5, 2
	a, b := f.members[0], f.members[1]
	f.restart(b)
	pan := f.list(b, "forge", "PAN", 4990, 100)
	ctx := context.Background()
	reserve := func(part string, qty int64) Code {
		raw := SignedReserve(a.key, b.id, part, "forge", testShipTo,
			[]Line{{ListingID: pan.ListingID, SKU: "PAN", Quantity: qty, UnitPrice: pan.Price}})
		_, _, err := decodeReply(b.svc.Handle(ctx, a.id, raw), b.id, KindReserve, part)
		var re *RemoteError
		if errors.As(err, &re) {
			return re.Code
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	codes := []Code{reserve("ord_f-1", 1), reserve("ord_f-2", 1), reserve("ord_f-3", 1), reserve("ord_f-4", 1)}
	if !slices.Equal(codes, []Code{0, 0, 0, CodeBudget}) {
		t.Fatalf("four reserves answered %v; want the fourth over the budget of three holds", codes)
	}
	if n := f.stockOf(pan); n != 97 {
		t.Fatalf("stock %d after three holds and a refused one", n)
	}
	_, release, _ := a.svc.newSigned(KindRelease, b.id, "ord_f-1", nil)
	b.svc.Handle(ctx, a.id, release)
	if c := reserve("ord_f-5", 4); c != CodeBudget {
		t.Errorf("a reserve of 4 units with 2 held against a budget of 5 answered %d", c)
	}
	if c := reserve("ord_f-6", 3); c != 0 {
		t.Errorf("a reserve within budget after a release answered %d", c)
	}
	// Let the three holds expire: the storefront is refused for the hour.
	f.clk.add(f.cfg.HoldTTL + time.Second)
	testwait.For(t, 10*time.Second, func() error {
		if n := f.stockOf(pan); n != 100 {
			return fmt.Errorf("stock %d after the holds expired", n)
		}
		return nil
	})
	if c := reserve("ord_f-8", 1); c != CodeBudget {
		t.Errorf("after three expired holds the storefront still reserves: %v", c)
	}
	f.clk.add(time.Hour)
	if c := reserve("ord_f-9", 1); c != 0 {
		t.Errorf("an hour later: %v", c)
	}
}

// TestUnpaidManualOrdersGiveStockBack: an order left unpaid past
// UnpaidAfter is cancelled and its stock goes back; one the operator marked
// paid stays.
func TestUnpaidManualOrdersGiveStockBack(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	ctx := context.Background()
	unpaid, err := f.buyWith(a, "k1", PaymentRequest{Method: MethodManual}, 2, pan)
	if err != nil {
		t.Fatal(err)
	}
	paid, err := f.buyWith(a, "k2", PaymentRequest{Method: MethodManual}, 3, pan)
	if err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, unpaid.Parts[0].ID, StatusAccepted)
	statusOn(t, a, paid.Parts[0].ID, StatusAccepted)
	if _, err := a.svc.MarkPaid(ctx, paid.ID); err != nil {
		t.Fatal(err)
	}
	f.clk.add(f.cfg.UnpaidAfter + time.Minute)
	if err := a.svc.cancelUnpaid(ctx); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, unpaid.Parts[0].ID, StatusCancelled)
	testwait.For(t, 10*time.Second, func() error {
		if n := f.stockOf(pan); n != 7 {
			return fmt.Errorf("stock %d, want 7: the unpaid order's 2 units back, the paid order's 3 sold", n)
		}
		return nil
	})
	if got := partOn(t, a, paid.Parts[0].ID).Status; got != StatusAccepted {
		t.Errorf("the paid order's part is %s", got)
	}
}

func TestCartsPerShopperAreCapped(t *testing.T) {
	f := newCluster(t, 1)
	f.cfg.MaxCarts = 2
	a := f.members[0]
	f.restart(a)
	ctx := context.Background()
	sh, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	var carts []Cart
	for i := range 3 {
		c, err := a.svc.CreateCart(ctx, sh.ID)
		if want := i == 2; errors.Is(err, ErrBudget) != want {
			t.Fatalf("cart %d: %v", i+1, err)
		}
		carts = append(carts, c)
	}
	// A cart checked out is closed: a new one may be opened in its place.
	pan := f.list(a, "forge", "PAN", 4990, 10)
	if _, err := a.svc.AddItem(ctx, sh.ID, carts[0].ID, ItemInput{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.svc.Checkout(ctx, sh.ID, carts[0].ID, "k1", CheckoutRequest{ShippingAddress: testShipTo,
		Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.CreateCart(ctx, sh.ID); err != nil {
		t.Fatalf("a cart in place of the one checked out: %v", err)
	}
	// A shopper whose count an earlier build did not keep is counted from
	// the carts' keys: two open, none more.
	if err := a.db.Update(func(txn *badger.Txn) error { return txn.Delete([]byte(prefixOpenCarts + sh.ID)) }); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.CreateCart(ctx, sh.ID); !errors.Is(err, ErrBudget) {
		t.Fatalf("a third open cart, counted from the keys: %v", err)
	}
}
