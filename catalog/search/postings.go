package search

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Text fields, in the order their term frequencies are packed into a code.
const (
	fieldTitle = iota
	fieldBrand
	fieldCategory
	fieldDescription
	numFields
)

// maxTF caps the term frequency the index records per field. Posting level
// l of a term and field holds the documents where the term occurs more than
// l times, so a document's frequency is the number of levels that hold it.
// Past three repeats a word adds nothing but keyword stuffing.
const maxTF = 3

// tfCode packs the capped frequency of one term in each field, two bits per
// field, title in the low bits. A document's entry for a term is never 0.
type tfCode uint8

// tf returns the frequency of the term in field f.
func (c tfCode) tf(f int) int { return int(c>>(2*f)) & 3 }

// with returns c with field f's frequency raised by one, up to maxTF.
func (c tfCode) with(f int) tfCode {
	if c.tf(f) == maxTF {
		return c
	}
	return c + 1<<(2*f)
}

// posting is the set of documents holding a term at least level+1 times in
// field.
type posting struct {
	field, level uint8
	docs         *roaring.Bitmap
}

// term is one entry of the vocabulary. A term whose documents are all gone
// keeps its id, with no postings, until the next Save/Load compacts the
// vocabulary.
type term struct {
	text  string
	df    uint32    // documents holding the term in any field
	lists []posting // sorted by field, then level; never an empty bitmap
}

// find returns the index of the (field, level) posting, or where it belongs.
func (t *term) find(field, level uint8) (int, bool) {
	return slices.BinarySearchFunc(t.lists, [2]uint8{field, level}, func(p posting, k [2]uint8) int {
		if p.field != k[0] {
			return int(p.field) - int(k[0])
		}
		return int(p.level) - int(k[1])
	})
}

// add records doc under the term with frequency code c.
func (t *term) add(doc uint32, c tfCode) {
	t.df++
	for f := range numFields {
		for l := range c.tf(f) {
			i, ok := t.find(uint8(f), uint8(l))
			if !ok {
				t.lists = slices.Insert(t.lists, i, posting{uint8(f), uint8(l), roaring.New()})
			}
			t.lists[i].docs.Add(doc)
		}
	}
}

// remove undoes add(doc, c), dropping postings that become empty.
func (t *term) remove(doc uint32, c tfCode) {
	t.df--
	for f := range numFields {
		for l := range c.tf(f) {
			i, ok := t.find(uint8(f), uint8(l))
			if !ok {
				continue
			}
			t.lists[i].docs.Remove(doc)
			if t.lists[i].docs.IsEmpty() {
				t.lists = slices.Delete(t.lists, i, i+1)
			}
		}
	}
}

// matches returns the documents holding the term in any field. The result
// may be one of the term's own bitmaps: callers must not modify it.
func (t *term) matches() *roaring.Bitmap {
	var any []*roaring.Bitmap
	for _, p := range t.lists {
		if p.level == 0 {
			any = append(any, p.docs)
		}
	}
	switch len(any) {
	case 0:
		return roaring.New()
	case 1:
		return any[0]
	}
	return roaring.FastOr(any...)
}

// entry is one term of a document's forward list.
type entry struct {
	term uint32
	code tfCode
}

// errForward reports a forward list that does not decode.
var errForward = errors.New("malformed forward list")

// encodeForward packs a document's entries, sorted by term, as a string:
// per entry the uvarint gap from the previous term id, then the code byte.
// A document keeps this list so that it can be removed from its postings
// without re-reading its text.
func encodeForward(entries []entry) string {
	buf := make([]byte, 0, 3*len(entries))
	prev := uint32(0)
	for i, e := range entries {
		gap := e.term - prev
		if i == 0 {
			gap = e.term
		}
		buf = binary.AppendUvarint(buf, uint64(gap))
		buf = append(buf, byte(e.code))
		prev = e.term
	}
	return string(buf)
}

// decodeForward calls fn for each entry of an encoded forward list. It
// checks that term ids increase strictly, stay below nTerms, and that codes
// are not zero, so that a corrupt snapshot cannot index garbage.
func decodeForward(s string, nTerms int, fn func(entry)) error {
	var prev uint64
	for i := 0; len(s) > 0; i++ {
		gap, n := uvarint(s)
		if n <= 0 || n >= len(s) || (i > 0 && gap == 0) {
			return errForward
		}
		id := prev + gap
		code := tfCode(s[n])
		if id >= uint64(nTerms) || code == 0 {
			return errForward
		}
		fn(entry{uint32(id), code})
		prev, s = id, s[n+1:]
	}
	return nil
}

// uvarint is binary.Uvarint for a string, without copying it.
func uvarint(s string) (uint64, int) {
	var x uint64
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if i == binary.MaxVarintLen64-1 && b > 1 {
			return 0, -1 // overflows 64 bits
		}
		if b < 0x80 {
			return x | uint64(b)<<(7*i), i + 1
		}
		x |= uint64(b&0x7f) << (7 * i)
	}
	return 0, 0
}
