package catalog

import (
	"context"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// TestViewCacheHandsOutCopies reads a listing twice, changing everything
// the first read returned in between, down to a variant's dimensions:
// the second read, served from the cache, is the listing as stored.
func TestViewCacheHandsOutCopies(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	in := input("Pan", "P-1")
	in.Variants[0].Dimensions = &Dimensions{Length: 300, Width: 300, Height: 60}
	in.Translations = map[string]Translation{"zh-CN": {Title: "锅"}}
	l, err := n.CreateListing(ctx, n.merchant(t), in)
	if err != nil {
		t.Fatal(err)
	}
	first, err := n.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	first.Attributes["material"] = "paper"
	first.Images[0] = "https://img.example.com/other.jpg"
	first.ShippingRegions[0] = "XX"
	first.Translations["zh-CN"] = Translation{Title: "纸"}
	first.Variants[0].Options["size"] = "99"
	first.Variants[0].Dimensions.Length = 1
	second, err := n.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Attributes["material"] != "steel" || second.Images[0] != in.Images[0] || second.ShippingRegions[0] != "DE" ||
		second.Translations["zh-CN"].Title != "锅" || second.Variants[0].Options["size"] != "20" || second.Variants[0].Dimensions.Length != 300 {
		t.Fatalf("a change to one read reached the next: %+v", second)
	}
	if slot := n.views.slot(n.self, headSeq(t, n, l.ID)); slot.Load() == nil {
		t.Fatal("the listing read was not cached")
	}
}

// TestViewCacheReadsRewrittenRecords caches a listing's newest record,
// then writes other bytes under that record's key (as a restore may):
// the next read must see them, not the cached description, and a
// replaced listing reads its new description.
func TestViewCacheReadsRewrittenRecords(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	l, err := n.CreateListing(ctx, m, input("Old pan", "P-1"))
	if err != nil {
		t.Fatal(err)
	}
	oldSeq := headSeq(t, n, l.ID)
	if _, err := n.Listing(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	l, err = n.ReplaceListing(ctx, m, l.ID, input("New pan", "P-1"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "New pan" {
		t.Fatalf("after a replace the listing reads %q", got.Title)
	}
	err = n.db.Update(func(txn *badger.Txn) error {
		return txn.Set(recordKey(n.self, headSeq(t, n, l.ID)), n.rawOf(t, oldSeq))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = n.Listing(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if got.Title != "Old pan" {
		t.Fatalf("a rewritten record reads %q from the cache", got.Title)
	}
}

// headSeq is the seq of the record listing id's head points at.
func headSeq(t *testing.T, n *testNode, id string) uint64 {
	t.Helper()
	var seq uint64
	err := n.db.View(func(txn *badger.Txn) error {
		h, err := getHead(txn, listingKey(id))
		seq = h.seq
		return err
	})
	if err != nil || seq == 0 {
		t.Fatalf("no head for %s: %v", id, err)
	}
	return seq
}
