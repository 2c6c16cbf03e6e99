package search

import (
	"errors"
	"math"
	"testing"
)

func TestCursorRoundTrip(t *testing.T) {
	tests := []cursor{
		{Relevance, 0, relevanceKey(1.5, 3.25, true), "a"},
		{PriceAsc, math.MaxUint64, 0, "platform/merchant/listing"},
		{PriceDesc, 42, math.MinInt64 + 1, "ü/日本"},
		{Newest, 7, math.MaxInt64, string([]byte{0, 0xff})},
	}
	for _, c := range tests {
		got, err := decodeCursor(c.encode())
		if err != nil || got != c {
			t.Errorf("decode(encode(%+v)) = %+v, %v", c, got, err)
		}
	}
}

func TestCursorMalformed(t *testing.T) {
	valid := cursor{Newest, 1, 2, "id"}.encode()
	tests := []struct{ name, in string }{
		{"not base64", "%%%"},
		{"padded base64", valid + "="},
		{"too short", valid[:8]},
		{"no id", cursor{Newest, 1, 2, ""}.encode()},
		{"bad version", "AA" + valid[2:]},
		{"too long", string(make([]byte, maxCursorLen+1))},
	}
	for _, tt := range tests {
		if _, err := decodeCursor(tt.in); !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("%s: err = %v, want ErrInvalidQuery", tt.name, err)
		}
	}
}

// FuzzCursor checks that no cursor string panics the decoder or a search,
// and that whatever decodes re-encodes to the same cursor.
func FuzzCursor(f *testing.F) {
	ix := newIndexOf(shopDocs())
	for _, q := range []Query{{Limit: 2}, {Text: "pan", Limit: 1}, {Sort: PriceAsc, Limit: 3}} {
		f.Add(mustSearchF(f, ix, q).NextCursor)
	}
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err == nil {
			again, err := decodeCursor(c.encode())
			if err != nil || again != c {
				t.Fatalf("re-encoding %+v gives %+v, %v", c, again, err)
			}
		}
		for _, sort := range []Sort{Relevance, PriceAsc, Newest} {
			res, err := ix.Search(Query{Cursor: s, Sort: sort, Limit: 2})
			if err != nil && !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("unexpected error %v", err)
			}
			if len(res.Items) > 2 {
				t.Fatalf("%d items", len(res.Items))
			}
		}
	})
}

func mustSearchF(f *testing.F, ix *Index, q Query) Result {
	res, err := ix.Search(q)
	if err != nil {
		f.Fatal(err)
	}
	return res
}
