package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/RoaringBitmap/roaring/v2"
)

// Snapshot field limits. A length over them, or over the bytes left in
// the file, is corruption; checking both keeps a damaged length from
// allocating gigabytes.
const (
	maxSnapshotString  = 1 << 20
	maxSnapshotForward = 1 << 24
	maxSnapshotBitmap  = 1 << 30
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

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	b, err := d.ReadByte()
	d.read(err)
	return b
}

// bitmap reads a roaring bitmap in its portable format, length first.
func (d *decoder) bitmap() *roaring.Bitmap {
	b := d.string(maxSnapshotBitmap)
	if d.err != nil {
		return nil
	}
	bm := roaring.New()
	if err := bm.UnmarshalBinary([]byte(b)); err != nil {
		d.fail("bitmap: %v", err)
		return nil
	}
	if err := bm.Validate(); err != nil {
		d.fail("bitmap: %v", err)
		return nil
	}
	return bm
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

// decodeIndex reads a snapshot body (see Index.encode) into a new index,
// which it checks: every posting is a valid, non-empty bitmap of live
// slots, and each term's postings are referenced by as many forward lists
// as there are documents in them.
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
		if d.err != nil {
			break
		}
		decodeTerm(d, ix)
	}
	for range d.count("slot") {
		if d.err != nil {
			break
		}
		s := ix.grow()
		switch d.uvarint() {
		case 0:
			ix.free = append(ix.free, s)
		case 1:
			decodeDoc(d, ix, s)
		default:
			d.fail("slot %d: bad tag", s)
		}
	}
	if d.err == nil {
		checkPostings(d, ix)
	}
	return ix, stamp
}

// decodeTerm reads one term and its postings.
func decodeTerm(d *decoder, ix *Index) {
	t := term{text: d.string(maxSnapshotString)}
	if _, dup := ix.vocab[t.text]; d.err == nil && (dup || t.text == "") {
		d.fail("bad or duplicate term %q", t.text)
	}
	n := d.uvarint()
	if d.err == nil && n > numFields*maxTF {
		d.fail("term %q: %d postings", t.text, n)
	}
	for i := 0; uint64(i) < n && d.err == nil; i++ {
		p := posting{field: d.byte(), level: d.byte()}
		p.docs = d.bitmap()
		if d.err != nil {
			break
		}
		if p.field >= numFields || p.level >= maxTF || p.docs.IsEmpty() ||
			(i > 0 && (p.field < t.lists[i-1].field || p.field == t.lists[i-1].field && p.level <= t.lists[i-1].level)) {
			d.fail("term %q: bad posting", t.text)
		}
		t.lists = append(t.lists, p)
	}
	ix.vocab[t.text] = uint32(len(ix.terms))
	ix.terms = append(ix.terms, t)
}

// decodeDoc reads the document of slot s and stores it; its postings come
// with its terms. It counts the document in each of its terms' df.
func decodeDoc(d *decoder, ix *Index, s uint32) {
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
		lens[f] = uint16(min(d.uvarint(), math.MaxUint16))
	}
	forward := d.string(maxSnapshotForward)
	if err := decodeForward(forward, len(ix.terms), func(e entry) { ix.terms[e.term].df++ }); err != nil {
		d.fail("document %q: %v", doc.ID, err)
	}
	_, dup := ix.ids.get(doc.ID, &ix.slots)
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
	ix.ids.set(doc.ID, s, &ix.slots)
	ix.store(s, normalize(doc), forward, lens)
}

// checkPostings fails the decoder unless every posting holds live slots
// only and every term's postings cover df documents.
func checkPostings(d *decoder, ix *Index) {
	for i := range ix.terms {
		t := &ix.terms[i]
		for _, p := range t.lists {
			if p.docs.AndCardinality(ix.live) != p.docs.GetCardinality() {
				d.fail("term %q: postings hold free slots", t.text)
				return
			}
		}
		if t.matches().GetCardinality() != uint64(t.df) {
			d.fail("term %q: postings disagree with forward lists", t.text)
			return
		}
	}
}
