package order

import (
	"context"
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// Inventory is the home node's stock; *catalog.Catalog satisfies it.
// ChangeStock applies changes all or nothing and runs also in the same
// transaction with the listings it touched, as they read after the change,
// so that a hold and the order state it belongs to commit together. A take
// beyond the stock fails with a *catalog.ShortError naming every short
// line; an error from also discards everything.
type Inventory interface {
	ChangeStock(ctx context.Context, changes []catalog.StockChange, also func(txn *badger.Txn, listings map[string]*catalog.Listing) error) error
}

// Listings reads the federation's replicated catalog, as the storefront
// quotes from it; *catalog.Catalog satisfies it.
type Listings interface {
	Listing(ctx context.Context, id string) (catalog.Listing, error)
	// ShippingFor resolves the shipping terms a listing ships under.
	ShippingFor(ctx context.Context, l *catalog.Listing) (catalog.ShippingTerms, error)
	// Carriers is the table of carriers merchants ship with.
	Carriers() shipping.Table
	// Offers are a merchant's offers that are not ended (offer.go).
	Offers(ctx context.Context, platform, merchant string) ([]catalog.Offer, error)
}

// offer is what a listing's SKU sells for now, and who sells it.
type offer struct {
	ListingID string
	SKU       string
	Platform  string // the home node's peer ID
	Merchant  string
	Title     string
	Category  string
	Price     Money
	Stock     int64
}

// offerKey keys an offer by listing and SKU.
func offerKey(listingID, sku string) string { return listingID + "\x00" + sku }

// offerOf is variant v of listing l as an offer.
func offerOf(l *catalog.Listing, v catalog.Variant) offer {
	return offer{ListingID: l.ID, SKU: v.SKU, Platform: l.Platform, Merchant: l.Merchant, Title: l.Title,
		Category: l.Category, Price: Money{Amount: v.Price.Amount, Currency: v.Price.Currency}, Stock: v.Stock}
}

// offer quotes one SKU of a listing from the replicated catalog: an
// unknown listing or SKU is ErrNotFound.
func (s *Service) offer(ctx context.Context, listingID, sku string) (offer, error) {
	l, err := s.listings.Listing(ctx, listingID)
	if errors.Is(err, catalog.ErrNotFound) || errors.Is(err, catalog.ErrInvalid) {
		return offer{}, fmt.Errorf("%w: listing %s", ErrNotFound, listingID)
	}
	if err != nil {
		return offer{}, err
	}
	for _, v := range l.Variants {
		if v.SKU == sku {
			return offerOf(&l, v), nil
		}
	}
	return offer{}, fmt.Errorf("%w: listing %s has no SKU %q", ErrNotFound, listingID, sku)
}

// changeStock applies changes to the home's stock through the Inventory
// and runs also with the offers of the listings touched, again when the
// transaction conflicted with a concurrent one (a storefront order this
// node updates in the same transaction, for instance: nothing of a
// conflicted attempt was written). A take beyond the stock is a
// *CheckoutError naming every short line.
//
// A change that moves no units (the confirm of a part whose units are
// held, a shipment) commits in the order's own transaction without
// going through the catalog, whose one writer lock every hold and
// sale of the node takes.
func (s *Service) changeStock(ctx context.Context, changes []catalog.StockChange, also func(*badger.Txn, map[string]offer) error) error {
	if len(changes) == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		return s.commit(func(txn *badger.Txn) error { return also(txn, map[string]offer{}) })
	}
	withOffers := func(txn *badger.Txn, listings map[string]*catalog.Listing) error {
		offers := make(map[string]offer)
		for _, l := range listings {
			if l == nil {
				continue
			}
			for _, v := range l.Variants {
				offers[offerKey(l.ID, v.SKU)] = offerOf(l, v)
			}
		}
		return also(txn, offers)
	}
	for attempt := 0; ; attempt++ {
		err := s.inv.ChangeStock(ctx, changes, withOffers)
		if !errors.Is(err, badger.ErrConflict) || attempt == 20 {
			return shortage(err)
		}
	}
}

// shortage turns the catalog's *ShortError into the *CheckoutError a
// storefront reads.
func shortage(err error) error {
	var short *catalog.ShortError
	if !errors.As(err, &short) {
		return err
	}
	ce := &CheckoutError{Reason: ReasonOutOfStock}
	for _, s := range short.Lines {
		ce.Shortages = append(ce.Shortages, Shortage{ListingID: s.ListingID, SKU: s.SKU, Wanted: s.Wanted, Available: s.Available})
	}
	return ce
}
