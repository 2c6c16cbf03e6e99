package node

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestBulkImportReachesMembersByCatchUp imports a feed on one member
// and checks that the others get every listing although the home
// published only the last record of each bulk commit: the gap it
// reveals sets off their catch-up.
func TestBulkImportReachesMembersByCatchUp(t *testing.T) {
	opts := ClusterOptions{Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "bulk", FederationName: "Bulk",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) {
			cfg.Federation.DialInterval = 50 * time.Millisecond
			cfg.Federation.MaxBackoff = 300 * time.Millisecond
			cfg.Replication.SyncInterval = time.Hour // no periodic round: only the gap may start a catch-up
		}}
	c, err := NewCluster(opts)
	if err != nil {
		t.Fatal(err)
	}
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	for _, n := range c.Nodes {
		runNode(t, n)
	}
	tok := newMerchant(t, c, 0, "Bulk Goods")
	// Single listings first, published record by record, until both
	// members have received one by gossip: the mesh then carries the
	// bulk feed's signal (a lost signal would wait for the periodic
	// round, which this test turns off).
	tries := 0
	testwait.For(t, time.Minute, func() error {
		tries++
		if s, body := call(t, "POST", a.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feedOf(1, fmt.Sprintf("first%d", tries))); s != 200 {
			t.Fatalf("batch: %d %s", s, body)
		}
		time.Sleep(200 * time.Millisecond)
		for _, n := range []*Node{b, g} {
			if metric(t, n, `fedmart_catalog_gossip_received_total{outcome="stored"}`) == 0 {
				return fmt.Errorf("%s has received nothing by gossip yet", n.Name())
			}
		}
		return nil
	})
	published := metric(t, a, "fedmart_catalog_published_total")
	held := metric(t, a, "fedmart_catalog_writer_held_seconds_total")

	if s, body := call(t, "POST", a.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feedOf(500, "bulk")); s != 200 || !strings.Contains(string(body), `"created":500`) {
		t.Fatalf("batch: %d %.300s", s, body)
	}
	testwait.For(t, time.Minute, totalOn(t, b, "q=bulk", 500))
	testwait.For(t, time.Minute, totalOn(t, g, "q=bulk", 500))
	// 500 records (one per new listing) in one commit (catalog.batch_chunk
	// is 1,000 listings): one publication.
	if got := metric(t, a, "fedmart_catalog_published_total") - published; got != 1 {
		t.Fatalf("the home published %v records of the bulk feed, want 1 (its last)", got)
	}
	if metric(t, a, "fedmart_catalog_writer_held_seconds_total") <= held {
		t.Fatal("the bulk feed's commit did not count toward the time the catalog's writer lock was held")
	}
	for _, n := range []*Node{b, g} {
		if got := metric(t, n, "fedmart_catalog_sync_records_total"); got < 499 {
			t.Fatalf("%s received %v records by catch-up, want the feed's 499 unpublished ones at least", n.Name(), got)
		}
	}
}
