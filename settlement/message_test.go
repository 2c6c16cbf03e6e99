package settlement

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleMessage uses every mode and a short and an infinite bound.
func sampleMessage() Message {
	var id1, id2, id3 [32]byte
	id1[0], id1[31] = 0x10, 1
	id2[0], id2[1] = 0x20, 0x05
	id3[0] = 0x90
	return Message{Ranges: []Range{
		{Upper: Bound{Len: 1, Key: [32]byte{0x08}}, Mode: ModeSkip},
		{Upper: Bound{Len: 1, Key: [32]byte{0x18}}, Mode: ModeFingerprint, Fingerprint: Fingerprint{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		{Upper: Bound{Len: 2, Key: [32]byte{0x30, 0x01}}, Mode: ModeIDList, Items: []Item{{ID: id2, Hash: [16]byte{0xAA}}}},
		{Upper: Bound{Inf: true}, Mode: ModeReply, Codes: []ReplyCode{ReplySame, ReplyMissing, ReplyDiffers, ReplyMissing, ReplyDiffers}, Missing: [][32]byte{id3}},
	}}
}

func TestMessageGolden(t *testing.T) {
	enc, err := sampleMessage().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "message.golden")
	if *update {
		if err := os.WriteFile(path, []byte(hex.EncodeToString(enc)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(enc); got != strings.TrimSpace(string(golden)) {
		t.Errorf("encoding changed:\n got %s\nwant %s\n(run go test -update if the change is intended and versioned)", got, golden)
	}
	dec, err := DecodeMessage(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dec, sampleMessage()) {
		t.Errorf("round trip:\n got %+v\nwant %+v", dec, sampleMessage())
	}
}

func TestDecodeMessageRejects(t *testing.T) {
	good, _ := sampleMessage().MarshalBinary()
	mutate := func(f func(m *Message)) []byte {
		m := sampleMessage()
		f(&m)
		var e encoder
		e.raw([]byte{messageVersion})
		e.uvarint(uint64(len(m.Ranges)))
		for i := range m.Ranges {
			appendRange(&e, &m.Ranges[i])
		}
		return e.buf
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"version", append([]byte{2}, good[1:]...)},
		{"truncated", good[:len(good)-1]},
		{"padded", append(bytes.Clone(good), 0)},
		{"huge range count", []byte{1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}},
		{"huge id count", []byte{1, 1, boundInf, byte(ModeIDList), 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}},
		{"huge code count", []byte{1, 1, boundInf, byte(ModeReply), 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}},
		{"bound too long", []byte{1, 1, 33, byte(ModeSkip)}},
		{"zero upper bound", []byte{1, 1, 0, byte(ModeFingerprint), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		{"unknown mode", []byte{1, 1, boundInf, 9}},
		{"trailing skip", mutate(func(m *Message) { m.Ranges[3] = Range{Upper: Bound{Inf: true}} })},
		{"adjacent skips", mutate(func(m *Message) { m.Ranges[1].Mode = ModeSkip })},
		{"decreasing bounds", mutate(func(m *Message) { m.Ranges[1].Upper = Bound{Len: 1, Key: [32]byte{0x04}} })},
		{"non-minimal bound", mutate(func(m *Message) { m.Ranges[1].Upper = Bound{Len: 2, Key: [32]byte{0x18, 0}} })},
		{"range after inf", mutate(func(m *Message) { m.Ranges = append(m.Ranges, Range{Upper: Bound{Inf: true}, Mode: ModeFingerprint}) })},
		{"id outside range", mutate(func(m *Message) { m.Ranges[2].Items[0].ID[0] = 0x40 })},
		{"reply code 3", mutate(func(m *Message) { m.Ranges[3].Codes[0] = 3 })},
		{"missing unsorted", mutate(func(m *Message) { m.Ranges[3].Missing = append(m.Ranges[3].Missing, [32]byte{0x91}, [32]byte{0x91}) })},
		{"padding bits", func() []byte { b := bytes.Clone(good); b[len(b)-34] |= 0x80; return b }()},
	}
	for _, tt := range tests {
		if _, err := DecodeMessage(tt.b); !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: DecodeMessage = %v, want ErrProtocol", tt.name, err)
		}
	}
}

func FuzzDecodeMessage(f *testing.F) {
	good, _ := sampleMessage().MarshalBinary()
	f.Add(good)
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 1, boundInf, byte(ModeIDList), 0})
	a, b, _ := pairOf(f, 1, 300, 5, 5, 5)
	ra, _ := NewReconciler(a, DefaultReconcileConfig())
	rb, _ := NewReconciler(b, DefaultReconcileConfig())
	msg := ra.Initiate()
	for range 4 {
		enc, _ := msg.MarshalBinary()
		f.Add(enc)
		out, send, err := rb.Step(msg)
		if err != nil || !send {
			break
		}
		msg, ra, rb = out, rb, ra
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMessage(data)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v is not ErrProtocol", err)
			}
			return
		}
		enc, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		if !bytes.Equal(enc, data) {
			t.Fatalf("encoding is not canonical:\n in %x\nout %x", data, enc)
		}
		// A decoded message never makes a reconciler panic.
		r, _ := NewReconciler(a, DefaultReconcileConfig())
		_, _, _ = r.Step(m)
	})
}
