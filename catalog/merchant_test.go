package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func TestMerchantTokens(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	acme, tok, err := n.CreateMerchant(ctx, "  Acme Pans ")
	if err != nil {
		t.Fatal(err)
	}
	if acme.Name != "Acme Pans" || !isLocalID(acme.ID) || !strings.HasPrefix(tok, tokenPrefix) {
		t.Fatalf("merchant %+v token %q", acme, tok)
	}
	other, otherTok, err := n.CreateMerchant(ctx, "Other")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := n.MerchantByToken(ctx, tok); err != nil || got.ID != acme.ID {
		t.Fatalf("MerchantByToken = %+v, %v", got, err)
	}
	if got, err := n.MerchantByToken(ctx, otherTok); err != nil || got.ID != other.ID {
		t.Fatalf("MerchantByToken(other) = %+v, %v", got, err)
	}
	for _, bad := range []string{"", tok + "x", strings.ToUpper(tok), "fmm_"} {
		if _, err := n.MerchantByToken(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Fatalf("token %q: err = %v", bad, err)
		}
	}
	// The token itself is not stored, only its hash.
	if storeContains(t, n, tok) {
		t.Fatal("the token is stored in clear")
	}

	fresh, err := n.RotateMerchantToken(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.MerchantByToken(ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old token after rotation: %v", err)
	}
	if got, err := n.MerchantByToken(ctx, fresh); err != nil || got.ID != acme.ID {
		t.Fatalf("new token: %+v, %v", got, err)
	}

	all, err := n.Merchants(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("Merchants = %+v, %v", all, err)
	}
	if _, _, err := n.CreateMerchant(ctx, " "); !errors.Is(err, ErrInvalid) {
		t.Fatalf("blank name: %v", err)
	}
	if _, err := n.Merchant(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown merchant: %v", err)
	}
}

// storeContains reports whether any key or value of the catalog holds s.
func storeContains(t *testing.T, n *testNode, s string) bool {
	t.Helper()
	found := false
	err := n.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("c/"), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			found = found || strings.Contains(string(it.Item().Key())+string(v), s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestRenameMerchant(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m, _, err := n.CreateMerchant(ctx, "Acme Pans")
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.RenameMerchant(ctx, m.ID, "  Acme Cookware ")
	if err != nil || got.Name != "Acme Cookware" || got.ID != m.ID || !got.CreatedAt.Equal(m.CreatedAt) {
		t.Fatalf("RenameMerchant = %+v, %v", got, err)
	}
	if back, _ := n.Merchant(ctx, m.ID); back.Name != "Acme Cookware" {
		t.Fatalf("stored name %q", back.Name)
	}
	// A listing created after the rename carries the new name.
	l, err := n.CreateListing(ctx, m.ID, input("Pan", "PAN-1"))
	if err != nil || l.MerchantName != "Acme Cookware" {
		t.Fatalf("listing after rename: %q, %v", l.MerchantName, err)
	}
	for _, bad := range []string{"", "  ", strings.Repeat("x", maxMerchantName+1)} {
		_, err := n.RenameMerchant(ctx, m.ID, bad)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Errors[0].Field != "name" {
			t.Errorf("RenameMerchant(%q) = %v, want a field error on name", bad, err)
		}
	}
	if _, err := n.RenameMerchant(ctx, "nope", "X"); !errors.Is(err, ErrNotFound) {
		t.Errorf("renaming an unknown merchant: %v", err)
	}
}

// A suspended merchant's token is refused and its listings sell nothing,
// while units go back to them; reinstating it restores both, with the
// stock it had.
func TestSuspendMerchant(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m, tok, err := n.CreateMerchant(ctx, "Acme Pans")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := n.CreateMerchant(ctx, "Other")
	if err != nil {
		t.Fatal(err)
	}
	pan, err := n.CreateListing(ctx, m.ID, input("Pan", "PAN-1")) // 10 in stock
	if err != nil {
		t.Fatal(err)
	}
	gone, err := n.CreateListing(ctx, m.ID, input("Lid", "LID-1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.TakeDown(ctx, m.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	pot, err := n.CreateListing(ctx, other.ID, input("Pot", "POT-1"))
	if err != nil {
		t.Fatal(err)
	}
	if count, err := n.MerchantListingCount(ctx, m.ID); err != nil || count != 1 {
		t.Fatalf("live listings = %d, %v; want 1 (one taken down)", count, err)
	}
	if err := n.ChangeStock(ctx, []StockChange{{ListingID: pan.ID, SKU: "PAN-1", Delta: -2}}, nil); err != nil {
		t.Fatal(err) // a hold placed before the suspension
	}

	s, err := n.SuspendMerchant(ctx, m.ID)
	if err != nil || !s.Suspended() {
		t.Fatalf("SuspendMerchant = %+v, %v", s, err)
	}
	again, err := n.SuspendMerchant(ctx, m.ID)
	if err != nil || !again.SuspendedAt.Equal(s.SuspendedAt) {
		t.Fatalf("suspending again moved the time: %v -> %v (%v)", s.SuspendedAt, again.SuspendedAt, err)
	}
	_, err = n.MerchantByToken(ctx, tok)
	if !errors.Is(err, ErrSuspended) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("token of a suspended merchant: %v, want ErrSuspended (an ErrNotFound)", err)
	}
	// No take of its stock, alone or beside another merchant's line (all
	// or nothing); the other merchant sells on.
	err = n.ChangeStock(ctx, []StockChange{{ListingID: pot.ID, SKU: "POT-1", Delta: -1}, {ListingID: pan.ID, SKU: "PAN-1", Delta: -1}}, nil)
	var short *ShortError
	if !errors.As(err, &short) || len(short.Lines) != 1 || short.Lines[0].ListingID != pan.ID || short.Lines[0].Available != 0 {
		t.Fatalf("a take of a suspended merchant's listing: %v", err)
	}
	if err := n.ChangeStock(ctx, []StockChange{{ListingID: pot.ID, SKU: "POT-1", Delta: -1}}, nil); err != nil {
		t.Fatalf("the other merchant's listing: %v", err)
	}
	// A cancelled hold gives its units back.
	if err := n.ChangeStock(ctx, []StockChange{{ListingID: pan.ID, SKU: "PAN-1", Delta: 2}}, nil); err != nil {
		t.Fatalf("returning units to a suspended merchant's listing: %v", err)
	}
	if l, _ := n.Listing(ctx, pan.ID); l.Variants[0].Stock != 10 {
		t.Fatalf("stock after the return: %d, want 10", l.Variants[0].Stock)
	}
	// Renaming and a new token still work for the operator; the token
	// is refused until the merchant is reinstated.
	tok2, err := n.RotateMerchantToken(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.MerchantByToken(ctx, tok2); !errors.Is(err, ErrSuspended) {
		t.Fatalf("a new token of a suspended merchant: %v", err)
	}

	r, err := n.ReinstateMerchant(ctx, m.ID)
	if err != nil || r.Suspended() {
		t.Fatalf("ReinstateMerchant = %+v, %v", r, err)
	}
	if got, err := n.MerchantByToken(ctx, tok2); err != nil || got.ID != m.ID {
		t.Fatalf("token after reinstatement: %+v, %v", got, err)
	}
	if err := n.ChangeStock(ctx, []StockChange{{ListingID: pan.ID, SKU: "PAN-1", Delta: -3}}, nil); err != nil {
		t.Fatalf("a take after reinstatement: %v", err)
	}
	if l, _ := n.Listing(ctx, pan.ID); l.Variants[0].Stock != 7 {
		t.Fatalf("stock after the take: %d, want 7", l.Variants[0].Stock)
	}
	for name, f := range map[string]func(context.Context, string) (Merchant, error){"suspend": n.SuspendMerchant, "reinstate": n.ReinstateMerchant} {
		if _, err := f(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s an unknown merchant: %v", name, err)
		}
	}
}
