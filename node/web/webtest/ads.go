package webtest

import (
	"context"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
)

// SetAds sets the charter's ad terms both members read, at every policy
// version: their catalogs' fee cap and their order services' terms (by
// default none: no campaign, no charge).
func (h *Harness) SetAds(t order.AdTerms) {
	h.ads.Store(&t)
	h.Self.Cat.SetAdFeeCap(t.MaxFeeBPS)
	h.Other.Cat.SetAdFeeCap(t.MaxFeeBPS)
}

func (h *Harness) adsAt(uint64) (order.AdTerms, bool) {
	if t := h.ads.Load(); t != nil {
		return *t, true
	}
	return order.AdTerms{}, true
}

// campaignBook is a node's own campaigns as its order service charges
// them, as the node wires them: an exhausted campaign is published so.
type campaignBook struct{ cat *catalog.Catalog }

func (b campaignBook) Campaign(ctx context.Context, id string) (catalog.Campaign, error) {
	return b.cat.Campaign(ctx, id)
}

func (b campaignBook) Exhausted(ctx context.Context, id string) error {
	_, merchant, _, err := catalog.ParseID(id)
	if err != nil {
		return err
	}
	_, err = b.cat.SetCampaignState(ctx, merchant, id, catalog.CampaignExhausted)
	return err
}
