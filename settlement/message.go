package settlement

import (
	"bytes"
	"fmt"
)

// Wire limits of the reconciliation protocol. With them, decoding a message
// allocates at most a small multiple of its size (ranges, and reply codes
// at one byte per two bits) and never more than about 25 MB.
const (
	// MaxMessageSize caps one encoded message (and one frame).
	MaxMessageSize = 4 << 20
	// MaxRanges caps the ranges of one message.
	MaxRanges = 1 << 16
	// MaxListItems caps the items of one id list, and so the codes of the
	// reply to it.
	MaxListItems = 4096
	// MaxReplyIDs caps the missing ids of one reply.
	MaxReplyIDs = 1 << 14
	// messageVersion is the first byte of every encoded message.
	messageVersion = 1
	// boundInf encodes the bound above every id.
	boundInf = 0xFF
	// itemSize is the encoded size of an Item.
	itemSize = 32 + 16
)

// Mode says what a Range carries.
type Mode uint8

// Range modes.
const (
	// ModeSkip: nothing to do for this range (the sender has no further
	// business with it).
	ModeSkip Mode = iota
	// ModeFingerprint: the sender's fingerprint of its items in the range.
	ModeFingerprint
	// ModeIDList: every item the sender holds in the range; the receiver
	// answers with a ModeReply for the same range (or splits it further).
	ModeIDList
	// ModeReply: the answer to the receiver's own ModeIDList for this
	// range; no answer is expected.
	ModeReply
)

// ReplyCode classifies one item of an id list in a reply.
type ReplyCode uint8

// Reply codes.
const (
	// ReplySame: the replier holds the item with the same content hash.
	ReplySame ReplyCode = iota
	// ReplyMissing: the replier does not hold the item.
	ReplyMissing
	// ReplyDiffers: the replier holds the id with another content hash.
	ReplyDiffers
)

// Bound is an exclusive upper bound in id space: the first Len bytes of Key
// followed by zeros, or Inf, above every id. Bounds between two neighbouring
// items use the shortest prefix that separates them, so they cost a few
// bytes rather than 32.
type Bound struct {
	// Inf marks the bound above every id.
	Inf bool
	// Len is the number of significant bytes of Key (0..32).
	Len uint8
	// Key holds the prefix; bytes from Len on are zero.
	Key [32]byte
}

// Range is one range of a message: from the previous range's upper bound
// (zero for the first) to Upper, and what the sender says about it.
type Range struct {
	// Upper is the exclusive upper bound.
	Upper Bound
	// Mode selects which of the following fields are meaningful.
	Mode Mode
	// Fingerprint is set for ModeFingerprint.
	Fingerprint Fingerprint
	// Items is set for ModeIDList, sorted by id.
	Items []Item
	// Codes is set for ModeReply: one per item of the id list answered.
	Codes []ReplyCode
	// Missing is set for ModeReply: the ids in the range that the replier
	// holds and the id list did not contain, sorted.
	Missing [][32]byte
}

// Message is one turn of the reconciliation protocol: ranges that tile the
// id space in increasing order; anything after the last range is skipped.
// Encoded messages are canonical: no two adjacent skips and no trailing
// skip, minimal bounds.
type Message struct {
	// Ranges in increasing order of Upper.
	Ranges []Range
}

// needsReply reports whether the receiver of m must answer it.
func (m Message) needsReply() bool {
	for _, r := range m.Ranges {
		if r.Mode == ModeFingerprint || r.Mode == ModeIDList {
			return true
		}
	}
	return false
}

// compare orders bounds: Inf is greatest, otherwise by key.
func (b Bound) compare(o Bound) int {
	switch {
	case b.Inf && o.Inf:
		return 0
	case b.Inf:
		return 1
	case o.Inf:
		return -1
	}
	return bytes.Compare(b.Key[:], o.Key[:])
}

// above reports whether id lies below b (b is an exclusive upper bound).
func (b Bound) above(id *[32]byte) bool {
	return b.Inf || bytes.Compare(id[:], b.Key[:]) < 0
}

// boundBetween returns the shortest bound above a and at most b, for a < b.
func boundBetween(a, b *[32]byte) Bound {
	n := 0
	for n < 31 && a[n] == b[n] {
		n++
	}
	bd := Bound{Len: uint8(n + 1)}
	copy(bd.Key[:n+1], b[:n+1])
	return bd
}

// MarshalBinary encodes m canonically; it fails with ErrInvalid if m is
// not valid (see Validate).
func (m Message) MarshalBinary() ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	var e encoder
	e.raw([]byte{messageVersion})
	e.uvarint(uint64(len(m.Ranges)))
	for i := range m.Ranges {
		appendRange(&e, &m.Ranges[i])
	}
	if len(e.buf) > MaxMessageSize {
		return nil, fmt.Errorf("%w: message of %d bytes exceeds %d", ErrProtocol, len(e.buf), MaxMessageSize)
	}
	return e.buf, nil
}

func appendRange(e *encoder, r *Range) {
	if r.Upper.Inf {
		e.raw([]byte{boundInf})
	} else {
		e.raw([]byte{r.Upper.Len})
		e.raw(r.Upper.Key[:r.Upper.Len])
	}
	e.raw([]byte{byte(r.Mode)})
	switch r.Mode {
	case ModeFingerprint:
		e.raw(r.Fingerprint[:])
	case ModeIDList:
		e.uvarint(uint64(len(r.Items)))
		for _, it := range r.Items {
			e.raw(it.ID[:])
			e.raw(it.Hash[:])
		}
	case ModeReply:
		e.uvarint(uint64(len(r.Codes)))
		packed := make([]byte, (len(r.Codes)+3)/4)
		for i, c := range r.Codes {
			packed[i/4] |= byte(c) << (2 * (i % 4))
		}
		e.raw(packed)
		e.uvarint(uint64(len(r.Missing)))
		for _, id := range r.Missing {
			e.raw(id[:])
		}
	}
}

// encodedSize is the exact number of bytes appendRange writes for r.
func (r *Range) encodedSize() int {
	n := 2 + int(r.Upper.Len)
	if r.Upper.Inf {
		n = 2
	}
	switch r.Mode {
	case ModeFingerprint:
		n += len(r.Fingerprint)
	case ModeIDList:
		n += uvarintLen(len(r.Items)) + itemSize*len(r.Items)
	case ModeReply:
		n += uvarintLen(len(r.Codes)) + (len(r.Codes)+3)/4 + uvarintLen(len(r.Missing)) + 32*len(r.Missing)
	}
	return n
}

func uvarintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// DecodeMessage parses and validates an encoded message. It never panics,
// allocates at most in proportion to len(b), and fails with ErrProtocol on
// anything MarshalBinary would not have produced.
func DecodeMessage(b []byte) (Message, error) {
	if len(b) > MaxMessageSize {
		return Message{}, fmt.Errorf("%w: message of %d bytes exceeds %d", ErrProtocol, len(b), MaxMessageSize)
	}
	d := newDecoder(b)
	if v := d.u8(); v != messageVersion {
		return Message{}, fmt.Errorf("%w: message version %d", ErrProtocol, v)
	}
	n := d.uvarint()
	if n > MaxRanges || n > uint64(len(d.buf)/2) {
		return Message{}, fmt.Errorf("%w: %d ranges in %d bytes", ErrProtocol, n, len(d.buf))
	}
	m := Message{Ranges: make([]Range, 0, n)}
	for i := uint64(0); i < n && d.ok; i++ {
		m.Ranges = append(m.Ranges, decodeRange(d))
	}
	if !d.done() {
		return Message{}, fmt.Errorf("%w: malformed or truncated message", ErrProtocol)
	}
	if err := m.Validate(); err != nil {
		return Message{}, err
	}
	return m, nil
}

func decodeRange(d *decoder) Range {
	var r Range
	switch l := d.u8(); {
	case l == boundInf:
		r.Upper.Inf = true
	case l <= 32:
		r.Upper.Len = l
		copy(r.Upper.Key[:], d.take(int(l)))
	default:
		d.ok = false
	}
	r.Mode = Mode(d.u8())
	switch r.Mode {
	case ModeFingerprint:
		copy(r.Fingerprint[:], d.take(len(r.Fingerprint)))
	case ModeIDList:
		r.Items = decodeItems(d)
	case ModeReply:
		r.Codes = decodeCodes(d)
		r.Missing = decodeIDs(d)
	}
	return r
}

func decodeItems(d *decoder) []Item {
	n := d.uvarint()
	if n > uint64(len(d.buf)/itemSize) {
		d.ok = false
		return nil
	}
	items := make([]Item, n)
	for i := range items {
		copy(items[i].ID[:], d.take(32))
		copy(items[i].Hash[:], d.take(16))
	}
	return items
}

func decodeCodes(d *decoder) []ReplyCode {
	n := d.uvarint()
	if n > MaxListItems || n > uint64(len(d.buf))*4 {
		d.ok = false
		return nil
	}
	packed := d.take(int((n + 3) / 4))
	if packed == nil && n > 0 {
		return nil
	}
	codes := make([]ReplyCode, n)
	for i := range codes {
		codes[i] = ReplyCode(packed[i/4] >> (2 * (i % 4)) & 3)
	}
	if n%4 != 0 && packed[len(packed)-1]>>(2*(n%4)) != 0 {
		d.ok = false // non-zero padding bits: not canonical
	}
	return codes
}

func decodeIDs(d *decoder) [][32]byte {
	n := d.uvarint()
	if n > MaxReplyIDs || n > uint64(len(d.buf)/32) {
		d.ok = false
		return nil
	}
	ids := make([][32]byte, n)
	for i := range ids {
		copy(ids[i][:], d.take(32))
	}
	return ids
}

// Validate checks that m is canonical and self-consistent: bounds strictly
// increasing and minimal, nothing after an infinite bound, no adjacent or
// trailing skips, known modes and reply codes, and id lists and missing ids
// sorted and inside their range. Failures wrap ErrProtocol.
func (m Message) Validate() error {
	if len(m.Ranges) > MaxRanges {
		return fmt.Errorf("%w: %d ranges exceed %d", ErrProtocol, len(m.Ranges), MaxRanges)
	}
	var lo Bound
	for i := range m.Ranges {
		r := &m.Ranges[i]
		if err := r.validate(lo, i > 0 && m.Ranges[i-1].Mode == ModeSkip, i == len(m.Ranges)-1); err != nil {
			return fmt.Errorf("%w: range %d: %s", ErrProtocol, i, err)
		}
		lo = r.Upper
	}
	return nil
}

// validate checks one range that starts at lo.
func (r *Range) validate(lo Bound, afterSkip, last bool) error {
	switch {
	case lo.Inf:
		return fmt.Errorf("follows the infinite bound")
	case r.Upper.compare(lo) <= 0:
		return fmt.Errorf("upper bound does not increase")
	case !r.Upper.Inf && (r.Upper.Len > 32 || r.Upper.Key[r.Upper.Len-1] == 0 ||
		!allZero(r.Upper.Key[r.Upper.Len:])):
		return fmt.Errorf("bound is not a minimal prefix")
	}
	inside := func(id *[32]byte) bool { return !lo.above(id) && r.Upper.above(id) }
	switch r.Mode {
	case ModeSkip:
		if afterSkip || last {
			return fmt.Errorf("adjacent or trailing skip")
		}
	case ModeFingerprint:
	case ModeIDList:
		if len(r.Items) > MaxListItems {
			return fmt.Errorf("%d listed items exceed %d", len(r.Items), MaxListItems)
		}
		for k := range r.Items {
			if !inside(&r.Items[k].ID) || (k > 0 && bytes.Compare(r.Items[k-1].ID[:], r.Items[k].ID[:]) >= 0) {
				return fmt.Errorf("id list unsorted or outside the range")
			}
		}
	case ModeReply:
		if len(r.Codes) > MaxListItems || len(r.Missing) > MaxReplyIDs {
			return fmt.Errorf("reply of %d codes and %d ids exceeds %d and %d", len(r.Codes), len(r.Missing), MaxListItems, MaxReplyIDs)
		}
		for _, c := range r.Codes {
			if c > ReplyDiffers {
				return fmt.Errorf("reply code %d", c)
			}
		}
		for k := range r.Missing {
			if !inside(&r.Missing[k]) || (k > 0 && bytes.Compare(r.Missing[k-1][:], r.Missing[k][:]) >= 0) {
				return fmt.Errorf("missing ids unsorted or outside the range")
			}
		}
	default:
		return fmt.Errorf("unknown mode %d", r.Mode)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
