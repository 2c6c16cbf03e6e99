package catalog

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// backupOf is a full backup of n's database, as an operator takes one.
func backupOf(t *testing.T, n *testNode) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := n.db.Backup(&b, 0); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// restoreNode opens a catalog with a's key on a database loaded from
// backup and marked restored, as the node's restore leaves it.
func restoreNode(t *testing.T, a *testNode, backup []byte, members *memberSet) *testNode {
	t.Helper()
	db := newDB(t)
	if err := db.Load(bytes.NewReader(backup), 16); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(MarkRestored); err != nil {
		t.Fatal(err)
	}
	return openOn(t, db, a, members)
}

func openOn(t *testing.T, db *badger.DB, a *testNode, members *memberSet) *testNode {
	t.Helper()
	n := &testNode{db: db, key: a.key}
	clock := &stepClock{t: time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)} // later than what it signed before, within the members' MaxClockSkew
	c, err := Open(testConfig(), db, a.key, members, nil, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	n.Catalog = c
	c.OnChange(func(ch Change) {
		n.mu.Lock()
		defer n.mu.Unlock()
		n.changes = append(n.changes, ch)
	})
	return n
}

// A node restored from an older backup must not sign a record before it
// has learnt back the ones it signed after the backup: its seqs and
// versions would repeat ones members hold with other content, and the
// members would refuse its records (and it theirs) for good.
func TestRestoredCatalogLearnsBackBeforeItSigns(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	pan, err := a.CreateListing(ctx, m, input("Pan", "PAN-1"))
	if err != nil {
		t.Fatal(err)
	}
	backup := backupOf(t, a)
	// After the backup: a new listing, a new version of the old one, a
	// stock change. b holds them all; the restored node will not.
	if _, err := a.CreateListing(ctx, m, input("Pot", "POT-1")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ReplaceListing(ctx, m, pan.ID, input("Pan, seasoned", "PAN-1")); err != nil {
		t.Fatal(err)
	}
	if err := a.SetStock(ctx, m, pan.ID, "PAN-1", 3); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)

	r := restoreNode(t, a, backup, members)
	if !r.Restored() {
		t.Fatal("a catalog on a restored database does not know it was restored")
	}
	refused := map[string]error{}
	_, refused["CreateListing"] = r.CreateListing(ctx, m, input("Lid", "LID-1"))
	_, refused["ReplaceListing"] = r.ReplaceListing(ctx, m, pan.ID, input("Pan, oiled", "PAN-1"))
	refused["SetStock"] = r.SetStock(ctx, m, pan.ID, "PAN-1", 9)
	refused["ChangeStock"] = r.ChangeStock(ctx, []StockChange{{ListingID: pan.ID, SKU: "PAN-1", Delta: -1}}, nil)
	_, refused["UpsertBatch"] = r.UpsertBatch(ctx, m, feed(streamFrom+4, 1)) // signed as it is decided
	for op, err := range refused {
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s on a restored catalog before it learnt back: %v, want ErrUnavailable", op, err)
		}
	}
	if got := len(r.raws()); got != 0 {
		t.Fatalf("the restored catalog signed %d records while waiting", got)
	}

	// The wait survives a restart of the node.
	r = openOn(t, r.db, a, members)
	if !r.Restored() {
		t.Fatal("reopened before learning back, the catalog forgot it was restored")
	}
	syncFrom(t, r, b, 10)
	if got, want := listingsOf(t, r), listingsOf(t, a); got != want {
		t.Fatalf("after learning back the restored node holds\n%s\nwant\n%s", got, want)
	}
	if err := r.LearntBack(); err != nil {
		t.Fatal(err)
	}
	if r = openOn(t, r.db, a, members); r.Restored() {
		t.Fatal("reopened after LearntBack, the catalog still waits")
	}

	// Now its records continue after the highest seq and version seen,
	// and the member accepts every one of them.
	if _, err := r.CreateListing(ctx, m, input("Lid", "LID-1")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReplaceListing(ctx, m, pan.ID, input("Pan, oiled", "PAN-1")); err != nil {
		t.Fatal(err)
	}
	for _, raw := range r.raws() {
		if _, err := b.Apply(raw); err != nil {
			t.Errorf("the member refuses a record the restored node signed after learning back: %v", err)
		}
	}
	if got, want := listingsOf(t, b), listingsOf(t, r); got != want {
		t.Fatalf("member holds\n%s\nrestored node holds\n%s", got, want)
	}
}
