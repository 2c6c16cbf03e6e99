package catalog

import (
	"context"
	"errors"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func count(t testing.TB, db *badger.DB, key string) int64 {
	t.Helper()
	var n int64
	err := db.View(func(txn *badger.Txn) (err error) { n, err = loadCounter(txn, key); return err })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestListingQuotas: a home refuses its merchants' listings beyond the
// node's and the merchant's quota, taken-down listings counting, and a
// member holding another's records counts them by origin; a catalog kept
// before the counts counts once when it opens.
func TestListingQuotas(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	cfg := testConfig()
	cfg.MaxListings, cfg.MaxMerchantListings = 3, 2
	db := newDB(t)
	home := newNodeOn(t, db, cfg, members)
	a, b := home.merchant(t), home.merchant(t)
	first, err := home.CreateListing(ctx, a, input("Pan", "P1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := home.CreateListing(ctx, a, input("Pot", "P2")); err != nil {
		t.Fatal(err)
	}
	if err := home.TakeDown(ctx, a, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := home.CreateListing(ctx, a, input("Lid", "P3")); !errors.Is(err, ErrQuota) {
		t.Fatalf("a third listing of a merchant with a quota of 2 (one taken down): %v", err)
	}
	if _, err := home.CreateListing(ctx, b, input("Bowl", "B1")); err != nil {
		t.Fatal(err)
	}
	if _, err := home.CreateListing(ctx, b, input("Cup", "B2")); !errors.Is(err, ErrQuota) {
		t.Fatalf("a fourth listing of a node with a quota of 3: %v", err)
	}
	// A member holds what the home signed, counted under its origin.
	other := newNode(t, testConfig(), members)
	syncFrom(t, other, home, 100)
	if n := count(t, other.db, prefixQuota+home.self); n != 3 {
		t.Errorf("the member counts %d listings of the home, want 3", n)
	}
	// A catalog kept before the counts counts once at Open.
	err = db.Update(func(txn *badger.Txn) error {
		for _, k := range []string{keyQuotaBuilt, prefixQuota + home.self, prefixMQuota + a, prefixMQuota + b} {
			if err := txn.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := buildQuotas(db, home.self); err != nil {
		t.Fatal(err)
	}
	if n, m := count(t, db, prefixQuota+home.self), count(t, db, prefixMQuota+a); n != 3 || m != 2 {
		t.Errorf("counts rebuilt as %d for the node and %d for the merchant, want 3 and 2", n, m)
	}
	if !Skipped(ErrQuota) || Skipped(ErrForged) {
		t.Error("a record over quota is not skipped like a stale one, or a forged one is")
	}
}
