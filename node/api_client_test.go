package node

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/node/api/client"
)

// TestAPIClientGeneratedFromTheDocument drives one story through the
// client generated from the OpenAPI document (node/api/client), as a
// client author would: the operator adds a merchant on Alpha, the merchant
// lists a skillet there, a shopper finds it on Beta and checks it out
// with the sandbox card, and the part reaches the merchant on Alpha.
// Every answer is also checked against the document.
func TestAPIClientGeneratedFromTheDocument(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	ctx := t.Context()
	alpha, beta := c.Nodes[0], c.Nodes[1]

	operator := generatedClient(t, alpha.APIURL(), c.Tokens[0])
	m, err := operator.CreateMerchantWithResponse(ctx, client.MerchantInput{Name: "Ferro Works"})
	if err != nil {
		t.Fatal(err)
	}
	if m.JSON201 == nil {
		t.Fatalf("createMerchant: %d %s", m.StatusCode(), m.Body)
	}
	merchant := generatedClient(t, alpha.APIURL(), m.JSON201.Token)
	l, err := merchant.CreateListingWithResponse(ctx, client.ListingInput{
		Title: "Carbon steel skillet", Description: new("Hand-forged, seasoned."),
		Category: "Home > Kitchen > Cookware", Brand: "Ferro",
		Attributes: &map[string]string{"material": "carbon steel"}, Images: &[]string{"https://img.example/pan.jpg"},
		ShippingRegions: &[]string{"DE", "FR"},
		Variants: []client.VariantInput{{SKU: "PAN-28", Options: &map[string]string{"size": "28cm"},
			Price: client.Money{Amount: 4990, Currency: "EUR"}, Stock: new(int64(7))}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if l.JSON201 == nil {
		t.Fatalf("createListing: %d %s", l.StatusCode(), l.Body)
	}
	listing := l.JSON201
	if listing.Platform != alpha.PeerID().String() || listing.Version != 1 || listing.MerchantName == nil || *listing.MerchantName != "Ferro Works" {
		t.Fatalf("createListing: %+v", listing)
	}

	public := generatedClient(t, beta.APIURL(), "")
	var hit client.SearchItem
	testwait.For(t, 45*time.Second, func() error {
		r, err := public.SearchCatalogWithResponse(ctx, &client.SearchCatalogParams{Q: new("skillet"), Brand: &[]string{"Ferro"}, InStock: new(true)})
		if err != nil {
			return err
		}
		if r.JSON200 == nil {
			return fmt.Errorf("searchCatalog on Beta: %d %s", r.StatusCode(), r.Body)
		}
		for _, it := range r.JSON200.Items {
			if it.ID == listing.ID {
				hit = it
				return nil
			}
		}
		return fmt.Errorf("Beta does not find %s yet", listing.ID)
	})
	if hit.Price != (client.Money{Amount: 4990, Currency: "EUR"}) || hit.Platform != alpha.PeerID().String() {
		t.Fatalf("search hit on Beta: %+v", hit)
	}

	sh, err := public.CreateShopperWithResponse(ctx, client.ShopperInput{Name: "Ada Lovelace", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if sh.JSON201 == nil {
		t.Fatalf("createShopper: %d %s", sh.StatusCode(), sh.Body)
	}
	shopper := generatedClient(t, beta.APIURL(), sh.JSON201.Token)
	cart, err := shopper.CreateCartWithResponse(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cart.JSON201 == nil {
		t.Fatalf("createCart: %d %s", cart.StatusCode(), cart.Body)
	}
	added, err := shopper.AddCartItemWithResponse(ctx, cart.JSON201.ID, client.CartItemInput{ListingID: hit.ID, SKU: "PAN-28", Quantity: 2})
	if err != nil {
		t.Fatal(err)
	}
	if added.JSON200 == nil {
		t.Fatalf("addCartItem: %d %s", added.StatusCode(), added.Body)
	}
	if g := added.JSON200.Groups; added.JSON200.Total.Amount != 9980 || len(g) != 1 || g[0].Platform != alpha.PeerID().String() {
		t.Fatalf("cart after addCartItem: %+v", added.JSON200)
	}

	o, err := shopper.CheckOutCartWithResponse(ctx, cart.JSON201.ID, &client.CheckOutCartParams{IdempotencyKey: "story-checkout-1"},
		client.CheckoutRequest{
			ShippingAddress: client.Address{Name: "Ada Lovelace", Line1: "Am Markt 1", City: "Bremen", PostalCode: "28195", Country: "DE"},
			Payment:         client.PaymentRequest{Method: client.PaymentRequestMethodSandboxCard, CardNumber: new("4242 4242 4242 4242")},
		})
	if err != nil {
		t.Fatal(err)
	}
	if o.JSON201 == nil {
		t.Fatalf("checkOutCart: %d %s", o.StatusCode(), o.Body)
	}
	order := o.JSON201
	if order.Status != client.OrderStatusAccepted || order.Payment.Status != client.PaymentStatusCaptured ||
		order.Total != (client.Money{Amount: 9980, Currency: "EUR"}) || len(order.Parts) != 1 || order.Parts[0].Platform != alpha.PeerID().String() {
		t.Fatalf("checkOutCart: %+v", order)
	}

	testwait.For(t, 30*time.Second, func() error {
		r, err := merchant.ListMerchantPartsWithResponse(ctx, &client.ListMerchantPartsParams{Status: new(client.ListMerchantPartsParamsStatusAccepted)})
		if err != nil {
			return err
		}
		if r.JSON200 == nil {
			return fmt.Errorf("listMerchantParts on Alpha: %d %s", r.StatusCode(), r.Body)
		}
		for _, p := range r.JSON200.Parts {
			if p.PartID == order.Parts[0].PartID && p.Storefront == beta.PeerID().String() && p.Items[0].Quantity == 2 {
				return nil
			}
		}
		return fmt.Errorf("Alpha's merchant does not see part %s yet: %+v", order.Parts[0].PartID, r.JSON200.Parts)
	})

	part := order.Parts[0].PartID
	w, err := shopper.WriteMessageWithResponse(ctx, order.OrderID, part, client.MessageInput{Text: "Is the handle cast iron too?"})
	if err != nil || w.JSON202 == nil || w.JSON202.By != client.ChatMessageByShopper {
		t.Fatalf("writeMessage: %v %d %s", err, w.StatusCode(), w.Body)
	}
	testwait.For(t, 30*time.Second, func() error {
		r, err := merchant.ListConversationsWithResponse(ctx, nil)
		if err != nil {
			return err
		}
		if r.JSON200 == nil || len(r.JSON200.Conversations) != 1 || r.JSON200.Conversations[0].Unread != 1 {
			return fmt.Errorf("listConversations on Alpha: %d %s", r.StatusCode(), r.Body)
		}
		return nil
	})
	a, err := merchant.WriteMerchantMessageWithResponse(ctx, part, client.MessageInput{Text: "Yes, one piece."})
	if err != nil || a.JSON202 == nil {
		t.Fatalf("writeMerchantMessage: %v %d %s", err, a.StatusCode(), a.Body)
	}
	testwait.For(t, 30*time.Second, func() error {
		r, err := shopper.ListMessagesWithResponse(ctx, order.OrderID, part, nil)
		if err != nil {
			return err
		}
		if r.JSON200 == nil || len(r.JSON200.Messages) != 2 || r.JSON200.Unread != 1 {
			return fmt.Errorf("listMessages on Beta: %d %s", r.StatusCode(), r.Body)
		}
		return nil
	})
}

// generatedClient is the generated client for the node at base, sending
// token (when set) as the bearer token.
func generatedClient(t *testing.T, base, token string) *client.ClientWithResponses {
	t.Helper()
	c, err := client.NewClientWithResponses(base, client.WithHTTPClient(specChecked{t}),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// specChecked does a request and checks its answer against the OpenAPI
// document, at the path template the request's path matches.
type specChecked struct{ t *testing.T }

func (d specChecked) Do(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	route, err := api.Route(req.URL.Path)
	if err == nil {
		err = api.CheckResponse(req.Method, route, resp.StatusCode, b)
	}
	if err != nil {
		d.t.Errorf("%s %s: %v\nbody: %s", req.Method, req.URL.Path, err, b)
	}
	return resp, nil
}
