package order

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func testKey(t testing.TB) (crypto.PrivKey, string) {
	t.Helper()
	k, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(k)
	return k, id.String()
}

func signedReserve(t testing.TB) ([]byte, crypto.PrivKey) {
	k, from := testKey(t)
	_, to := testKey(t)
	m := &Message{ID: newMessageID(), Kind: KindReserve, From: from, To: to, At: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), Part: "ord_1-1",
		Reserve: &Reserve{Order: "ord_1", Merchant: "m1", ShipTo: Address{Name: "A", Line1: "B", City: "C", PostalCode: "1", Country: "DE"},
			Lines: []Line{{ListingID: "x.y.z", SKU: "S", Quantity: 1, UnitPrice: Money{Amount: 100, Currency: "EUR"}}}}}
	if err := m.sign(k); err != nil {
		t.Fatal(err)
	}
	return m.Encode(), k
}

func TestDecodeMessageVerifiesSignatureAndFields(t *testing.T) {
	raw, _ := signedReserve(t)
	if _, err := DecodeMessage(raw); err != nil {
		t.Fatalf("valid message refused: %v", err)
	}
	tampered := bytes.Replace(raw, []byte(`"quantity":1`), []byte(`"quantity":9`), 1)
	if _, err := DecodeMessage(tampered); !errors.Is(err, ErrForged) {
		t.Fatalf("tampered quantity: %v, want ErrForged", err)
	}
	for name, in := range map[string][]byte{
		"not json":      []byte("{"),
		"unknown field": bytes.Replace(raw, []byte(`{"id"`), []byte(`{"x":1,"id"`), 1),
		"bad kind":      bytes.Replace(raw, []byte(`"kind":"reserve"`), []byte(`"kind":"steal"`), 1),
		"no lines":      bytes.Replace(raw, []byte(`"lines":[`), []byte(`"lines":[],"l":[`), 1),
	} {
		if _, err := DecodeMessage(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestFoldIgnoresRepeatsAndOrder(t *testing.T) {
	st := func(seq uint64, s string) *Message {
		return &Message{Kind: KindStatus, Part: "p", At: time.Unix(int64(seq), 0), Status: &Status{Seq: seq, Status: s}}
	}
	in := []*Message{st(3, StatusShipped), st(1, StatusReserved), st(4, StatusDelivered), st(2, StatusAccepted), st(3, StatusShipped)}
	if got := Fold(Part{ID: "p"}, in); got.Status != StatusDelivered || got.Seq != 4 {
		t.Fatalf("fold = %s/%d, want delivered/4", got.Status, got.Seq)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	raw, _ := signedReserve(f)
	f.Add(raw)
	f.Add([]byte(`{"id":"00000000000000000000000000000000","kind":"status","from":"a","to":"b","at":"2026-01-01T00:00:00Z","part":"p","status":{"seq":1,"status":"accepted"}}`))
	f.Add([]byte("{}"))
	k, self := testKey(f)
	svc := &Service{key: k, self: self, now: time.Now}
	_, note, _ := svc.newSigned(KindNote, "to", "p-1", func(m *Message) {
		m.Note = &Note{By: ByShopper, Text: "Is it cast iron?\nThanks", Attachments: []string{"https://img.example/a.jpg"}}
	})
	f.Add(note)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err == nil && m.Verify() != nil {
			t.Fatal("decoded a message that does not verify")
		}
	})
}

func FuzzDecodeReply(f *testing.F) {
	f.Add([]byte(`{"ack":true}`))
	f.Add([]byte(`{"error":"no"}`))
	f.Add([]byte(`{"status":{"id":"x"}}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _, _ = decodeReply(b, "to", KindConfirm, "part") })
}
