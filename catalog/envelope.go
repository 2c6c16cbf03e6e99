package catalog

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"

	"github.com/hdevalence/ed25519consensus"
	"github.com/libp2p/go-libp2p/core/crypto"
	cryptopb "github.com/libp2p/go-libp2p/core/crypto/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	recordpb "github.com/libp2p/go-libp2p/core/record/pb"
	"google.golang.org/protobuf/proto"
)

// A record travels in a libp2p signed envelope (see seal). Decode used to
// open it with libp2p's record.ConsumeTypedEnvelope, which checks one
// signature at a time. The catalog now opens envelopes itself so that a
// batch of records from a catch-up or the gossip applier can be checked
// with one Ed25519 batch verification, about half the work of checking
// each signature on its own (see AdmitBatch).
//
// Every Ed25519 signature of a record is checked under one rule, ZIP 215
// (github.com/hdevalence/ed25519consensus), whether alone or in a batch.
// ZIP 215 was written for exactly this: batch and single verification
// accept the same signatures, so a record that one member admits in a
// catch-up batch is one that every member admits when it arrives alone.
// Go's crypto/ed25519 accepts a subset of what ZIP 215 accepts; the
// difference is signatures that only the holder of the private key can
// make (small-order components), so a forger gains nothing from it, and
// the origin that could craft one gains no record that members disagree
// on.

// openedEnvelope is a record's signed envelope, parsed but not verified.
type openedEnvelope struct {
	key     crypto.PubKey
	edKey   ed25519.PublicKey // the key when it is Ed25519, else nil
	typ     []byte
	payload []byte
	sig     []byte
	signed  []byte // what the signature covers
}

// openEnvelope parses raw as a record's envelope without checking its
// signature. Its errors are Decode's for an envelope that does not parse.
func openEnvelope(raw []byte, maxBytes int) (*openedEnvelope, error) {
	if len(raw) > maxBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d accepted", ErrTooLarge, len(raw), maxBytes)
	}
	var pe recordpb.Envelope
	if err := proto.Unmarshal(raw, &pe); err != nil {
		return nil, fmt.Errorf("%w: record: not a signed envelope: %v", ErrInvalid, err)
	}
	if err := exact(raw, &pe); err != nil {
		return nil, err
	}
	key, err := crypto.PublicKeyFromProto(pe.GetPublicKey())
	if err != nil {
		return nil, fmt.Errorf("%w: record: not a signed envelope: %v", ErrInvalid, err)
	}
	e := &openedEnvelope{key: key, typ: pe.GetPayloadType(), payload: pe.GetPayload(), sig: pe.GetSignature()}
	if key.Type() == cryptopb.KeyType_Ed25519 {
		if b, err := key.Raw(); err == nil && len(b) == ed25519.PublicKeySize {
			e.edKey = b
		}
	}
	e.signed = envelopeSigned(RecordDomain, e.typ, e.payload)
	return e, nil
}

// exact refuses an envelope with bytes that its fields, as decoded, do not
// account for: a field repeated (the decoder keeps the last), or one it
// does not know. The signature covers only the payload, so a relay could
// otherwise pad a member's record, and every member would store and
// forward the padding with it. An envelope as record.Seal writes it is
// exact.
func exact(raw []byte, pe *recordpb.Envelope) error {
	if len(pe.ProtoReflect().GetUnknown()) != 0 || len(pe.GetPublicKey().ProtoReflect().GetUnknown()) != 0 {
		return fmt.Errorf("%w: record: the envelope has fields a signed envelope does not", ErrInvalid)
	}
	if n := proto.Size(pe); n != len(raw) {
		return fmt.Errorf("%w: record: the envelope's fields take %d of its %d bytes (a field repeated)", ErrInvalid, n, len(raw))
	}
	return nil
}

// envelopeSigned is what a libp2p envelope's signature covers: the
// domain, the payload type and the payload, each preceded by its length
// as an unsigned varint. TestEnvelopeSignedMatchesLibp2p holds it to
// libp2p's record.Seal.
func envelopeSigned(domain string, typ, payload []byte) []byte {
	b := make([]byte, 0, len(domain)+len(typ)+len(payload)+3*binary.MaxVarintLen64)
	b = binary.AppendUvarint(b, uint64(len(domain)))
	b = append(b, domain...)
	b = binary.AppendUvarint(b, uint64(len(typ)))
	b = append(b, typ...)
	b = binary.AppendUvarint(b, uint64(len(payload)))
	return append(b, payload...)
}

// verify checks the envelope's signature on its own.
func (e *openedEnvelope) verify() bool {
	if e.edKey != nil {
		return ed25519consensus.Verify(e.edKey, e.signed, e.sig)
	}
	ok, err := e.key.Verify(e.signed, e.sig)
	return err == nil && ok
}

// record parses the payload of an envelope whose signature was checked,
// and checks that its signer is its origin and that it is well formed.
func (e *openedEnvelope) record() (*Record, error) {
	if string(e.typ) != recordCodec {
		return nil, fmt.Errorf("%w: record: payload type %q is not %s", ErrInvalid, clip(string(e.typ)), recordCodec)
	}
	signer, err := peer.IDFromPublicKey(e.key)
	if err != nil {
		return nil, fmt.Errorf("%w: record: signer key: %v", ErrInvalid, err)
	}
	rec := new(Record)
	if err := rec.UnmarshalRecord(e.payload); err != nil {
		return nil, fmt.Errorf("%w: record payload: %v", ErrInvalid, err)
	}
	if rec.Origin != peerText(signer) {
		return nil, fmt.Errorf("%w: record claims origin %q but is signed by %s", ErrForged, clip(rec.Origin), signer)
	}
	if err := rec.check(); err != nil {
		return nil, fmt.Errorf("%w: record %s/%d: %v", ErrInvalid, rec.Origin, rec.Seq, err)
	}
	return rec, nil
}

// errForgedSignature is Decode's error for a signature that does not verify.
var errForgedSignature = fmt.Errorf("%w: record signature does not verify (tampered, or not signed for %s)", ErrForged, RecordDomain)

// verifyBatch checks the signatures of envs, one per record, nil where
// the record did not open. ok[i] says the signature of envs[i] verified.
// The Ed25519 signatures are checked in one batch; when the batch fails,
// which says only that one of them is bad, each is checked alone, so
// that a bad record costs its batch time but never spoils the others.
func verifyBatch(envs []*openedEnvelope) []bool {
	ok := make([]bool, len(envs))
	n := 0
	for _, e := range envs {
		if e != nil && e.edKey != nil {
			n++
		}
	}
	batched := false
	if n > 1 {
		bv := ed25519consensus.NewPreallocatedBatchVerifier(n)
		for _, e := range envs {
			if e != nil && e.edKey != nil {
				bv.Add(e.edKey, e.signed, e.sig)
			}
		}
		batched = bv.Verify()
	}
	for i, e := range envs {
		switch {
		case e == nil:
		case batched && e.edKey != nil:
			ok[i] = true
		default:
			ok[i] = e.verify()
		}
	}
	return ok
}
