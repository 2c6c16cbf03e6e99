package settlement

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Wire constants of the period-reconciliation session (see ReconcilePeriod).
const (
	// SessionProtocol is the protocol id under which the federation layer
	// carries ReconcilePeriod between two members.
	SessionProtocol = "/fedmart/settlement/session/2.0.0"
	// MaxSessionFrame caps one encoded session frame. The reconciliation
	// messages a session carries keep their own cap, MaxMessageSize.
	MaxSessionFrame = 1 << 20
	// MaxTotals caps the totals of a Summary.
	MaxTotals = 64
	// sessionVersion is the first byte of every session frame. Version 2
	// replaced the hello's closed flag with the sender's watermark.
	sessionVersion = 2
	// maxKeyBytes caps an encoded public key and a signature.
	maxKeyBytes = 1024
	// maxSummaryCount caps a statement's entry count on the wire.
	maxSummaryCount = 1 << 40
)

// FrameKind says what a SessionFrame carries.
type FrameKind uint8

// Session frame kinds, in the order a session uses them.
const (
	// FrameHello opens the session: Hello.
	FrameHello FrameKind = iota + 1
	// FrameProofs carries proofs of events behind entries the receiver
	// lacks: Proofs, and Last on the sender's final batch.
	FrameProofs
	// FrameRecount carries the sender's statement Summary after restoring.
	FrameRecount
	// FrameSignature carries the sender's Signature of the statement.
	FrameSignature
	// FrameVerdict says whether the sender accepted the receiver's
	// signature: Accepted.
	FrameVerdict
)

// Summary is what a statement commits to, as the parties compare it.
type Summary struct {
	// Count is the number of entries.
	Count int `json:"count"`
	// Currency is the entries' currency ("" when there are none).
	Currency string `json:"currency"`
	// Digest is the statement digest, 64 lower-case hex digits.
	Digest string `json:"digest"`
	// Totals are the statement totals.
	Totals []Total `json:"totals"`
}

// Summary returns the summary of s.
func (s Statement) Summary() Summary {
	return Summary{Count: s.Count, Currency: s.Currency, Digest: s.Digest, Totals: slices.Clone(s.Totals)}
}

// Hello opens a session: which period the sender reconciles with whom,
// its watermark to the receiver, and its statement as it stands.
type Hello struct {
	// Period is the period name.
	Period string `json:"period"`
	// From is the sender's peer ID.
	From string `json:"from"`
	// To is the peer ID the sender believes it talks to.
	To string `json:"to"`
	// Through is the sender's watermark to the receiver (see
	// SessionParams.Through), to the nanosecond.
	Through time.Time `json:"through"`
	// Genesis is a time in the sender's first period: the pair settles
	// every period from the earlier of the two.
	Genesis time.Time `json:"genesis"`
	// Summary is the sender's statement of the period with To.
	Summary Summary `json:"summary"`
}

// SessionFrame is one message of the session protocol, other than the
// reconciliation messages (Message) it carries in between. Kind selects
// which fields are meaningful; the others are zero.
type SessionFrame struct {
	// Kind is the frame kind.
	Kind FrameKind
	// Hello is set for FrameHello.
	Hello Hello
	// Proofs are set for FrameProofs, each non-empty.
	Proofs [][]byte
	// Last marks the sender's final FrameProofs.
	Last bool
	// Summary is set for FrameRecount.
	Summary Summary
	// Signature is set for FrameSignature.
	Signature Signature
	// Accepted is set for FrameVerdict.
	Accepted bool
}

// MarshalBinary encodes f canonically: the version byte, the kind byte,
// then the kind's fields with uvarint-length-prefixed strings and byte
// strings, fixed-width big-endian integers and one-byte booleans. It fails
// with ErrProtocol if f is not valid or encodes to more than
// MaxSessionFrame bytes.
func (f SessionFrame) MarshalBinary() ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var e encoder
	e.raw([]byte{sessionVersion, byte(f.Kind)})
	switch f.Kind {
	case FrameHello:
		for _, s := range []string{f.Hello.Period, f.Hello.From, f.Hello.To} {
			e.str(s)
		}
		e.time(f.Hello.Through)
		e.time(f.Hello.Genesis)
		appendSummary(&e, f.Hello.Summary)
	case FrameProofs:
		e.raw([]byte{boolByte(f.Last)})
		e.uvarint(uint64(len(f.Proofs)))
		for _, p := range f.Proofs {
			e.str(string(p))
		}
	case FrameRecount:
		appendSummary(&e, f.Summary)
	case FrameSignature:
		e.str(string(f.Signature.PublicKey))
		e.str(string(f.Signature.Signature))
	case FrameVerdict:
		e.raw([]byte{boolByte(f.Accepted)})
	}
	if len(e.buf) > MaxSessionFrame {
		return nil, fmt.Errorf("%w: session frame of %d bytes exceeds %d", ErrProtocol, len(e.buf), MaxSessionFrame)
	}
	return e.buf, nil
}

func appendSummary(e *encoder, s Summary) {
	digest, _ := hex.DecodeString(s.Digest)
	e.uvarint(uint64(s.Count))
	e.str(s.Currency)
	e.raw(digest)
	e.uvarint(uint64(len(s.Totals)))
	for _, t := range s.Totals {
		for _, v := range []string{t.Kind, t.From, t.To, t.Amount.Currency} {
			e.str(v)
		}
		e.i64(t.Amount.Amount)
		e.uvarint(uint64(t.Count))
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// DecodeSessionFrame parses and validates an encoded session frame. It
// never panics, allocates at most in proportion to len(b), and fails with
// ErrProtocol on anything MarshalBinary would not have produced.
func DecodeSessionFrame(b []byte) (SessionFrame, error) {
	if len(b) > MaxSessionFrame {
		return SessionFrame{}, fmt.Errorf("%w: session frame of %d bytes exceeds %d", ErrProtocol, len(b), MaxSessionFrame)
	}
	d := newDecoder(b)
	if v := d.u8(); v != sessionVersion {
		return SessionFrame{}, fmt.Errorf("%w: session frame version %d, want %d", ErrProtocol, v, sessionVersion)
	}
	f := SessionFrame{Kind: FrameKind(d.u8())}
	switch f.Kind {
	case FrameHello:
		f.Hello.Period, f.Hello.From, f.Hello.To = d.str(64), d.str(128), d.str(128)
		f.Hello.Through = d.time()
		f.Hello.Genesis = d.time()
		f.Hello.Summary = decodeSummary(d)
	case FrameProofs:
		f.Last = decodeBool(d)
		f.Proofs = decodeBlobs(d)
	case FrameRecount:
		f.Summary = decodeSummary(d)
	case FrameSignature:
		f.Signature.PublicKey = decodeBlob(d, maxKeyBytes)
		f.Signature.Signature = decodeBlob(d, maxKeyBytes)
	case FrameVerdict:
		f.Accepted = decodeBool(d)
	default:
		return SessionFrame{}, fmt.Errorf("%w: unknown session frame kind %d", ErrProtocol, f.Kind)
	}
	if !d.done() {
		return SessionFrame{}, fmt.Errorf("%w: malformed or truncated %s frame", ErrProtocol, f.Kind)
	}
	if err := f.Validate(); err != nil {
		return SessionFrame{}, err
	}
	return f, nil
}

func decodeBool(d *decoder) bool {
	switch d.u8() {
	case 0:
		return false
	case 1:
		return true
	}
	d.ok = false
	return false
}

// decodeBlob reads a length-prefixed byte string of at most limit bytes
// into a fresh slice.
func decodeBlob(d *decoder, limit int) []byte {
	n := d.uvarint()
	if n > uint64(limit) {
		d.ok = false
		return nil
	}
	return bytes.Clone(d.take(int(n)))
}

// decodeBlobs reads a counted list of byte strings; each costs at least
// two bytes, which bounds the count by the input.
func decodeBlobs(d *decoder) [][]byte {
	n := d.uvarint()
	if n > uint64(len(d.buf)/2) {
		d.ok = false
		return nil
	}
	if n == 0 {
		return nil
	}
	out := make([][]byte, 0, n)
	for i := uint64(0); i < n && d.ok; i++ {
		out = append(out, decodeBlob(d, MaxSessionFrame))
	}
	return out
}

func decodeSummary(d *decoder) Summary {
	var s Summary
	count := d.uvarint()
	if count > maxSummaryCount {
		d.ok = false
	}
	s.Count = int(count)
	s.Currency = d.str(3)
	if raw := d.take(32); raw != nil {
		s.Digest = hex.EncodeToString(raw)
	}
	n := d.uvarint()
	if n > MaxTotals {
		d.ok = false
		return s
	}
	for i := uint64(0); i < n && d.ok; i++ {
		var t Total
		t.Kind, t.From, t.To, t.Amount.Currency = d.str(32), d.str(128), d.str(128), d.str(3)
		t.Amount.Amount = d.i64()
		c := d.uvarint()
		if c > maxSummaryCount {
			d.ok = false
		}
		t.Count = int(c)
		s.Totals = append(s.Totals, t)
	}
	return s
}

// String names the frame kind, for errors.
func (k FrameKind) String() string {
	switch k {
	case FrameHello:
		return "hello"
	case FrameProofs:
		return "proofs"
	case FrameRecount:
		return "recount"
	case FrameSignature:
		return "signature"
	case FrameVerdict:
		return "verdict"
	}
	return fmt.Sprintf("kind-%d", uint8(k))
}

// Validate checks what the encoding cannot: peer ids and period names are
// well formed, the digest is 32 bytes of hex, counts are in range, proofs
// and signatures are non-empty and within their caps. Failures wrap
// ErrProtocol and name the field.
func (f SessionFrame) Validate() error {
	var err error
	switch f.Kind {
	case FrameHello:
		err = f.Hello.validate()
	case FrameProofs:
		for i, p := range f.Proofs {
			if len(p) == 0 || len(p) > MaxSessionFrame {
				err = fmt.Errorf("proofs[%d]: %d bytes, want 1..%d", i, len(p), MaxSessionFrame)
				break
			}
		}
	case FrameRecount:
		err = f.Summary.validate()
	case FrameSignature:
		if k, s := len(f.Signature.PublicKey), len(f.Signature.Signature); k == 0 || s == 0 || k > maxKeyBytes || s > maxKeyBytes {
			err = fmt.Errorf("signature: key of %d and signature of %d bytes, want 1..%d", k, s, maxKeyBytes)
		}
	case FrameVerdict:
	default:
		err = errors.New("unknown kind")
	}
	if err != nil {
		return fmt.Errorf("%w: %s frame: %v", ErrProtocol, f.Kind, err)
	}
	return nil
}

func (h Hello) validate() error {
	if _, err := parsePeriodName(h.Period); err != nil {
		return fmt.Errorf("hello.period %q is not a period name", h.Period)
	}
	if !validPeer(h.From) || !validPeer(h.To) || h.From == h.To {
		return fmt.Errorf("hello.from %q and hello.to %q are not two peer ids", h.From, h.To)
	}
	if err := h.Summary.validate(); err != nil {
		return fmt.Errorf("hello.%v", err)
	}
	return nil
}

func (s Summary) validate() error {
	if raw, err := hex.DecodeString(s.Digest); err != nil || len(raw) != 32 || hex.EncodeToString(raw) != s.Digest {
		return fmt.Errorf("summary.digest %q is not 64 lower-case hex digits", s.Digest)
	}
	if s.Count < 0 || s.Count > maxSummaryCount {
		return fmt.Errorf("summary.count %d out of range", s.Count)
	}
	if s.Currency != "" && !validCurrency(s.Currency) {
		return fmt.Errorf("summary.currency %q", s.Currency)
	}
	if len(s.Totals) > MaxTotals {
		return fmt.Errorf("summary.totals: %d exceed %d", len(s.Totals), MaxTotals)
	}
	for i, t := range s.Totals {
		if t.Kind == "" || len(t.Kind) > 32 || !validPeer(t.From) || !validPeer(t.To) ||
			!validCurrency(t.Amount.Currency) || t.Count < 0 || t.Count > maxSummaryCount {
			return fmt.Errorf("summary.totals[%d] is malformed", i)
		}
	}
	return nil
}
