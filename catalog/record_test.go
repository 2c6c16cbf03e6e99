package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// wellFormed returns a listing record of origin that Decode accepts.
func wellFormed(origin string) *Record {
	id := FormatID(origin, newLocalID(), newLocalID())
	platform, merchant, _, _ := ParseID(id)
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // not ahead of any test node's clock
	l := describe(input("Pan", "PAN-1"))
	l.ID, l.Platform, l.Merchant, l.Version, l.UpdatedAt = id, platform, merchant, 1, t
	return &Record{Origin: origin, Seq: 1, Kind: KindListing, ListingID: id, Version: 1, Listing: l, Time: t}
}

func mustSeal(t testing.TB, rec interface {
	Domain() string
	Codec() []byte
	MarshalRecord() ([]byte, error)
	UnmarshalRecord([]byte) error
}, key crypto.PrivKey) []byte {
	t.Helper()
	raw, err := seal(rec, key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// foreignDomain is a record signed for another purpose with the catalog's codec.
type foreignDomain struct{ signedPayload }

func (*foreignDomain) Domain() string { return "someone-else" }

// foreignCodec is a record of another type signed in the catalog's domain.
type foreignCodec struct{ signedPayload }

func (*foreignCodec) Codec() []byte { return []byte("/other/1") }

func TestDecodeRoundTrip(t *testing.T) {
	key := newKey(t)
	rec := wellFormed(peerOf(t, key))
	raw := mustSeal(t, rec, key)
	got, err := Decode(raw, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(rec)
	b, _ := json.Marshal(got)
	if !bytes.Equal(a, b) {
		t.Fatalf("decoded\n%s\nwant\n%s", b, a)
	}
}

func TestDecodeRefuses(t *testing.T) {
	key, other := newKey(t), newKey(t)
	origin := peerOf(t, key)
	tests := []struct {
		name string
		raw  func() []byte
		max  int
		want error
	}{
		{"garbage", func() []byte { return []byte("not an envelope") }, 0, ErrInvalid},
		{"empty", func() []byte { return nil }, 0, ErrInvalid},
		{"tampered", func() []byte {
			return bytes.Replace(mustSeal(t, wellFormed(origin), key), []byte(`"Pan"`), []byte(`"Pot"`), 1)
		}, 0, ErrForged},
		{"signed by another key", func() []byte { return mustSeal(t, wellFormed(origin), other) }, 0, ErrForged},
		{"signed in another domain", func() []byte {
			p := foreignDomain{signedPayload(must(json.Marshal(wellFormed(origin))))}
			return mustSeal(t, &p, key)
		}, 0, ErrForged},
		{"another payload type", func() []byte {
			p := foreignCodec{signedPayload(must(json.Marshal(wellFormed(origin))))}
			return mustSeal(t, &p, key)
		}, 0, ErrInvalid},
		{"oversize", func() []byte { return mustSeal(t, wellFormed(origin), key) }, 200, ErrTooLarge},
		{"unknown field", func() []byte { return signJSON(t, key, wellFormed(origin), `"seq":1`, `"seq":1,"extra":true`) }, 0, ErrInvalid},
		{"field named twice", func() []byte { return signJSON(t, key, wellFormed(origin), `"seq":1`, `"seq":1,"seq":2`) }, 0, ErrInvalid},
		{"field name in another case", func() []byte { return signJSON(t, key, wellFormed(origin), `"seq":1`, `"SEQ":1`) }, 0, ErrInvalid},
		{"seq zero", func() []byte { r := wellFormed(origin); r.Seq = 0; return mustSeal(t, r, key) }, 0, ErrInvalid},
		{"unknown kind", func() []byte { r := wellFormed(origin); r.Kind = "price"; return mustSeal(t, r, key) }, 0, ErrInvalid},
		{"other platform's listing", func() []byte {
			r := wellFormed(origin)
			r.ListingID = FormatID(peerOf(t, other), newLocalID(), newLocalID())
			return mustSeal(t, r, key)
		}, 0, ErrInvalid},
		{"listing missing", func() []byte { r := wellFormed(origin); r.Listing = nil; return mustSeal(t, r, key) }, 0, ErrInvalid},
		{"listing id differs", func() []byte { r := wellFormed(origin); r.Listing.ID = "x"; return mustSeal(t, r, key) }, 0, ErrInvalid},
		{"stock inside description", func() []byte { r := wellFormed(origin); r.Listing.Variants[0].Stock = 3; return mustSeal(t, r, key) }, 0, ErrInvalid},
		{"tombstone with listing", func() []byte { r := wellFormed(origin); r.Tombstone = true; return mustSeal(t, r, key) }, 0, ErrInvalid},
		{"stock record without stock", func() []byte {
			r := wellFormed(origin)
			r.Kind, r.Listing, r.StockVersion = KindStock, nil, 1
			return mustSeal(t, r, key)
		}, 0, ErrInvalid},
		{"negative stock", func() []byte {
			r := wellFormed(origin)
			r.Kind, r.Listing, r.StockVersion, r.Stock = KindStock, nil, 1, map[string]int64{"PAN-1": -1}
			return mustSeal(t, r, key)
		}, 0, ErrInvalid},
		{"listing carrying stock without a stock version", func() []byte {
			r := wellFormed(origin)
			r.Stock = map[string]int64{"PAN-1": 3}
			return mustSeal(t, r, key)
		}, 0, ErrInvalid},
		{"listing carrying negative stock", func() []byte {
			r := wellFormed(origin)
			r.Stock, r.StockVersion = map[string]int64{"PAN-1": -1}, 1
			return mustSeal(t, r, key)
		}, 0, ErrInvalid},
		{"listing with a stock version and no stock", func() []byte {
			r := wellFormed(origin)
			r.StockVersion = 1
			return mustSeal(t, r, key)
		}, 0, ErrInvalid},
		{"tombstone carrying stock", func() []byte {
			r := wellFormed(origin)
			r.Tombstone, r.Listing, r.Stock, r.StockVersion = true, nil, map[string]int64{"PAN-1": 3}, 1
			return mustSeal(t, r, key)
		}, 0, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := tt.max
			if limit == 0 {
				limit = 64 << 10
			}
			rec, err := Decode(tt.raw(), limit)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %+v, %v; want %v", rec, err, tt.want)
			}
		})
	}
}

// signJSON signs rec's JSON with old replaced by new.
func signJSON(t testing.TB, key crypto.PrivKey, rec *Record, old, new string) []byte {
	t.Helper()
	b := must(json.Marshal(rec))
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s not in %s", old, b)
	}
	p := signedPayload(bytes.Replace(b, []byte(old), []byte(new), 1))
	return mustSeal(t, &p, key)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
