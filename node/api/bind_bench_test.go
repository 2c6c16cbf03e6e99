package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/sample"
)

// The decoding of a feed of 1,000 sample listings sent as a JSON array,
// as the import bench sends it, beside the encoding/json decoder that
// read feeds before (go test -run '^$' -bench Feed ./node/api/).

func feedBody(b *testing.B) []byte {
	body, err := json.Marshal(sample.New(11).Listings(1000, "EUR", "IMP"))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkFeedEncodingJSON(b *testing.B) {
	body := feedBody(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var in []catalog.ListingInput
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFeedDecode(b *testing.B) {
	body := feedBody(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var in []catalog.ListingInput
		_, err := eachElement(body, 5001, func(n int, e []byte) {
			var l catalog.ListingInput
			if err := decodeStrict(e, &l); err != nil {
				b.Fatal(err)
			}
			in = append(in, l)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
