package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/indexer"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
)

// catalogStore adapts the catalog to what replication needs.
type catalogStore struct{ *catalog.Catalog }

// Verify decodes and verifies a batch of records without storing them.
func (s catalogStore) Verify(raws [][]byte) replication.Verified {
	return s.Catalog.AdmitBatch(raws)
}

// StoreVerified stores a batch from Verify and classifies the catalog's
// verdict on each record.
func (s catalogStore) StoreVerified(v replication.Verified) []replication.Result {
	res, errs := s.Catalog.StoreAdmitted(v.(*catalog.Admitted))
	out := make([]replication.Result, len(res))
	for i, err := range errs {
		o, err := outcome(err)
		out[i] = replication.Result{Outcome: o, Gap: res[i].Gap, Err: err}
		if res[i].Record != nil {
			out[i].Origin = res[i].Record.Origin
		}
	}
	return out
}

// outcome tells replication what the catalog did with a record: stored it,
// already knew it (a duplicate or an older version: dropped quietly, no
// error), or refused it (err says why).
func outcome(err error) (replication.Outcome, error) {
	switch {
	case err == nil:
		return replication.Stored, nil
	case catalog.Skipped(err):
		return replication.Known, nil
	case errors.Is(err, catalog.ErrEarly):
		return replication.Early, err
	default:
		return replication.Refused, err
	}
}

// openIndex loads the index snapshot from dir when it matches the
// catalog's current stamp, and otherwise rebuilds it from Badger: the
// index is derived data, never the source of truth.
func openIndex(dir string, cat *catalog.Catalog, log *slog.Logger) (*search.Index, error) {
	stamp, err := cat.Stamp()
	if err != nil {
		return nil, err
	}
	ix, saved, err := search.Load(dir)
	switch {
	case err == nil && saved == stamp:
		log.Info("search index loaded", "docs", ix.Len())
		return ix, nil
	case err == nil:
		log.Info("search index is out of date; rebuilding from the catalog")
	case errors.Is(err, search.ErrNoSnapshot):
		log.Info("no search index; building it from the catalog")
	default:
		log.Warn("search index unreadable; rebuilding from the catalog", "err", err)
	}
	start := time.Now()
	ix = search.New()
	if err := cat.All(func(l catalog.Listing) error { ix.Upsert(indexer.Doc(&l)); return nil }); err != nil {
		return nil, fmt.Errorf("rebuilding search index: %w", err)
	}
	ix.Compact() // release what the bulk build left over
	log.Info("search index built", "docs", ix.Len(), "took", time.Since(start).Round(time.Millisecond))
	// The stale snapshot must not be mistaken for a fresh one after a crash.
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	return ix, nil
}

// saveIndex writes the index snapshot stamped with the catalog's state.
func saveIndex(dir string, ix *search.Index, cat *catalog.Catalog) error {
	stamp, err := cat.Stamp()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	return ix.Save(dir, stamp)
}

// members adapts the federation's membership to the catalog's view (peer
// IDs as strings).
type members struct{ fed *federation.Federation }

func (m members) IsMember(id string) bool {
	p, err := peer.Decode(id)
	return err == nil && m.fed.IsMember(p)
}

// openCatalog opens the catalog, its search index and its replication, and
// connects them: every stored record updates the index, and the node's own
// records are published to the other members.
func (n *Node) openCatalog(key crypto.PrivKey, reg prometheus.Registerer) error {
	cfg := n.cfg.Catalog
	if sc, err := n.fed.Charter(); err == nil {
		cfg.Currency = sc.Charter.Currency
	}
	var err error
	if n.cat, err = catalog.Open(cfg, n.db, key, members{n.fed}, n.log.With("component", "catalog"), time.Now); err != nil {
		return err
	}
	n.cat.SyncWith(n.durable)
	n.cat.UseProofs(order.ReviewProofs{})
	if reg != nil {
		for _, m := range []struct {
			name, help string
			value      func() float64
		}{
			{"fedmart_catalog_writer_held_seconds_total",
				"Time the catalog's writer lock was held. Every local write, stock change and stored record waits for it: its rate is the share of the time a feed or a catch-up holds up the rest.",
				func() float64 { return n.cat.WriterHeld().Seconds() }},
			{"fedmart_catalog_feed_syncs_total",
				"Merchants' feeds that wrote something and were synced to disk before they were acknowledged.",
				func() float64 { count, _ := n.cat.Synced(); return float64(count) }},
			{"fedmart_catalog_feed_sync_seconds_total",
				"Time those feeds waited for the disk (Badger's Sync). Divided by fedmart_catalog_feed_syncs_total, the mean wait: most of a small feed's time.",
				func() float64 { _, took := n.cat.Synced(); return took.Seconds() }},
			{"fedmart_catalog_small_feeds_total",
				"Merchants' small feeds (one chunk of at most 16 listings) the catalog wrote.",
				func() float64 { count, _ := n.cat.SmallFeeds(); return float64(count) }},
			{"fedmart_catalog_small_feed_turns_total",
				"Turns of the catalog's writer lock that wrote those small feeds: merchants editing at once share one transaction, so fedmart_catalog_small_feeds_total over this is how many feeds a turn wrote.",
				func() float64 { _, turns := n.cat.SmallFeeds(); return float64(turns) }},
		} {
			if err := reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: m.name, Help: m.help}, m.value)); err != nil {
				return fmt.Errorf("catalog metrics: %w", err)
			}
		}
	}
	// The catalog follows the charter in force: registered before the
	// charter is read, so that a version applied in between is not
	// missed, and never set back to an older version than it follows.
	var mu sync.Mutex
	var following uint64
	follow := func(c *federation.Charter) {
		mu.Lock()
		defer mu.Unlock()
		if c.Version < following {
			return
		}
		following = c.Version
		n.cat.SetCurrency(c.Currency)
		if t, err := shipping.NewTable(c.Carriers); err == nil { // a stored charter was validated
			n.cat.SetCarriers(t)
		}
		n.cat.SetAdFeeCap(c.Ads.MaxFeeBPS)
		n.cat.SetReviewWindow(c.Reviews.Window())
		n.cat.SetCarryStock(c.OneRecordListings())
	}
	n.fed.OnCharter(follow)
	if sc, err := n.fed.Charter(); err == nil {
		follow(&sc.Charter)
	}
	if n.index, err = openIndex(n.indexDir(), n.cat, n.log.With("component", "search")); err != nil {
		return err
	}
	// The GossipSub router lives until Close: its goroutines, and the host
	// they hold, end with this context.
	gossip, stop := context.WithCancel(context.Background())
	n.stopGossip = stop
	if n.repl, err = replication.New(gossip, n.cfg.Replication, n.fed, catalogStore{n.cat}, n.log.With("component", "replication"), reg); err != nil {
		return err
	}
	self := n.fed.Self().String()
	n.cat.RatingsEach(func(id string, r catalog.Rating) { n.index.SetRating(id, r.AverageX100, r.Count) })
	n.cat.OnChanges(func(chs []catalog.Change) { indexer.ApplyAll(n.index, chs) })
	n.cat.OnChange(func(ch catalog.Change) {
		if id := ch.RatedListing(); id != "" {
			r := n.cat.ListingRating(id)
			n.index.SetRating(id, r.AverageX100, r.Count)
		}
		if ch.Record != nil && ch.Record.Origin == self && !ch.Quiet { // quiet records go by catch-up
			n.repl.Publish(ch.Raw)
		}
	})
	return nil
}

func (n *Node) indexDir() string { return filepath.Join(n.cfg.DataDir, "index") }
