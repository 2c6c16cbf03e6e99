package node

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/settlement"
)

// TestDatabaseOfAnEarlierVersionOpens: the databases in testdata/compat
// were written by the version before orders, settlement and the pages were
// reorganised (two members: Ada bought two skillets of Beta's merchant on
// Alpha, Beta shipped and delivered them, and the period was settled and
// agreed), kept as Badger backup streams with each node's identity and
// configuration. This version opens them and serves the same order, part,
// listing and agreed statement.
func TestDatabaseOfAnEarlierVersionOpens(t *testing.T) {
	var facts map[string]string
	raw, err := os.ReadFile("testdata/compat/facts.json")
	if err != nil || json.Unmarshal(raw, &facts) != nil {
		t.Fatalf("facts: %v", err)
	}
	a, b := openCompat(t, "alpha"), openCompat(t, "beta")

	var o order.Order
	s, body := req(t, "GET", a.APIURL()+"/v1/orders/"+facts["order"], "/v1/orders/{id}", facts["shopper_token"], nil)
	if s != 200 || json.Unmarshal(body, &o) != nil || len(o.Parts) != 1 || o.Parts[0].Status != order.StatusDelivered ||
		o.Parts[0].Seq != 4 || o.Total.Amount != 9980 {
		t.Errorf("Ada's order on Alpha: %d %s", s, body)
	}
	s, body = req(t, "GET", b.APIURL()+"/v1/listings/"+facts["listing"], "/v1/listings/{id}", facts["merchant_token"], nil)
	var l struct {
		Title    string
		Variants []struct{ Stock int64 }
	}
	if s != 200 || json.Unmarshal(body, &l) != nil || l.Title != "Cast iron skillet" || len(l.Variants) != 1 || l.Variants[0].Stock != 8 {
		t.Errorf("the skillet on Beta: %d %s", s, body)
	}
	var parts struct{ Parts []order.HomePart }
	s, body = req(t, "GET", b.APIURL()+"/v1/merchant/orders", "/v1/merchant/orders", facts["merchant_token"], nil)
	if s != 200 || json.Unmarshal(body, &parts) != nil || len(parts.Parts) != 1 || parts.Parts[0].ID != facts["part"] ||
		parts.Parts[0].Status != order.StatusDelivered {
		t.Errorf("Beta's parts: %d %s", s, body)
	}
	for _, n := range []*Node{a, b} {
		var page struct{ Statements []settlement.Statement }
		s, body = req(t, "GET", n.APIURL()+"/v1/settlement/periods/"+facts["period"]+"/statements", "/v1/settlement/periods/{period}/statements",
			readToken(t, n), nil)
		if s != 200 || json.Unmarshal(body, &page) != nil || len(page.Statements) != 1 ||
			page.Statements[0].Status != settlement.StatusAgreed || page.Statements[0].Count != 1 {
			t.Errorf("%s's statement of %s: %d %s", n.Name(), facts["period"], s, body)
		}
	}
}

// openCompat restores testdata/compat/<name> into a temporary folder and
// runs a node on it, on free ports, until the test ends.
func openCompat(t *testing.T, name string) *Node {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"identity.key", "operator.token", "fedmart.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata/compat", name, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stream, err := os.Open(filepath.Join("testdata/compat", name+".badger"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	db, err := badger.Open(badger.DefaultOptions(filepath.Join(dir, "db")).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Load(stream, 16); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.API.Listen = "127.0.0.1:0"
	cfg.Federation.Listen = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}
	n, err := New(cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Error("the node did not stop")
		}
		_ = n.Close()
	})
	return n
}

func readToken(t *testing.T, n *Node) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(n.cfg.DataDir, "operator.token"))
	if err != nil {
		t.Fatal(err)
	}
	return string(trimNewline(b))
}

func trimNewline(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
