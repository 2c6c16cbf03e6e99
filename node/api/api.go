package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/gin-gonic/gin"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config configures the API.
type Config struct {
	// OperatorToken is the bearer token of the node's operator.
	OperatorToken string
	// MaxBodyBytes caps request bodies (default 4 MiB).
	MaxBodyBytes int64
	// WriteTimeout is the server's bound on writing a response; a backup
	// download gets this much again after every write (0: no extension).
	WriteTimeout time.Duration
}

// Federation is what the API needs of the federation layer.
type Federation interface {
	Self() peer.ID
	Charter() (*federation.SignedCharter, error)
	Members() []federation.MemberState
	Submit(ctx context.Context, sc *federation.SignedCharter) error
	Proposals() []federation.Proposal
	Propose(ctx context.Context, sc *federation.SignedCharter) (federation.Proposal, error)
	SignProposal(ctx context.Context, digest string) (federation.Proposal, error)
}

// Catalog is what the API needs of the catalog.
type Catalog interface {
	CreateMerchant(ctx context.Context, name string) (catalog.Merchant, string, error)
	Merchants(ctx context.Context) ([]catalog.Merchant, error)
	MerchantByToken(ctx context.Context, token string) (catalog.Merchant, error)
	CreateListing(ctx context.Context, merchantID string, in catalog.ListingInput) (catalog.Listing, error)
	ReplaceListing(ctx context.Context, merchantID, id string, in catalog.ListingInput) (catalog.Listing, error)
	TakeDown(ctx context.Context, merchantID, id string) error
	SetStock(ctx context.Context, merchantID, id, sku string, stock int64) error
	UpsertBatch(ctx context.Context, merchantID string, in []catalog.ListingInput) (catalog.BatchResult, error)
	Listing(ctx context.Context, id string) (catalog.Listing, error)
	MerchantListings(ctx context.Context, merchantID, cursor string, limit int) ([]catalog.Listing, string, error)
}

// Search is the federation-wide search index.
type Search interface {
	Search(q search.Query) (search.Result, error)
}

// Deps are the services the API serves.
type Deps struct {
	Federation Federation
	Catalog    Catalog
	Search     Search
	Orders     Orders
	Webhooks   Webhooks
	Settlement Settlement
	// Backup streams a backup of the node's database (GET /v1/backup).
	Backup Backup
	// Ready returns nil when the node can serve traffic, or what is missing.
	Ready    func() error
	Gatherer prometheus.Gatherer
	Registry prometheus.Registerer
}

// API is the node's HTTP handler.
type API struct {
	cfg    Config
	deps   Deps
	log    *slog.Logger
	engine *gin.Engine
	reqs   *prometheus.HistogramVec
}

// New builds the routes.
func New(cfg Config, deps Deps, log *slog.Logger) *API {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 4 << 20
	}
	gin.SetMode(gin.ReleaseMode)
	a := &API{cfg: cfg, deps: deps, log: log, engine: gin.New()}
	a.reqs = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "fedmart_http_request_duration_seconds", Help: "HTTP requests by route and status.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
	}, []string{"method", "route", "status"})
	if deps.Registry != nil {
		deps.Registry.MustRegister(a.reqs)
	}
	a.engine.Use(a.recover, a.observe, a.limitBody)
	a.engine.NoRoute(func(c *gin.Context) {
		failStatus(c, http.StatusNotFound, "Not found", "no route "+c.Request.Method+" "+c.Request.URL.Path)
	})
	a.engine.HandleMethodNotAllowed = true
	a.engine.NoMethod(func(c *gin.Context) {
		failStatus(c, http.StatusMethodNotAllowed, "Method not allowed", c.Request.Method+" is not allowed here")
	})
	a.routes()
	return a
}

// Handler returns the http.Handler to serve.
func (a *API) Handler() http.Handler { return a.engine }

func (a *API) routes() {
	a.engine.GET("/healthz", a.healthz)
	a.engine.GET("/readyz", a.readyz)
	a.engine.GET("/metrics", gin.WrapH(promhttp.HandlerFor(a.deps.Gatherer, promhttp.HandlerOpts{})))
	v1 := a.engine.Group("/v1")
	v1.GET("/openapi.yaml", a.openapi)
	op := v1.Group("", a.operatorOnly)
	op.GET("/federation", a.getFederation)
	op.GET("/federation/members", a.getMembers)
	op.POST("/federation/charter", a.postCharter)
	op.GET("/federation/proposals", a.getProposals)
	op.POST("/federation/proposals", a.postProposal)
	op.POST("/federation/proposals/:digest/sign", a.postProposalSign)
	op.POST("/merchants", a.postMerchant)
	op.GET("/merchants", a.getMerchants)
	op.GET("/webhooks/deliveries", a.getDeliveries)
	op.GET("/backup", a.getBackup)

	v1.GET("/catalog/search", a.getSearch)
	v1.GET("/catalog/listings/:id", a.getCatalogListing)

	me := v1.Group("", a.merchantOnly)
	me.POST("/listings", a.postListing)
	me.GET("/listings", a.getMerchantListings)
	me.POST("/listings/batch", a.postBatch)
	me.GET("/listings/:id", a.getListing)
	me.PUT("/listings/:id", a.putListing)
	me.DELETE("/listings/:id", a.deleteListing)
	me.PUT("/listings/:id/stock", a.putStock)
	a.orderRoutes(v1)
	a.settlementRoutes(v1)
}

// observe records each request's duration and logs failures once.
func (a *API) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	a.reqs.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Observe(time.Since(start).Seconds())
	for _, e := range c.Errors {
		a.log.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "status", status, "err", e.Err)
	}
}

// recover turns a handler panic into a 500 problem instead of a dropped connection.
func (a *API) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler { // a handler cutting its response short on purpose
				panic(r)
			}
			a.log.Error("handler panic", "method", c.Request.Method, "path", c.Request.URL.Path, "panic", r, "stack", string(debug.Stack()))
			failStatus(c, http.StatusInternalServerError, "Internal error", "the node could not complete the request; see its log")
		}
	}()
	c.Next()
}

func (a *API) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, a.cfg.MaxBodyBytes)
	}
	c.Next()
}

func (a *API) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (a *API) readyz(c *gin.Context) {
	if err := a.deps.Ready(); err != nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "not ready", "reason": err.Error()})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
