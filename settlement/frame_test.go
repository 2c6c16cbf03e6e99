package settlement

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleFrames has one frame of every kind.
func sampleFrames() []SessionFrame {
	sum := Summary{Count: 3, Currency: "EUR", Digest: strings.Repeat("ab", 32), Totals: []Total{
		{Kind: EntryRefund, From: "H", To: "S", Amount: Money{Amount: 885, Currency: "EUR"}, Count: 1},
		{Kind: EntrySale, From: "S", To: "H", Amount: Money{Amount: 11150, Currency: "EUR"}, Count: 2},
	}}
	return []SessionFrame{
		{Kind: FrameHello, Hello: Hello{Period: day1, From: "S", To: "H", Through: t0.Add(48 * time.Hour), Genesis: t0, Summary: sum}},
		{Kind: FrameProofs, Proofs: [][]byte{[]byte("proof one"), {0, 1, 2}}},
		{Kind: FrameProofs, Last: true},
		{Kind: FrameRecount, Summary: Summary{Digest: strings.Repeat("0f", 32)}},
		{Kind: FrameSignature, Signature: Signature{PublicKey: []byte{8, 1, 18, 32, 7}, Signature: bytes.Repeat([]byte{9}, 64)}},
		{Kind: FrameVerdict, Accepted: true},
	}
}

func TestSessionFrameGolden(t *testing.T) {
	var lines []string
	for _, f := range sampleFrames() {
		enc, err := f.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: %v", f.Kind, err)
		}
		lines = append(lines, hex.EncodeToString(enc))
		dec, err := DecodeSessionFrame(enc)
		if err != nil {
			t.Fatalf("%s: decode: %v", f.Kind, err)
		}
		if !reflect.DeepEqual(dec, f) {
			t.Errorf("%s round trip:\n got %+v\nwant %+v", f.Kind, dec, f)
		}
	}
	got := strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", "session.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(golden) {
		t.Errorf("encoding changed:\n got %s\nwant %s\n(run go test -update if the change is intended and versioned)", got, golden)
	}
}

func TestDecodeSessionFrameRejects(t *testing.T) {
	frames := sampleFrames()
	hello, _ := frames[0].MarshalBinary()
	reencode := func(mutate func(f *SessionFrame)) []byte {
		f := sampleFrames()[0]
		mutate(&f)
		var e encoder
		e.raw([]byte{sessionVersion, byte(f.Kind)})
		for _, s := range []string{f.Hello.Period, f.Hello.From, f.Hello.To} {
			e.str(s)
		}
		e.time(f.Hello.Through)
		e.time(f.Hello.Genesis)
		appendSummary(&e, f.Hello.Summary)
		return e.buf
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"version", append([]byte{sessionVersion + 1}, hello[1:]...)},
		{"version 1", append([]byte{1}, hello[1:]...)},
		{"unknown kind", []byte{sessionVersion, 9}},
		{"truncated", hello[:len(hello)-1]},
		{"padded", append(bytes.Clone(hello), 0)},
		{"boolean 2", []byte{sessionVersion, byte(FrameVerdict), 2}},
		{"huge proof count", []byte{sessionVersion, byte(FrameProofs), 1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}},
		{"empty proof", []byte{sessionVersion, byte(FrameProofs), 1, 1, 0}},
		{"empty signature", []byte{sessionVersion, byte(FrameSignature), 1, 7, 0}},
		{"oversize key", append([]byte{sessionVersion, byte(FrameSignature), 0x81, 0x08}, make([]byte, 1025)...)},
		{"bad period", reencode(func(f *SessionFrame) { f.Hello.Period = "2026-11-24" })},
		{"same parties", reencode(func(f *SessionFrame) { f.Hello.To = "S" })},
		{"peer with slash", reencode(func(f *SessionFrame) { f.Hello.From = "a/b" })},
		{"bad currency", reencode(func(f *SessionFrame) { f.Hello.Summary.Currency = "eur" })},
		{"too many totals", reencode(func(f *SessionFrame) {
			f.Hello.Summary.Totals = make([]Total, MaxTotals+1)
			for i := range f.Hello.Summary.Totals {
				f.Hello.Summary.Totals[i] = f.Hello.Summary.Totals[0]
			}
		})},
		{"huge count", reencode(func(f *SessionFrame) { f.Hello.Summary.Count = maxSummaryCount + 1 })},
		{"oversize frame", make([]byte, MaxSessionFrame+1)},
	}
	for _, tt := range tests {
		if _, err := DecodeSessionFrame(tt.b); !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: DecodeSessionFrame = %v, want ErrProtocol", tt.name, err)
		}
	}
	bad := SessionFrame{Kind: FrameRecount, Summary: Summary{Digest: "ABAB"}}
	if _, err := bad.MarshalBinary(); !errors.Is(err, ErrProtocol) {
		t.Errorf("MarshalBinary(bad digest) = %v", err)
	}
}

func FuzzDecodeSessionFrame(f *testing.F) {
	for _, fr := range sampleFrames() {
		enc, _ := fr.MarshalBinary()
		f.Add(enc)
		f.Add(enc[:len(enc)/2])
	}
	f.Add([]byte{sessionVersion, byte(FrameProofs), 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := DecodeSessionFrame(data)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v is not ErrProtocol", err)
			}
			return
		}
		enc, err := fr.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded frame does not encode: %v", err)
		}
		if !bytes.Equal(enc, data) {
			t.Fatalf("encoding is not canonical:\n in %x\nout %x", data, enc)
		}
	})
}

// replay is a stream whose peer says what data holds and ignores what it
// is told.
type replay struct{ r io.Reader }

func (p replay) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p replay) Write(b []byte) (int, error) { return len(b), nil }

// recorder keeps what a session side writes.
type recorder struct {
	countingConn
	out bytes.Buffer
}

func (r *recorder) Write(p []byte) (int, error) {
	r.out.Write(p)
	return r.countingConn.Write(p)
}

// FuzzSessionResponder feeds arbitrary peer traffic to a responder with a
// real ledger: it must finish or fail cleanly, never panic or hang. The
// seeds are what a real initiator sent in sessions with differences and
// without, so replaying them drives the responder through every step.
func FuzzSessionResponder(f *testing.F) {
	rec := newFixture(f)
	seeds, setup := initiatorTranscripts(f, rec)
	for _, seed := range seeds {
		f.Add(seed)
	}
	f.Add([]byte{0, 0, 0, 2, sessionVersion, byte(FrameHello)})
	fx := newFixture(f)
	fx.sKey, fx.hKey, fx.evidence = rec.sKey, rec.hKey, rec.evidence
	setup(fx)
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p := fx.params(false)
		p.Period = ""
		_, err := fx.h.ReconcilePeriod(ctx, replay{bytes.NewReader(data)}, false, p)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("responder hung on %x", data)
		}
	})
}

// initiatorTranscripts records what S sends H in a session that restores
// p7 on H and finds p9 disputed, and in one that agrees at once. setup
// brings another fixture to the state the first session started from.
func initiatorTranscripts(tb testing.TB, f *fixture) (seeds [][]byte, setup func(*fixture)) {
	setup = func(f *fixture) {
		f.post(tb, true, true, scenario()...)
		f.post(tb, true, false, ev("p7", EventDelivered, t0.Add(3*time.Hour), 4000))
		f.post(tb, true, false, ev("p9", EventDelivered, t0.Add(3*time.Hour), 10000))
		f.post(tb, false, true, ev("p9", EventDelivered, t0.Add(3*time.Hour), 10001))
		f.close(tb, day1)
	}
	setup(f)
	for range 2 { // the second session has p7 restored already
		ca, cb := net.Pipe()
		r := &recorder{countingConn: countingConn{Conn: ca}}
		done := make(chan error, 1)
		go func() {
			_, err := f.h.ReconcilePeriod(context.Background(), cb, false, f.params(false))
			done <- err
		}()
		_, err := f.s.ReconcilePeriod(context.Background(), r, true, f.params(true))
		if herr := <-done; err != nil || herr != nil {
			tb.Fatalf("recording session: %v, %v", err, herr)
		}
		_, _ = ca.Close(), cb.Close()
		seeds = append(seeds, bytes.Clone(r.out.Bytes()))
	}
	return seeds, setup
}
