package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/node/webhook"
)

// req does one request with headers and checks the answer against the
// OpenAPI spec when route is set.
func req(t *testing.T, method, url, route, token string, body any, hdr ...string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	r, _ := http.NewRequest(method, url, rd)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if route != "" {
		if err := api.CheckResponse(method, route, resp.StatusCode, b); err != nil {
			t.Errorf("%v\nbody: %s", err, b)
		}
	}
	return resp.StatusCode, b
}

// shopper is a shopper account on one member's storefront.
type shopper struct {
	t     *testing.T
	base  string
	token string
}

func newShopper(t *testing.T, n *Node, name string) *shopper {
	t.Helper()
	s, b := req(t, "POST", n.APIURL()+"/v1/shoppers", "/v1/shoppers", "", map[string]string{"name": name, "email": strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.org"})
	var out struct{ Token string }
	if s != 201 || json.Unmarshal(b, &out) != nil {
		t.Fatalf("new shopper: %d %s", s, b)
	}
	return &shopper{t: t, base: n.APIURL(), token: out.Token}
}

func (sh *shopper) cart(items ...order.ItemInput) string {
	sh.t.Helper()
	s, b := req(sh.t, "POST", sh.base+"/v1/carts", "/v1/carts", sh.token, nil)
	var c struct{ ID string }
	if s != 201 || json.Unmarshal(b, &c) != nil {
		sh.t.Fatalf("new cart: %d %s", s, b)
	}
	for _, it := range items {
		if s, b := req(sh.t, "POST", sh.base+"/v1/carts/"+c.ID+"/items", "/v1/carts/{id}/items", sh.token, it); s != 200 {
			sh.t.Fatalf("add %s: %d %s", it.SKU, s, b)
		}
	}
	return c.ID
}

var testAddress = order.Address{Name: "Ada Lovelace", Line1: "Am Markt 1", City: "Bremen", PostalCode: "28195", Country: "DE"}

func (sh *shopper) checkout(cart, key, card string) (int, []byte) {
	sh.t.Helper()
	body := order.CheckoutRequest{ShippingAddress: testAddress, Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: card}}
	return req(sh.t, "POST", sh.base+"/v1/carts/"+cart+"/checkout", "/v1/carts/{id}/checkout", sh.token, body, "Idempotency-Key", key)
}

func (sh *shopper) order(id string) order.Order {
	sh.t.Helper()
	s, b := req(sh.t, "GET", sh.base+"/v1/orders/"+id, "/v1/orders/{id}", sh.token, nil)
	var o order.Order
	if s != 200 || json.Unmarshal(b, &o) != nil {
		sh.t.Fatalf("order %s: %d %s", id, s, b)
	}
	return o
}

// listOn creates a listing of a new merchant on member i and waits until
// every member's catalog holds it; it returns the listing id and the
// merchant's token.
func listOn(t *testing.T, c *Cluster, i int, merchant, sku string, price, stock int) (string, string) {
	t.Helper()
	tok := newMerchant(t, c, i, merchant)
	s, b := call(t, "POST", c.Nodes[i].APIURL()+"/v1/listings", "/v1/listings", tok, listingBody(merchant+" pan", sku, price, stock))
	var l struct{ ID string }
	if s != 201 || json.Unmarshal(b, &l) != nil {
		t.Fatalf("listing: %d %s", s, b)
	}
	testwait.For(t, 45*time.Second, func() error {
		for _, n := range c.Nodes {
			got, err := n.Catalog().Listing(t.Context(), l.ID)
			if err != nil {
				return fmt.Errorf("%s: %v", n.Name(), err)
			}
			// The stock travels as a record of its own: a cart on a member
			// that has the listing but not yet its stock finds none.
			if got.Variants[0].Stock != int64(stock) {
				return fmt.Errorf("%s holds a stock of %d", n.Name(), got.Variants[0].Stock)
			}
		}
		return nil
	})
	return l.ID, tok
}

func stockOf(t *testing.T, n *Node, id string) int64 {
	t.Helper()
	l, err := n.Catalog().Listing(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return l.Variants[0].Stock
}

func merchantAct(t *testing.T, n *Node, token, part, action string, body any) order.HomePart {
	t.Helper()
	s, b := req(t, "POST", n.APIURL()+"/v1/merchant/orders/"+part+"/"+action, "/v1/merchant/orders/{id}/"+action, token, body)
	var p order.HomePart
	if s != 200 || json.Unmarshal(b, &p) != nil {
		t.Fatalf("%s %s: %d %s", action, part, s, b)
	}
	return p
}

// buyAccepted checks out one unit of a listing homed on home and waits
// until home has accepted the part; it returns the part id.
func buyAccepted(t *testing.T, sh *shopper, home *Node, listing, sku string) string {
	t.Helper()
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: listing, SKU: sku, Quantity: 1}), "k", order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil {
		t.Fatalf("checkout: %d %s", s, body)
	}
	part := o.Parts[0].ID
	testwait.For(t, 10*time.Second, func() error {
		if p, err := home.Orders().HomePartOf(t.Context(), "", part); err != nil || p.Status != order.StatusAccepted {
			return fmt.Errorf("part on %s: %+v %v", home.Name(), p, err)
		}
		return nil
	})
	return part
}

// shipAndDeliver moves a part homed on home through shipped to delivered.
func shipAndDeliver(t *testing.T, home *Node, token, part string) order.HomePart {
	t.Helper()
	merchantAct(t, home, token, part, "ship", map[string]string{"carrier": "DHL", "tracking": "1"})
	return merchantAct(t, home, token, part, "deliver", nil)
}

func partStatuses(o order.Order) string {
	var out []string
	for _, p := range o.Parts {
		out = append(out, p.Status)
	}
	return strings.Join(out, ",")
}

func TestCrossPlatformOrderIsAcceptedShippedAndDelivered(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta", "Gamma")
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	onC, tokC := listOn(t, c, 2, "Genoa Steel", "PAN-C", 2500, 10)
	sh := newShopper(t, a, "Ada Lovelace")
	cart := sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 2}, order.ItemInput{ListingID: onC, SKU: "PAN-C", Quantity: 1})

	_, body := req(t, "GET", a.APIURL()+"/v1/carts/"+cart, "/v1/carts/{id}", sh.token, nil)
	var cv order.Cart
	if json.Unmarshal(body, &cv) != nil || len(cv.Groups) != 2 || cv.Total.Amount != 2*4999+2500 {
		t.Fatalf("cart grouped by platform: %s", body)
	}
	s, body := sh.checkout(cart, "k1", order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil || len(o.Parts) != 2 {
		t.Fatalf("checkout: %d %s", s, body)
	}
	testwait.For(t, 10*time.Second, func() error {
		if got := partStatuses(sh.order(o.ID)); got != "accepted,accepted" {
			return fmt.Errorf("parts %s", got)
		}
		return nil
	})
	if stockOf(t, b, onB) != 8 || stockOf(t, g, onC) != 9 {
		t.Fatalf("stock after the sale: %d, %d", stockOf(t, b, onB), stockOf(t, g, onC))
	}
	for _, p := range sh.order(o.ID).Parts {
		n, tok := b, tokB
		if p.Platform == g.PeerID().String() {
			n, tok = g, tokC
		}
		merchantAct(t, n, tok, p.ID, "ship", map[string]string{"carrier": "DHL", "tracking": "JD0146" + p.ID[len(p.ID)-1:]})
		merchantAct(t, n, tok, p.ID, "deliver", nil)
	}
	testwait.For(t, 10*time.Second, func() error {
		o := sh.order(o.ID)
		if o.Status != "delivered" || partStatuses(o) != "delivered,delivered" || o.Parts[0].Tracking == "" {
			return fmt.Errorf("order %s, parts %s", o.Status, partStatuses(o))
		}
		return nil
	})
	s, body = req(t, "GET", b.APIURL()+"/v1/merchant/orders?status=delivered", "/v1/merchant/orders", tokB, nil)
	if s != 200 || !strings.Contains(string(body), o.ID) {
		t.Fatalf("merchant orders on Beta: %d %s", s, body)
	}
}

func TestCheckoutIsIdempotentAndRefusesReuse(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	onB, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	sh := newShopper(t, c.Nodes[0], "Grace Hopper")
	cart := sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 1})
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, b := sh.checkout(cart, "same-key", order.CardApprove)
			var o order.Order
			if s != 201 || json.Unmarshal(b, &o) != nil {
				t.Errorf("retry %d: %d %s", i, s, b)
			}
			ids[i] = o.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent retries made several orders: %v", ids)
		}
	}
	if got := stockOf(t, c.Nodes[1], onB); got != 9 {
		t.Fatalf("stock %d after one order, want 9", got)
	}
	body := order.CheckoutRequest{ShippingAddress: testAddress, Payment: order.PaymentRequest{Method: order.MethodManual}}
	s, b := req(t, "POST", sh.base+"/v1/carts/"+cart+"/checkout", "/v1/carts/{id}/checkout", sh.token, body, "Idempotency-Key", "same-key")
	if s != 409 || !strings.Contains(string(b), "Idempotency-Key") {
		t.Fatalf("key reused with another body: %d %s", s, b)
	}
	s, b = req(t, "POST", sh.base+"/v1/carts/"+cart+"/checkout", "/v1/carts/{id}/checkout", sh.token, body)
	if s != 422 || !strings.Contains(string(b), "Idempotency-Key") {
		t.Fatalf("no key: %d %s", s, b)
	}
}

func TestCheckoutRefusesChangedPriceAndDeclinedCard(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 3)
	sh := newShopper(t, c.Nodes[0], "Alan Turing")
	cart := sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 1})

	if s, b := sh.checkout(cart, "declined", order.CardDecline); s != 402 {
		t.Fatalf("declined card: %d %s", s, b)
	}
	testwait.For(t, 10*time.Second, func() error { // the hold is released
		if got := stockOf(t, c.Nodes[1], onB); got != 3 {
			return fmt.Errorf("stock %d after a declined payment", got)
		}
		if n := metric(t, c.Nodes[0], "fedmart_order_outbox"); n != 0 { // the release was acknowledged
			return fmt.Errorf("Alpha's outbox still holds messages for %v members", n)
		}
		return nil
	})
	if s, b := call(t, "PUT", c.Nodes[1].APIURL()+"/v1/listings/"+onB, "/v1/listings/{id}", tokB, listingBody("Bremen Forge pan", "PAN-B", 5999, 3)); s != 200 {
		t.Fatalf("new price: %d %s", s, b)
	}
	testwait.For(t, 10*time.Second, func() error {
		s, b := sh.checkout(cart, "new-price", order.CardApprove)
		if s != 409 || !strings.Contains(string(b), `"quote"`) || !strings.Contains(string(b), "5999") {
			return fmt.Errorf("changed price: %d %s", s, b)
		}
		return nil
	})
	if s, b := sh.checkout(cart, "after-quote", order.CardApprove); s != 201 || !strings.Contains(string(b), "5999") {
		t.Fatalf("checkout at the new quote: %d %s", s, b)
	}
}

func TestNoOversellUnderConcurrentCheckoutsFromEveryMember(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta", "Gamma")
	onB, _ := listOn(t, c, 1, "Bremen Forge", "LAST-5", 1999, 5)
	var shoppers []*shopper
	var carts []string
	for i := 0; i < 30; i++ {
		sh := newShopper(t, c.Nodes[i%3], fmt.Sprintf("Shopper %d", i))
		shoppers = append(shoppers, sh)
		carts = append(carts, sh.cart(order.ItemInput{ListingID: onB, SKU: "LAST-5", Quantity: 1}))
	}
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i, sh := range shoppers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, b := sh.checkout(carts[i], "k", order.CardApprove)
			if s != 201 && s != 409 {
				t.Errorf("checkout %d: %d %s", i, s, b)
			}
			if s == 409 && !strings.Contains(string(b), "LAST-5") {
				t.Errorf("409 does not name the line: %s", b)
			}
			mu.Lock()
			codes[s]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[201] != 5 || codes[409] != 25 {
		t.Fatalf("answers %v, want 5 created and 25 conflicts", codes)
	}
	if got := stockOf(t, c.Nodes[1], onB); got != 0 {
		t.Fatalf("stock ends at %d, want 0", got)
	}
	parts, _, err := c.Nodes[1].Orders().MerchantParts(t.Context(), mustMerchantOf(t, c.Nodes[1], onB), "", "", 100)
	if err != nil || len(parts) != 5 {
		t.Fatalf("home parts: %d (%v), want 5", len(parts), err)
	}
}

func mustMerchantOf(t *testing.T, n *Node, listing string) string {
	t.Helper()
	l, err := n.Catalog().Listing(t.Context(), listing)
	if err != nil {
		t.Fatal(err)
	}
	return l.Merchant
}

func TestOrderWebhooksAreSignedAndRetried(t *testing.T) {
	const secret = "back-office-secret-0123"
	var mu sync.Mutex
	calls, good := 0, map[string]int{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 { // the back office is down at first
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if err := webhook.Verify(secret, r.Header.Get("Fedmart-Signature"), b, time.Now(), time.Minute); err != nil {
			t.Errorf("signature: %v", err)
		}
		good[r.Header.Get("Fedmart-Event")]++
	}))
	defer recv.Close()
	c := startClusterWith(t, func(cfg *Config) {
		cfg.Webhooks = []webhook.Config{{URL: recv.URL, Secret: secret, Events: []string{"order.*"}}}
	}, "Alpha", "Beta")
	onB, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	sh := newShopper(t, c.Nodes[0], "Hedy Lamarr")
	if s, b := sh.checkout(sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 1}), "k", order.CardApprove); s != 201 {
		t.Fatalf("checkout: %d %s", s, b)
	}
	testwait.For(t, 30*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if good["order.created"] != 1 || good["order.part.accepted"] < 1 {
			return fmt.Errorf("webhooks received: %v after %d calls", good, calls)
		}
		return nil
	})
	s, b := req(t, "GET", c.Nodes[0].APIURL()+"/v1/webhooks/deliveries", "/v1/webhooks/deliveries", c.Tokens[0], nil)
	if s != 200 || !strings.Contains(string(b), `"delivered"`) {
		t.Fatalf("delivery log: %d %s", s, b)
	}
}

func TestExpiredHoldReleasesStockAndDuplicatesHaveNoEffect(t *testing.T) {
	c := startClusterWith(t, func(cfg *Config) { cfg.Orders.HoldTTL = time.Second }, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	onB, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 4)
	sh := newShopper(t, a, "Katherine Johnson")
	part := buyAccepted(t, sh, b, onB, "PAN-B")
	// Every message Alpha sent Beta for the part, replayed twice: no second effect.
	msgs, err := a.Orders().Messages(t.Context(), part)
	if err != nil || len(msgs) < 2 {
		t.Fatalf("messages kept on Alpha: %d %v", len(msgs), err)
	}
	for range 2 {
		for _, m := range msgs {
			if m.From == a.PeerID().String() {
				_ = b.Orders().Handle(t.Context(), m.From, m.Encode())
			}
		}
	}
	if got := stockOf(t, b, onB); got != 3 {
		t.Fatalf("stock %d after replayed messages, want 3", got)
	}
	// A reserve that is never confirmed gives its stock back when the hold expires.
	raw := reserveFor(t, a, b, onB, "PAN-B")
	if reply := b.Orders().Handle(t.Context(), a.PeerID().String(), raw); !bytes.Contains(reply, []byte(`reserved`)) {
		t.Fatalf("reserve: %s", reply)
	}
	if got := stockOf(t, b, onB); got != 2 {
		t.Fatalf("stock %d while held, want 2", got)
	}
	testwait.For(t, 10*time.Second, func() error {
		if got := stockOf(t, b, onB); got != 3 {
			return fmt.Errorf("stock %d after the hold expired, want 3", got)
		}
		return nil
	})
}

// reserveFor builds a reserve of one unit signed by a's key, as a's
// order service would send it to b.
func reserveFor(t *testing.T, a, b *Node, listing, sku string) []byte {
	t.Helper()
	key, err := LoadIdentity(filepath.Join(a.cfg.DataDir, "identity.key"))
	if err != nil {
		t.Fatal(err)
	}
	return order.SignedReserve(key, b.PeerID().String(), "ord_test-1", mustMerchantOf(t, b, listing), testAddress,
		[]order.Line{{ListingID: listing, SKU: sku, Quantity: 1, UnitPrice: order.Money{Amount: 4999, Currency: "EUR"}}})
}

// TestUnpaidManualOrderGivesStockBack: an order paid by the manual method
// that nobody marks paid within orders.unpaid_after is cancelled, and its
// home gives the units back; the shopper sees it cancelled over the API.
func TestUnpaidManualOrderGivesStockBack(t *testing.T) {
	c := startClusterWith(t, func(cfg *Config) {
		cfg.Orders.UnpaidAfter = 2 * time.Second
		cfg.Payments.Manual = true
	}, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	onB, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 5)
	sh := newShopper(t, a, "Rosalind Franklin")
	cart := sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 2})
	body := order.CheckoutRequest{ShippingAddress: testAddress, Payment: order.PaymentRequest{Method: order.MethodManual}}
	s, raw := req(t, "POST", a.APIURL()+"/v1/carts/"+cart+"/checkout", "/v1/carts/{id}/checkout", sh.token, body, "Idempotency-Key", "unpaid")
	var o order.Order
	if s != 201 || json.Unmarshal(raw, &o) != nil || o.Payment.Status != order.PaymentPending {
		t.Fatalf("manual checkout: %d %s", s, raw)
	}
	testwait.For(t, 30*time.Second, func() error {
		got := sh.order(o.ID)
		if got.Status != order.StatusCancelled || stockOf(t, b, onB) != 5 {
			return fmt.Errorf("order %s (%s), %d of 5 units back", got.Status, partStatuses(got), stockOf(t, b, onB))
		}
		return nil
	})
}
