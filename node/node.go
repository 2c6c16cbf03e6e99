package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/mediawire"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/orderwire"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/federation/settlewire"
	"github.com/fedmart/fedmart/internal/groupsync"
	"github.com/fedmart/fedmart/node/adstats"
	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/oidc"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/webhook"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"
)

// Node is one member platform's fedmart daemon: Badger, the federation's
// libp2p host, and the HTTP API, wired together.
type Node struct {
	cfg Config
	// provider is the node's OpenID Provider, set while the node is
	// built; the orders ask it for shoppers' leave to spend points on
	// other members (spendLeave).
	provider *oidc.Provider
	log      *slog.Logger
	db       *badger.DB
	// durable groups the syncs of db that orders and feeds wait for.
	durable *groupsync.Group
	// flushesOff, when set and true, makes durable's flushes return
	// without syncing (WithFlushSwitch).
	flushesOff *atomic.Bool
	fed        *federation.Federation
	cat        *catalog.Catalog
	index      *search.Index
	content    *content.Store
	media      *media.Service
	repl       *replication.Replicator
	// stopGossip ends the replication's GossipSub router (Close).
	stopGossip context.CancelFunc
	orders     *order.Service
	hooks      *webhook.Dispatcher
	mail       *mail.Queue
	web        *web.Site // the pages' shared kit: closing it ends their streams and jobs
	ledger     *settlement.Ledger
	// ads counts the sponsored slots' impressions, clicks and sales for
	// the operator's dashboard.
	ads      *adstats.Counter
	key      crypto.PrivKey
	now      func() time.Time
	settle   *settlement.Settler
	listener net.Listener
	server   *http.Server
	apiURL   string
	budgets  *budget.Budgets
	// metricsListener and metricsServer serve /metrics alone, when
	// api.metrics is listener; nil otherwise.
	metricsListener net.Listener
	metricsServer   *http.Server
}

// Option changes how New builds the node.
type Option func(*Node)

// WithClock makes the node read time from now: order stamps, settlement
// periods and watermarks. Tests use it to run a node whose clock is off.
func WithClock(now func() time.Time) Option { return func(n *Node) { n.now = now } }

// WithFlushSwitch makes the node skip its flushes to disk while off holds
// true: a commit that waits to be durable then returns once Badger holds
// it, and a power loss (not a crash of the process: Badger's logs are
// mapped files, kept by the kernel) can lose what was acknowledged.
// fedmart bench uses it to measure what the flushes cost a checkout,
// beside the same checkouts with them; nothing that serves shoppers
// should.
func WithFlushSwitch(off *atomic.Bool) Option { return func(n *Node) { n.flushesOff = off } }

// New opens everything the node needs, in order: identity, the charter file
// (verified before anything listens), Badger, the libp2p host, and the HTTP
// listener. On error, whatever was opened is closed again.
func New(cfg Config, log *slog.Logger, opts ...Option) (_ *Node, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	key, err := LoadIdentity(cfg.path(cfg.Identity))
	if err != nil {
		return nil, err
	}
	token, err := loadToken(cfg.path(cfg.OperatorTokenFile))
	if err != nil {
		return nil, err
	}
	boot, err := readCharterFile(cfg)
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: log, now: time.Now}
	for _, o := range opts {
		o(n)
	}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	if n.db, err = OpenBadger(filepath.Join(cfg.DataDir, "db"), cfg.Storage, log); err != nil {
		return nil, err
	}
	n.durable = groupsync.New(n.flush, cfg.Orders.CommitDelay)
	newer := false
	if boot != nil {
		if newer, err = federation.CheckStored(n.db, boot); err != nil {
			return nil, fmt.Errorf("charter %s: %w", cfg.path(cfg.Charter), err)
		}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if n.fed, err = federation.New(cfg.Federation, key, n.db, log.With("component", "federation"), reg, slices.Concat(replication.Limits, orderwire.Limits, settlewire.Limits, mediawire.Limits)...); err != nil {
		return nil, err
	}
	if err = n.openCatalog(key, reg); err != nil {
		return nil, err
	}
	if err = n.openContent(); err != nil {
		return nil, err
	}
	if err = n.openMedia(reg); err != nil {
		return nil, err
	}
	n.logRestore()
	if err = n.openLedger(); err != nil {
		return nil, err
	}
	if n.ads, err = adstats.New(adstats.Config{}, n.db, n.now, log.With("component", "adstats")); err != nil {
		return nil, err
	}
	if err = n.openOrders(key, reg); err != nil {
		return nil, err
	}
	n.key = key
	n.openSettler()
	if newer {
		if err = n.fed.Submit(context.Background(), boot); err != nil {
			return nil, fmt.Errorf("charter %s: %w", cfg.path(cfg.Charter), err)
		}
	}
	if n.listener, err = net.Listen("tcp", cfg.API.Listen); err != nil {
		return nil, fmt.Errorf("api.listen: %w", err)
	}
	n.apiURL = cfg.publicURL(n.listener.Addr().String())
	if err = n.openMetrics(reg); err != nil {
		return nil, err
	}
	n.budgets = budget.New(cfg.API.Limits, cfg.API.trustedProxies(), time.Now)
	a := api.New(api.Config{OperatorToken: token, Metrics: cfg.API.Metrics, WriteTimeout: cfg.API.WriteTimeout}, api.Deps{
		Federation: n.fed, Catalog: n.cat, Search: n.index, Orders: n.orders, Shoppers: n.orders, Profiles: n.cat, Shipping: n.orders, Webhooks: n.hooks, Mail: n.mail, Settlement: n.settle, Points: n.orders, Campaigns: n.cat, AdSales: n.orders,
		Media: n.media.Store(), Backup: n.backup, Content: n.content, Reviews: reviewDesk{n.cat, n}, Records: n.orders, Budgets: n.budgets, Ready: n.ready, Gatherer: reg, Registry: reg,
	}, log.With("component", "api"))
	handler, err := n.pages(key, token, a.Handler())
	if err != nil {
		return nil, err
	}
	n.server = newHTTPServer(cfg.API, handler, log)
	return n, nil
}

// readCharterFile loads and checks the configured charter file, if any.
func readCharterFile(cfg Config) (*federation.SignedCharter, error) {
	if cfg.Charter == "" {
		return nil, nil
	}
	path := cfg.path(cfg.Charter)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("charter: %w", err)
	}
	sc, err := federation.ParseSignedCharter(b)
	if err != nil {
		return nil, fmt.Errorf("charter %s: %w", path, err)
	}
	return sc, nil
}

// Run serves until ctx ends, then shuts down: HTTP drains first, then the
// federation stops. Close releases the rest.
func (n *Node) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := n.server.Serve(n.listener); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("api: %w", err)
		}
		return nil
	})
	if n.metricsServer != nil {
		g.Go(func() error {
			if err := n.metricsServer.Serve(n.metricsListener); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("api.metrics_listen: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error { return n.fed.Run(gctx) })
	g.Go(func() error { return n.repl.Run(gctx) })
	g.Go(func() error { return n.cat.PublishStock(gctx) })
	g.Go(func() error { return n.orders.Run(gctx) })
	g.Go(func() error {
		return orderwire.CatchUpOnConnect(gctx, n.fed, n.orders, n.log.With("component", "orders"))
	})
	g.Go(func() error { return n.hooks.Run(gctx) })
	g.Go(func() error { return n.mail.Run(gctx) })
	g.Go(func() error { return n.ledger.Run(gctx) })
	g.Go(func() error { return n.ads.Run(gctx) })
	g.Go(func() error { return n.settle.Run(gctx) })
	g.Go(func() error { return n.learnBack(gctx) })
	g.Go(func() error { return collectGarbage(gctx, n.db, n.cfg.Storage.GCInterval, n.log) })
	g.Go(func() error { return fileIndex(gctx, n.index, defaultIndexFiling, n.log.With("component", "search")) })
	g.Go(func() error {
		<-gctx.Done()
		// The pages' event streams never end by themselves: end them, so
		// that they do not hold the drain until its deadline.
		_ = n.web.Close()
		sctx, cancel := context.WithTimeout(context.Background(), n.cfg.API.ShutdownTimeout)
		defer cancel()
		if n.metricsServer != nil {
			_ = n.metricsServer.Close() // a scrape in flight can be dropped
		}
		return n.server.Shutdown(sctx)
	})
	n.warnPayments()
	n.log.Info("node running", "peer_id", n.fed.Self(), "api", n.apiURL, "p2p", n.fed.Addrs())
	return g.Wait()
}

// flush makes everything db holds durable, unless the flush switch is
// off (WithFlushSwitch).
func (n *Node) flush() error {
	if n.flushesOff != nil && n.flushesOff.Load() {
		return nil
	}
	return n.db.Sync()
}

// Close releases everything in reverse order of New: HTTP, federation, Badger.
func (n *Node) Close() error {
	var errs []error
	if n.web != nil {
		errs = append(errs, n.web.Close())
	}
	if n.server != nil {
		errs = append(errs, ignoreClosed(n.server.Close()))
	}
	if n.listener != nil { // the server only knows the listener once Serve has run
		errs = append(errs, ignoreClosed(n.listener.Close()))
	}
	if n.metricsServer != nil {
		errs = append(errs, ignoreClosed(n.metricsServer.Close()))
	}
	if n.metricsListener != nil {
		errs = append(errs, ignoreClosed(n.metricsListener.Close()))
	}
	if n.stopGossip != nil {
		n.stopGossip()
	}
	if n.fed != nil {
		errs = append(errs, n.fed.Close())
	}
	if n.index != nil && n.cat != nil {
		errs = append(errs, saveIndex(n.indexDir(), n.index, n.cat))
	}
	if n.db != nil {
		errs = append(errs, n.db.Close())
	}
	return errors.Join(errs...)
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// ready reports what keeps the node from serving, or nil.
func (n *Node) ready() error {
	switch {
	case n.db.IsClosed():
		return errors.New("database closed")
	case len(n.fed.ListenAddrs()) == 0:
		return errors.New("libp2p host not listening")
	}
	if _, err := n.fed.Charter(); err != nil {
		return errors.New("no valid charter yet: submit one with POST /v1/federation/charter")
	}
	return nil
}

// PeerID is the node's identity.
func (n *Node) PeerID() peer.ID { return n.fed.Self() }

// P2PAddrs are the node's libp2p listen addresses, without /p2p/.
func (n *Node) P2PAddrs() []ma.Multiaddr { return n.fed.ListenAddrs() }

// APIURL is the node's base URL.
func (n *Node) APIURL() string { return n.apiURL }

// Name is the platform's display name.
func (n *Node) Name() string { return n.cfg.Name }

// DataDir is the node's data folder.
func (n *Node) DataDir() string { return n.cfg.DataDir }

// Federation exposes the federation layer to in-process tools (demo, bench).
func (n *Node) Federation() *federation.Federation { return n.fed }

// NewLogger builds the slog logger the configuration asks for.
func NewLogger(c LogConfig, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Catalog exposes the catalog to in-process tools (demo, bench).
func (n *Node) Catalog() *catalog.Catalog { return n.cat }

// Search exposes the search index to in-process tools (bench).
func (n *Node) Search() *search.Index { return n.index }

// Orders exposes the order service to in-process tools (demo, bench).
func (n *Node) Orders() *order.Service { return n.orders }

// Replicator exposes catalog replication to in-process tools (bench).
func (n *Node) Replicator() *replication.Replicator { return n.repl }

// DB exposes the node's database to in-process tools that watch what it
// writes (bench); they must not write to it.
func (n *Node) DB() *badger.DB { return n.db }
