package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// formFederation initialises, charters (with one-hour settlement periods)
// and starts one process per name; tune, when set, may change a node's
// folder before it starts.
func formFederation(t *testing.T, tune func(*procNode), names ...string) []*procNode {
	t.Helper()
	return formFederationWith(t, tune, func([]*procNode) []string { return []string{"--period", "1h"} }, names...)
}

// formFederationWith is formFederation with the charter's terms: the
// flags of charter new after its id, name and currency, chosen once the
// nodes have their peer IDs.
func formFederationWith(t *testing.T, tune func(*procNode), terms func([]*procNode) []string, names ...string) []*procNode {
	t.Helper()
	root := t.TempDir()
	var nodes []*procNode
	for _, name := range names {
		nodes = append(nodes, initNode(t, root, name))
	}
	charter := filepath.Join(root, "charter.json")
	fedmart(t, append([]string{"charter", "new", "--out", charter, "--id", "orders-proc", "--name", "Orders Process Test", "--currency", "EUR"}, terms(nodes)...)...)
	for _, n := range nodes {
		fedmart(t, "charter", "add-member", charter, "--peer", n.peer, "--name", n.name, "--api", "http://"+n.api,
			"--addr", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", n.tcp), "--addr", fmt.Sprintf("/ip4/127.0.0.1/udp/%d/quic-v1", n.udp))
	}
	for _, n := range nodes {
		fedmart(t, "charter", "sign", charter, "--data", n.dir)
	}
	for _, n := range nodes {
		if tune != nil {
			tune(n)
		}
		n.start(t, "--charter", charter)
	}
	testwait.For(t, 30*time.Second, allConnected(nodes...))
	return nodes
}

// tuneConfig replaces each old line of dir's fedmart.yaml with its new
// one; a line that is not there fails the test (init's defaults changed).
func tuneConfig(t *testing.T, dir string, edits [][2]string) {
	t.Helper()
	path := filepath.Join(dir, "fedmart.yaml")
	cfg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if !bytes.Contains(cfg, []byte(e[0])) {
			t.Fatalf("%s has no %q to change", path, e[0])
		}
		cfg = bytes.Replace(cfg, []byte(e[0]), []byte(e[1]), 1)
	}
	if err := os.WriteFile(path, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
}

// do sends one JSON request to a node's API; err is set when the process
// did not answer.
func (n *procNode) do(method, path, token string, body any, hdr ...string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "http://"+n.api+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// must sends one JSON request (with hdr, name and value pairs) and fails
// the test unless the node answers want.
func (n *procNode) must(t *testing.T, method, path, token string, body any, want int, hdr ...string) []byte {
	t.Helper()
	s, b, err := n.do(method, path, token, body, hdr...)
	if err != nil || s != want {
		t.Fatalf("%s %s %s: %d %s %v", n.name, method, path, s, b, err)
	}
	return b
}

// kill9 kills the process without warning and waits for it.
func (n *procNode) kill9() {
	_ = n.cmd.Process.Kill()
	_ = n.cmd.Wait()
}

type procPart struct {
	ID     string `json:"part_id"`
	Order  string `json:"order"`
	Status string `json:"status"`
}

// TestOrdersSurviveKill9 runs a stream of checkouts on a storefront
// (alpha) for a merchant homed on beta, and kills -9 each of them at random
// moments. Afterwards every order a shopper was answered 201 for exists on
// alpha and is accepted on beta exactly once, no part on beta lacks its
// order on alpha, and beta's stock is what it had less what it accepted.
func TestOrdersSurviveKill9(t *testing.T) {
	// Short holds, so that the holds of checkouts cut short by a kill
	// expire during the test.
	nodes := formFederation(t, func(n *procNode) {
		// The workers below all check out from loopback, as one client.
		tuneConfig(t, n.dir, [][2]string{{"hold_ttl: 10m0s", "hold_ttl: 2s"}, {"checkouts: 60/1h", "checkouts: \"off\""}})
	}, "alpha", "beta")
	alpha, beta := nodes[0], nodes[1]
	var m struct{ Token string }
	_ = json.Unmarshal(beta.must(t, "POST", "/v1/merchants", beta.token, map[string]string{"name": "Kiel Knives"}, 201), &m)
	const stock = 5000
	listing := map[string]any{"title": "Chef knife", "category": "Home > Kitchen", "brand": "Kiel", "shipping_regions": []string{"DE"},
		"variants": []map[string]any{{"sku": "K9", "price": map[string]any{"amount": 8900, "currency": "EUR"}, "stock": stock}}}
	var l struct{ ID string }
	_ = json.Unmarshal(beta.must(t, "POST", "/v1/listings", m.Token, listing, 201), &l)
	testwait.For(t, 60*time.Second, func() error {
		if s, b, err := alpha.do("GET", "/v1/catalog/listings/"+l.ID, "", nil); err != nil || s != 200 {
			return fmt.Errorf("alpha does not have the listing yet: %d %s %v", s, b, err)
		}
		return nil
	})
	var sh struct{ Token string }
	_ = json.Unmarshal(alpha.must(t, "POST", "/v1/shoppers", "", map[string]string{"name": "Kim", "email": "kim@example.org"}, 201), &sh)

	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if id := checkoutOnce(alpha, sh.Token, fmt.Sprintf("w%d-%d", w, i), map[string]any{"listing_id": l.ID, "sku": "K9", "quantity": 1}); id != "" {
					mu.Lock()
					acked[id] = true
					mu.Unlock()
				}
			}
		}()
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	for round := 0; round < 4; round++ {
		time.Sleep(time.Duration(300+rng.IntN(900)) * time.Millisecond)
		victim := nodes[round%2]
		victim.kill9()
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		victim.start(t)
		testwait.For(t, 30*time.Second, allConnected(nodes...))
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no checkout succeeded")
	}

	var parts []procPart
	testwait.For(t, 60*time.Second, func() error {
		parts = parts[:0]
		for cursor := ""; ; {
			var page struct {
				Parts  []procPart
				Cursor string `json:"next_cursor"`
			}
			s, b, err := beta.do("GET", "/v1/merchant/orders?limit=200&cursor="+cursor, m.Token, nil)
			if err != nil || s != 200 || json.Unmarshal(b, &page) != nil {
				return fmt.Errorf("beta merchant orders: %d %v", s, err)
			}
			parts = append(parts, page.Parts...)
			if cursor = page.Cursor; cursor == "" {
				break
			}
		}
		seen := map[string]int{}
		for _, p := range parts {
			seen[p.Order]++
		}
		for id := range acked {
			if seen[id] != 1 {
				_, ob, _ := alpha.do("GET", "/v1/orders/"+id, sh.Token, nil)
				return fmt.Errorf("acknowledged order %s is on beta %d times; alpha has %s\nalpha log: %s", id, seen[id], ob, tail(alpha.stderr.String()))
			}
		}
		return nil
	})
	accepted := 0
	for _, p := range parts {
		if p.Status == "accepted" {
			accepted++
		}
		if s, b, err := alpha.do("GET", "/v1/orders/"+p.Order, sh.Token, nil); err != nil || s != 200 {
			t.Errorf("part %s on beta has no order on alpha: %d %s", p.ID, s, b)
		}
	}
	testwait.For(t, 30*time.Second, func() error { // holds of checkouts a kill cut short expire
		var got struct {
			Variants []struct{ Stock int } `json:"variants"`
		}
		_ = json.Unmarshal(beta.must(t, "GET", "/v1/listings/"+l.ID, m.Token, nil, 200), &got)
		if got.Variants[0].Stock+accepted != stock {
			return fmt.Errorf("stock %d + %d accepted != %d", got.Variants[0].Stock, accepted, stock)
		}
		return nil
	})
	t.Logf("%d orders acknowledged, %d parts accepted on beta through 4 kill -9s", len(acked), accepted)

	// The storefront is down while the home node ships: it learns after its restart.
	alpha.kill9()
	var shipped []procPart
	for _, p := range parts[:min(5, len(parts))] {
		if p.Status == "accepted" {
			beta.must(t, "POST", "/v1/merchant/orders/"+p.ID+"/ship", m.Token, map[string]string{"carrier": "DHL", "tracking": "T" + p.ID}, 200)
			shipped = append(shipped, p)
		}
	}
	if len(shipped) == 0 {
		t.Fatal("no accepted part to ship among the newest")
	}
	alpha.start(t)
	testwait.For(t, 60*time.Second, func() error {
		for _, p := range shipped {
			var o struct {
				Parts []struct{ Status, Tracking string }
			}
			_, b, err := alpha.do("GET", "/v1/orders/"+p.Order, sh.Token, nil)
			if err != nil || json.Unmarshal(b, &o) != nil || len(o.Parts) != 1 || o.Parts[0].Status != "shipped" || o.Parts[0].Tracking != "T"+p.ID {
				return fmt.Errorf("alpha's view of %s after its restart: %s %v", p.Order, b, err)
			}
		}
		return nil
	})
}

// checkoutOnce fills a cart with items (listing_id, sku, quantity) and
// checks it out; it returns the order id when the shopper was answered
// 201.
func checkoutOnce(n *procNode, token, key string, items ...map[string]any) string {
	s, b, err := n.do("POST", "/v1/carts", token, nil)
	var c struct{ ID string }
	if err != nil || s != 201 || json.Unmarshal(b, &c) != nil {
		time.Sleep(50 * time.Millisecond)
		return ""
	}
	for _, item := range items {
		if s, _, err := n.do("POST", "/v1/carts/"+c.ID+"/items", token, item); err != nil || s != 200 {
			return ""
		}
	}
	body := map[string]any{"shipping_address": map[string]string{"name": "Kim", "line1": "Hafen 1", "city": "Kiel", "postal_code": "24103", "country": "DE"},
		"payment": map[string]string{"method": "sandbox_card", "card_number": "4242424242424242"}}
	s, b, err = n.do("POST", "/v1/carts/"+c.ID+"/checkout", token, body, "Idempotency-Key", key)
	var o struct {
		ID string `json:"order_id"`
	}
	if err != nil || s != 201 || json.Unmarshal(b, &o) != nil {
		return ""
	}
	return o.ID
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}
