package dashboard

import (
	"context"
	"embed"
	"errors"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/peer"
)

//go:embed templates/*.html
var templateFS embed.FS

// Federation is what the dashboard shows of the federation;
// *federation.Federation satisfies it.
type Federation interface {
	// Members lists the other members with their connection state.
	Members() []federation.MemberState
	// Charter returns the current signed charter, or federation.ErrNoCharter.
	Charter() (*federation.SignedCharter, error)
}

// Amendments are charter versions proposed and gathering signatures;
// *federation.Federation satisfies it.
type Amendments interface {
	// Proposals lists the pending amendments, oldest first.
	Proposals() []federation.Proposal
	// Propose checks a proposed next version and its signatures, keeps it
	// and sends it to every member; it takes force once enough have signed.
	Propose(ctx context.Context, sc *federation.SignedCharter) (federation.Proposal, error)
	// ProposeSigned is Propose with this node's signature added first.
	ProposeSigned(ctx context.Context, sc *federation.SignedCharter) (federation.Proposal, error)
	// SignProposal adds this node's signature to a pending amendment.
	SignProposal(ctx context.Context, digest string) (federation.Proposal, error)
}

// Merchants are this node's merchants, which the operator adds,
// renames, suspends and reinstates, and whose tokens the operator
// replaces, and the catalog that names other members' merchants;
// *catalog.Catalog satisfies it.
type Merchants interface {
	// Platform is this node's peer ID.
	Platform() string
	// Merchant returns one of this node's merchants, or catalog.ErrNotFound.
	Merchant(ctx context.Context, id string) (catalog.Merchant, error)
	// Merchants lists this node's merchants.
	Merchants(ctx context.Context) ([]catalog.Merchant, error)
	// CreateMerchant adds a merchant and returns its token, shown once;
	// a bad name is a *catalog.ValidationError on "name".
	CreateMerchant(ctx context.Context, name string) (catalog.Merchant, string, error)
	// RenameMerchant gives a merchant another name.
	RenameMerchant(ctx context.Context, id, name string) (catalog.Merchant, error)
	// SuspendMerchant and ReinstateMerchant suspend a merchant and end
	// its suspension (see catalog.Catalog.SuspendMerchant).
	SuspendMerchant(ctx context.Context, id string) (catalog.Merchant, error)
	ReinstateMerchant(ctx context.Context, id string) (catalog.Merchant, error)
	// MerchantListingCount counts a merchant's live listings.
	MerchantListingCount(ctx context.Context, id string) (int, error)
	// RotateMerchantToken gives a merchant a new token; the old one stops
	// working at once.
	RotateMerchantToken(ctx context.Context, merchantID string) (string, error)
	// Listing returns a listing as replicated here, which names its
	// merchant; catalog.ErrNotFound when it is gone.
	Listing(ctx context.Context, id string) (catalog.Listing, error)
}

// Orders are the order flow, the register of parts and the outbox as the
// operator watches them; *order.Service satisfies it.
type Orders interface {
	// Flow counts orders placed and parts received per step since since.
	Flow(ctx context.Context, since time.Time, step time.Duration) ([]order.FlowPoint, error)
	// Parts pages through the parts sold here or homed here, newest
	// first; EachPart walks all of them; Totals sums them (see
	// order.PartFilter). A bad filter is an order.FieldErrors.
	Parts(ctx context.Context, f order.PartFilter, cursor string, limit int) ([]order.PartRecord, string, error)
	EachPart(ctx context.Context, f order.PartFilter, fn func(order.PartRecord) error) error
	Totals(ctx context.Context, f order.PartFilter) (order.PartTotals, error)
	// Outbox says, per member owed anything, how many messages wait for
	// its acknowledgement, since when, and how many it refused for good.
	Outbox(ctx context.Context) ([]order.OutboxDepth, error)
	// Parked lists the messages members refused for good, at most limit
	// (0: all); RetryParked queues one again and DropParked forgets it,
	// each by its key ("<peer>/<seq>"), or answers order.ErrNotFound.
	Parked(ctx context.Context, limit int) ([]order.ParkedMessage, error)
	RetryParked(ctx context.Context, key string) error
	DropParked(ctx context.Context, key string) error
	// Cases lists the escalated issues this node holds as the charter's
	// arbiter, urgent first; GetCase returns one with its signed thread;
	// AskCase sends the arbiter's question to one side or both;
	// DecideCase decides it, once (see order.Service).
	Cases(ctx context.Context) ([]order.Case, error)
	GetCase(ctx context.Context, id string) (order.Case, error)
	AskCase(ctx context.Context, id string, to []string, text string) (order.Case, error)
	DecideCase(ctx context.Context, id string, d order.IssueDecision) (order.Case, error)
	// ServiceRecords are the members' scorecards as homes of parts.
	ServiceRecords(ctx context.Context) ([]order.ServiceRecord, error)
}

// Settlement is the node's view of settlement periods; the node's
// settlement view satisfies it.
type Settlement interface {
	Periods(ctx context.Context) ([]settlement.PeriodStatus, error)
	Statements(ctx context.Context, period string) ([]settlement.Statement, error)
	NettingReport(ctx context.Context, period string) (settlement.Netting, error)
}

// Replication reports how far this node's copy of a member's catalog is
// behind; *replication.Replicator satisfies it.
type Replication interface {
	Progress(p peer.ID) replication.Progress
}

// Deps are the services the dashboard reads and changes; every field but
// Coupons is required.
type Deps struct {
	Federation  Federation
	Amendments  Amendments
	Merchants   Merchants
	Orders      Orders
	Settlement  Settlement
	Replication Replication
	// Mail is the node's outgoing e-mail and local mailbox.
	Mail Mailbox
	// Points, when set, are the node's books as issuer of loyalty
	// points (/operator/loyalty).
	Points Points
	// Coupons are the storefront's coupons; nil offers no coupons page.
	Coupons Coupons
	// Categories, when set, lists the catalog's categories on the
	// category descriptions page; without, it takes paths as typed.
	Categories Categories
	// Reviews are the reviews reported or hidden here; nil offers no
	// reviews page.
	Reviews Reviews
	// Content are the storefront's pages and help articles; nil offers
	// no pages page (content.go).
	Content Content
	// AdStats and Campaigns, when both set, show what each campaign's
	// sponsored slots did on this storefront (sponsored_stats.go).
	AdStats   AdStats
	Campaigns Campaigns
	// Shards are the top-level categories of the other members' listings
	// this node holds (catalog.shards); nil: every category.
	Shards []string
}

// Options configure the dashboard.
type Options struct {
	// OperatorToken is the operator's token; empty disables the
	// dashboard's sign-in.
	OperatorToken string
	// EventInterval is how often /operator/events pushes the members table
	// (default 5s).
	EventInterval time.Duration
}

// Dashboard serves the operator's pages under /operator: the overview,
// members, charter and amendments, merchants, orders and their flow,
// parked messages, settlement and settings, with live updates over
// /operator/events. It is safe for concurrent use.
type Dashboard struct {
	site     *web.Site
	sessions *web.Sessions
	pages    *web.Pages
	deps     Deps
	opts     Options
}

// New builds the dashboard's pages on site.
func New(site *web.Site, deps Deps, opts Options) (*Dashboard, error) {
	if deps.Federation == nil || deps.Amendments == nil || deps.Merchants == nil || deps.Orders == nil || deps.Settlement == nil || deps.Replication == nil || deps.Mail == nil {
		return nil, errors.New("dashboard: Deps needs Federation, Amendments, Merchants, Orders, Settlement, Replication and Mail")
	}
	if opts.EventInterval < 0 {
		return nil, errors.New("dashboard: Options.EventInterval: must not be negative")
	}
	if opts.EventInterval == 0 {
		opts.EventInterval = 5 * time.Second
	}
	pages, err := site.Pages(templateFS, "templates/charts.html")
	if err != nil {
		return nil, err
	}
	return &Dashboard{site: site, sessions: site.Sessions(), pages: pages, deps: deps, opts: opts}, nil
}

// Mount adds the dashboard's routes. Patterns are net/http's; a GET
// pattern also answers HEAD.
func (d *Dashboard) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /operator/signin", d.operatorSigninForm)
	mux.HandleFunc("POST /operator/signin", d.site.Spending(budget.SignIns, d.operatorSignin))
	mux.HandleFunc("POST /operator/signout", d.operatorSignout)
	mux.HandleFunc("GET /operator", d.asOperator(d.operatorOverview))
	mux.HandleFunc("GET /operator/members", d.asOperator(d.operatorMembers))
	mux.HandleFunc("GET /operator/events", d.asOperator(d.operatorEvents))
	mux.HandleFunc("GET /operator/charter", d.asOperator(d.operatorCharter))
	mux.HandleFunc("GET /operator/charter/amend", d.asOperator(d.amendForm))
	mux.HandleFunc("POST /operator/charter/amend", d.asOperator(d.amend))
	mux.HandleFunc("POST /operator/charter/proposals", d.asOperator(d.proposeAmendment))
	mux.HandleFunc("POST /operator/charter/proposals/{digest}/sign", d.asOperator(d.signAmendment))
	mux.HandleFunc("GET /operator/merchants", d.asOperator(d.operatorMerchants))
	mux.HandleFunc("POST /operator/merchants", d.asOperator(d.addMerchant))
	mux.HandleFunc("GET /operator/merchants/{id}", d.asOperator(d.operatorMerchant))
	mux.HandleFunc("POST /operator/merchants/{id}/name", d.asOperator(d.renameMerchant))
	mux.HandleFunc("GET /operator/merchants/{id}/suspend", d.asOperator(d.suspendForm))
	mux.HandleFunc("POST /operator/merchants/{id}/suspend", d.asOperator(d.suspendMerchant))
	mux.HandleFunc("POST /operator/merchants/{id}/reinstate", d.asOperator(d.reinstateMerchant))
	mux.HandleFunc("GET /operator/merchants/{id}/token", d.asOperator(d.merchantTokenForm))
	mux.HandleFunc("POST /operator/merchants/{id}/token", d.asOperator(d.rotateMerchantToken))
	mux.HandleFunc("GET /operator/orders", d.asOperator(d.operatorOrders))
	mux.HandleFunc("GET /operator/orders.csv", d.asOperator(d.ordersCSV))
	mux.HandleFunc("GET /operator/orders/flow", d.asOperator(d.operatorFlow))
	mux.HandleFunc("GET /operator/parked", d.asOperator(d.operatorParked))
	mux.HandleFunc("POST /operator/parked/{peer}/{seq}/retry", d.asOperator(d.retryParked))
	mux.HandleFunc("GET /operator/parked/{peer}/{seq}/drop", d.asOperator(d.dropParkedForm))
	mux.HandleFunc("POST /operator/parked/{peer}/{seq}/drop", d.asOperator(d.dropParked))
	mux.HandleFunc("GET /operator/settlement", d.asOperator(d.operatorSettlement))
	mux.HandleFunc("GET /operator/settlement/{period}", d.asOperator(d.operatorPeriod))
	mux.HandleFunc("GET /operator/settlement/{period}/netting.csv", d.asOperator(d.nettingCSV))
	mux.HandleFunc("GET /operator/loyalty", d.asOperator(d.operatorLoyalty))
	mux.HandleFunc("GET /operator/mail", d.asOperator(d.operatorMailbox))
	mux.HandleFunc("GET /operator/mail/{id}", d.asOperator(d.operatorMail))
	mux.HandleFunc("GET /operator/cases", d.asOperator(d.operatorCases))
	mux.HandleFunc("GET /operator/cases/{id}", d.asOperator(d.operatorCase))
	mux.HandleFunc("POST /operator/cases/{id}/notes", d.asOperator(d.askCase))
	mux.HandleFunc("POST /operator/cases/{id}/decision", d.asOperator(d.decideCase))
	mux.HandleFunc("GET /operator/service-records", d.asOperator(d.operatorRecords))
	mux.HandleFunc("GET /operator/settings", d.asOperator(d.settingsForm))
	mux.HandleFunc("POST /operator/settings", d.asOperator(d.saveSettings))
	mux.HandleFunc("GET /operator/categories", d.asOperator(d.operatorCategories))
	mux.HandleFunc("POST /operator/categories", d.asOperator(d.saveCategory))
	if d.deps.Coupons != nil {
		mux.HandleFunc("GET /operator/coupons", d.asOperator(d.operatorCoupons))
		mux.HandleFunc("POST /operator/coupons", d.asOperator(d.createCoupon))
		mux.HandleFunc("GET /operator/coupons/{code}", d.asOperator(d.operatorCoupon))
		mux.HandleFunc("GET /operator/coupons/{code}/end", d.asOperator(d.operatorCoupon))
		mux.HandleFunc("POST /operator/coupons/{code}/end", d.asOperator(d.endCoupon))
	}
	if d.deps.Reviews != nil {
		mux.HandleFunc("GET /operator/reviews", d.asOperator(d.operatorReviews))
		mux.HandleFunc("POST /operator/reviews/{id}/hide", d.asOperator(d.hideReview))
		mux.HandleFunc("POST /operator/reviews/{id}/takedown", d.asOperator(d.takeDownReview))
		mux.HandleFunc("POST /operator/reviews/names", d.asOperator(d.saveReviewerNames))
	}
	if d.deps.Content != nil {
		d.mountContent(mux)
	}
	d.mountSponsored(mux)
}

// nav is the dashboard's sub-navigation with current marked; coupons
// adds the coupons page.
func nav(current string, coupons, reviews bool) []web.NavItem {
	items := []web.NavItem{
		{Label: "Overview", Href: "/operator"},
		{Label: "Members", Href: "/operator/members"},
		{Label: "Charter", Href: "/operator/charter"},
		{Label: "Merchants", Href: "/operator/merchants"},
		{Label: "Orders", Href: "/operator/orders"},
		{Label: "Settlement", Href: "/operator/settlement"},
		{Label: "Loyalty", Href: "/operator/loyalty"},
		{Label: "Escalated issues", Href: "/operator/cases"},
		{Label: "Service records", Href: "/operator/service-records"},
		{Label: "Mailbox", Href: "/operator/mail"},
		{Label: "Settings", Href: "/operator/settings"},
	}
	if coupons {
		items = append(items[:7:7], append([]web.NavItem{{Label: "Coupons", Href: "/operator/coupons"}}, items[7:]...)...)
	}
	if reviews {
		items = append(items[:len(items)-2:len(items)-2], append([]web.NavItem{{Label: "Reviews", Href: "/operator/reviews"}}, items[len(items)-2:]...)...)
	}
	return web.Nav(current, items...)
}
