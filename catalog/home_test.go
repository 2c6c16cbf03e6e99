package catalog

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/groupsync"
	"github.com/fedmart/fedmart/internal/testwait"
)

func TestCreateReplaceTakeDown(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)

	l, err := n.CreateListing(ctx, m, input("Pan", "PAN-1", "PAN-2"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Version != 1 || l.Platform != n.Platform() || l.Merchant != m || l.Variants[1].Stock != 11 {
		t.Fatalf("created %+v", l)
	}
	if got, err := n.Listing(ctx, l.ID); err != nil || got.Title != "Pan" || got.Variants[0].Stock != 10 {
		t.Fatalf("Listing = %+v, %v", got, err)
	}
	if n.Count() != 1 || n.Marks()[n.Platform()] != 1 { // one record, carrying the stock
		t.Fatalf("count %d marks %v", n.Count(), n.Marks())
	}

	in := input("Pan deluxe", "PAN-1", "PAN-3")
	l2, err := n.ReplaceListing(ctx, m, l.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if l2.Version != 2 || l2.Title != "Pan deluxe" || l2.Variants[1].SKU != "PAN-3" || l2.Variants[1].Stock != 11 {
		t.Fatalf("replaced %+v", l2)
	}
	// The same input again signs nothing.
	if _, err := n.ReplaceListing(ctx, m, l.ID, in); err != nil || n.Marks()[n.Platform()] != 2 {
		t.Fatalf("identical replace: %v, marks %v", err, n.Marks())
	}
	// PAN-2 left the listing, so another listing may use it.
	if _, err := n.CreateListing(ctx, m, input("Lid", "PAN-2")); err != nil {
		t.Fatal(err)
	}

	if err := n.SetStock(ctx, m, l.ID, "PAN-3", 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := n.Listing(ctx, l.ID); got.Variants[1].Stock != 0 || got.Version != 2 {
		t.Fatalf("after SetStock %+v", got)
	}
	if err := n.TakeDown(ctx, m, l.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listing(ctx, l.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after takedown err = %v", err)
	}
	if err := n.TakeDown(ctx, m, l.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second takedown err = %v", err)
	}
	if n.Count() != 1 {
		t.Fatalf("count %d", n.Count())
	}
	// Its SKUs are free again.
	if _, err := n.CreateListing(ctx, m, input("Pan again", "PAN-1")); err != nil {
		t.Fatal(err)
	}
}

func TestMerchantsOnlyReachTheirOwnListings(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	alice, bob := n.merchant(t), n.merchant(t)
	l, err := n.CreateListing(ctx, alice, input("Pan", "PAN-1"))
	if err != nil {
		t.Fatal(err)
	}
	before := n.Marks()[n.Platform()]
	tests := []struct {
		name string
		call func() error
	}{
		{"replace", func() error { _, err := n.ReplaceListing(ctx, bob, l.ID, input("Mine", "PAN-1")); return err }},
		{"take down", func() error { return n.TakeDown(ctx, bob, l.ID) }},
		{"set stock", func() error { return n.SetStock(ctx, bob, l.ID, "PAN-1", 0) }},
		{"malformed id", func() error { return n.TakeDown(ctx, alice, "nope") }},
		{"unknown sku", func() error { return n.SetStock(ctx, alice, l.ID, "PAN-9", 1) }},
		{"unknown merchant", func() error { _, err := n.CreateListing(ctx, newLocalID(), input("X", "X-1")); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
		})
	}
	if got := n.Marks()[n.Platform()]; got != before {
		t.Fatalf("seq moved from %d to %d", before, got)
	}
	if got, _ := n.Listing(ctx, l.ID); got.Title != "Pan" || got.Variants[0].Stock != 10 {
		t.Fatalf("listing changed: %+v", got)
	}
}

func TestSKUsAreUniquePerMerchant(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	alice, bob := n.merchant(t), n.merchant(t)
	if _, err := n.CreateListing(ctx, alice, input("Pan", "PAN-1")); err != nil {
		t.Fatal(err)
	}
	_, err := n.CreateListing(ctx, alice, input("Pot", "POT-1", "PAN-1"))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Field != "variants[1].sku" || !strings.Contains(ve.Errors[0].Message, "already used") {
		t.Fatalf("err = %v", err)
	}
	if _, err := n.CreateListing(ctx, bob, input("Pan", "PAN-1")); err != nil {
		t.Fatalf("another merchant's SKU space: %v", err)
	}
}

func TestWriteRefusals(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.MaxRecordBytes = 2048
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)
	in := input("Pan", "PAN-1")
	in.Description = strings.Repeat("long ", 1000)
	_, err := n.CreateListing(ctx, m, in)
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Errors[0].Message, "catalog.max_record_bytes") {
		t.Fatalf("oversize listing: %v", err)
	}
	l, err := n.CreateListing(ctx, m, input("Pan", "PAN-1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.SetStock(ctx, m, l.ID, "PAN-1", -1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("negative stock: %v", err)
	}
	if n.Count() != 1 || n.Marks()[n.Platform()] != 1 {
		t.Fatalf("count %d marks %v", n.Count(), n.Marks())
	}
}

func TestOnChange(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	l, err := n.CreateListing(ctx, m, input("Pan", "PAN-1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.SetStock(ctx, m, l.ID, "PAN-1", 3); err != nil {
		t.Fatal(err)
	}
	if err := n.TakeDown(ctx, m, l.ID); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind  Kind
		stock int64 // -1: no listing
	}{{KindListing, 10}, {KindStock, 3}, {KindListing, -1}} // the first carries its stock
	if len(n.changes) != len(want) {
		t.Fatalf("%d changes, want %d", len(n.changes), len(want))
	}
	if !n.changes[0].Record.CarriesStock() {
		t.Fatal("a new listing's record does not carry its stock")
	}
	for i, w := range want {
		ch := n.changes[i]
		if ch.ID != l.ID || ch.Record.Kind != w.kind || ch.Record.Seq != uint64(i+1) || len(ch.Raw) == 0 {
			t.Fatalf("change %d: %+v", i, ch)
		}
		if (w.stock < 0) != (ch.Listing == nil) || ch.Listing != nil && ch.Listing.Variants[0].Stock != w.stock {
			t.Fatalf("change %d listing %+v, want stock %d", i, ch.Listing, w.stock)
		}
	}
}

func TestMerchantListingsPages(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m, other := n.merchant(t), n.merchant(t)
	ids := map[string]bool{}
	for i := range 7 {
		l, err := n.CreateListing(ctx, m, input("Pan", "PAN-"+string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		ids[l.ID] = true
	}
	if _, err := n.CreateListing(ctx, other, input("Other", "O-1")); err != nil {
		t.Fatal(err)
	}
	cursor, pages := "", 0
	for {
		page, next, err := n.MerchantListings(ctx, m, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, l := range page {
			if !ids[l.ID] {
				t.Fatalf("unexpected or repeated listing %s", l.ID)
			}
			delete(ids, l.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(ids) != 0 || pages != 3 {
		t.Fatalf("missed %v in %d pages", ids, pages)
	}
	if _, _, err := n.MerchantListings(ctx, m, "bogus", 3); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad cursor err = %v", err)
	}
	all := 0
	if err := n.All(func(Listing) error { all++; return nil }); err != nil || all != 8 {
		t.Fatalf("All saw %d, %v", all, err)
	}
}

func TestNoCurrencyUntilCharter(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.Currency = ""
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)
	_, err := n.CreateListing(ctx, m, input("Pan", "PAN-1"))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Field != "variants[0].price.currency" || !strings.Contains(ve.Errors[0].Message, "not known") {
		t.Fatalf("without a currency: %v", err)
	}
	n.SetCurrency("EUR")
	if _, err := n.CreateListing(ctx, m, input("Pan", "PAN-1")); err != nil {
		t.Fatal(err)
	}
	n.SetCurrency("CHF")
	if _, err := n.CreateListing(ctx, m, input("Pot", "POT-1")); !errors.As(err, &ve) || !strings.Contains(ve.Errors[0].Message, "must be CHF") {
		t.Fatalf("after a currency change: %v", err)
	}
}

func TestStampFollowsContent(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	m := a.merchant(t)
	s0 := must(a.Stamp())
	l, err := a.CreateListing(ctx, m, input("Pan", "PAN-1"))
	if err != nil {
		t.Fatal(err)
	}
	s1 := must(a.Stamp())
	if s1 == s0 || must(a.Stamp()) != s1 {
		t.Fatalf("stamps %q %q", s0, s1)
	}
	if _, err := a.ReplaceListing(ctx, m, l.ID, input("Pan", "PAN-1")); err != nil { // identical: no change
		t.Fatal(err)
	}
	if must(a.Stamp()) != s1 {
		t.Fatal("stamp moved without a change")
	}
	if must(b.Stamp()) == must(a.Stamp()) {
		t.Fatal("two databases share a stamp")
	}
	bs := must(b.Stamp())
	if _, err := b.Apply(a.rawOf(t, 1)); err != nil {
		t.Fatal(err)
	}
	if must(b.Stamp()) == bs {
		t.Fatal("stamp did not move with an applied record")
	}
}

// TestListingsOfReplicated: another member's merchant's listings are paged
// on this node from its replicated copy, and only that merchant's.
func TestListingsOfReplicated(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	home, here := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m, other := home.merchant(t), home.merchant(t)
	want := map[string]bool{}
	for i := range 4 {
		l, err := home.CreateListing(ctx, m, input("Pan", "PAN-"+string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		want[l.ID] = true
	}
	if _, err := home.CreateListing(ctx, other, input("Other", "O-1")); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, here, home, 10)
	cursor := ""
	for {
		page, next, err := here.ListingsOf(ctx, home.Platform(), m, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range page {
			if !want[l.ID] {
				t.Fatalf("unexpected or repeated listing %s", l.ID)
			}
			delete(want, l.ID)
		}
		if cursor = next; next == "" {
			break
		}
	}
	if len(want) != 0 {
		t.Fatalf("missed %v", want)
	}
	if _, _, err := here.ListingsOf(ctx, "not-a-peer", m, "", 3); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a bad platform: %v", err)
	}
}

// TestOneEditIsOnDiskBeforeItReturns checks that a merchant's single
// edits return only after a flush that began after their commit, and
// that an edit which changes nothing flushes nothing.
func TestOneEditIsOnDiskBeforeItReturns(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, testConfig(), &memberSet{})
	m := n.merchant(t)
	gate := make(chan struct{})
	var flushes atomic.Int64
	n.SyncWith(groupsync.New(func() error {
		flushes.Add(1)
		<-gate
		return n.db.Sync()
	}, 0))

	created := make(chan error, 1)
	var l Listing
	go func() {
		var err error
		l, err = n.CreateListing(ctx, m, input("Pan", "PAN-1"))
		created <- err
	}()
	testwait.For(t, 10*time.Second, func() error {
		if flushes.Load() != 1 {
			return errors.New("the new listing's flush has not begun")
		}
		return nil
	})
	select {
	case err := <-created:
		t.Fatalf("CreateListing returned before its flush ended: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(gate)
	if err := <-created; err != nil {
		t.Fatal(err)
	}

	if err := n.SetStock(ctx, m, l.ID, "PAN-1", l.Variants[0].Stock); err != nil {
		t.Fatal(err)
	}
	if got := flushes.Load(); got != 1 {
		t.Fatalf("%d flushes after an edit that changed nothing, want 1", got)
	}
	if err := n.SetStock(ctx, m, l.ID, "PAN-1", 3); err != nil {
		t.Fatal(err)
	}
	if err := n.TakeDown(ctx, m, l.ID); err != nil {
		t.Fatal(err)
	}
	if got := flushes.Load(); got != 3 {
		t.Fatalf("%d flushes after two edits that changed the listing, want 3", got)
	}
}
