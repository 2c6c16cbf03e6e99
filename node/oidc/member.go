package oidc

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/fedmart/fedmart/federation"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// activeMember returns the member id names in the charter in force, or
// ErrNotMember when it is not an active one.
func activeMember(ch Charter, id string) (federation.Member, error) {
	sc, err := ch.Charter()
	if err != nil {
		return federation.Member{}, fmt.Errorf("%w: no charter in force: %v", ErrNotMember, err)
	}
	pid, err := peer.Decode(id)
	if err != nil {
		return federation.Member{}, fmt.Errorf("%w: %q is not a peer ID", ErrNotMember, id)
	}
	m, ok := sc.Charter.Member(pid)
	if !ok || m.Status != federation.StatusActive {
		status := "unknown"
		if ok {
			status = m.Status
		}
		return federation.Member{}, fmt.Errorf("%w: member %s is %s", ErrNotMember, id, status)
	}
	return m, nil
}

// memberKey is the Ed25519 public key inside a peer ID.
func memberKey(id string) (ed25519.PublicKey, error) {
	pid, err := peer.Decode(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a peer ID", ErrInvalid, id)
	}
	pub, err := pid.ExtractPublicKey()
	if err != nil || pub.Type() != crypto.Ed25519 {
		return nil, fmt.Errorf("%w: peer %s holds no Ed25519 key", ErrInvalid, id)
	}
	raw, err := pub.Raw()
	if err != nil {
		return nil, fmt.Errorf("%w: peer %s: %v", ErrInvalid, id, err)
	}
	return ed25519.PublicKey(raw), nil
}

// privateKey is the node's libp2p key as the Ed25519 key go-jose signs
// with.
func privateKey(k crypto.PrivKey) (ed25519.PrivateKey, error) {
	raw, err := k.Raw() // libp2p keeps the 64-byte seed+public form
	if err != nil {
		return nil, err
	}
	if len(raw) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("oidc: node key of %d bytes is not Ed25519", len(raw))
	}
	return ed25519.PrivateKey(raw), nil
}

// memberKeySet is the KeySet a relying party verifies one issuer's ID
// tokens with: the key of the peer the charter lists at the issuer's
// URL, asked at every verification, so that a member suspended a moment
// ago is refused now. It holds no key of its own.
type memberKeySet struct {
	charter Charter
	peer    string // the issuer's peer ID
	issuer  string // the issuer URL the token must name
}

// VerifySignature implements oidc.KeySet.
func (k memberKeySet) VerifySignature(_ context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	m, err := activeMember(k.charter, k.peer)
	if err != nil {
		return nil, err
	}
	if m.API != k.issuer {
		return nil, fmt.Errorf("%w: member %s's API URL is %s, not the issuer %s", ErrNotMember, k.peer, m.API, k.issuer)
	}
	if len(jws.Signatures) != 1 || jws.Signatures[0].Header.Algorithm != string(jose.EdDSA) {
		return nil, fmt.Errorf("%w: ID token must carry one EdDSA signature", ErrInvalid)
	}
	pub, err := memberKey(k.peer)
	if err != nil {
		return nil, err
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: ID token is not signed by member %s: %v", ErrInvalid, k.peer, err)
	}
	return payload, nil
}
