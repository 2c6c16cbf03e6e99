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
