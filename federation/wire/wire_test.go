package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	msgs := [][]byte{{}, []byte("a"), bytes.Repeat([]byte("x"), 300)}
	for _, m := range msgs {
		if err := WriteFrame(&buf, m); err != nil {
			t.Fatal(err)
		}
	}
	r := NewReader(&buf)
	for _, m := range msgs {
		got, err := r.ReadFrame(1 << 10)
		if err != nil || !bytes.Equal(got, m) {
			t.Fatalf("got %q, %v; want %q", got, err, m)
		}
	}
	if _, err := r.ReadFrame(10); !errors.Is(err, io.EOF) {
		t.Fatalf("at end: %v, want EOF", err)
	}
}

func TestFrameRefusals(t *testing.T) {
	var big bytes.Buffer
	_ = WriteFrame(&big, make([]byte, 100))
	if _, err := NewReader(&big).ReadFrame(99); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversize: %v", err)
	}
	if _, err := NewReader(bytes.NewReader([]byte{5, 'a'})).ReadFrame(10); !errors.Is(err, ErrMalformed) {
		t.Fatalf("truncated: %v", err)
	}
	var v struct{ A int }
	// An unknown field, a wrong type, trailing data, a field named twice,
	// and a name in another case.
	for _, b := range []string{`{"A":1,"B":2}`, `{"A":"x"}`, `{"A":1} {}`, `{"A":1,"A":2}`, `{"a":1}`} {
		if err := DecodeJSON([]byte(b), &v); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", b, err)
		}
	}
	if err := DecodeJSON([]byte(" {\"A\":1}\n"), &v); err != nil || v.A != 1 {
		t.Errorf("a frame with white space around it: %v, A=%d", err, v.A)
	}
}

func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{3, 'a', 'b', 'c'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b))
		for i := 0; i < 4; i++ {
			m, err := r.ReadFrame(64)
			if err != nil {
				return
			}
			if len(m) > 64 {
				t.Fatalf("frame of %d bytes past a cap of 64", len(m))
			}
		}
	})
}
