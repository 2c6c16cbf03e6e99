package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/gin-gonic/gin"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
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
	// Metrics says who may read GET /metrics: MetricsOperator (the
	// default), MetricsPublic, or MetricsListener (served on a listener of the node's own).
	Metrics string
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
	RotateMerchantToken(ctx context.Context, merchantID string) (string, error)
	RenameMerchant(ctx context.Context, id, name string) (catalog.Merchant, error)
	SuspendMerchant(ctx context.Context, id string) (catalog.Merchant, error)
	ReinstateMerchant(ctx context.Context, id string) (catalog.Merchant, error)
	CreateListing(ctx context.Context, merchantID string, in catalog.ListingInput) (catalog.Listing, error)
	ReplaceListing(ctx context.Context, merchantID, id string, in catalog.ListingInput) (catalog.Listing, error)
	TakeDown(ctx context.Context, merchantID, id string) error
	SetStock(ctx context.Context, merchantID, id, sku string, stock int64) error
	UpsertBatch(ctx context.Context, merchantID string, in []catalog.ListingInput) (catalog.BatchResult, error)
	Listing(ctx context.Context, id string) (catalog.Listing, error)
	QueryListings(ctx context.Context, merchantID string, q catalog.ListingQuery) (catalog.ListingMatches, error)
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
	// Shoppers tells a shopper's home and orders elsewhere; nil answers
	// 404 there.
	Shoppers Shoppers
	// Profiles and Shipping serve merchants' profiles, shipping profiles
	// and shipping quotes.
	Profiles Profiles
	Shipping Shipping
	Webhooks Webhooks
	// Mail is the node's outgoing mail and local mailbox.
	Mail       Mailbox
	Settlement Settlement
	// Points serves the loyalty points this node issues; nil: none.
	Points Points
	// Campaigns and AdSales serve sponsored listings; nil serves none.
	Campaigns Campaigns
	AdSales   AdSales
	// Media stores the pictures merchants upload (POST /v1/media); nil
	// stores none.
	Media Media
	// Reviews serves shoppers' reviews and ratings; nil serves none.
	Reviews Reviews
	// Records serves merchants' measured records; nil serves none.
	Records Records
	// Backup streams a backup of the node's database (GET /v1/backup).
	Backup Backup
	// Content serves the storefront's pages and help articles (/v1/pages,
	// /v1/content); nil serves none.
	Content Content
	// Budgets are the per-client budgets, shared with the pages; nil
	// limits nothing.
	Budgets *budget.Budgets
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
	a.reqs = newRequestHistogram()
	if deps.Registry != nil {
		deps.Registry.MustRegister(a.reqs)
	}
	a.engine.Use(a.recover, a.observe, a.limitBody)
	a.engine.NoRoute(func(c *gin.Context) {
		failStatus(c, http.StatusNotFound, "Not found", "no route "+clip(c.Request.Method, maxLoggedMethod)+" "+clip(c.Request.URL.Path, maxLoggedPath))
	})
	a.engine.HandleMethodNotAllowed = true
	a.engine.NoMethod(func(c *gin.Context) {
		failStatus(c, http.StatusMethodNotAllowed, "Method not allowed", clip(c.Request.Method, maxLoggedMethod)+" is not allowed here")
	})
	a.routes()
	return a
}

// Handler returns the http.Handler to serve.
func (a *API) Handler() http.Handler { return a.engine }

func (a *API) routes() {
	a.engine.GET("/healthz", a.healthz)
	a.engine.GET("/readyz", a.readyz)
	a.metricsRoute()
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
	op.PATCH("/merchants/:id", a.patchMerchant)
	op.POST("/merchants/:id/token", a.postMerchantToken)
	op.GET("/webhooks/deliveries", a.getDeliveries)
	op.GET("/mail/messages", a.getMailMessages)
	op.GET("/mail/messages/:id", a.getMailMessage)
	op.GET("/backup", a.getBackup)

	a.shippingRoutes(v1)
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
	me.POST("/merchant/token", a.postOwnToken)
	me.POST("/media", a.postMedia)
	a.orderRoutes(v1)
	a.settlementRoutes(v1)
	a.pointsRoutes(v1)
	a.contentRoutes(v1)
}

// recover turns a handler panic into a 500 problem instead of a dropped connection.
func (a *API) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler { // a handler cutting its response short on purpose
				panic(r)
			}
			a.log.Error("handler panic", "method", clip(c.Request.Method, maxLoggedMethod), "path", clip(c.Request.URL.Path, maxLoggedPath),
				"panic", r, "stack", string(debug.Stack()))
			failStatus(c, http.StatusInternalServerError, "Internal error", "the node could not complete the request; see its log")
		}
	}()
	c.Next()
}

// limitBody caps request bodies at Config.MaxBodyBytes, and a merchant's
// picture upload at the media store's cap (the route reads no body
// before the token is checked).
func (a *API) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		limit := a.cfg.MaxBodyBytes
		if c.Request.Method == http.MethodPost && c.Request.URL.Path == mediaPath {
			limit = max(limit, a.mediaBodyLimit())
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

func (a *API) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers whether the node can serve; what keeps it from serving
// says something about its state, so only the operator token hears it.
func (a *API) readyz(c *gin.Context) {
	if err := a.deps.Ready(); err != nil {
		body := gin.H{"status": "not ready"}
		if a.isOperator(c) {
			body["reason"] = err.Error()
		}
		c.JSON(http.StatusServiceUnavailable, body)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
