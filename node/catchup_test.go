package node

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
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

// metric reads one counter or gauge from the node's /metrics.
func metric(t *testing.T, n *Node, name string) float64 {
	t.Helper()
	resp, err := http.Get(n.APIURL() + "/metrics")
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
	checkFor(t, 15*time.Second, totalOn(t, g, "q=before", 10))

	gammaCfg := g.cfg
	stopGamma()
	if s, body := call(t, "POST", a.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feedOf(1000, "during")); s != 200 || !strings.Contains(string(body), `"created":1000`) {
		t.Fatalf("batch while gamma is away: %d %.300s", s, body)
	}
	checkFor(t, 30*time.Second, totalOn(t, b, "q=during", 1000))

	g2, err := New(gammaCfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	runNode(t, g2)
	checkFor(t, 60*time.Second, totalOn(t, g2, "q=during", 1000))
	// Each new listing is two records (description and stock): gamma must
	// have been sent those 2,000 and none of the 20 it already held.
	if got := metric(t, g2, "fedmart_catalog_sync_records_total"); got != 2000 {
		t.Fatalf("gamma received %v records by catch-up, want exactly the 2000 it missed", got)
	}
	if got := searchOn(t, g2, "q=before").Total; got != 10 {
		t.Fatalf("gamma lost what it had: %d", got)
	}
}
