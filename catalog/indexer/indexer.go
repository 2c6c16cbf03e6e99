// Package indexer keeps a search index in step with a catalog: what the
// index holds of a listing, and how a stored record changes it. It joins
// catalog and catalog/search, which know nothing of each other.
package indexer

import (
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
)

// Doc is what the index keeps of a listing: its text, facets, the
// cheapest variant's price, whether any variant is in stock, and its
// first image.
func Doc(l *catalog.Listing) search.Doc {
	d := search.Doc{ID: l.ID, Title: l.Title, Description: l.Description, Brand: l.Brand, Category: l.Category,
		Platform: l.Platform, Merchant: l.Merchant, Updated: l.UpdatedAt}
	for i, v := range l.Variants {
		if i == 0 || v.Price.Amount < d.Price {
			d.Price, d.Currency = v.Price.Amount, v.Price.Currency
		}
		d.InStock = d.InStock || v.Stock > 0
	}
	if len(l.Images) > 0 {
		d.Image = l.Images[0]
	}
	return d
}

// Apply changes ix as one stored record changed the catalog: a takedown
// removes the listing, anything else that carries it upserts it. Register
// it with catalog.OnChange.
func Apply(ix *search.Index, ch catalog.Change) {
	switch {
	case ch.Record != nil && (ch.Record.Kind == catalog.KindMerchant || ch.Record.Kind == catalog.KindShipping || ch.Record.Kind == catalog.KindOffer ||
		ch.Record.Kind == catalog.KindCampaign || ch.Record.Kind == catalog.KindReview || ch.Record.Kind == catalog.KindReviewReply ||
		ch.Record.Kind == catalog.KindDoc):
		// profiles, offers, campaigns, reviews and docs are not searched here
	case ch.Record != nil && ch.Record.Tombstone:
		ix.Delete(ch.ID)
	case ch.Listing != nil:
		ix.Upsert(Doc(ch.Listing))
	}
}
