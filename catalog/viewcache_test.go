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

// TestViewCacheReadsNewStock reads a listing, so that its stock record is
// cached, then sets its stock: the next read has the new units, and the
// new stock record is the one cached.
func TestViewCacheReadsNewStock(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	l, err := n.CreateListing(ctx, m, input("Pan", "P-1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listing(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	oldSeq := headAt(t, n, stockKey(l.ID))
	if e := n.views.slot(n.self, oldSeq).Load(); e == nil || e.rec.Stock == nil {
		t.Fatal("the stock record read was not cached")
	}
	if err := n.SetStock(ctx, m, l.ID, "P-1", 7); err != nil {
		t.Fatal(err)
	}
	second, err := n.Listing(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Variants[0].Stock != 7 {
		t.Fatalf("after setting 7 units the listing reads %d", second.Variants[0].Stock)
	}
	newSeq := headAt(t, n, stockKey(l.ID))
	if e := n.views.slot(n.self, newSeq).Load(); newSeq == oldSeq || e == nil || e.seq != newSeq || e.rec.Stock["P-1"] != 7 {
		t.Fatalf("stock record %d (was %d) is not the one cached", newSeq, oldSeq)
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
	return headAt(t, n, listingKey(id))
}

// headAt is the seq of the record that head key points to.
func headAt(t *testing.T, n *testNode, key []byte) uint64 {
	t.Helper()
	var seq uint64
	err := n.db.View(func(txn *badger.Txn) error {
		h, err := getHead(txn, key)
		seq = h.seq
		return err
	})
	if err != nil || seq == 0 {
		t.Fatalf("no head at %s: %v", key, err)
	}
	return seq
}
