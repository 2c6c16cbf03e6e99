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
	switch effect(ch) {
	case remove:
		ix.Delete(ch.ID)
	case upsert:
		ix.Upsert(Doc(ch.Listing))
	}
}

// ApplyAll changes ix as one commit's records changed the catalog, in
// one pass: of the records of one listing (a description and its stock)
// only the last effect counts, and the documents are upserted together
// (search.Index.UpsertAll). Register it with catalog.OnChanges.
func ApplyAll(ix *search.Index, changes []catalog.Change) {
	final := make(map[string]int, len(changes)) // listing id -> index of its last effective change
	for i, ch := range changes {
		if effect(ch) != none {
			final[ch.ID] = i
		}
	}
	var docs []search.Doc
	for i, ch := range changes {
		if final[ch.ID] != i {
			continue
		}
		switch effect(ch) {
		case remove:
			ix.Delete(ch.ID)
		case upsert:
			docs = append(docs, Doc(ch.Listing))
		}
	}
	ix.UpsertAll(docs)
}

type change int

const (
	none change = iota
	remove
	upsert
)

// effect is what a stored record does to the index.
func effect(ch catalog.Change) change {
	switch {
	case ch.Record != nil && (ch.Record.Kind == catalog.KindMerchant || ch.Record.Kind == catalog.KindShipping || ch.Record.Kind == catalog.KindOffer ||
		ch.Record.Kind == catalog.KindCampaign || ch.Record.Kind == catalog.KindReview || ch.Record.Kind == catalog.KindReviewReply ||
		ch.Record.Kind == catalog.KindDoc):
		return none // profiles, offers, campaigns, reviews and docs are not searched here
	case ch.Away || ch.Record != nil && ch.Record.Tombstone:
		return remove // taken down, or moved to a category this node does not hold
	case ch.Listing != nil:
		return upsert
	}
	return none
}
