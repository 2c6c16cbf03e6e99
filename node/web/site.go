package web

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/web/locale"
)

// Charter is the federation's current charter, which names this site
// and every platform; *federation.Federation satisfies it.
type Charter interface {
	// Charter returns the current signed charter, or federation.ErrNoCharter.
	Charter() (*federation.SignedCharter, error)
}

// Deps are what the kit itself reads and keeps.
type Deps struct {
	// Charter names the site and the platforms (required).
	Charter Charter
	// Platform is this node's peer ID, whose name in the charter the
	// site takes when Options.NodeName is empty.
	Platform string
	// DB is the node's Badger database, where the kit keeps when
	// merchants' and the operator's sessions ended and the time zone the
	// pages write times in (under "p/"; required).
	DB *badger.DB
	// Budgets are the per-client budgets of sign-ups, sign-ins and
	// checkouts, shared with the REST API, and say who the client is
	// behind trusted proxies; nil limits nothing and trusts no proxy.
	Budgets *budget.Budgets
	// Log receives failures the pages could not show; nil discards.
	Log *slog.Logger
	// Now is the clock sessions and "last seen" read; nil is time.Now.
	Now func() time.Time
	// Media serves the pictures uploaded to the federation's nodes at
	// /media/<hash>/<size>; nil serves none.
	Media Media
}

// Site is what the storefront, the merchant console and the operator
// dashboard share: the layout and its partials, static files, sessions
// and CSRF, failure pages, budgets, and the lifecycle of the streams and
// jobs that outlive a request. It is safe for concurrent use once
// Handler has been built.
type Site struct {
	opts     Options
	charter  Charter
	platform string
	budgets  *budget.Budgets
	log      *slog.Logger
	now      func() time.Time
	sessions *Sessions
	revoked  revocations
	db       *badger.DB
	zone     atomic.Pointer[time.Location] // the pages' time zone; nil is UTC
	static   *static
	pages    *Pages // the kit's own: the error page and the token sign-in
	media    Media  // nil: no pictures served
	locales  *locale.Catalog
	money    map[string]*MoneyFormat // by language tag

	// uploads match the paths a signed-in merchant may post a large
	// body to; set by AllowUpload before Handler, read-only after.
	uploads *http.ServeMux
	// signedPosts match the paths whose POSTs carry their own signed
	// token instead of a CSRF token; set by AllowSignedPost before
	// Handler, read-only after.
	signedPosts *http.ServeMux

	done      chan struct{} // closed by Close
	closeOnce sync.Once
	jobs      sync.WaitGroup // background jobs started with Go
}

// New checks deps and opts and prepares the layout, the static files and
// the sessions. Build each audience's pages on it, then Handler.
func New(deps Deps, opts Options) (*Site, error) {
	if deps.Charter == nil || deps.DB == nil {
		return nil, errors.New("web: Deps needs Charter and DB")
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
	s := &Site{opts: opts, charter: deps.Charter, platform: deps.Platform, budgets: deps.Budgets, log: deps.Log, now: deps.Now,
		sessions: newSessions(opts.SessionSecret, opts.secure(), opts.port(), opts.SessionTTL, deps.Now),
		revoked:  revocations{db: deps.DB, now: deps.Now}, db: deps.DB, uploads: http.NewServeMux(), signedPosts: http.NewServeMux(), done: make(chan struct{}), media: deps.Media}
	s.loadZone()
	var err error
	if s.locales, err = locale.Load(); err != nil {
		return nil, err
	}
	s.money = make(map[string]*MoneyFormat, len(s.locales.Locales()))
	for _, l := range s.locales.Locales() {
		s.money[l.Tag] = NewMoneyFormat(l.Tag)
	}
	if s.static, err = newStatic(); err != nil {
		return nil, err
	}
	if s.pages, err = s.Pages(templateFS); err != nil {
		return nil, err
	}
	return s, nil
}

// Mounter is one audience's pages: Mount adds its routes to mux.
type Mounter interface {
	Mount(mux *http.ServeMux)
}

// Handler serves the static files, /favicon.ico and every audience's routes, with the
// failure page for every other path (and for a method a path does not
// take). Requests pass, in order: panic recovery, security headers, a
// body cap, the choice of language (lang.go), the CSRF check, and the
// routes. Mount it at "/" beside the
// REST API's /v1, /healthz, /readyz and /metrics, which it does not serve.
func (s *Site) Handler(audiences ...Mounter) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", s.static)
	mux.Handle("GET /favicon.ico", s.static.icon)
	if s.media != nil {
		mux.HandleFunc("GET /media/{hash}/{size}", s.serveMedia)
	}
	for _, a := range audiences {
		a.Mount(mux)
	}
	mux.HandleFunc("/", s.NotFound)
	return s.recover(s.secureHeaders(s.limitBody(s.language(s.checkCSRF(mux)))))
}

// Sessions are the site's session cookies.
func (s *Site) Sessions() *Sessions { return s.sessions }

// Log is where failures the pages could not show go.
func (s *Site) Log() *slog.Logger { return s.log }

// Now is the site's clock.
func (s *Site) Now() time.Time { return s.now() }

// Done is closed when the site starts closing: event streams end and
// background jobs stop between two steps.
func (s *Site) Done() <-chan struct{} { return s.done }

// Go runs job in the background; Close waits for it. A job watches Done
// and returns soon after it is closed.
func (s *Site) Go(job func()) { s.jobs.Go(job) }

// Close ends the open event streams, which would otherwise hold an HTTP
// server's graceful shutdown until its deadline, and waits for the
// background jobs (merchants' feed uploads) to stop, so that the
// catalog is not closed under them. Call it when the server starts
// shutting down.
func (s *Site) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	s.jobs.Wait()
	return nil
}
