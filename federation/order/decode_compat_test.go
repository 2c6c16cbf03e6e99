package order

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/fedmart/fedmart/internal/storedjson"
)

// TestStoredStateReadsAsEncodingJSONReadIt fills every type this package
// reads with getJSON with random values, writes it with encoding/json,
// and reads it back with encoding/json and with storedjson: the two must
// read the same values, so that state written by any build reads the
// same after an upgrade. (The values hold what no build writes, such as
// raw messages naming a field twice: those must read alike too.)
func TestStoredStateReadsAsEncodingJSONReadIt(t *testing.T) {
	f := gofakeit.New(20261205)
	for _, v := range []any{
		&Case{}, &Coupon{}, &CouponUse{}, &HomePart{}, &Order{}, &ParkedMessage{}, &Payment{},
		&PointsHold{}, &PointsLine{}, &PointsReversal{}, &RemoteOrder{}, &Shopper{}, &adClick{},
		&idemRecord{}, &partFacts{}, &refundTask{}, &storedCart{},
	} {
		typ := reflect.TypeOf(v).Elem()
		t.Run(typ.Name(), func(t *testing.T) {
			for range 20 {
				in := reflect.New(typ)
				if err := f.Struct(in.Interface()); err != nil {
					t.Fatalf("filling: %v", err)
				}
				b, err := json.Marshal(in.Interface())
				if err != nil {
					t.Fatal(err)
				}
				v1, v2 := reflect.New(typ), reflect.New(typ)
				if err := json.Unmarshal(b, v1.Interface()); err != nil {
					t.Fatalf("encoding/json: %v", err)
				}
				if err := storedjson.Unmarshal(b, v2.Interface()); err != nil {
					t.Fatalf("storedjson: %v\n%s", err, b)
				}
				b1, _ := json.Marshal(v1.Interface())
				b2, _ := json.Marshal(v2.Interface())
				if !bytes.Equal(b1, b2) {
					t.Fatalf("read differently:\nencoding/json %s\nstoredjson    %s", b1, b2)
				}
			}
		})
	}
}
