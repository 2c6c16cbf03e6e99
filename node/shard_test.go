package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// bookFeed is a feed of n books, one JSON listing a line.
func bookFeed(n int, prefix string) []byte {
	var b bytes.Buffer
	for i := range n {
		body := bytes.Replace(listingBody(fmt.Sprintf("%s novel %d", prefix, i), fmt.Sprintf("%s-B%04d", prefix, i), 1500+i, 3),
			[]byte(`"Home > Kitchen > Cookware"`), []byte(`"Books > Fiction"`), 1)
		if err := json.Compact(&b, body); err != nil {
			panic(err)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestMemberHoldingOneShard: Beta holds only the Books shard of the other
// members' listings, over real libp2p. It holds and finds Alpha's books
// and none of its pans. Gamma, new, catches up while Alpha is down, from
// Beta alone: it gets the books, and since Beta vouches for no mark of
// Alpha's (it skipped the pans), Gamma still catches up the pans once
// Alpha is back: a member holding some shards never makes another lose
// records.
func TestMemberHoldingOneShard(t *testing.T) {
	c, err := NewCluster(ClusterOptions{Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "shards", FederationName: "Shards",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) {
			cfg.Federation.DialInterval = 50 * time.Millisecond
			cfg.Federation.MaxBackoff = 300 * time.Millisecond
			if cfg.Name == "Beta" {
				cfg.Catalog.Shards = []string{"Books"}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	stopAlpha := runNode(t, a)
	runNode(t, b)
	tok := newMerchant(t, c, 0, "Mixed Goods")
	for _, feed := range [][]byte{feedOf(30, "pan"), bookFeed(20, "shelf")} {
		if s, body := call(t, "POST", a.APIURL()+"/v1/listings/batch", "/v1/listings/batch", tok, feed); s != 200 || !strings.Contains(string(body), `"created"`) {
			t.Fatalf("batch: %d %.300s", s, body)
		}
	}
	testwait.For(t, time.Minute, totalOn(t, b, "q=novel", 20))
	if got := searchOn(t, b, "q=pan").Total; got != 0 {
		t.Fatalf("Beta, holding Books, finds %d pans", got)
	}
	if n := b.Catalog().Count(); n != 20 {
		t.Fatalf("Beta holds %d listings, want the 20 books", n)
	}
	if got := searchOn(t, a, "q=pan").Total; got != 30 {
		t.Fatalf("Alpha finds %d of its own pans", got)
	}
	alphaCfg := a.cfg
	stopAlpha()

	runNode(t, g)
	testwait.For(t, time.Minute, totalOn(t, g, "q=novel", 20)) // from Beta alone
	if got := searchOn(t, g, "q=pan").Total; got != 0 {
		t.Fatalf("Gamma found %d pans with Alpha down", got)
	}
	a2, err := New(alphaCfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	runNode(t, a2)
	testwait.For(t, time.Minute, totalOn(t, g, "q=pan", 30))
	if n := g.Catalog().Count(); n != 50 {
		t.Fatalf("Gamma, holding every category, holds %d listings, want 50", n)
	}
}
