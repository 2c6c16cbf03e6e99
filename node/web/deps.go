package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
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
	// Log receives failures the pages could not show; nil discards.
	Log *slog.Logger
	// Now is the clock sessions and "last seen" read; nil is time.Now.
	Now func() time.Time
}
