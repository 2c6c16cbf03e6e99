package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/record"
	"google.golang.org/protobuf/encoding/protowire"
)

// TestAnUpdateDraftsWhatTheFullLoadDrafts drafts feed updates of every
// kind twice, from the same stored listing: with loadUpdate, which
// decodes only an outline of the stored record, and with loadOwned (the
// whole stored records) followed by update. The two drafts must sign the
// same thing from the same heads, and read the same afterwards.
func TestAnUpdateDraftsWhatTheFullLoadDrafts(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.StockPublishEvery = time.Minute // stock taken by orders stays pending
	n := newNode(t, cfg, &memberSet{})
	m := n.merchant(t)
	mp, err := n.Merchant(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	runPublisher(t, n.Catalog)
	cases := []struct {
		name   string
		before func(id string, in ListingInput) // brings the stored listing to the state the case starts from
		change func(in *ListingInput)
	}{
		{"price", nil, func(in *ListingInput) { in.Variants[0].Price.Amount++ }},
		{"stock", nil, func(in *ListingInput) { in.Variants[1].Stock = 3 }},
		{"price and stock", nil, func(in *ListingInput) { in.Title = "Pan, large"; in.Variants[0].Stock = 0 }},
		{"a SKU renamed, one added", nil, func(in *ListingInput) {
			in.Variants[1].SKU += "B"
			in.Variants = append(in.Variants, Variant{SKU: in.Variants[0].SKU + "C", Price: Money{Amount: 100, Currency: "EUR"}, Stock: 1})
		}},
		{"to another shard, stock unchanged", nil, func(in *ListingInput) { in.Category = "Garden > Tools" }},
		{"after a separate stock record", func(id string, in ListingInput) {
			in.Variants[0].Stock = 7
			if _, err := n.ReplaceListing(ctx, m, id, in); err != nil {
				t.Fatal(err)
			}
		}, func(in *ListingInput) { in.Variants[0].Stock = 7; in.Brand = "Other" }},
		{"a translation added, stock changed", nil, func(in *ListingInput) {
			in.Translations = map[string]Translation{"zh-CN": {Title: "平底锅"}}
			in.Variants[1].Stock = 9
		}},
		{"stock changed, after a translation", func(id string, in ListingInput) {
			in.Translations = map[string]Translation{"zh-CN": {Title: "平底锅", Description: "结实耐用。"}}
			if _, err := n.ReplaceListing(ctx, m, id, in); err != nil {
				t.Fatal(err)
			}
		}, func(in *ListingInput) {
			in.Translations = map[string]Translation{"zh-CN": {Title: "平底锅", Description: "结实耐用。"}}
			in.Variants[0].Stock = 2
		}},
		{"stock pending from an order, description changed", func(id string, in ListingInput) {
			if err := n.ChangeStock(ctx, []StockChange{{ListingID: id, SKU: in.Variants[0].SKU, Delta: -2}}, nil); err != nil {
				t.Fatal(err)
			}
		}, func(in *ListingInput) { in.Variants[0].Stock = 8; in.Description = "New words." }},
		{"stock pending from an order, stock set", func(id string, in ListingInput) {
			if err := n.ChangeStock(ctx, []StockChange{{ListingID: id, SKU: in.Variants[0].SKU, Delta: -1}}, nil); err != nil {
				t.Fatal(err)
			}
		}, func(in *ListingInput) { in.Variants[0].Stock = 4 }},
	}
	for k, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input("Pan", fmt.Sprintf("PAN-%d-1", k), fmt.Sprintf("PAN-%d-2", k)) // a listing of its own per case
			l, err := n.CreateListing(ctx, m, in)
			if err != nil {
				t.Fatal(err)
			}
			if tc.before != nil {
				tc.before(l.ID, in)
			}
			tc.change(&in)
			prep := func() *prepared {
				p, errs := n.prepare(m, mp.Name, in)
				if errs != nil {
					t.Fatal(errs)
				}
				return p
			}
			txn := n.db.NewTransaction(false)
			defer txn.Discard()
			lh, err := getHead(txn, listingKey(l.ID))
			if err != nil {
				t.Fatal(err)
			}
			sh, err := getHead(txn, stockKey(l.ID))
			if err != nil {
				t.Fatal(err)
			}
			lean, err := n.loadUpdate(txn, m, l.ID, lh, sh, prep())
			if err != nil {
				t.Fatal(err)
			}
			full, err := n.loadOwned(txn, m, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			full.update(n.self, prep())
			if !full.changed() {
				t.Fatal("the case changes nothing")
			}
			if _, pending, err := getPending(txn, l.ID); err != nil || pending != (tc.before != nil && strings.Contains(tc.name, "pending")) {
				t.Fatalf("stock pending: %v, %v", pending, err)
			}
			compareDrafts(t, lean, full)
		})
	}
}

// compareDrafts fails unless got would sign, store and show what want
// would. (want's stock names every SKU, 0 where its record has none;
// stock is compared as the SKUs read it.)
func compareDrafts(t *testing.T, got, want *draft) {
	t.Helper()
	type signs struct {
		desc, stock, pending      bool
		descSum, stockSum, record digest
		prevL, prevS              head
		oldSKUs                   []string
	}
	of := func(d *draft) signs {
		return signs{d.signDesc, d.signStock, d.pending, d.descSum, d.stockSum, d.recordSum, d.prevL, d.prevS, d.oldSKUs}
	}
	if g, w := of(got), of(want); !reflect.DeepEqual(g, w) {
		t.Fatalf("drafts differ:\n got  %+v\n want %+v", g, w)
	}
	if g, w := got.view(), want.view(); !reflect.DeepEqual(g, w) {
		t.Fatalf("views differ:\n got  %+v\n want %+v", g, w)
	}
	for _, s := range want.desc.skus() {
		if got.stock[s] != want.stock[s] {
			t.Fatalf("stock of %s: %d, want %d", s, got.stock[s], want.stock[s])
		}
	}
	if got.signStock && !reflect.DeepEqual(got.stock, want.stock) { // a signed stock map is as it is
		t.Fatalf("signed stock %v, want %v", got.stock, want.stock)
	}
}

// TestAPaddedEnvelopeIsRefused: the signature of a record covers only
// its payload, so a relay could pad one of a member's records (repeat a
// field in front, add one the envelope does not have) and every member
// would store and forward the padding. Members refuse such an envelope,
// and the genuine record still comes through. What reads a stored
// payload without libp2p's decoder reads it as that decoder does.
func TestAPaddedEnvelopeIsRefused(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	if _, err := a.CreateListing(ctx, m, input("Pan", "PAN-1", "PAN-2")); err != nil {
		t.Fatal(err)
	}
	raws := a.raws()
	genuine := raws[len(raws)-1]
	bogus := []byte(`{"listing":{"category":"Garden > Tools","variants":[{"sku":"GHOST"}]}}`)
	repeated := protowire.AppendBytes(protowire.AppendTag(nil, 3, protowire.BytesType), bogus)
	repeated = append(repeated, genuine...)
	unknown := protowire.AppendBytes(protowire.AppendTag(slices.Clone(genuine), 9, protowire.BytesType), bogus)

	env, err := record.UnmarshalEnvelope(repeated)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := envelopePayload(repeated); err != nil || !bytes.Equal(got, env.RawPayload) {
		t.Fatalf("envelopePayload read %.80q (%v), libp2p %.80q", got, err, env.RawPayload)
	}
	for name, raw := range map[string][]byte{"a payload repeated": repeated, "a field added": unknown} {
		if _, err := Decode(raw, 1<<20); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Decode gave %v, want ErrInvalid", name, err)
		}
		if _, err := b.Apply(raw); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Apply gave %v, want ErrInvalid", name, err)
		}
	}
	if _, err := b.Apply(genuine); err != nil {
		t.Fatalf("the genuine record: %v", err)
	}
}
