package web

import (
	"context"
	"log/slog"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/settlement"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Searcher is the federation-wide search index; *search.Index satisfies it.
type Searcher interface {
	// Search runs one query; search.ErrInvalidQuery names a bad parameter.
	Search(q search.Query) (search.Result, error)
}

// Listings reads any live listing, this node's or replicated;
// *catalog.Catalog satisfies it.
type Listings interface {
	// Listing returns the listing with its stock, catalog.ErrNotFound or
	// catalog.ErrInvalid for a malformed id.
	Listing(ctx context.Context, id string) (catalog.Listing, error)
}

// Merchants are the sellers whose home platform is this node;
// *catalog.Catalog satisfies it.
type Merchants interface {
	// Platform is this node's peer ID, the platform part of its listings' ids.
	Platform() string
	// Merchant returns one of this node's merchants, or catalog.ErrNotFound.
	Merchant(ctx context.Context, id string) (catalog.Merchant, error)
	// Merchants lists this node's merchants.
	Merchants(ctx context.Context) ([]catalog.Merchant, error)
	// MerchantByToken returns the merchant a token belongs to, or
	// catalog.ErrNotFound.
	MerchantByToken(ctx context.Context, token string) (catalog.Merchant, error)
	// RotateMerchantToken gives a merchant a new token; the old one stops
	// working at once.
	RotateMerchantToken(ctx context.Context, merchantID string) (string, error)
}

// ListingEditor reads and changes one merchant's own listings on this
// node; *catalog.Catalog satisfies it. Every method is scoped to
// merchantID: another merchant's listing is catalog.ErrNotFound.
type ListingEditor interface {
	// MerchantListings pages through the merchant's live listings by id.
	MerchantListings(ctx context.Context, merchantID, cursor string, limit int) ([]catalog.Listing, string, error)
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
}

// Federation is what the pages show of the federation;
// *federation.Federation satisfies it.
type Federation interface {
	// Members lists the other members with their connection state.
	Members() []federation.MemberState
	// Charter returns the current signed charter, or federation.ErrNoCharter.
	Charter() (*federation.SignedCharter, error)
}

// Deps are the services the pages read and change. Every interface field
// is required; the node's *catalog.Catalog, *search.Index and
// *federation.Federation satisfy them as they are, with no adapter.
type Deps struct {
	// Search answers the storefront's searches.
	Search Searcher
	// Listings reads listing pages.
	Listings Listings
	// Merchants signs merchants in and names them.
	Merchants Merchants
	// Editor changes a signed-in merchant's listings.
	Editor ListingEditor
	// Federation names platforms and feeds the operator dashboard.
	Federation Federation
	// Orders serves shoppers' carts and orders and merchants' parts.
	Orders Orders
	// Settlement feeds merchants' earnings and the operator's settlement page.
	Settlement Settlement
	// Replication gives each member's catalog replication lag.
	Replication Replication
	// Amendments are the charter amendments gathering signatures.
	Amendments Amendments
	// DB is the node's Badger database, where the pages keep when
	// merchants' and the operator's sessions ended (under "p/").
	DB *badger.DB
	// Budgets are the per-client budgets of sign-ups, sign-ins and
	// checkouts, shared with the REST API, and say who the client is
	// behind trusted proxies; nil limits nothing and trusts no proxy.
	Budgets *budget.Budgets
	// Log receives failures the pages could not show; nil discards.
	Log *slog.Logger
	// Now is the clock sessions and "last seen" read; nil is time.Now.
	Now func() time.Time
}

// Orders is the order service, in both of its roles: the storefront's
// shoppers, carts, checkouts and orders, and the home node's parts of this
// node's merchants; *order.Service satisfies it.
type Orders interface {
	// CreateShopper opens an account (with a password for these pages);
	// a taken e-mail address is an order.FieldErrors naming "email".
	CreateShopper(ctx context.Context, in order.ShopperInput) (order.Shopper, string, error)
	// Authenticate signs a shopper in, or answers order.ErrBadCredentials.
	Authenticate(ctx context.Context, email, password string) (order.Shopper, error)
	// Shopper returns one shopper, or order.ErrNotFound.
	Shopper(ctx context.Context, id string) (order.Shopper, error)
	// EndSessions ends the shopper's sessions begun until now (sign-out);
	// SessionsEndedAt says when that last happened.
	EndSessions(ctx context.Context, shopper string) error
	SessionsEndedAt(ctx context.Context, shopper string) (time.Time, error)
	// CreateCart, GetCart, AddItem, SetQuantity and RemoveItem keep a
	// shopper's cart.
	CreateCart(ctx context.Context, shopper string) (order.Cart, error)
	GetCart(ctx context.Context, shopper, id string) (order.Cart, error)
	AddItem(ctx context.Context, shopper, cartID string, in order.ItemInput) (order.Cart, error)
	SetQuantity(ctx context.Context, shopper, cartID string, in order.ItemInput) (order.Cart, error)
	RemoveItem(ctx context.Context, shopper, cartID, sku, listingID string) (order.Cart, error)
	// Checkout places the cart's order once per idempotency key; a refusal
	// is an *order.CheckoutError (stock gone, price changed, home platforms
	// not answering), a declined
	// card order.ErrDeclined, bad input order.FieldErrors.
	Checkout(ctx context.Context, shopper, cartID, key string, req order.CheckoutRequest) (order.Order, bool, error)
	// GetOrder, Orders and CancelOrder are the shopper's orders.
	GetOrder(ctx context.Context, shopper, id string) (order.Order, error)
	Orders(ctx context.Context, shopper, cursor string, limit int) ([]order.Order, string, error)
	CancelOrder(ctx context.Context, shopper, id string) (order.Order, error)
	// MerchantParts, HomePartOf, Ship, Deliver and Refund are a merchant's
	// incoming parts; another merchant's part is order.ErrNotFound.
	MerchantParts(ctx context.Context, merchant, status, cursor string, limit int) ([]order.HomePart, string, error)
	HomePartOf(ctx context.Context, merchant, id string) (order.HomePart, error)
	Ship(ctx context.Context, merchant, id, carrier, tracking string) (order.HomePart, error)
	Deliver(ctx context.Context, merchant, id string) (order.HomePart, error)
	Refund(ctx context.Context, merchant, id string) (order.HomePart, error)
	// Flow counts orders placed and parts received per step since since.
	Flow(ctx context.Context, since time.Time, step time.Duration) ([]order.FlowPoint, error)
	// Outbox says, per member owed anything, how many messages wait for
	// its acknowledgement, since when, and how many it refused for good.
	Outbox(ctx context.Context) ([]order.OutboxDepth, error)
	// Parked lists the messages members refused for good, at most limit
	// (0: all); RetryParked queues one again and DropParked forgets it,
	// each by its key ("<peer>/<seq>"), or answers order.ErrNotFound.
	Parked(ctx context.Context, limit int) ([]order.ParkedMessage, error)
	RetryParked(ctx context.Context, key string) error
	DropParked(ctx context.Context, key string) error
}

// Settlement is the node's view of settlement periods; the node's
// settlement view (node.Node.Settlement) satisfies it.
type Settlement interface {
	Periods(ctx context.Context) ([]settlement.PeriodStatus, error)
	Statements(ctx context.Context, period string) ([]settlement.Statement, error)
	Earnings(ctx context.Context, merchant, period string) (settlement.Earnings, error)
	NettingReport(ctx context.Context, period string) (settlement.Netting, error)
}

// Replication reports how far this node's copy of a member's catalog is
// behind; *replication.Replicator satisfies it.
type Replication interface {
	Progress(p peer.ID) replication.Progress
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
