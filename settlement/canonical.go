package settlement

import (
	"encoding/binary"
	"hash"
	"time"
)

// encoder builds the canonical byte encodings that are hashed, signed and
// stored: fixed-width big-endian integers and uvarint-length-prefixed
// strings, in a fixed field order. It never fails.
type encoder struct{ buf []byte }

func (e *encoder) str(s string) {
	e.buf = binary.AppendUvarint(e.buf, uint64(len(s)))
	e.buf = append(e.buf, s...)
}

func (e *encoder) u64(v uint64) { e.buf = binary.BigEndian.AppendUint64(e.buf, v) }

func (e *encoder) i64(v int64) { e.u64(uint64(v)) }

func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

func (e *encoder) raw(b []byte) { e.buf = append(e.buf, b...) }

// time encodes t as Unix seconds and nanoseconds, independent of location.
func (e *encoder) time(t time.Time) {
	e.i64(t.Unix())
	e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(t.Nanosecond()))
}

// decoder reads what encoder wrote. The first problem sticks in ok=false and
// every later read returns zero values, so callers check once at the end.
// It never allocates more than the input holds and never panics.
type decoder struct {
	buf []byte
	ok  bool
}

func newDecoder(b []byte) *decoder { return &decoder{buf: b, ok: true} }

func (d *decoder) take(n int) []byte {
	if !d.ok || n < 0 || n > len(d.buf) {
		d.ok = false
		return nil
	}
	b := d.buf[:n]
	d.buf = d.buf[n:]
	return b
}

func (d *decoder) uvarint() uint64 {
	if !d.ok {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) { // overflow or not minimal
		d.ok = false
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

// str reads a length-prefixed string of at most max bytes.
func (d *decoder) str(max int) string {
	n := d.uvarint()
	if n > uint64(max) {
		d.ok = false
		return ""
	}
	return string(d.take(int(n)))
}

func (d *decoder) u64() uint64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

func (d *decoder) i64() int64 { return int64(d.u64()) }

func (d *decoder) u8() byte {
	b := d.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (d *decoder) time() time.Time {
	sec := d.i64()
	b := d.take(4)
	if b == nil {
		return time.Time{}
	}
	nsec := binary.BigEndian.Uint32(b)
	if nsec >= 1e9 {
		d.ok = false
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

// done reports whether everything decoded and nothing is left over.
func (d *decoder) done() bool { return d.ok && len(d.buf) == 0 }

// writeField writes a uvarint-length-prefixed string into a hash, so that
// concatenated fields can never be confused ("ab"+"c" vs "a"+"bc").
func writeField(h hash.Hash, s string) {
	h.Write(binary.AppendUvarint(nil, uint64(len(s))))
	h.Write([]byte(s))
}
