package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/node/budget"
)

func startCluster(t *testing.T, names ...string) *Cluster {
	t.Helper()
	return startClusterWith(t, nil, names...)
}

// startClusterWith runs a cluster whose members' configs tune also adjusts.
func startClusterWith(t *testing.T, tune func(*Config), names ...string) *Cluster {
	t.Helper()
	return startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: names, FederationID: "api-test", FederationName: "API Test",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) {
			cfg.Federation.DialInterval = 50 * time.Millisecond
			if tune != nil {
				tune(cfg)
			}
		},
	})
}

// startClusterOpts runs a cluster built from opts until the test ends.
// Its members take test payments and set no per-client budgets, since
// every client of a test comes from loopback; opts.Tune may change that.
func startClusterOpts(t *testing.T, opts ClusterOptions) *Cluster {
	t.Helper()
	opts.Log = failureLog(t)
	tune := opts.Tune
	opts.Tune = func(cfg *Config) {
		cfg.Payments = PaymentsConfig{Manual: true, SandboxCard: true}
		cfg.API.Limits = budget.Config{Clients: 1}
		if tune != nil {
			tune(cfg)
		}
	}
	c, err := NewCluster(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("cluster run: %v", err)
		}
		c.Close()
	})
	return c
}

// call does one request and checks the answer against the OpenAPI spec.
func call(t *testing.T, method, url, route, token string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" && route != "/readyz" {
		t.Errorf("%s %s: %d with Content-Type %q, want application/problem+json", method, url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if route != "" {
		if err := api.CheckResponse(method, route, resp.StatusCode, b); err != nil {
			t.Errorf("%v\nbody: %s", err, b)
		}
	}
	return resp.StatusCode, b
}

func TestAPIFederationEndpoints(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	base, tok := c.Nodes[0].APIURL(), c.Tokens[0]
	if s, _ := call(t, "GET", base+"/healthz", "/healthz", "", nil); s != 200 {
		t.Fatalf("healthz %d", s)
	}
	if s, b := call(t, "GET", base+"/readyz", "/readyz", "", nil); s != 200 {
		t.Fatalf("readyz %d %s", s, b)
	}
	if s, _ := call(t, "GET", base+"/v1/federation", "/v1/federation", "", nil); s != 401 {
		t.Fatalf("no token: %d, want 401", s)
	}
	if s, _ := call(t, "GET", base+"/v1/federation", "/v1/federation", c.Tokens[1], nil); s != 403 {
		t.Fatalf("another node's token: %d, want 403", s)
	}
	s, b := call(t, "GET", base+"/v1/federation", "/v1/federation", tok, nil)
	var fed struct {
		FederationID   string `json:"federation_id"`
		CharterVersion uint64 `json:"charter_version"`
		Self           struct{ PeerID, Name string }
	}
	if err := json.Unmarshal(b, &fed); s != 200 || err != nil || fed.FederationID != "api-test" || fed.CharterVersion != 1 || fed.Self.Name != "Alpha" {
		t.Fatalf("federation: %d %s", s, b)
	}
	testwait.For(t, 10*time.Second, func() error {
		_, b := call(t, "GET", base+"/v1/federation/members", "/v1/federation/members", tok, nil)
		var m struct {
			Members []struct {
				Name      string   `json:"name"`
				Connected bool     `json:"connected"`
				RTT       *float64 `json:"rtt_ms"`
			}
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		if len(m.Members) != 1 || m.Members[0].Name != "Beta" || !m.Members[0].Connected || m.Members[0].RTT == nil {
			return fmt.Errorf("members = %s", b)
		}
		return nil
	})
	if s, _ := call(t, "GET", base+"/metrics", "/metrics", "", nil); s != 401 {
		t.Fatalf("metrics without a token: %d, want 401", s)
	}
	if s, b := call(t, "GET", base+"/metrics", "/metrics", tok, nil); s != 200 || !strings.Contains(string(b), "fedmart_charter_version 1") {
		t.Fatalf("metrics: %d", s)
	}
	if s, _ := call(t, "GET", base+"/v1/nothing", "", tok, nil); s != 404 {
		t.Fatalf("unknown route: %d", s)
	}
	if s, b := call(t, "GET", base+"/v1/openapi.yaml", "/v1/openapi.yaml", "", nil); s != 200 || !bytes.Contains(b, []byte("openapi: 3.1")) {
		t.Fatalf("openapi: %d", s)
	}
}

func TestAPICharterSubmissionRefusals(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	base, tok := c.Nodes[0].APIURL(), c.Tokens[0]
	route := "/v1/federation/charter"
	v1 := c.Charter
	underSigned := *v1
	underSigned.Charter.Version, underSigned.Charter.Previous, underSigned.Charter.Name = 2, v1.Charter.Digest(), "Renamed"
	underSigned.Signatures = nil
	key, _ := LoadIdentity(filepath.Join(c.Nodes[0].cfg.DataDir, "identity.key"))
	if err := underSigned.Sign(key); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		body   []byte
		status int
		says   string
	}{
		{"not json", []byte("{"), 422, "charter"},
		{"unknown field", []byte(`{"charter":{},"signatures":[],"extra":1}`), 422, "extra"},
		{"bad field", []byte(`{"charter":{"federation_id":"BAD ID","version":1},"signatures":[]}`), 422, "charter.federation_id"},
		{"repeats version 1", v1.Marshal(), 409, "does not follow"},
		{"one of two signatures", underSigned.Marshal(), 422, "1 of 2"},
	}
	for _, tt := range tests {
		s, b := call(t, "POST", base+route, route, tok, tt.body)
		if s != tt.status || !strings.Contains(string(b), tt.says) {
			t.Errorf("%s: %d %s, want %d naming %q", tt.name, s, b, tt.status, tt.says)
		}
	}
	if sc, _ := c.Nodes[0].Federation().Charter(); sc.Charter.Version != 1 || sc.Charter.Name != "API Test" {
		t.Fatal("a refused submission changed the charter")
	}
}

func TestNodeWithoutCharterIsNotReady(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lonely")
	cfg, err := initOrLoad(dir, "Lonely")
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	defer func() { cancel(); <-done; n.Close() }()
	token, err := loadToken(cfg.path(cfg.OperatorTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 5*time.Second, func() error {
		// The reason is the operator's to hear; anyone else hears the status.
		s, b := call(t, "GET", n.APIURL()+"/readyz", "/readyz", token, nil)
		if s != 503 || !strings.Contains(string(b), "no valid charter") {
			return fmt.Errorf("readyz %d %s", s, b)
		}
		if s, b := call(t, "GET", n.APIURL()+"/readyz", "/readyz", "", nil); s != 503 || strings.Contains(string(b), "reason") {
			return fmt.Errorf("readyz without the token: %d %s", s, b)
		}
		return nil
	})
}
