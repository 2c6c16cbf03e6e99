package storefront

import (
	"context"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
)

// Whether a listing ships to a country takes reading the listing and its
// merchant's shipping terms from the catalog, too slow to do for every
// slot of every page. The answers are kept for shipsTTL: a listing whose
// terms change may fill (or miss) a slot for that long, and its page
// says where it ships. The cache holds at most maxShipAnswers answers
// and starts over when full.

// Ship-to cache bounds.
const (
	shipsTTL       = time.Minute
	maxShipAnswers = 20000
)

// shipKey is one question: listing id to a destination.
type shipKey struct{ listing, dest string }

// shipAnswer is an answer and when it was found.
type shipAnswer struct {
	ok bool
	at time.Time
}

// shipCache keeps recent answers; the zero value is ready.
type shipCache struct {
	mu      sync.Mutex // guards answers
	answers map[shipKey]shipAnswer
}

// shipsTo reports whether listing id ships to dest under its merchant's
// shipping terms; a listing that cannot be read does not.
func (sf *Storefront) shipsTo(ctx context.Context, id string, dest shipping.Destination) bool {
	k, now := shipKey{id, dest.String()}, sf.site.Now()
	c := &sf.ships
	c.mu.Lock()
	a, ok := c.answers[k]
	c.mu.Unlock()
	if ok && now.Sub(a.at) < shipsTTL && !now.Before(a.at) {
		return a.ok
	}
	a = shipAnswer{ok: sf.readShipsTo(ctx, id, dest), at: now}
	if ctx.Err() != nil {
		return a.ok // an answer cut short is not kept
	}
	c.mu.Lock()
	if c.answers == nil || len(c.answers) >= maxShipAnswers {
		c.answers = map[shipKey]shipAnswer{}
	}
	c.answers[k] = a
	c.mu.Unlock()
	return a.ok
}

// readShipsTo reads the listing and its terms.
func (sf *Storefront) readShipsTo(ctx context.Context, id string, dest shipping.Destination) bool {
	l, err := sf.deps.Listings.Listing(ctx, id)
	if err != nil {
		return false
	}
	t, err := sf.deps.Profiles.ShippingFor(ctx, &l)
	return err == nil && t.Profile.ZoneOf(dest) != nil
}
