package order

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

func TestAnOrderOfALinkedShopperIsListedAtItsHomeOnce(t *testing.T) {
	f := newCluster(t, 2)
	home, store := f.members[0], f.members[1]
	ctx := context.Background()
	ada, _, err := home.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: "ada@example.org", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	linked, err := store.svc.LinkedShopper(ctx, Link{Issuer: home.id, Subject: ada.ID, Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	pan := f.list(store, "m1", "PAN", 4900, 5)
	cart, _ := store.svc.CreateCart(ctx, linked.ID)
	if _, err := store.svc.AddItem(ctx, linked.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	o, _, err := store.svc.Checkout(ctx, linked.ID, cart.ID, "k1", CheckoutRequest{ShippingAddress: testShipTo,
		Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}})
	if err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := home.svc.RemoteOrders(ctx, ada.ID, 10)
		if err != nil || len(got) != 1 {
			return fmt.Errorf("remote orders %v, %v", got, err)
		}
		if got[0].Member != store.id || got[0].Order != o.ID || got[0].Total != o.Total || !got[0].PlacedAt.Equal(o.CreatedAt) {
			t.Fatalf("remote order %+v, want %s's %s of %v", got[0], store.id, o.ID, o.Total)
		}
		return nil
	})

	// The same message again gets the same answer and no second entry.
	f.clk.add(time.Minute)
	_, raw, _ := store.svc.newSigned(KindShopperOrder, home.id, "ord_2", func(m *Message) {
		m.ShopperOrder = &ShopperOrder{Subject: ada.ID, Order: "ord_2", PlacedAt: f.clk.now(), Total: Money{Amount: 100, Currency: "EUR"}}
	})
	first, again := home.svc.Handle(ctx, store.id, raw), home.svc.Handle(ctx, store.id, raw)
	if string(first) != string(again) || !strings.Contains(string(first), `"ack":true`) {
		t.Fatalf("duplicate answered %s then %s", first, again)
	}
	if got, _ := home.svc.RemoteOrders(ctx, ada.ID, 10); len(got) != 2 || got[0].Order != "ord_2" {
		t.Fatalf("after a duplicate: %+v, want ord_2 then %s", got, o.ID)
	}
	// The store's own shopper is placed no message: nothing to tell.
	if got, _ := store.svc.RemoteOrders(ctx, linked.ID, 10); len(got) != 0 {
		t.Fatalf("the storefront keeps remote orders for its linked shopper: %+v", got)
	}
}

func TestShopperOrderAboutAnotherMembersShopperIsRefused(t *testing.T) {
	f := newCluster(t, 2)
	home, store := f.members[0], f.members[1]
	ctx := context.Background()
	// On home, a shopper linked to store: home is not its home.
	foreign, err := home.svc.LinkedShopper(ctx, Link{Issuer: store.id, Subject: "shp_x", Name: "Bo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{foreign.ID, "shp_nobody"} {
		_, raw, _ := store.svc.newSigned(KindShopperOrder, home.id, "ord_1", func(m *Message) {
			m.ShopperOrder = &ShopperOrder{Subject: subject, Order: "ord_1", PlacedAt: f.clk.now(), Total: Money{Amount: 100, Currency: "EUR"}}
		})
		var r Reply
		if err := json.Unmarshal(home.svc.Handle(ctx, store.id, raw), &r); err != nil || r.Ack || !strings.Contains(r.Error, "not a shopper of this member") {
			t.Errorf("shopper_order about %s: %+v, want a refusal naming the subject", subject, r)
		}
		if got, _ := home.svc.RemoteOrders(ctx, subject, 10); len(got) != 0 {
			t.Errorf("refused, yet kept: %+v", got)
		}
	}
	// A message signed by store but arriving from another member is forged.
	_, raw, _ := store.svc.newSigned(KindShopperOrder, home.id, "ord_1", func(m *Message) {
		m.ShopperOrder = &ShopperOrder{Subject: "shp_x", Order: "ord_1", PlacedAt: f.clk.now(), Total: Money{Amount: 1, Currency: "EUR"}}
	})
	if r := string(home.svc.Handle(ctx, "12D3KooWSomeoneElse", raw)); !strings.Contains(r, "error") {
		t.Errorf("relayed message answered %s", r)
	}
}
