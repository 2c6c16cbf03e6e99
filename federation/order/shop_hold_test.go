package order

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestPointsHeldBesideTheReserves: a checkout that pays with points
// held at another member holds them while it reserves the parts. When a
// reserve fails (not enough stock), the points held are given back;
// when the hold fails (fewer points than asked), the parts reserved are
// released and the shopper is told about its points; an issuer known to
// be down is refused before anything is reserved, as before. In every
// case the account and the stock end as they were.
func TestPointsHeldBesideTheReserves(t *testing.T) {
	f := newCluster(t, 3)
	f.setLoyalty(pointsTerms)
	alpha, beta, gamma := f.members[0], f.members[1], f.members[2]
	ctx := context.Background()
	pan := f.list(gamma, "forge", "PAN", 1000, 3)
	sh, _, err := alpha.svc.CreateShopper(ctx, ShopperInput{Name: "Ida", Email: "ida@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	earnFor(t, alpha, sh.ID, "p1", 400, f.clk.now().Add(-time.Hour))
	linked, err := beta.svc.LinkedShopper(ctx, Link{Issuer: alpha.id, Subject: sh.ID, Name: "Ida", Leave: leave(t, alpha, beta.id, sh.ID)})
	if err != nil {
		t.Fatal(err)
	}
	setStock := func(n int64) {
		t.Helper()
		if err := gamma.db.Update(func(txn *badger.Txn) error {
			return txn.Set(stockKey(pan.ListingID, pan.SKU), []byte(strconv.FormatInt(n, 10)))
		}); err != nil {
			t.Fatal(err)
		}
	}
	var beforeCheckout func()
	checkout := func(key string, qty, points int64) error {
		cart, err := beta.svc.CreateCart(ctx, linked.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := beta.svc.AddItem(ctx, linked.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: qty}); err != nil {
			t.Fatal(err)
		}
		if beforeCheckout != nil {
			beforeCheckout()
			beforeCheckout = nil
		}
		_, _, err = beta.svc.Checkout(ctx, linked.ID, cart.ID, key, CheckoutRequest{ShippingAddress: testShipTo,
			Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}, Points: points})
		return err
	}
	settled := func(name string) {
		t.Helper()
		f.drained()
		testwait.For(t, 10*time.Second, func() error {
			a := accountOf(t, alpha.db, sh.ID)
			if a.Held != 0 || a.Spent != 0 || a.Balance(f.clk.now()).Spendable != 400 {
				return fmt.Errorf("%s: the account %+v", name, a)
			}
			if n := f.stockOf(pan); n != 3 {
				return fmt.Errorf("%s: %d of 3 pans in stock", name, n)
			}
			return nil
		})
	}

	// A reserve fails: the points held meanwhile go back.
	var ce *CheckoutError
	beforeCheckout = func() { setStock(1) } // sold elsewhere since the cart was filled
	if err := checkout("short", 2, 100); !errors.As(err, &ce) || ce.Reason != ReasonOutOfStock {
		t.Fatalf("two of one pan: %v", err)
	}
	setStock(3)
	settled("after a reserve failed")

	// The hold fails: the pans reserved meanwhile go back, and the
	// shopper is told why its points cannot pay.
	if err := checkout("greedy", 2, 1000); !strings.Contains(fmt.Sprint(err), "points") {
		t.Fatalf("1000 of 400 points: %v", err)
	}
	settled("after the hold failed")

	// The issuer is down: refused before anything is held or reserved.
	beta.sees(alpha.id, false)
	if err := checkout("down", 1, 100); !errors.Is(err, ErrPointsUnavailable) {
		t.Fatalf("points with the issuer down: %v", err)
	}
	beta.sees(alpha.id, true)
	settled("with the issuer down")

	// Both succeed: the order is paid partly with points.
	if err := checkout("ok", 1, 100); err != nil {
		t.Fatal(err)
	}
	f.drained()
	if a := accountOf(t, alpha.db, sh.ID); a.Spent != 100 || a.Held != 0 {
		t.Errorf("after a checkout with points: %+v", a)
	}
	if n := f.stockOf(pan); n != 2 {
		t.Errorf("%d pans left of 3 after selling one", n)
	}
}
