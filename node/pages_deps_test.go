package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestShopperSignsInWithPassword checks the accounts the storefront pages
// open: the password is checked, never kept in clear, and a wrong one or
// an unknown address get the same answer.
func TestShopperSignsInWithPassword(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	svc := c.Nodes[0].Orders()
	ctx := t.Context()
	sh, _, err := svc.CreateShopper(ctx, order.ShopperInput{Name: "Ada", Email: "Ada@Example.org", Password: "difference engine"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Authenticate(ctx, "ada@example.org", "difference engine")
	if err != nil || got.ID != sh.ID {
		t.Fatalf("right password: %+v %v", got, err)
	}
	for _, bad := range [][2]string{{"ada@example.org", "analytical engine"}, {"bob@example.org", "difference engine"}, {"ada@example.org", ""}} {
		if _, err := svc.Authenticate(ctx, bad[0], bad[1]); !errors.Is(err, order.ErrBadCredentials) {
			t.Errorf("%q with %q: %v, want ErrBadCredentials", bad[0], bad[1], err)
		}
	}
	// An account opened through the API, without a password, cannot sign
	// in with one.
	if _, _, err := svc.CreateShopper(ctx, order.ShopperInput{Name: "Bob", Email: "bob@example.org"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "bob@example.org", ""); !errors.Is(err, order.ErrBadCredentials) {
		t.Errorf("an account without a password signed in: %v", err)
	}
	var fe order.FieldErrors
	if _, _, err := svc.CreateShopper(ctx, order.ShopperInput{Name: "Cy", Email: "cy@example.org", Password: "short"}); !errors.As(err, &fe) || fe[0].Field != "password" {
		t.Errorf("a short password: %v, want a field error naming password", err)
	}
	if byID, err := svc.Shopper(ctx, sh.ID); err != nil || byID.Email != "ada@example.org" {
		t.Errorf("by id: %+v %v", byID, err)
	}
	if _, err := svc.Shopper(ctx, "shp_nobody"); !errors.Is(err, order.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	// Signing out ends the sessions begun until then, and it is kept.
	if at, err := svc.SessionsEndedAt(ctx, sh.ID); err != nil || !at.IsZero() {
		t.Errorf("before any sign-out: %v %v, want zero", at, err)
	}
	before := time.Now().Truncate(time.Second)
	if err := svc.EndSessions(ctx, sh.ID); err != nil {
		t.Fatal(err)
	}
	if at, err := svc.SessionsEndedAt(ctx, sh.ID); err != nil || at.Before(before) || at.After(time.Now()) {
		t.Errorf("after a sign-out: %v %v, want about now", at, err)
	}
}

// TestAPIAccountsDoNotClaimAddresses checks that an account opened
// through the API, which cannot prove its address, neither learns whether
// the address is registered nor keeps its owner from signing up with it.
func TestAPIAccountsDoNotClaimAddresses(t *testing.T) {
	c := startCluster(t, "Alpha")
	base := c.Nodes[0].APIURL()
	body := []byte(`{"name":"Mallory","email":"ada@example.org"}`)
	for range 2 {
		if s, b := call(t, "POST", base+"/v1/shoppers", "/v1/shoppers", "", body); s != 201 {
			t.Fatalf("an API account: %d %s", s, b)
		}
	}
	svc := c.Nodes[0].Orders()
	ada, _, err := svc.CreateShopper(t.Context(), order.ShopperInput{Name: "Ada", Email: "ada@example.org", Password: "difference engine"})
	if err != nil {
		t.Fatalf("the owner's sign-up after API accounts named her address: %v", err)
	}
	if got, err := svc.Authenticate(t.Context(), "ada@example.org", "difference engine"); err != nil || got.ID != ada.ID {
		t.Errorf("sign-in: %+v %v", got, err)
	}
	var fe order.FieldErrors
	if _, _, err := svc.CreateShopper(t.Context(), order.ShopperInput{Name: "Eve", Email: "ada@example.org", Password: "another password"}); !errors.As(err, &fe) || fe[0].Field != "email" {
		t.Errorf("a second password account for the address: %v, want a field error naming email", err)
	}
	if s, b := call(t, "POST", base+"/v1/shoppers", "/v1/shoppers", "", body); s != 201 {
		t.Errorf("an API account once the address is claimed: %d %s", s, b)
	}
}

// TestOrderFlowAndReplicationProgress checks what the operator dashboard
// reads: orders placed on a storefront and parts received at home, per
// time step, and each member's catalog replication progress.
func TestOrderFlowAndReplicationProgress(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	onB, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4900, 5)
	sh := newShopper(t, a, "Ada Yonath")
	buyAccepted(t, sh, b, onB, "PAN-B")
	since := time.Now().Add(-time.Hour)
	sum := func(n *Node) (placed, received int) {
		points, err := n.Orders().Flow(t.Context(), since, 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(points) != 7 {
			t.Fatalf("an hour in 10-minute steps is %d points, want 7", len(points))
		}
		for _, p := range points {
			placed, received = placed+p.Placed, received+p.Received
		}
		return placed, received
	}
	if p, r := sum(a); p != 1 || r != 0 {
		t.Errorf("Alpha placed %d and received %d, want 1 and 0", p, r)
	}
	if p, r := sum(b); p != 0 || r != 1 {
		t.Errorf("Beta placed %d and received %d, want 0 and 1", p, r)
	}
	if _, err := a.Orders().Flow(t.Context(), since, time.Second); !errors.Is(err, order.ErrInvalid) {
		t.Errorf("3600 steps: %v, want ErrInvalid", err)
	}
	testwait.For(t, 30*time.Second, func() error {
		p := a.Replicator().Progress(b.PeerID())
		if p.Mark == 0 || p.Behind != 0 || p.CaughtUp.IsZero() {
			return fmt.Errorf("Alpha's progress on Beta's catalog: %+v", p)
		}
		return nil
	})
}

// TestCartQuantityOverAPI sets a cart line's quantity through the REST
// API, as the cart page does through the order service.
func TestCartQuantityOverAPI(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a := c.Nodes[0]
	onB, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4900, 5)
	sh := newShopper(t, a, "Ada Yonath")
	cart := sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 1})
	route := "/v1/carts/{id}/items/{sku}"
	url := a.APIURL() + "/v1/carts/" + cart + "/items/PAN-B"
	s, body := req(t, "PUT", url, route, sh.token, map[string]any{"listing_id": onB, "quantity": 3})
	var got order.Cart
	if s != 200 || json.Unmarshal(body, &got) != nil || got.Items != 3 || got.Total.Amount != 3*4900 {
		t.Fatalf("set 3: %d %s", s, body)
	}
	if s, body := req(t, "PUT", url, route, sh.token, map[string]any{"listing_id": onB, "quantity": 6}); s != 409 || !strings.Contains(string(body), `"available":5`) {
		t.Errorf("set 6 of 5 in stock: %d %s, want 409 naming 5 available", s, body)
	}
	if s, body := req(t, "PUT", url, route, sh.token, map[string]any{"listing_id": onB, "quantity": 0}); s != 422 || !strings.Contains(string(body), "quantity") {
		t.Errorf("set 0: %d %s, want 422 naming quantity", s, body)
	}
	other := a.APIURL() + "/v1/carts/" + cart + "/items/NOPE"
	if s, body := req(t, "PUT", other, route, sh.token, map[string]any{"listing_id": onB, "quantity": 1}); s != 422 || !strings.Contains(string(body), "listing_id") {
		t.Errorf("a SKU the listing does not have: %d %s, want 422 naming listing_id", s, body)
	}
}
