package web

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/fedmart/fedmart/node/budget"
)

// Web serves the pages. It is safe for concurrent use; Close ends the
// operator's open event streams.
type Web struct {
	deps     Deps
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	sessions *sessions
	pages    map[string]*template.Template // by template file name, without .html
	static   *static
	feeds    *feedUploads // the merchants' feed upload jobs
	signins  *throttle    // failed shopper sign-ins
	revoked  revocations  // when merchants' and the operator's sessions ended
	handler  http.Handler

	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

// New checks deps and opts, parses the embedded templates and builds the
// routes. Mount Handler at "/" beside the REST API's /v1, /healthz,
// /readyz and /metrics, which it does not serve.
func New(deps Deps, opts Options) (*Web, error) {
	if deps.Search == nil || deps.Listings == nil || deps.Merchants == nil || deps.Editor == nil || deps.Federation == nil ||
		deps.Orders == nil || deps.Settlement == nil || deps.Replication == nil || deps.Amendments == nil || deps.DB == nil {
		return nil, errors.New("web: Deps needs Search, Listings, Merchants, Editor, Federation, Orders, Settlement, Replication, Amendments and DB")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	wb := &Web{deps: deps, opts: opts, log: deps.Log, now: deps.Now, done: make(chan struct{})}
	wb.feeds = newFeedUploads(wb)
	wb.signins = newThrottle(deps.Now)
	wb.revoked = revocations{db: deps.DB, now: deps.Now}
	wb.sessions = newSessions(opts.SessionSecret, opts.secure(), opts.port(), opts.SessionTTL, deps.Now)
	var err error
	if wb.static, err = newStatic(); err != nil {
		return nil, err
	}
	if wb.pages, err = parsePages(wb.funcs()); err != nil {
		return nil, err
	}
	wb.handler = wb.recover(wb.secureHeaders(wb.limitBody(wb.checkCSRF(wb.routes()))))
	return wb, nil
}

// Handler returns the pages' http.Handler.
func (wb *Web) Handler() http.Handler { return wb.handler }

// Close ends the open /operator/events streams, which would otherwise
// hold an HTTP server's graceful shutdown until its deadline, and stops
// the running feed upload jobs between two chunks, returning once they
// have stopped, so that their catalog is not closed under them. Call it
// when the server starts shutting down.
func (wb *Web) Close() error {
	wb.closeOnce.Do(func() { close(wb.done) })
	wb.feeds.running.Wait()
	return nil
}

// routes maps every page. Patterns are net/http's; a GET pattern also
// answers HEAD.
func (wb *Web) routes() http.Handler {
	mux := http.NewServeMux()
	// Storefront.
	mux.HandleFunc("GET /{$}", wb.home)
	mux.HandleFunc("GET /search", wb.search)
	mux.HandleFunc("GET /listings/{id}", wb.listing)
	mux.HandleFunc("GET /sitemap.xml", wb.sitemap)
	mux.HandleFunc("GET /robots.txt", wb.robots)
	mux.Handle("GET /static/", wb.static)
	wb.shopperRoutes(mux)
	// Merchant console.
	mux.HandleFunc("GET /merchant/signin", wb.merchantSigninForm)
	mux.HandleFunc("POST /merchant/signin", wb.spending(budget.SignIns, wb.merchantSignin))
	mux.HandleFunc("POST /merchant/signout", wb.merchantSignout)
	mux.HandleFunc("GET /merchant", wb.asMerchant(wb.merchantListings))
	mux.HandleFunc("GET /merchant/listings/new", wb.asMerchant(wb.newListingForm))
	mux.HandleFunc("POST /merchant/listings", wb.asMerchant(wb.createListing))
	mux.HandleFunc("GET /merchant/listings/{id}", wb.asMerchant(wb.editListingForm))
	mux.HandleFunc("POST /merchant/listings/{id}", wb.asMerchant(wb.replaceListing))
	mux.HandleFunc("POST /merchant/listings/{id}/stock", wb.asMerchant(wb.setStock))
	mux.HandleFunc("GET /merchant/listings/{id}/takedown", wb.asMerchant(wb.takeDownForm))
	mux.HandleFunc("POST /merchant/listings/{id}/takedown", wb.asMerchant(wb.takeDown))
	wb.consoleOrderRoutes(mux)
	wb.consoleEarningsRoutes(mux)
	// Operator dashboard.
	mux.HandleFunc("GET /operator/signin", wb.operatorSigninForm)
	mux.HandleFunc("POST /operator/signin", wb.spending(budget.SignIns, wb.operatorSignin))
	mux.HandleFunc("POST /operator/signout", wb.operatorSignout)
	mux.HandleFunc("GET /operator", wb.asOperator(wb.operatorMembers))
	mux.HandleFunc("GET /operator/charter", wb.asOperator(wb.operatorCharter))
	mux.HandleFunc("GET /operator/merchants", wb.asOperator(wb.operatorMerchants))
	mux.HandleFunc("GET /operator/merchants/{id}/token", wb.asOperator(wb.merchantTokenForm))
	mux.HandleFunc("POST /operator/merchants/{id}/token", wb.asOperator(wb.rotateMerchantToken))
	mux.HandleFunc("GET /operator/events", wb.asOperator(wb.operatorEvents))
	wb.dashboardRoutes(mux)
	// Everything else, including a method a path does not take.
	mux.HandleFunc("/", wb.notFound)
	return mux
}
