package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/node/budget"
)

func TestOversizedHeadersAreRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(DefaultConfig().API, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}), discard())
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	get := func(header string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+l.Addr().String()+"/", nil)
		req.Header.Set("X-Padding", header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(strings.Repeat("a", 10<<10)); s != http.StatusOK {
		t.Errorf("a 10 KiB header: %d, want 200", s)
	}
	if s := get(strings.Repeat("a", 100<<10)); s != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 100 KiB header: %d, want 431", s)
	}
}

func TestAPIAnswersCarryHSTSOverHTTPS(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})
	for url, want := range map[string]string{"https://shop.example": "max-age=31536000", "http://127.0.0.1:8080": ""} {
		w := httptest.NewRecorder()
		strictTransport(url, ok).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/catalog/search", nil))
		if got := w.Header().Get("Strict-Transport-Security"); got != want {
			t.Errorf("%s: Strict-Transport-Security %q, want %q", url, got, want)
		}
	}
}

func TestInitSwitchesPaymentsOnOnlyWhenAsked(t *testing.T) {
	for _, c := range []struct {
		name           string
		manual, sandox bool
	}{{"plain", false, false}, {"manual", true, false}, {"sandbox", false, true}} {
		dir := filepath.Join(t.TempDir(), c.name)
		if _, err := Init(InitOptions{DataDir: dir, Name: "Alpha", API: "127.0.0.1:0", ManualPayments: c.manual, SandboxPayments: c.sandox}); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
		if !bytes.Contains(raw, []byte("# sandbox_card: TEST payments")) {
			t.Errorf("%s: the config does not explain the payment switches:\n%s", c.name, raw)
		}
		cfg, err := LoadConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Payments != (PaymentsConfig{Manual: c.manual, SandboxCard: c.sandox}) {
			t.Errorf("%s: payments %+v", c.name, cfg.Payments)
		}
	}
}

func TestSandboxCardIsOffUnlessConfigured(t *testing.T) {
	c := startClusterWith(t, func(cfg *Config) { cfg.Payments = PaymentsConfig{Manual: true} }, "Alpha", "Beta")
	alpha := c.Nodes[0]
	listing, _ := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	sh := newShopper(t, alpha, "Kim Sandbox")
	s, b := sh.checkout(sh.cart(order.ItemInput{ListingID: listing, SKU: "PAN-B", Quantity: 1}), "sandbox-off", order.CardApprove)
	var p api.Problem
	_ = json.Unmarshal(b, &p)
	if s != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != "payment.method" ||
		p.Errors[0].Message != `"sandbox_card" is not taken by this storefront, which takes manual` {
		t.Fatalf("a sandbox card on a node without it: %d %s, want 422 naming payment.method", s, b)
	}
	if st := stockOf(t, c.Nodes[1], listing); st != 10 {
		t.Errorf("stock %d after a refused checkout, want 10", st)
	}
	page, err := http.Get(alpha.APIURL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if bytes.Contains(body, []byte("Test payments")) {
		t.Error("a node without the sandbox says that payments are tests")
	}
}

func TestMetricsOnTheirOwnListener(t *testing.T) {
	c := startClusterWith(t, func(cfg *Config) {
		cfg.API.Metrics, cfg.API.MetricsListen = api.MetricsListener, "127.0.0.1:0"
	}, "Alpha")
	n := c.Nodes[0]
	resp, err := http.Get("http://" + n.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("fedmart_")) {
		t.Fatalf("metrics listener: %d %.200s", resp.StatusCode, b)
	}
	if s, _ := call(t, "GET", n.APIURL()+"/metrics", "/metrics", c.Tokens[0], nil); s != http.StatusNotFound {
		t.Errorf("the API listener still serves /metrics: %d", s)
	}
}

func TestDefaultBudgetsHoldOnTheNode(t *testing.T) {
	c := startClusterWith(t, func(cfg *Config) { cfg.API.Limits = budget.DefaultConfig() }, "Alpha")
	base := c.Nodes[0].APIURL()
	n := budget.DefaultConfig().Accounts.N
	for i := range n {
		body := fmt.Sprintf(`{"name":"Kim","email":"kim%d@example.org"}`, i)
		if s, b := call(t, "POST", base+"/v1/shoppers", "/v1/shoppers", "", []byte(body)); s != http.StatusCreated {
			t.Fatalf("account %d: %d %s", i, s, b)
		}
	}
	s, b := call(t, "POST", base+"/v1/shoppers", "/v1/shoppers", "", []byte(`{"name":"Kim","email":"kim@example.org"}`))
	if s != http.StatusTooManyRequests || !bytes.Contains(b, []byte(`"limit":"accounts"`)) {
		t.Fatalf("account %d from one client: %d %s, want 429", n+1, s, b)
	}
}
