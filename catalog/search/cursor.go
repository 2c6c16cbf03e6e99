package search

import (
	"encoding/base64"
	"encoding/binary"
)

// cursorVersion is the first byte of every cursor; a new layout takes the
// next number and old cursors fail as malformed.
const cursorVersion = 1

// maxCursorLen bounds the encoded cursor a query may carry.
const maxCursorLen = 1024

// cursor is the position after the last item of a page: that item's sort
// key and id, for the query with this fingerprint. Items come in ascending
// (key, id) order, so the next page starts strictly after it. A cursor is
// not secret and needs no signature: a forged one only selects another
// position in the same order.
type cursor struct {
	sort        Sort
	fingerprint uint64
	key         int64
	id          string
}

// encode returns the cursor as URL-safe base64 of: version, sort, the
// fingerprint as 8 big-endian bytes, the key as a varint, then the id.
func (c cursor) encode() string {
	buf := make([]byte, 0, 2+8+binary.MaxVarintLen64+len(c.id))
	buf = append(buf, cursorVersion, byte(c.sort))
	buf = binary.BigEndian.AppendUint64(buf, c.fingerprint)
	buf = binary.AppendVarint(buf, c.key)
	buf = append(buf, c.id...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// decodeCursor parses an encoded cursor. Every failure is ErrInvalidQuery
// naming the cursor parameter.
func decodeCursor(s string) (cursor, error) {
	if len(s) > maxCursorLen {
		return cursor{}, invalid("cursor", "too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2+8 || b[0] != cursorVersion {
		return cursor{}, invalid("cursor", "malformed")
	}
	c := cursor{sort: Sort(b[1]), fingerprint: binary.BigEndian.Uint64(b[2:10])}
	if c.sort > TopRated {
		return cursor{}, invalid("cursor", "malformed")
	}
	key, n := binary.Varint(b[10:])
	if n <= 0 || len(b) == 10+n {
		return cursor{}, invalid("cursor", "malformed")
	}
	c.key, c.id = key, string(b[10+n:])
	return c, nil
}
