package order

import (
	"context"

	badger "github.com/dgraph-io/badger/v4"
)

// StockChange is one change of the units available of one SKU at its home
// node: negative takes, positive returns.
type StockChange struct {
	ListingID string
	SKU       string
	Delta     int64
}

// Offer is what a listing's SKU sells for now, and who sells it.
type Offer struct {
	ListingID string
	SKU       string
	Platform  string // the home node's peer ID
	Merchant  string
	Title     string
	Category  string
	Price     Money
	Stock     int64
	Version   uint64
}

// Inventory is the home node's stock: the catalog implements it.
// ChangeStock applies changes all or nothing and runs also in the same
// transaction with the offers of the listings it touched after the change
// (keyed by OfferKey), so that a hold and the order state it belongs to
// commit together. A take beyond the stock fails with a *CheckoutError
// (reason out_of_stock) naming every short line; an error from also
// discards everything.
type Inventory interface {
	ChangeStock(ctx context.Context, changes []StockChange, also func(txn *badger.Txn, offers map[string]Offer) error) error
}

// Offers reads the federation's replicated catalog on the storefront.
// Offer fails with an error wrapping ErrNotFound for an unknown listing or
// SKU.
type Offers interface {
	Offer(ctx context.Context, listingID, sku string) (Offer, error)
}

// OfferKey keys an offer by listing and SKU.
func OfferKey(listingID, sku string) string { return listingID + "\x00" + sku }
