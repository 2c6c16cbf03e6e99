package catalog

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// fuzzKey is a fixed key, so that fuzz inputs stay meaningful across runs.
func fuzzKey(t testing.TB) (crypto.PrivKey, string) {
	t.Helper()
	k, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	return k, peerOf(t, k)
}

// fuzzRecord is a fixed well-formed listing record of origin.
func fuzzRecord(origin string) *Record {
	id := FormatID(origin, "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb")
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := describe(input("Pan", "PAN-1", "PAN-2"))
	l.ID, l.Platform, l.Merchant, l.Version, l.UpdatedAt = id, origin, "aaaaaaaaaaaaaaaa", 1, at
	return &Record{Origin: origin, Seq: 1, Kind: KindListing, ListingID: id, Version: 1, Listing: l, Time: at}
}

var sentinels = []error{ErrInvalid, ErrForged, ErrTooLarge}

// FuzzDecode feeds Decode arbitrary envelopes and, with sign set, arbitrary
// payloads correctly signed by the fixed key, which reach the parser and
// the well-formedness checks. Decode must never panic, must refuse with a
// sentinel, and must only accept what passes its own checks.
func FuzzDecode(f *testing.F) {
	key, origin := fuzzKey(f)
	listing := fuzzRecord(origin)
	stock := &Record{Origin: origin, Seq: 2, Kind: KindStock, ListingID: listing.ListingID, Version: 1,
		Stock: map[string]int64{"PAN-1": 3}, StockVersion: 1, Time: listing.Time}
	tomb := &Record{Origin: origin, Seq: 3, Kind: KindListing, ListingID: listing.ListingID, Version: 2, Tombstone: true, Time: listing.Time}
	for _, r := range []*Record{listing, stock, tomb} {
		f.Add(mustSeal(f, r, key), false)
		f.Add(must(json.Marshal(r)), true)
	}
	f.Add([]byte{}, false)
	f.Add([]byte(`{"origin":"x"}`), true)
	f.Fuzz(func(t *testing.T, data []byte, sign bool) {
		if sign {
			p := signedPayload(data)
			data = mustSeal(t, &p, key)
		}
		rec, err := Decode(data, 64<<10)
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error without a sentinel: %v", err)
		}
		if err := rec.check(); err != nil {
			t.Fatalf("accepted a malformed record: %v", err)
		}
		if sign && rec.Origin != origin {
			t.Fatalf("accepted origin %s for a record signed by %s", rec.Origin, origin)
		}
	})
}

// FuzzValidateListing feeds the validator arbitrary JSON input. It must
// never panic; a refusal names fields; an accepted listing, signed as a
// record, must pass Decode and the limits Apply holds records to.
func FuzzValidateListing(f *testing.F) {
	key, origin := fuzzKey(f)
	cfg := testConfig()
	f.Add(must(json.Marshal(input("Pan", "PAN-1", "PAN-2"))))
	f.Add([]byte(`{"title":"x","category":"a > b","brand":"b","shipping_regions":["DE"],"variants":[{"sku":"S","price":{"amount":1,"currency":"EUR"}}]}`))
	f.Add([]byte(`{"gtin":"4006381333931","images":["http://x/y"],"attributes":{"":""},"variants":[{"sku":"S"},{"sku":"S"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var in ListingInput
		if json.Unmarshal(data, &in) != nil {
			return
		}
		err := ValidateListing(cfg, in)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) == 0 {
				t.Fatalf("refusal %v is not a ValidationError with fields", err)
			}
			for _, fe := range ve.Errors {
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("field error %+v names nothing", fe)
				}
			}
			return
		}
		r := fuzzRecord(origin)
		desc := describe(in)
		desc.ID, desc.Platform, desc.Merchant, desc.Version, desc.UpdatedAt = r.ListingID, origin, r.Listing.Merchant, 1, r.Time
		r.Listing = desc
		rec, err := Decode(mustSeal(t, r, key), 1<<20)
		if err != nil {
			t.Fatalf("valid listing fails Decode: %v", err)
		}
		c := &Catalog{cfg: cfg}
		c.currency.Store(&cfg.Currency)
		if err := c.checkLimits(rec); err != nil {
			t.Fatalf("valid listing fails the limits of Apply: %v", err)
		}
		srec := &Record{Origin: origin, Seq: 2, Kind: KindStock, ListingID: r.ListingID, Version: 1, Stock: stockOf(in), StockVersion: 1, Time: r.Time}
		if _, err := Decode(mustSeal(t, srec, key), 1<<20); err != nil {
			t.Fatalf("valid stock fails Decode: %v", err)
		}
	})
}

// FuzzDecodeSummary feeds the summary decoder arbitrary bytes: it must
// never panic, and what it accepts must read the same once encoded again.
func FuzzDecodeSummary(f *testing.F) {
	f.Add(encodeSummary(describe(input("Pan", "PAN-1", "PAN-2")), map[string]int64{"PAN-1": 3, "PAN-2": -1}))
	f.Add([]byte{1, 0, 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s summary
		if err := decodeSummary(b, &s); err != nil {
			return
		}
		l := &Listing{Title: string(s.title)}
		stock := map[string]int64{}
		for i, sku := range s.skus {
			if _, repeated := stock[string(sku)]; repeated {
				return // not what an encoder writes: one SKU, one variant
			}
			l.Variants = append(l.Variants, Variant{SKU: string(sku)})
			stock[string(sku)] = s.stock[i]
		}
		var again summary
		if err := decodeSummary(encodeSummary(l, stock), &again); err != nil {
			t.Fatalf("%q decodes, but not once encoded again: %v", b, err)
		}
		if !bytes.Equal(again.title, bytes.ToLower(s.title)) || len(again.skus) != len(s.skus) {
			t.Fatalf("%q reads %+v, and %+v once encoded again", b, s, again)
		}
		for i := range s.skus {
			if !bytes.Equal(again.skus[i], bytes.ToLower(s.skus[i])) || again.stock[i] != s.stock[i] {
				t.Fatalf("%q reads %+v, and %+v once encoded again", b, s, again)
			}
		}
	})
}
