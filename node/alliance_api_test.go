package node

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestShopperAPITellsTheHomeAndTheOrdersElsewhere: a shopper of Alpha
// (opened over REST) is Alpha's own; once Beta places an order for the
// shopper signed in with Alpha, Alpha's REST lists it with the link to
// Beta's order page that Alpha's charter gives.
func TestShopperAPITellsTheHomeAndTheOrdersElsewhere(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	s, raw := call(t, "POST", a.APIURL()+"/v1/shoppers", "/v1/shoppers", "", []byte(`{"name":"Ada","email":"ada@example.org"}`))
	var ada struct{ ID, Token string }
	if s != 201 || json.Unmarshal(raw, &ada) != nil {
		t.Fatalf("shopper: %d %s", s, raw)
	}
	s, raw = call(t, "GET", a.APIURL()+"/v1/shoppers/me", "/v1/shoppers/me", ada.Token, nil)
	var me struct{ ID, Home, Subject string }
	if s != 200 || json.Unmarshal(raw, &me) != nil || me.Home != a.PeerID().String() || me.Subject != ada.ID {
		t.Fatalf("me: %d %s; want home Alpha and subject %s", s, raw, ada.ID)
	}

	tok := newMerchant(t, c, 1, "Bremen Linen")
	apron := listFor(t, c, 1, tok, "Linen apron", "APRON-1", "Linho", 2479)
	ctx := t.Context()
	linked, err := b.Orders().LinkedShopper(ctx, order.Link{Issuer: a.PeerID().String(), Subject: ada.ID, Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	if home, sub := b.Orders().ShopperHome(linked); home != a.PeerID().String() || sub != ada.ID {
		t.Fatalf("Beta says the linked shopper lives on %s as %s", home, sub)
	}
	cart, err := b.Orders().CreateCart(ctx, linked.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Orders().AddItem(ctx, linked.ID, cart.ID, order.ItemInput{ListingID: apron, SKU: "APRON-1", Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	o, _, err := b.Orders().Checkout(ctx, linked.ID, cart.ID, "k1", order.CheckoutRequest{
		ShippingAddress: order.Address{Name: "Ada", Line1: "1 Analytical St", City: "London", PostalCode: "N1", Country: "GB"},
		Payment:         order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: "4242424242424242"}})
	if err != nil {
		t.Fatal(err)
	}
	route := "/v1/shoppers/me/orders-elsewhere"
	testwait.For(t, 30*time.Second, func() error {
		s, raw := call(t, "GET", a.APIURL()+route, route, ada.Token, nil)
		var page struct {
			Items []struct {
				Member     string
				MemberName string `json:"member_name"`
				OrderID    string `json:"order_id"`
				URL        string
				Total      order.Money
			}
		}
		if err := json.Unmarshal(raw, &page); s != 200 || err != nil {
			t.Fatalf("orders elsewhere: %d %s", s, raw)
		}
		if len(page.Items) != 1 {
			return fmt.Errorf("%d orders elsewhere", len(page.Items))
		}
		got := page.Items[0]
		want := b.APIURL() + "/orders/" + o.ID
		if got.Member != b.PeerID().String() || got.MemberName != "Beta" || got.OrderID != o.ID || got.URL != want || got.Total != o.Total {
			t.Fatalf("order elsewhere %+v, want Beta's %s at %s of %v", got, o.ID, want, o.Total)
		}
		return nil
	})
}
