package node

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fedmart/fedmart/catalog"
)

// campaignCache is every member's campaigns as this node's catalog holds
// them, for the storefront's sponsored slots: reading them means loading
// and decoding each campaign's signed record, too slow for every search
// page, so the list is read again only after a campaign record (a new
// version, or an end) was stored.
type campaignCache struct {
	cat *catalog.Catalog
	// gen counts the campaign records stored since the node started.
	gen atomic.Uint64

	mu     sync.Mutex // guards list, at, loaded and the live fields
	list   []catalog.Campaign
	at     uint64 // the gen list was read at
	loaded bool
	// live are the campaigns of list that run from liveFrom until
	// liveUntil (the next start or end of one), the same slice all that
	// time (zero liveUntil: none will change).
	live                []catalog.Campaign
	liveFrom, liveUntil time.Time
	liveGen             uint64
}

// newCampaignCache returns a cache over cat that watches its changes.
func newCampaignCache(cat *catalog.Catalog) *campaignCache {
	c := &campaignCache{cat: cat}
	cat.OnChange(func(ch catalog.Change) {
		if ch.Record != nil && ch.Record.Kind == catalog.KindCampaign {
			c.gen.Add(1)
		}
	})
	return c
}

// campaigns returns every campaign that is not ended; callers must not
// change the slice.
func (c *campaignCache) campaigns(ctx context.Context) ([]catalog.Campaign, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.campaignsLocked(ctx)
}

func (c *campaignCache) campaignsLocked(ctx context.Context) ([]catalog.Campaign, error) {
	g := c.gen.Load() // read before the list: a change while it is read marks it stale
	if c.loaded && c.at == g {
		return c.list, nil
	}
	list, err := c.cat.Campaigns(ctx, "", "")
	if err != nil {
		return nil, err
	}
	c.list, c.at, c.loaded = list, g, true
	return list, nil
}

// liveAt returns the campaigns that run at now: the same slice, which
// callers must not change, until a campaign changes, starts or ends, so
// that the storefront may keep what it derives from it.
func (c *campaignCache) liveAt(ctx context.Context, now time.Time) ([]catalog.Campaign, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	all, err := c.campaignsLocked(ctx)
	if err != nil {
		return nil, err
	}
	if c.liveGen == c.at && c.live != nil && !now.Before(c.liveFrom) && (c.liveUntil.IsZero() || now.Before(c.liveUntil)) {
		return c.live, nil
	}
	live := []catalog.Campaign{}
	var until time.Time
	next := func(t time.Time) {
		if t.After(now) && (until.IsZero() || t.Before(until)) {
			until = t
		}
	}
	for _, cp := range all {
		if cp.Active(now) {
			live = append(live, cp)
		}
		next(cp.Starts)
		next(cp.Ends)
	}
	c.live, c.liveFrom, c.liveUntil, c.liveGen = live, now, until, c.at
	return live, nil
}
