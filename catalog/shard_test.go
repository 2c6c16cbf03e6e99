package catalog

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// TestShardsHoldOnlyTheirCategories: a member holding the "Books" shard
// stores and counts the other members' books only, while its marks move
// over everything it verified; a listing that leaves the shard is let go
// and no older version comes back; one that comes back is held again,
// with its stock; a record forged outside the shard moves nothing; and
// reopening with more shards catches up again what was skipped, with
// fewer lets go of what is outside them.
func TestShardsHoldOnlyTheirCategories(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a := newNode(t, testConfig(), members)
	cfg := testConfig()
	cfg.Shards = []string{"Books"}
	b := newNode(t, cfg, members)
	m := a.merchant(t)
	book := input("A novel", "BOOK-1")
	book.Category = "Books > Fiction"
	lb, err := a.CreateListing(ctx, m, book)
	if err != nil {
		t.Fatal(err)
	}
	lh, err := a.CreateListing(ctx, m, input("A pan", "PAN-1")) // Home > Kitchen > Cookware
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetStock(ctx, m, lb.ID, "BOOK-1", 7); err != nil {
		t.Fatal(err)
	}
	if err := a.SetStock(ctx, m, lh.ID, "PAN-1", 3); err != nil {
		t.Fatal(err)
	}
	origin := a.Platform()
	syncFrom(t, b, a, 2)
	if got, err := b.Listing(ctx, lb.ID); err != nil || got.Variants[0].Stock != 7 {
		t.Fatalf("the book on the Books member: %+v %v", got, err)
	}
	if _, err := b.Listing(ctx, lh.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the pan on the Books member: %v", err)
	}
	if err := b.db.View(func(txn *badger.Txn) error {
		h, err := getHead(txn, stockKey(lh.ID))
		if err == nil && h.seq != 0 {
			err = errors.New("the pan's stock record is stored")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if b.Count() != 1 || a.Count() != 2 {
		t.Fatalf("counts: %d on the Books member, %d at home", b.Count(), a.Count())
	}
	if hasGap(b.Catalog, origin) || b.Marks()[origin] != a.Marks()[origin] {
		t.Fatalf("marks: %d on the Books member, %d at home (gap %v)", b.Marks()[origin], a.Marks()[origin], hasGap(b.Catalog, origin))
	}
	if v := b.Vouched(); !maps.Equal(v, map[string]uint64{b.Platform(): b.Marks()[b.Platform()]}) {
		t.Fatalf("the Books member vouches for %v", v)
	}
	if v := a.Vouched(); !maps.Equal(v, a.Marks()) {
		t.Fatalf("the member holding everything vouches for %v, its marks are %v", v, a.Marks())
	}

	// The book moves to Home: let go; the version before it stays out.
	moved := book
	moved.Category = "Home > Decor"
	if _, err := a.ReplaceListing(ctx, m, lb.ID, moved); err != nil {
		t.Fatal(err)
	}
	seen := len(b.raws())
	syncFrom(t, b, a, 10)
	if _, err := b.Listing(ctx, lb.ID); !errors.Is(err, ErrNotFound) || b.Count() != 0 {
		t.Fatalf("the book moved out: %v, count %d", err, b.Count())
	}
	b.mu.Lock()
	away := slices.ContainsFunc(b.changes[seen:], func(ch Change) bool { return ch.Away && ch.ID == lb.ID })
	b.mu.Unlock()
	if !away {
		t.Fatal("no Away change for the search index")
	}
	if _, err := b.Apply(a.rawOf(t, 1)); !errors.Is(err, ErrStale) {
		t.Fatalf("the book's first version, again: %v", err)
	}
	if _, err := b.Listing(ctx, lb.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the book came back: %v", err)
	}

	// A forged record outside the shard is refused and moves no mark.
	if _, err := a.ReplaceListing(ctx, m, lh.ID, input("A pan, renamed", "PAN-1")); err != nil {
		t.Fatal(err)
	}
	before := b.Marks()[origin]
	raw := a.rawOf(t, before+1)
	forged := append([]byte(nil), raw...)
	forged[len(forged)-3] ^= 1 // inside the signature
	if _, err := b.Apply(forged); !errors.Is(err, ErrForged) && !errors.Is(err, ErrInvalid) {
		t.Fatalf("a forged record: %v", err)
	}
	if b.Marks()[origin] != before {
		t.Fatalf("mark %d after the forged record, want %d", b.Marks()[origin], before)
	}
	if _, err := b.Apply(raw); !errors.Is(err, ErrAway) || !Skipped(err) || b.Marks()[origin] != before+1 {
		t.Fatalf("the renamed pan: %v, mark %d", err, b.Marks()[origin])
	}

	// The book comes back to Books with its stock, which its home signs
	// again since the listing changed shards, though the units did not.
	if _, err := a.ReplaceListing(ctx, m, lb.ID, book); err != nil {
		t.Fatal(err)
	}
	home, _ := a.Listing(ctx, lb.ID)
	syncFrom(t, b, a, 10)
	if got, err := b.Listing(ctx, lb.ID); err != nil || got.Variants[0].Stock != home.Variants[0].Stock || got.Category != "Books > Fiction" {
		t.Fatalf("the book back: %+v %v", got, err)
	}

	// Reopened holding every category: the marks start again and a
	// catch-up brings the pan.
	clock := func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }
	all, err := Open(testConfig(), b.db, b.key, members, nil, clock)
	if err != nil {
		t.Fatal(err)
	}
	if all.Marks()[origin] != 0 {
		t.Fatalf("widened: mark %d, want 0", all.Marks()[origin])
	}
	wide := &testNode{Catalog: all, db: b.db, key: b.key}
	syncFrom(t, wide, a, 10)
	if _, err := all.Listing(ctx, lh.ID); err != nil || all.Count() != 2 {
		t.Fatalf("widened: the pan %v, count %d", err, all.Count())
	}
	// Reopened with Books again: the pan is let go at once.
	narrow, err := Open(cfg, b.db, b.key, members, nil, clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := narrow.Listing(ctx, lh.ID); !errors.Is(err, ErrNotFound) || narrow.Count() != 1 || narrow.Marks()[origin] != a.Marks()[origin] {
		t.Fatalf("narrowed: the pan %v, count %d, mark %d", err, narrow.Count(), narrow.Marks()[origin])
	}
}

func TestShardsConfig(t *testing.T) {
	for _, tc := range []struct {
		shards []string
		want   string
	}{
		{[]string{"Books", " "}, "catalog.shards[1]"},
		{[]string{"Home > Kitchen"}, "catalog.shards[0]"},
		{[]string{"Books", "books"}, "catalog.shards[1]: \"books\" is listed twice"},
	} {
		cfg := testConfig()
		cfg.Shards = tc.shards
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.shards, err, tc.want)
		}
	}
	if got := ShardOf(" Home  > Kitchen"); got != "home" {
		t.Fatalf("ShardOf: %q", got)
	}
}
