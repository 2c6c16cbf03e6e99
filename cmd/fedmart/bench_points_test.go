package main

import (
	"context"
	"errors"
	"testing"

	"github.com/fedmart/fedmart/federation/order"
)

// TestBenchPointsCheckoutSpendsAtTheIssuer runs the orders scenario's
// points checkout a few times: a shopper of the third member signs in on
// the first with it over HTTP, earns points through a delivered part
// homed on the second, and then each checkout with points spends them
// at the third, confirmed there; the checkouts without points spend
// none. Asking for more points than are left is refused by the issuer,
// naming the field.
func TestBenchPointsCheckoutSpendsAtTheIssuer(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c, stop, err := benchCluster(ctx, 3, "strict", withLoyalty)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	items, err := benchListings(ctx, c, false)
	if err != nil {
		t.Fatal(err)
	}
	store, home, issuer := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	const runs = 3
	one, account, err := pointsBuyer(ctx, store, home, issuer, items[0], runs)
	if err != nil {
		t.Fatal(err)
	}
	v, err := issuer.Orders().ShopperPoints(ctx, account)
	if err != nil || v.Earned != earnUnits*1999/100 {
		t.Fatalf("the issuer's account after the delivery: %+v %v; want %d earned", v, err, earnUnits*1999/100)
	}
	spend := *one
	spend.points = pointsPerCheckout
	if _, err := alternate(ctx, runs, one, &spend); err != nil {
		t.Fatal(err)
	}
	if err := pointsSpent(ctx, issuer, account, runs*pointsPerCheckout); err != nil {
		t.Fatal(err)
	}

	greedy := *one
	greedy.points = v.Earned // more than is left after the spends
	greedy.items = []order.ItemInput{{ListingID: items[0].ListingID, SKU: items[0].SKU, Quantity: earnUnits}}
	_, _, err = greedy.checkout(ctx)
	var fe order.FieldErrors
	if !errors.As(err, &fe) || fe[0].Field != "points" {
		t.Fatalf("spending %d points with %d left: %v", greedy.points, v.Earned-runs*pointsPerCheckout, err)
	}
	if err := pointsSpent(ctx, issuer, account, runs*pointsPerCheckout); err != nil {
		t.Errorf("after the refused checkout: %v", err)
	}
}
