package node

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/internal/testwait"
)

// runNode runs n until the returned stop function is called.
func runNode(t *testing.T, n *Node) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	var stopped bool
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: run: %v", n.Name(), err)
		}
		if err := n.Close(); err != nil {
			t.Errorf("%s: close: %v", n.Name(), err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// metric reads one counter or gauge from the node's /metrics, with the
// operator token it needs.
func metric(t *testing.T, n *Node, name string) float64 {
	t.Helper()
	token, err := loadToken(n.cfg.path(n.cfg.OperatorTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, n.APIURL()+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

func feedOf(n int, prefix string) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		if err := json.Compact(&b, listingBody(fmt.Sprintf("%s item %d", prefix, i), fmt.Sprintf("%s-%05d", prefix, i), 1000+i, i%5)); err != nil {
			panic(err)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func totalOn(t *testing.T, n *Node, query string, want int) func() error {
	return func() error {
		if got := searchOn(t, n, query).Total; got != want {
			return fmt.Errorf("%s has %d results for %q, want %d", n.Name(), got, query, want)
		}
		return nil
	}
}

func TestOfflineMemberCatchesUpWithOnlyWhatItMissed(t *testing.T) {
	dir := t.TempDir()
	opts := ClusterOptions{Dir: dir, Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "catchup", FederationName: "Catch-up",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) {
			cfg.Federation.DialInterval = 50 * time.Millisecond
			cfg.Federation.MaxBackoff = 300 * time.Millisecond
		}}
	c, err := NewCluster(opts)
	if err != nil {
		t.Fatal(err)
	}
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	runNode(t, a)
	runNode(t, b)
	stopGamma := runNode(t, g)
	tok := newMerchant(t, c, 0, "Bulk Goods")
	if s, body := call(t, "POST", a.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feedOf(10, "before")); s != 200 || !strings.Contains(string(body), `"created":10`) {
		t.Fatalf("batch: %d %s", s, body)
	}
	testwait.For(t, 15*time.Second, totalOn(t, g, "q=before", 10))

	gammaCfg := g.cfg
	stopGamma()
	if s, body := call(t, "POST", a.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feedOf(1000, "during")); s != 200 || !strings.Contains(string(body), `"created":1000`) {
		t.Fatalf("batch while gamma is away: %d %.300s", s, body)
	}
	testwait.For(t, 2*time.Minute, totalOn(t, b, "q=during", 1000)) // gossip and sync rounds; slow only on a loaded machine

	g2, err := New(gammaCfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	runNode(t, g2)
	testwait.For(t, 2*time.Minute, totalOn(t, g2, "q=during", 1000))
	// Each new listing is one record (its description carrying its stock):
	// gamma missed 1,000. Catch-up must send no more than those (never the
	// 10 it held);
	// GossipSub's own gossip may deliver the newest of them first, when it
	// still has them in its recent-message history. Either way each missed
	// record is stored exactly once.
	var byGossip, bySync float64
	var got replication.Stats
	testwait.For(t, 10*time.Second, func() error {
		got = g2.repl.Totals()
		byGossip = metric(t, g2, `fedmart_catalog_gossip_received_total{outcome="stored"}`)
		bySync = float64(got.Applied)
		if byGossip+bySync != 1000 {
			return fmt.Errorf("gamma stored %v records by catch-up and %v by gossip, want 1000 in all", bySync, byGossip)
		}
		return nil
	})
	if got.Records > 1000 {
		t.Fatalf("catch-up sent %d records, more than the 1000 gamma missed", got.Records)
	}
	t.Logf("catch-up sent %d records (%d stored), gossip stored %v", got.Records, got.Applied, byGossip)
	if got := searchOn(t, g2, "q=before").Total; got != 10 {
		t.Fatalf("gamma lost what it had: %d", got)
	}
}

// The search index is derived data: deleted, it is rebuilt from Badger.
func TestSearchIndexRebuildsAfterItsFolderIsDeleted(t *testing.T) {
	c, err := NewCluster(ClusterOptions{Dir: t.TempDir(), Names: []string{"Solo"}, FederationID: "solo", FederationName: "Solo",
		Currency: "EUR", Period: time.Hour, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	n := c.Nodes[0]
	stop := runNode(t, n)
	tok := newMerchant(t, c, 0, "Keeper")
	if s, body := call(t, "POST", n.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feedOf(25, "kept")); s != 200 || !strings.Contains(string(body), `"created":25`) {
		t.Fatalf("batch: %d %s", s, body)
	}
	cfg := n.cfg
	stop()
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "index")); err != nil {
		t.Fatalf("no index snapshot after a clean stop: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(cfg.DataDir, "index")); err != nil {
		t.Fatal(err)
	}
	n2, err := New(cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	runNode(t, n2)
	if got := searchOn(t, n2, "q=kept").Total; got != 25 {
		t.Fatalf("after rebuild: %d results, want 25", got)
	}
}

// The same feed twice changes nothing; refusals name line and field.
func TestBatchIsIdempotentAndNamesRefusals(t *testing.T) {
	c := startCluster(t, "Solo")
	n := c.Nodes[0]
	tok := newMerchant(t, c, 0, "Feeder")
	feed := feedOf(30, "feed")
	for i, want := range []string{`"created":30`, `"unchanged":30`} {
		if s, body := call(t, "POST", n.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feed); s != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("round %d: %d %s, want %s", i, s, body, want)
		}
	}
	bad := append(append([]byte(`{"title":"","category":"Home","brand":"B","shipping_regions":["DE"],"variants":[{"sku":"B-1","price":{"amount":-5,"currency":"EUR"},"stock":1}]}`+"\n"),
		[]byte("{not json\n")...), feedOf(1, "fine")...)
	s, body := call(t, "POST", n.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, bad)
	var res struct {
		Created  int
		Rejected []struct {
			Index  int
			Errors []struct{ Field string }
		}
	}
	if err := json.Unmarshal(body, &res); s != 200 || err != nil || res.Created != 1 || len(res.Rejected) != 2 {
		t.Fatalf("mixed feed: %d %s", s, body)
	}
	fields := map[string]bool{}
	for _, e := range res.Rejected[0].Errors {
		fields[e.Field] = true
	}
	if res.Rejected[0].Index != 0 || !fields["title"] || !fields["variants[0].price.amount"] || res.Rejected[1].Index != 1 {
		t.Fatalf("refusals do not name the lines and fields: %s", body)
	}
	s, body = call(t, "POST", n.APIURL()+"/v1/listings", "/v1/listings", tok, []byte(`{"title":"X","category":"Home","brand":"B","shipping_regions":["DE"],"variants":[{"sku":"X-1","price":{"amount":"cheap","currency":"EUR"},"stock":1}]}`))
	if s != 422 || !strings.Contains(string(body), `"variants[0].price.amount"`) {
		t.Fatalf("wrong type: %d %s", s, body)
	}
}
