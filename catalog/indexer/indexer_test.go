package indexer

import (
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
)

func TestDocAndApply(t *testing.T) {
	l := &catalog.Listing{ID: "p.m.l", Title: "Pan", Brand: "Ferro", Category: "Home > Kitchen", Platform: "p", Merchant: "m",
		Images: []string{"https://img.example/a.jpg", "https://img.example/b.jpg"},
		Variants: []catalog.Variant{
			{SKU: "A", Price: catalog.Money{Amount: 4900, Currency: "EUR"}},
			{SKU: "B", Price: catalog.Money{Amount: 3900, Currency: "EUR"}, Stock: 2},
		}}
	d := Doc(l)
	if d.Price != 3900 || d.Currency != "EUR" || !d.InStock || d.Image != "https://img.example/a.jpg" || d.Brand != "Ferro" {
		t.Fatalf("doc %+v: want the cheapest price, in stock, the first image", d)
	}
	l.Variants[1].Stock = 0
	if Doc(l).InStock {
		t.Error("a listing with no units is in stock")
	}
	ix := search.New()
	Apply(ix, catalog.Change{ID: l.ID, Listing: l})
	if ix.Len() != 1 {
		t.Fatalf("after an upsert the index holds %d", ix.Len())
	}
	Apply(ix, catalog.Change{ID: l.ID, Record: &catalog.Record{Tombstone: true}})
	if ix.Len() != 0 {
		t.Fatalf("after a takedown the index holds %d", ix.Len())
	}
}
