package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// The orders scenario's checkout that spends points held at a third
// member: a shopper whose account lives on the issuer signs in on the
// storefront with the issuer (OpenID Connect over HTTP, as a browser
// does), earns points there through a part that its home delivers, and
// then spends a few of them on each checkout of a part homed on a member
// that is neither the storefront nor the issuer.

// benchLoyalty is the bench charter's loyalty policy: a point per euro,
// worth a cent, funded by the home, spendable on delivery, paying at most
// half of a cart.
var benchLoyalty = federation.Loyalty{EarnBPS: 10000, PointValue: 1, Funder: federation.FunderHome,
	SpendableOn: federation.SpendableOnDelivered, MaxShareBPS: 5000}

// withLoyalty runs the bench cluster under benchLoyalty.
func withLoyalty(co *node.ClusterOptions) { co.Loyalty = benchLoyalty }

const (
	// pointsPerCheckout is what each checkout with points spends.
	pointsPerCheckout = 5
	// earnUnits is how many units of the bench item the points shopper
	// buys first: at 19.99 EUR, 1,999 points once delivered.
	earnUnits = 100
)

// pointsBuyer opens an account on issuer and signs it in on store with
// issuer, then earns points at issuer: store sells it earnUnits of item,
// whose home ships and delivers them. It returns the shopper as store
// knows it, buying one unit of item per checkout without points, and
// its account at issuer. It fails unless the points can pay for runs
// checkouts of pointsPerCheckout.
func pointsBuyer(ctx context.Context, store, home, issuer *node.Node, item order.ItemInput, runs int) (*benchBuyer, string, error) {
	email, password := fmt.Sprintf("points-%d@example.org", time.Now().UnixNano()), "bench points shopper"
	acct, _, err := issuer.Orders().CreateShopper(ctx, order.ShopperInput{Name: "Bench points shopper", Email: email, Password: password})
	if err != nil {
		return nil, "", err
	}
	sh, err := allianceSignIn(ctx, issuer, store, email, password)
	if err != nil {
		return nil, "", fmt.Errorf("signing in on %s with %s: %w", store.Name(), issuer.Name(), err)
	}
	earn := item
	earn.Quantity = earnUnits
	o, _, err := (&benchBuyer{svc: store.Orders(), id: sh.ID, items: []order.ItemInput{earn}}).checkout(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("the order that earns points: %w", err)
	}
	p := o.Parts[0]
	if p.Platform != home.PeerID().String() {
		return nil, "", fmt.Errorf("part %s is homed on %s, not on %s", p.ID, p.Platform, home.Name())
	}
	if _, err := home.Orders().ShipWith(ctx, p.Merchant, p.ID, order.Shipment{Carrier: "DHL", Tracking: "BENCH0000000001"}); err != nil {
		return nil, "", fmt.Errorf("shipping part %s: %w", p.ID, err)
	}
	if _, err := home.Orders().Deliver(ctx, p.Merchant, p.ID); err != nil {
		return nil, "", fmt.Errorf("delivering part %s: %w", p.ID, err)
	}
	// The home forwards the delivered status to the issuer, which
	// credits the points.
	need := int64(runs * pointsPerCheckout)
	var v order.PointsView
	for deadline := time.Now().Add(30 * time.Second); v.Balance.Spendable < need; time.Sleep(20 * time.Millisecond) {
		if v, err = issuer.Orders().ShopperPoints(ctx, acct.ID); err != nil {
			return nil, "", err
		}
		if time.Now().After(deadline) {
			return nil, "", fmt.Errorf("%s credited %+v points after delivery, want %d spendable", issuer.Name(), v.Balance, need)
		}
	}
	return &benchBuyer{svc: store.Orders(), id: sh.ID, items: []order.ItemInput{item}}, acct.ID, nil
}

// pointsSpent waits until issuer's account has spent want points in all
// and holds none: every checkout's hold confirmed, none left open.
func pointsSpent(ctx context.Context, issuer *node.Node, account string, want int64) error {
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		v, err := issuer.Orders().ShopperPoints(ctx, account)
		if err != nil {
			return err
		}
		if v.Spent == want && v.Balance.Held == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s's account spent %d points and holds %d, want %d spent and none held", issuer.Name(), v.Spent, v.Balance.Held, want)
		}
	}
}

var errNoPoints = errors.New("the order was not paid with points")
