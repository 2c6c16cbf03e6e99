package settlement

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// Fingerprint summarizes a range of items in 16 bytes. Two sides with the
// same items in a range compute the same fingerprint; different items give
// different fingerprints except with probability about 2^-128.
//
// Each item contributes its element, SHA-256(id ‖ content hash), read as a
// 256-bit little-endian integer. The fingerprint of a range is
// SHA-256(sum of the elements mod 2^256 ‖ uvarint(count)) truncated to 16
// bytes. The sum is order-independent and updatable; hashing it with the
// count keeps the result from being linear in the items, so differences
// cannot cancel out in a predictable way; the count separates ranges whose
// sums collide by accident of multiplicity.
type Fingerprint [16]byte

// element is an item's 256-bit contribution, as four little-endian limbs.
type element [4]uint64

// elementOf computes the element of an item.
func elementOf(it *Item) element {
	var buf [itemSize]byte
	copy(buf[:32], it.ID[:])
	copy(buf[32:], it.Hash[:])
	sum := sha256.Sum256(buf[:])
	var e element
	for k := range e {
		e[k] = binary.LittleEndian.Uint64(sum[8*k:])
	}
	return e
}

// fingerprintOf folds elements into a fingerprint.
func fingerprintOf(elems []element) Fingerprint {
	var s0, s1, s2, s3, c uint64
	for i := range elems {
		e := &elems[i]
		s0, c = bits.Add64(s0, e[0], 0)
		s1, c = bits.Add64(s1, e[1], c)
		s2, c = bits.Add64(s2, e[2], c)
		s3, _ = bits.Add64(s3, e[3], c)
	}
	var buf [32 + binary.MaxVarintLen64]byte
	for k, s := range [4]uint64{s0, s1, s2, s3} {
		binary.LittleEndian.PutUint64(buf[8*k:], s)
	}
	n := binary.PutUvarint(buf[32:], uint64(len(elems)))
	sum := sha256.Sum256(buf[:32+n])
	var fp Fingerprint
	copy(fp[:], sum[:])
	return fp
}
