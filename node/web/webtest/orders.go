package webtest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
)

// The order services run on the members' real catalogs through the same
// two adapters the node wires (node/orders.go): inventory, where a home
// holds and takes stock in the catalog's transaction, and offers, the
// replicated catalog as a storefront prices a cart from it.

// inventory adapts a catalog's stock to the order service.
type inventory struct{ cat *catalog.Catalog }

// ChangeStock applies changes and runs also with the resulting offers.
func (inv inventory) ChangeStock(ctx context.Context, changes []order.StockChange, also func(txn *badger.Txn, offers map[string]order.Offer) error) error {
	cc := make([]catalog.StockChange, len(changes))
	for i, c := range changes {
		cc[i] = catalog.StockChange{ListingID: c.ListingID, SKU: c.SKU, Delta: c.Delta}
	}
	err := inv.cat.ChangeStock(ctx, cc, func(txn *badger.Txn, listings map[string]*catalog.Listing) error {
		offers := make(map[string]order.Offer)
		for _, l := range listings {
			if l == nil {
				continue
			}
			for _, v := range l.Variants {
				offers[order.OfferKey(l.ID, v.SKU)] = offerOf(l, v)
			}
		}
		return also(txn, offers)
	})
	var short *catalog.ShortError
	if errors.As(err, &short) {
		ce := &order.CheckoutError{Reason: order.ReasonOutOfStock}
		for _, s := range short.Lines {
			ce.Shortages = append(ce.Shortages, order.Shortage{ListingID: s.ListingID, SKU: s.SKU, Wanted: s.Wanted, Available: s.Available})
		}
		return ce
	}
	return err
}

// offers reads a member's copy of the federation's catalog.
type offers struct{ cat *catalog.Catalog }

// Offer returns the offer of one SKU of a listing.
func (o offers) Offer(ctx context.Context, listingID, sku string) (order.Offer, error) {
	l, err := o.cat.Listing(ctx, listingID)
	if errors.Is(err, catalog.ErrNotFound) || errors.Is(err, catalog.ErrInvalid) {
		return order.Offer{}, fmt.Errorf("%w: listing %s", order.ErrNotFound, listingID)
	}
	if err != nil {
		return order.Offer{}, err
	}
	for _, v := range l.Variants {
		if v.SKU == sku {
			return offerOf(&l, v), nil
		}
	}
	return order.Offer{}, fmt.Errorf("%w: listing %s has no SKU %q", order.ErrNotFound, listingID, sku)
}

func offerOf(l *catalog.Listing, v catalog.Variant) order.Offer {
	return order.Offer{ListingID: l.ID, SKU: v.SKU, Platform: l.Platform, Merchant: l.Merchant, Title: l.Title,
		Category: l.Category, Price: order.Money{Amount: v.Price.Amount, Currency: v.Price.Currency}, Stock: v.Stock, Version: l.Version}
}

// memNet joins the members' order services in one process: a request
// runs the receiver's Handle directly. A member marked down answers
// nothing and is reported unreachable, as a partitioned member is.
type memNet struct {
	mu    sync.Mutex // guards nodes and down
	nodes map[string]*order.Service
	down  map[string]bool
}

func newMemNet() *memNet {
	return &memNet{nodes: map[string]*order.Service{}, down: map[string]bool{}}
}

// errDown is what a request to a member that is down fails with.
var errDown = errors.New("webtest: member not answering")

func (n *memNet) join(id string, s *order.Service) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nodes[id] = s
}

// setDown marks member id down (or up again).
func (n *memNet) setDown(id string, down bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.down[id] = down
}

// Reachable reports whether member p answers now.
func (n *memNet) Reachable(p string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return !n.down[p]
}

// transport returns the Transport of member from.
func (n *memNet) transport(from string) memTransport { return memTransport{n: n, from: from} }

type memTransport struct {
	n    *memNet
	from string
}

// Request delivers raw to member to and returns its answer.
func (t memTransport) Request(ctx context.Context, to string, raw []byte) ([]byte, error) {
	t.n.mu.Lock()
	svc, down := t.n.nodes[to], t.n.down[to]
	t.n.mu.Unlock()
	if svc == nil || down {
		return nil, errDown
	}
	return svc.Handle(ctx, t.from, raw), nil
}
