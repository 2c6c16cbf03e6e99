package order

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"reflect"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// TestLongOrdersAndHomePartsAreStoredPacked buys two parts from another
// member: the storefront's order and the home's parts, each rewritten at
// every status, are stored packed, the order short enough to stay in
// Badger's tree (under its 1 KiB value threshold), and read back as they
// were. An order stored as plain JSON, by a build before packing, still
// reads.
func TestLongOrdersAndHomePartsAreStoredPacked(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	apron := f.list(b, "linen", "APRON", 2479, 10)
	o, err := f.buy(a, "k1", 1, pan, apron)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range o.Parts {
		statusOn(t, a, p.ID, StatusAccepted)
	}
	ctx := context.Background()
	want, err := a.svc.GetOrder(ctx, "", o.ID)
	if err != nil {
		t.Fatal(err)
	}

	stored := storedValue(t, a.db, prefixOrder+o.ID)
	plain := mustUnpack(t, stored)
	if stored[0] != packed || len(plain) <= packAbove {
		t.Fatalf("the order is stored as %d bytes starting %#x, its JSON %d bytes; want it packed", len(stored), stored[0], len(plain))
	}
	if len(stored) >= 1024 {
		t.Errorf("the packed order takes %d bytes, not under Badger's value threshold of 1 KiB (%d unpacked)", len(stored), len(plain))
	}
	for _, p := range o.Parts {
		home := storedValue(t, b.db, prefixHome+p.ID)
		if plain := mustUnpack(t, home); len(plain) <= packAbove || home[0] != packed {
			t.Errorf("home part %s is stored as %d bytes starting %#x, its JSON %d bytes; want it packed", p.ID, len(home), home[0], len(plain))
		}
		var h HomePart
		if err := b.db.View(func(txn *badger.Txn) error { _, err := getJSON(txn, prefixHome+p.ID, &h); return err }); err != nil || h.ID != p.ID {
			t.Errorf("home part %s reads back as %q: %v", p.ID, h.ID, err)
		}
	}

	// The same order as an earlier build stored it reads the same.
	if err := a.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(prefixOrder+o.ID), plain) }); err != nil {
		t.Fatal(err)
	}
	got, err := a.svc.GetOrder(ctx, "", o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the order stored plain reads\n%+v\nwant\n%+v", got, want)
	}
	// The next status the storefront folds stores it packed again.
	part := o.Parts[0]
	if _, err := b.svc.Ship(ctx, part.Merchant, part.ID, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, part.ID, StatusShipped)
	if stored := storedValue(t, a.db, prefixOrder+o.ID); stored[0] != packed {
		t.Errorf("after a status the order is stored as %d bytes starting %#x, want it packed", len(stored), stored[0])
	}
}

func storedValue(t *testing.T, db *badger.DB, key string) []byte {
	t.Helper()
	var v []byte
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(key))
		if err != nil {
			return err
		}
		v, err = item.ValueCopy(nil)
		return err
	})
	if err != nil || len(v) == 0 {
		t.Fatalf("reading %s: %d bytes, %v", key, len(v), err)
	}
	return v
}

func mustUnpack(t *testing.T, b []byte) []byte {
	t.Helper()
	plain, err := unpack(b)
	if err != nil || !json.Valid(plain) {
		t.Fatalf("unpacking %d stored bytes: %v (valid JSON: %v)", len(b), err, json.Valid(plain))
	}
	return plain
}

// TestPackKeepsWhatDoesNotShrink: a value that S2 cannot make shorter
// is stored as it is, and reads back.
func TestPackKeepsWhatDoesNotShrink(t *testing.T) {
	b := make([]byte, 2*packAbove)
	rand.Read(b)
	b[0] = '"' // not the packed byte
	if got := pack(b); !bytes.Equal(got, b) {
		t.Errorf("pack made %d random bytes into %d bytes starting %#x, want them kept", len(b), len(got), got[0])
	}
	long := bytes.Repeat([]byte(`{"a":1},`), packAbove)
	if got := pack(long); got[0] != packed || len(got) >= len(long) {
		t.Errorf("pack made %d repetitive bytes into %d starting %#x, want them packed", len(long), len(got), got[0])
	} else if back, err := unpack(got); err != nil || !bytes.Equal(back, long) {
		t.Errorf("unpack gave %d bytes back, %v; want the %d packed", len(back), err, len(long))
	}
}
