package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Snapshot field limits. A length over them, or over the bytes left in
// the file, is corruption; checking both keeps a damaged length from
// allocating gigabytes.
const (
	maxSnapshotString  = 1 << 20
	maxSnapshotForward = 1 << 24
)

// decoder reads snapshot values and keeps the first error. left counts the
// body bytes not yet read.
type decoder struct {
	r    *bufio.Reader
	left int64
	err  error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf(format, args...)
	}
}

// read records a read error, calling a short body truncated.
func (d *decoder) read(err error) {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("truncated")
	}
	if d.err == nil && err != nil {
		d.err = err
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d)
	d.read(err)
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(d)
	d.read(err)
	return v
}

// ReadByte makes decoder an io.ByteReader for the varint readers.
func (d *decoder) ReadByte() (byte, error) {
	b, err := d.r.ReadByte()
	if err == nil {
		d.left--
	}
	return b, err
}

// count reads a count of items that each take at least one byte.
func (d *decoder) count(what string) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(d.left) {
		d.fail("%s count %d exceeds file", what, n)
	}
	return int(n)
}

func (d *decoder) string(limit int) string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(limit) || n > uint64(d.left) {
		d.fail("string length %d out of bounds", n)
		return ""
	}
	b := make([]byte, n)
	_, err := io.ReadFull(d.r, b)
	d.read(err)
	d.left -= int64(n)
	return string(b)
}

// decodeIndex reads a snapshot body (see Index.encode) into a new index.
func decodeIndex(d *decoder) (*Index, string) {
	magic := make([]byte, len(snapshotMagic))
	_, err := io.ReadFull(d.r, magic)
	d.read(err)
	d.left -= int64(len(magic))
	if d.err == nil && string(magic) != snapshotMagic {
		d.fail("not a search snapshot")
	}
	if v := d.uvarint(); d.err == nil && v != snapshotVersion {
		d.fail("format version %d, want %d", v, snapshotVersion)
	}
	stamp := d.string(maxSnapshotString)
	ix := New()
	for range d.count("term") {
		text := d.string(maxSnapshotString)
		if d.err != nil {
			break
		}
		if _, dup := ix.vocab[text]; dup || text == "" {
			d.fail("bad or duplicate term %q", text)
			break
		}
		ix.vocab[text] = uint32(len(ix.terms))
		ix.terms = append(ix.terms, term{text: text})
	}
	for range d.count("document") {
		if d.err != nil {
			break
		}
		decodeDoc(d, ix)
	}
	return ix, stamp
}

// decodeDoc reads one document and indexes it. ix is not yet shared.
func decodeDoc(d *decoder, ix *Index) {
	var v [9]string
	for i := range v {
		v[i] = d.string(maxSnapshotString)
	}
	doc := Doc{ID: v[0], Title: v[1], Description: v[2], Brand: v[3], Category: v[4],
		Platform: v[5], Merchant: v[6], Currency: v[7], Image: v[8]}
	doc.Price = d.varint()
	updated := d.varint()
	doc.InStock = d.uvarint() == 1
	var lens [numFields]uint16
	for f := range lens {
		n := d.uvarint()
		lens[f] = uint16(min(n, math.MaxUint16))
	}
	forward := d.string(maxSnapshotForward)
	var es []entry
	if err := decodeForward(forward, len(ix.terms), func(e entry) { es = append(es, e) }); err != nil {
		d.fail("document %q: %v", doc.ID, err)
	}
	_, dup := ix.ids[doc.ID]
	switch {
	case d.err != nil:
		return
	case doc.ID == "" || dup:
		d.fail("bad or duplicate document id %q", doc.ID)
		return
	case doc.Price < 0 || updated < -maxMicros || updated > maxMicros:
		d.fail("document %q: value out of range", doc.ID)
		return
	}
	doc.Updated = fromMicros(updated)
	ix.index(ix.alloc(doc.ID), normalize(doc), es, lens)
}
