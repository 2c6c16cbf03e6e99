package console

import (
	"context"
	"embed"
	"errors"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
)

//go:embed templates/*.html
var templateFS embed.FS

// Merchants signs merchants in by their tokens; *catalog.Catalog
// satisfies it.
type Merchants interface {
	// Platform is this node's peer ID, the platform part of its listings' ids.
	Platform() string
	// MerchantByToken returns the merchant a token belongs to, or
	// catalog.ErrNotFound.
	MerchantByToken(ctx context.Context, token string) (catalog.Merchant, error)
	// Listing returns a live listing with its stock, catalog.ErrNotFound
	// or catalog.ErrInvalid for a malformed id.
	Listing(ctx context.Context, id string) (catalog.Listing, error)
}

// ListingEditor reads and changes one merchant's own listings on this
// node; *catalog.Catalog satisfies it. Every method is scoped to
// merchantID: another merchant's listing is catalog.ErrNotFound.
type ListingEditor interface {
	// QueryListings returns a page of the merchant's live listings that a
	// query selects (title or SKU words, SKU, stock state), with the
	// count of all that match.
	QueryListings(ctx context.Context, merchantID string, q catalog.ListingQuery) (catalog.ListingMatches, error)
	// CreateListing signs a new listing; bad input is a *catalog.ValidationError.
	CreateListing(ctx context.Context, merchantID string, in catalog.ListingInput) (catalog.Listing, error)
	// ReplaceListing replaces a listing's description and stock.
	ReplaceListing(ctx context.Context, merchantID, id string, in catalog.ListingInput) (catalog.Listing, error)
	// TakeDown signs a tombstone for the listing.
	TakeDown(ctx context.Context, merchantID, id string) error
	// SetStock sets the units of one SKU.
	SetStock(ctx context.Context, merchantID, id, sku string, stock int64) error
	// UpsertBatch creates or updates listings from a feed, keyed by SKU.
	UpsertBatch(ctx context.Context, merchantID string, in []catalog.ListingInput) (catalog.BatchResult, error)
	// PlanBulk says what a bulk change would do to each variant of the
	// listings, and what stands in its way, without writing.
	PlanBulk(ctx context.Context, merchantID string, ids []string, ch catalog.BulkChange) (catalog.BulkPlan, error)
	// ApplyBulk applies a bulk change all or nothing, at the description
	// versions reviewed; the plan names any problem.
	ApplyBulk(ctx context.Context, merchantID string, ids []string, ch catalog.BulkChange, versions map[string]uint64) (catalog.BulkPlan, error)
}

// Parts are the merchant's incoming order parts, which this node keeps
// as their home; *order.Service satisfies it. Another merchant's part is
// order.ErrNotFound.
type Parts interface {
	MerchantParts(ctx context.Context, merchant, status, cursor string, limit int) ([]order.HomePart, string, error)
	HomePartOf(ctx context.Context, merchant, id string) (order.HomePart, error)
	// ShipWith marks an accepted part shipped; a carrier of the table
	// gives the part its tracking link, another may give one.
	ShipWith(ctx context.Context, merchant, id string, sh order.Shipment) (order.HomePart, error)
	Deliver(ctx context.Context, merchant, id string) (order.HomePart, error)
	Refund(ctx context.Context, merchant, id string) (order.HomePart, error)
	// RefundPart refunds some units and/or an amount of a part; anything
	// beyond what is left refundable is an order.FieldErrors naming the
	// field ("lines[i].quantity" of req.Lines, "amount"). The same
	// req.Key refunds once.
	RefundPart(ctx context.Context, merchant, id string, req order.RefundRequest) (order.HomePart, error)
	// Messages are a part's signed messages: the statuses say when each
	// refund was made.
	Messages(ctx context.Context, part string) ([]*order.Message, error)
	// MerchantReturns lists the merchant's returns, the open ones first.
	MerchantReturns(ctx context.Context, merchant, state string, limit int) ([]order.MerchantReturn, error)
	// ApproveReturn approves a requested return with instructions; bad
	// ones are an order.FieldErrors naming "instructions.<field>", a
	// return no longer requested order.ErrConflict.
	ApproveReturn(ctx context.Context, merchant, part, rid string, in order.ReturnInstructions) (order.HomePart, error)
	// RefuseReturn refuses a requested return for a reason.
	RefuseReturn(ctx context.Context, merchant, part, rid, reason string) (order.HomePart, error)
	// ReceiveReturn marks an approved return's units received: they go
	// back to stock and are refunded less the restocking fee.
	ReceiveReturn(ctx context.Context, merchant, part, rid string) (order.HomePart, error)
	// Conversations lists the merchant's threads with shoppers, unread
	// ones first; MerchantThread is one part's (read marks it read);
	// WriteMerchantNote writes to the part's shopper: bad input is an
	// order.FieldErrors naming "text" or "attachments[i]".
	Conversations(ctx context.Context, merchant string, limit int) ([]order.Conversation, error)
	MerchantThread(ctx context.Context, merchant, part string, read bool) (order.Thread, error)
	WriteMerchantNote(ctx context.Context, merchant, part string, in order.NoteInput) (order.ChatMessage, error)
	// MerchantIssues lists the merchant's issues, those waiting for an
	// answer first, the nearest deadline first. AnswerMerchantIssue
	// answers one: bad input is an order.FieldErrors naming "text",
	// "remedy" or "amount" (a refund above what is left refundable), an
	// issue no longer waiting for an answer order.ErrConflict.
	MerchantIssues(ctx context.Context, merchant, state string, limit int) ([]order.MerchantIssue, error)
	AnswerMerchantIssue(ctx context.Context, merchant, iid string, a order.IssueAnswer) (order.MerchantIssue, error)
	// ArbiterMessages are the arbiter's questions and decision about an
	// escalated issue and this node's answers, oldest first; AnswerArbiter
	// sends an answer (the caller checks the issue is the merchant's): bad
	// text is an order.FieldErrors naming "text", an issue not with its
	// arbiter order.ErrConflict.
	ArbiterMessages(ctx context.Context, part, iid string) ([]order.ArbiterMessage, error)
	AnswerArbiter(ctx context.Context, part, iid, text string) (order.ArbiterMessage, error)
}

// Profiles are a merchant's published profile and shipping profiles,
// and the carriers the node knows; *catalog.Catalog satisfies it. The
// setters are scoped to merchantID: another merchant's shipping profile
// is catalog.ErrNotFound.
type Profiles interface {
	// MerchantProfile returns a merchant's published profile, or
	// catalog.ErrNotFound before the first one.
	MerchantProfile(ctx context.Context, platform, merchant string) (catalog.MerchantProfile, error)
	// SetMerchantProfile signs the merchant's profile; bad input is a
	// *catalog.ValidationError.
	SetMerchantProfile(ctx context.Context, merchantID string, in catalog.MerchantProfileInput) (catalog.MerchantProfile, error)
	// ShippingProfiles returns a merchant's live shipping profiles.
	ShippingProfiles(ctx context.Context, platform, merchant string) ([]catalog.ShippingProfile, error)
	// ShippingProfile returns a live shipping profile by its id.
	ShippingProfile(ctx context.Context, id string) (catalog.ShippingProfile, error)
	// PutShippingProfile creates (id "") or replaces a shipping profile;
	// bad input is a *catalog.ValidationError naming the field by its
	// path (zones[1].rates[0].transit_days.max).
	PutShippingProfile(ctx context.Context, merchantID, id string, in catalog.ShippingProfileInput) (catalog.ShippingProfile, error)
	// TakeDownShippingProfile signs a tombstone for a shipping profile;
	// the merchant's default is catalog.ErrConflict.
	TakeDownShippingProfile(ctx context.Context, merchantID, id string) error
	// Carriers is the table of carriers a rate or a shipment may name.
	Carriers() shipping.Table
}

// Earnings are what a merchant earned per settlement period; the node's
// settlement view satisfies it.
type Earnings interface {
	Periods(ctx context.Context) ([]settlement.PeriodStatus, error)
	Earnings(ctx context.Context, merchant, period string) (settlement.Earnings, error)
}

// Deps are the services the console reads and changes; every field but
// Pictures and Profiles is required. The node's *catalog.Catalog, *order.Service,
// settlement view and *media.Store satisfy them as they are.
type Deps struct {
	Merchants Merchants
	Editor    ListingEditor
	Parts     Parts
	Earnings  Earnings
	// Pictures stores the pictures merchants upload in the listing
	// editor; nil offers no upload.
	Pictures Pictures
	// Profiles keeps the merchant's profile, policies and shipping
	// profiles; nil offers neither their pages nor the shipping profile
	// of a listing.
	Profiles Profiles
	// Offers keeps the merchant's offers and Uptake says what they gave;
	// without both, the console has no offers page.
	Offers Offers
	Uptake Uptake
	// Reviews are the reviews of the merchant's listings and its
	// replies; nil: no reviews page.
	Reviews Reviews
	// Help, when set, finds the help articles the pages link (help.go).
	Help Help
	// Campaigns keeps the merchant's sponsored-listings campaigns and
	// AdSpend says what each spent; without both, the console has no
	// campaigns page (campaigns.go).
	Campaigns Campaigns
	AdSpend   AdSpend
}

// Console serves the merchants' pages under /merchant: listings, stock,
// feed uploads (run as background jobs on the site), incoming order
// parts, and earnings. It is safe for concurrent use.
type Console struct {
	site     *web.Site
	sessions *web.Sessions
	pages    *web.Pages
	deps     Deps
	feeds    *feedUploads // the merchants' feed upload jobs
}

// New builds the console's pages on site, and lets a signed-in merchant
// upload a feed, or a listing's pictures, larger than a form.
func New(site *web.Site, deps Deps) (*Console, error) {
	if deps.Merchants == nil || deps.Editor == nil || deps.Parts == nil || deps.Earnings == nil {
		return nil, errors.New("console: Deps needs Merchants, Editor, Parts and Earnings")
	}
	pages, err := site.Pages(templateFS, "templates/console_partials.html")
	if err != nil {
		return nil, err
	}
	c := &Console{site: site, sessions: site.Sessions(), pages: pages, deps: deps}
	c.feeds = newFeedUploads(c)
	site.AllowUpload(feedUploadPath)
	if deps.Pictures != nil {
		site.AllowUpload("/merchant/listings")
		site.AllowUpload("/merchant/listings/{id}")
	}
	return c, nil
}

// Mount adds the console's routes. Patterns are net/http's; a GET
// pattern also answers HEAD.
func (c *Console) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /merchant/signin", c.merchantSigninForm)
	mux.HandleFunc("POST /merchant/signin", c.site.Spending(budget.SignIns, c.merchantSignin))
	mux.HandleFunc("POST /merchant/signout", c.merchantSignout)
	mux.HandleFunc("GET /merchant", c.asMerchant(c.merchantListings))
	mux.HandleFunc("GET /merchant/listings/new", c.asMerchant(c.newListingForm))
	mux.HandleFunc("POST /merchant/listings", c.asMerchant(c.createListing))
	mux.HandleFunc("GET /merchant/listings/{id}", c.asMerchant(c.editListingForm))
	mux.HandleFunc("POST /merchant/listings/{id}", c.asMerchant(c.replaceListing))
	mux.HandleFunc("POST /merchant/listings/{id}/stock", c.asMerchant(c.setStock))
	mux.HandleFunc("POST /merchant/bulk", c.asMerchant(c.reviewBulk))
	mux.HandleFunc("POST /merchant/bulk/apply", c.asMerchant(c.applyBulk))
	mux.HandleFunc("GET /merchant/listings/{id}/takedown", c.asMerchant(c.takeDownForm))
	mux.HandleFunc("POST /merchant/listings/{id}/takedown", c.asMerchant(c.takeDown))
	mux.HandleFunc("GET /merchant/orders", c.asMerchant(c.merchantOrders))
	mux.HandleFunc("POST /merchant/orders/{id}/ship", c.asMerchant(c.shipPart))
	mux.HandleFunc("POST /merchant/orders/{id}/deliver", c.asMerchant(c.deliverPart))
	mux.HandleFunc("GET /merchant/orders/{id}/refund", c.asMerchant(c.refundForm))
	mux.HandleFunc("POST /merchant/orders/{id}/refund", c.asMerchant(c.refundPart))
	mux.HandleFunc("GET /merchant/orders/{id}/refund-some", c.asMerchant(c.refundSomeForm))
	mux.HandleFunc("POST /merchant/orders/{id}/refund-some", c.asMerchant(c.refundSome))
	mux.HandleFunc("GET /merchant/returns", c.asMerchant(c.merchantReturns))
	mux.HandleFunc("GET /merchant/returns/{part}/{rid}", c.asMerchant(c.returnPage))
	mux.HandleFunc("POST /merchant/returns/{part}/{rid}/approve", c.asMerchant(c.approveReturn))
	mux.HandleFunc("POST /merchant/returns/{part}/{rid}/refuse", c.asMerchant(c.refuseReturn))
	mux.HandleFunc("POST /merchant/returns/{part}/{rid}/receive", c.asMerchant(c.receiveReturn))
	mux.HandleFunc("GET /merchant/issues", c.asMerchant(c.merchantIssues))
	mux.HandleFunc("GET /merchant/issues/{iid}", c.asMerchant(c.issuePage))
	mux.HandleFunc("POST /merchant/issues/{iid}/answer", c.asMerchant(c.answerIssue))
	mux.HandleFunc("POST /merchant/issues/{iid}/arbiter", c.asMerchant(c.answerArbiter))
	mux.HandleFunc("GET /merchant/conversations", c.asMerchant(c.conversations))
	mux.HandleFunc("GET /merchant/orders/{id}/messages", c.asMerchant(c.threadPage))
	mux.HandleFunc("POST /merchant/orders/{id}/messages", c.asMerchant(c.writeMessage))
	mux.HandleFunc("GET /merchant/feeds", c.asMerchant(c.feeds.form))
	mux.HandleFunc("POST /merchant/feeds", c.asMerchant(c.feeds.upload))
	mux.HandleFunc("GET /merchant/feeds/{job}", c.asMerchant(c.feeds.progress))
	mux.HandleFunc("GET /merchant/earnings", c.asMerchant(c.merchantEarnings))
	if c.deps.Profiles != nil {
		mux.HandleFunc("GET /merchant/profile", c.asMerchant(c.profileForm))
		mux.HandleFunc("POST /merchant/profile", c.asMerchant(c.saveProfile))
		mux.HandleFunc("GET /merchant/shipping", c.asMerchant(c.shippingProfiles))
		mux.HandleFunc("GET /merchant/shipping/new", c.asMerchant(c.newShippingForm))
		mux.HandleFunc("POST /merchant/shipping", c.asMerchant(c.createShipping))
		mux.HandleFunc("GET /merchant/shipping/{id}", c.asMerchant(c.editShippingForm))
		mux.HandleFunc("POST /merchant/shipping/{id}", c.asMerchant(c.replaceShipping))
		mux.HandleFunc("GET /merchant/shipping/{id}/delete", c.asMerchant(c.deleteShippingForm))
		mux.HandleFunc("POST /merchant/shipping/{id}/delete", c.asMerchant(c.deleteShipping))
	}
	if c.offers() {
		mux.HandleFunc("GET /merchant/offers", c.asMerchant(c.offersPage))
		mux.HandleFunc("POST /merchant/offers", c.asMerchant(c.createOffer))
		mux.HandleFunc("GET /merchant/offers/{id}/end", c.asMerchant(c.endOfferForm))
		mux.HandleFunc("POST /merchant/offers/{id}/end", c.asMerchant(c.endOffer))
	}
	if c.deps.Reviews != nil {
		mux.HandleFunc("GET /merchant/reviews", c.asMerchant(c.reviewsPage))
		mux.HandleFunc("POST /merchant/reviews/{id}/reply", c.asMerchant(c.reply))
	}
	c.mountCampaigns(mux)
}

// offers says whether the console has the offers page.
func (c *Console) offers() bool { return c.deps.Offers != nil && c.deps.Uptake != nil }

// nav is the console's sub-navigation with current marked; profiles
// adds the profile and shipping pages, offers the offers page.
func nav(current string, profiles, offers, reviews bool) []web.NavItem {
	items := []web.NavItem{
		{Label: "Listings", MsgID: "console.nav.listings", Href: "/merchant"},
		{Label: "New listing", MsgID: "console.nav.new_listing", Href: "/merchant/listings/new"},
		{Label: "Feed upload", MsgID: "console.nav.feeds", Href: "/merchant/feeds"},
		{Label: "Orders", MsgID: "console.nav.orders", Href: "/merchant/orders"},
		{Label: "Returns", MsgID: "console.nav.returns", Href: "/merchant/returns"},
		{Label: "Issues", MsgID: "console.nav.issues", Href: "/merchant/issues"},
		{Label: "Messages", MsgID: "console.nav.messages", Href: "/merchant/conversations"},
		{Label: "Earnings", MsgID: "console.nav.earnings", Href: "/merchant/earnings"},
	}
	if profiles {
		items = append(items, web.NavItem{Label: "Shipping", MsgID: "console.nav.shipping", Href: "/merchant/shipping"}, web.NavItem{Label: "Profile", MsgID: "console.nav.profile", Href: "/merchant/profile"})
	}
	if offers {
		items = append(items, web.NavItem{Label: "Offers", MsgID: "console.nav.offers", Href: "/merchant/offers"})
	}
	if reviews {
		items = append(items, web.NavItem{Label: "Reviews", MsgID: "console.nav.reviews", Href: "/merchant/reviews"})
	}
	return web.Nav(current, items...)
}
