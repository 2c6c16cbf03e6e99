package catalog

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/libp2p/go-libp2p/core/peer"
)

// localIDLen is the length of a merchant or listing id: 10 random bytes in
// lower-case base32, 80 bits.
const localIDLen = 16

// localIDEncoding is RFC 4648 base32 in lower case, without padding; its
// alphabet (a-z, 2-7) is URL-safe and has no '.'.
var localIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newLocalID returns a fresh random merchant or listing id.
func newLocalID() string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return localIDEncoding.EncodeToString(b[:])
}

// isLocalID reports whether s has the form newLocalID produces.
func isLocalID(s string) bool {
	if len(s) != localIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// FormatID joins a home node's peer ID, a merchant id and a listing id into
// a global listing id, <platform>.<merchant>.<listing>. Peer IDs are base58
// or base32 and never contain '.', so the id splits back unambiguously and
// needs no escaping in a URL.
func FormatID(platform, merchant, listing string) string {
	return platform + "." + merchant + "." + listing
}

// ParseID splits a global listing id and checks each part: platform is a
// peer ID in its canonical text form; merchant and listing are ids this
// package generates. Errors wrap ErrInvalid.
func ParseID(id string) (platform, merchant, listing string, err error) {
	parts := strings.Split(id, ".")
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("%w: listing id %q: want <platform>.<merchant>.<listing>", ErrInvalid, clip(id))
	}
	if err := checkPeerID(parts[0]); err != nil {
		return "", "", "", fmt.Errorf("%w: listing id %q: platform: %v", ErrInvalid, clip(id), err)
	}
	if !isLocalID(parts[1]) {
		return "", "", "", fmt.Errorf("%w: listing id %q: merchant part is not a merchant id", ErrInvalid, clip(id))
	}
	if !isLocalID(parts[2]) {
		return "", "", "", fmt.Errorf("%w: listing id %q: listing part is not a listing id", ErrInvalid, clip(id))
	}
	return parts[0], parts[1], parts[2], nil
}

// platformOf returns the platform part of an id that was parsed before.
func platformOf(id string) string {
	p, _, _ := strings.Cut(id, ".")
	return p
}

// checkPeerID accepts a peer ID in the canonical text form, the one keys
// and ids are built from.
func checkPeerID(s string) error {
	if _, ok := peerTexts.Load(s); ok {
		return nil
	}
	pid, err := peer.Decode(s)
	if err != nil {
		return fmt.Errorf("not a peer ID")
	}
	if pid.String() != s {
		return fmt.Errorf("peer ID not in canonical form (want %s)", pid)
	}
	peerTexts.remember(s, pid)
	return nil
}

// peerText is the canonical text form of id.
func peerText(id peer.ID) string {
	if s, ok := peerTexts.Load(id); ok {
		return s.(string)
	}
	s := id.String()
	peerTexts.remember(s, id)
	return s
}

// peerTexts caches, both ways, the canonical text forms of the peer IDs
// records are checked against: every record names its origin in base58,
// which a catch-up would otherwise decode and encode again for each of
// its records. A text form is keyed by itself, an ID by its bytes (a
// peer.ID); anyone can make peer IDs, so the cache stops growing at
// maxPeerTexts entries and works as before past that.
var peerTexts peerTextCache

const maxPeerTexts = 4096

type peerTextCache struct {
	sync.Map
	n atomic.Int64
}

func (c *peerTextCache) remember(s string, id peer.ID) {
	if c.n.Add(2) > maxPeerTexts {
		c.n.Add(-2)
		return
	}
	c.Store(s, struct{}{})
	c.Store(id, s)
}

// clip shortens untrusted text quoted in an error message.
func clip(s string) string {
	const limit = 120
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
