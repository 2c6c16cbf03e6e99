package federation

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// signingDomain separates charter signatures from every other use of a node key.
const signingDomain = "fedmart/charter/v1\x00"

// MaxCharterBytes caps an encoded signed charter, on disk, over HTTP and on the wire.
const MaxCharterBytes = 1 << 20

// SignedCharter is a charter version with its members' signatures. It is the
// file operators pass around, the body of POST /v1/federation/charter, and
// what members exchange on the charter protocol.
type SignedCharter struct {
	Charter    Charter     `json:"charter"`
	Signatures []Signature `json:"signatures"`
}

// Signature is one signer's Ed25519 signature over the canonical body.
type Signature struct {
	PeerID    string `json:"peer_id"`
	Signature string `json:"signature"` // base64 (standard encoding)
}

// ParseSignedCharter decodes a signed charter strictly: unknown fields,
// trailing data and oversize input are errors.
func ParseSignedCharter(b []byte) (*SignedCharter, error) {
	if len(b) > MaxCharterBytes {
		return nil, fmt.Errorf("%w: charter is %d bytes, more than the %d allowed", ErrInvalid, len(b), MaxCharterBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var sc SignedCharter
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("%w: charter: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: charter: unexpected data after the document", ErrInvalid)
	}
	return &sc, nil
}

// Marshal encodes the signed charter as indented JSON for files and requests.
func (sc *SignedCharter) Marshal() []byte {
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("federation: encoding signed charter: %v", err))
	}
	return append(b, '\n')
}

// Sign adds (or replaces) the signature of key's owner. Any change to the
// body after signing invalidates the signature, so sign last.
func (sc *SignedCharter) Sign(key crypto.PrivKey) error {
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return fmt.Errorf("federation: signing key: %w", err)
	}
	sig, err := key.Sign(signedBytes(&sc.Charter))
	if err != nil {
		return fmt.Errorf("federation: signing charter: %w", err)
	}
	sc.Signatures = slices.DeleteFunc(sc.Signatures, func(s Signature) bool { return s.PeerID == id.String() })
	sc.Signatures = append(sc.Signatures, Signature{PeerID: id.String(), Signature: base64.StdEncoding.EncodeToString(sig)})
	return nil
}

func signedBytes(c *Charter) []byte {
	return append([]byte(signingDomain), c.Canonical()...)
}

// verifiedSigners checks every signature and returns the set of signers.
// A signature that does not verify, or a signer that is neither a member of
// this version nor of prev (when given), is an error that names the signer.
func (sc *SignedCharter) verifiedSigners(prev *Charter) (map[peer.ID]bool, error) {
	msg := signedBytes(&sc.Charter)
	signers := make(map[peer.ID]bool, len(sc.Signatures))
	for i, s := range sc.Signatures {
		field := fmt.Sprintf("signatures[%d]", i)
		id, err := peer.Decode(s.PeerID)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.peer_id: not a peer ID", ErrInvalid, field)
		}
		if signers[id] {
			return nil, fmt.Errorf("%w: %s: %s signed twice", ErrInvalid, field, s.PeerID)
		}
		_, inThis := sc.Charter.Member(id)
		inPrev := false
		if prev != nil {
			_, inPrev = prev.Member(id)
		}
		if !inThis && !inPrev {
			return nil, fmt.Errorf("%w: %s: signer %s is not a member of this charter", ErrForeignSigner, field, s.PeerID)
		}
		if err := verifyOne(id, s.Signature, msg); err != nil {
			return nil, fmt.Errorf("%w: %s: signature of %s (%s): %v", ErrBadSignature, field, s.PeerID, memberName(&sc.Charter, prev, id), err)
		}
		signers[id] = true
	}
	return signers, nil
}

func verifyOne(id peer.ID, sig64 string, msg []byte) error {
	pub, err := id.ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("peer ID does not embed a public key")
	}
	sig, err := base64.StdEncoding.DecodeString(sig64)
	if err != nil {
		return fmt.Errorf("not base64")
	}
	ok, err := pub.Verify(msg, sig)
	if err != nil || !ok {
		return fmt.Errorf("does not verify")
	}
	return nil
}

func memberName(c, prev *Charter, id peer.ID) string {
	if m, ok := c.Member(id); ok {
		return m.Name
	}
	if prev != nil {
		if m, ok := prev.Member(id); ok {
			return m.Name
		}
	}
	return "unknown"
}

// Verify checks that sc is a valid successor of prev, or a valid first
// version when prev is nil:
//
//   - version 1 is valid when every listed member has signed it;
//   - version n+1 must name version n's digest in Previous and is valid when
//     more than two thirds of version n's active members have signed it;
//   - every signature must verify and come from a member of this or the
//     previous version.
//
// Verify does not accept a version that skips or repeats one.
func (sc *SignedCharter) Verify(prev *Charter) error {
	if err := sc.Charter.Validate(); err != nil {
		return err
	}
	c := &sc.Charter
	if prev != nil {
		if err := checkSuccession(prev, c); err != nil {
			return err
		}
	} else if c.Version != 1 {
		return fmt.Errorf("%w: charter version %d needs version %d to verify it", ErrVersion, c.Version, c.Version-1)
	}
	signers, err := sc.verifiedSigners(prev)
	if err != nil {
		return err
	}
	if prev == nil {
		return requireAll(c, signers)
	}
	return requireSupermajority(prev, c.Version, signers)
}

func checkSuccession(prev, c *Charter) error {
	switch {
	case c.FederationID != prev.FederationID:
		return fmt.Errorf("%w: charter.federation_id: %q is not this federation (%q)", ErrInvalid, c.FederationID, prev.FederationID)
	case c.Version != prev.Version+1:
		return fmt.Errorf("%w: charter.version: %d does not follow the current version %d", ErrVersion, c.Version, prev.Version)
	case c.Previous != prev.Digest():
		return fmt.Errorf("%w: charter.previous: does not match the digest of version %d", ErrVersion, prev.Version)
	}
	return nil
}

func requireAll(c *Charter, signers map[peer.ID]bool) error {
	for _, m := range c.Members {
		id, _ := peer.Decode(m.PeerID) // validated
		if !signers[id] {
			return fmt.Errorf("%w: charter version 1: member %s (%s) has not signed; version 1 needs every member", ErrTooFewSignatures, m.PeerID, m.Name)
		}
	}
	return nil
}

func requireSupermajority(prev *Charter, version uint64, signers map[peer.ID]bool) error {
	voters := prev.ActiveMembers()
	n := 0
	for _, m := range voters {
		id, _ := peer.Decode(m.PeerID)
		if signers[id] {
			n++
		}
	}
	if 3*n <= 2*len(voters) {
		return fmt.Errorf("%w: charter version %d: %d of %d active members of version %d signed; more than two thirds (%d) are needed",
			ErrTooFewSignatures, version, n, len(voters), prev.Version, needed(len(voters)))
	}
	return nil
}

// needed is the smallest count that is more than two thirds of n.
func needed(n int) int { return 2*n/3 + 1 }

// VerifyBootstrap checks a charter a node is given by its operator when it
// holds none yet. For version 1 it is Verify(nil). A later version cannot be
// checked against its predecessor, which the node does not have, so the
// operator's word stands for the chain; the document must still be valid and
// carry verifying signatures of more than two thirds of its own active members.
func (sc *SignedCharter) VerifyBootstrap() error {
	if sc.Charter.Version <= 1 {
		return sc.Verify(nil)
	}
	if err := sc.Charter.Validate(); err != nil {
		return err
	}
	signers, err := sc.verifiedSigners(nil)
	if err != nil {
		return err
	}
	return requireSupermajority(&sc.Charter, sc.Charter.Version, signers)
}
