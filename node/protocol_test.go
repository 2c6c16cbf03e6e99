package node

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestProtocolLevelGatesOneRecordListings: while the charter is at
// protocol level 1, as an alliance upgrading from a build before levels
// keeps it until every member runs the new build, a home signs a new
// listing as two records, its description and its stock, which such a
// build accepts. Once an amendment raises the level to 2, the home signs
// one record that carries the stock, and the other member places both
// parts of it. Each member's build tells the others the level it speaks.
func TestProtocolLevelGatesOneRecordListings(t *testing.T) {
	tune := func(cfg *Config) {
		cfg.Federation.DialInterval = 50 * time.Millisecond
		cfg.Federation.MaxBackoff = 300 * time.Millisecond
		cfg.Replication.SyncInterval = 500 * time.Millisecond
	}
	c, err := NewCluster(ClusterOptions{Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "levels", FederationName: "Levels",
		Currency: "EUR", Period: time.Hour, Log: discard(), Protocol: 1, Tune: tune})
	if err != nil {
		t.Fatal(err)
	}
	if c.Charter.Charter.Protocol != 0 || c.Charter.Charter.Level() != 1 {
		t.Fatalf("charter v1 at level 1 writes protocol %d", c.Charter.Charter.Protocol)
	}
	a, b := c.Nodes[0], c.Nodes[1]
	stopAlpha := runNode(t, a)
	runNode(t, b)
	tok := newMerchant(t, c, 0, "Levels")
	// Each member learns, on connecting, the level the other's build speaks.
	testwait.For(t, 30*time.Second, func() error {
		for _, n := range c.Nodes {
			if ms := n.Federation().Members(); len(ms) != 1 || ms[0].Protocol != federation.ProtocolLevel {
				return fmt.Errorf("%s sees %+v", n.Name(), ms)
			}
		}
		return nil
	})

	// listed creates a listing on Alpha and returns the records of it
	// that Beta holds once it holds its stock.
	listed := func(a *Node, title, sku string) []*catalog.Record {
		t.Helper()
		id := createListing(t, a, tok, title, sku)
		var recs []*catalog.Record
		testwait.For(t, 30*time.Second, func() error {
			l, err := b.cat.Listing(t.Context(), id)
			if err != nil || len(l.Variants) == 0 || l.Variants[0].Stock == 0 {
				return fmt.Errorf("beta does not hold %s with its stock yet (%v)", id, err)
			}
			recs = nil
			return b.cat.Since(nil, 100, func(raws [][]byte) error {
				for _, raw := range raws {
					r, err := catalog.Decode(raw, b.cfg.Catalog.MaxRecordBytes)
					if err != nil {
						return err
					}
					if r.ListingID == id {
						recs = append(recs, r)
					}
				}
				return nil
			})
		})
		return recs
	}
	kinds := func(recs []*catalog.Record) (out []string) {
		for _, r := range recs {
			out = append(out, fmt.Sprintf("%s carrying stock: %v", r.Kind, r.CarriesStock()))
		}
		return out
	}

	if recs := listed(a, "Level one skillet", "L1-1"); len(recs) != 2 || recs[0].CarriesStock() || recs[1].Kind != catalog.KindStock {
		t.Fatalf("at level 1 Beta holds %q for a new listing, want a listing record and a stock record", kinds(recs))
	}

	amendCluster(t, c, a, func(next *federation.Charter) { next.Protocol = 2 })
	if recs := listed(a, "Level two skillet", "L2-1"); len(recs) != 1 || !recs[0].CarriesStock() {
		t.Fatalf("at level 2 Beta holds %q for a new listing, want one listing record carrying its stock", kinds(recs))
	}

	// The level holds across a restart: the catalog reads it from the
	// stored charter when it opens.
	stopAlpha()
	cfg, err := LoadConfig(a.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	tune(&cfg)
	if a, err = New(cfg, discard()); err != nil {
		t.Fatal(err)
	}
	runNode(t, a)
	if recs := listed(a, "Restarted skillet", "L2-2"); len(recs) != 1 || !recs[0].CarriesStock() {
		t.Fatalf("at level 2 after a restart Beta holds %q for a new listing, want one listing record carrying its stock", kinds(recs))
	}

	// A level this build does not speak is refused, naming the field.
	cur, _ := a.Federation().Charter()
	next := *cur
	next.Charter.Version, next.Charter.Previous, next.Charter.Protocol = cur.Charter.Version+1, cur.Charter.Digest(), federation.ProtocolLevel+1
	if err := a.Federation().Submit(t.Context(), &next); err == nil || !strings.Contains(err.Error(), "charter.protocol") {
		t.Fatalf("a charter at level %d: %v", federation.ProtocolLevel+1, err)
	}
}
