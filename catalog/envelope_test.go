package catalog

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	cryptopb "github.com/libp2p/go-libp2p/core/crypto/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
)

// The catalog opens envelopes itself to verify them in batches; what it
// takes as signed must be exactly what libp2p's record.Seal signs, for
// every length of payload type and payload (a length from 128 takes a
// second varint byte) and for keys that are not Ed25519.
func TestEnvelopeSignedMatchesLibp2p(t *testing.T) {
	secp, _, err := crypto.GenerateSecp256k1Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []crypto.PrivKey{newKey(t), secp} {
		for _, size := range []int{0, 1, 127, 128, 300, 20000} {
			t.Run(fmt.Sprintf("%s/%d", key.Type(), size), func(t *testing.T) {
				p := signedPayload(bytes.Repeat([]byte{'x'}, size))
				raw := mustSeal(t, &p, key)
				var back signedPayload
				if _, err := record.ConsumeTypedEnvelope(raw, &back); err != nil {
					t.Fatalf("libp2p refuses its own envelope: %v", err)
				}
				e, err := openEnvelope(raw, 1<<20)
				if err != nil {
					t.Fatal(err)
				}
				if !e.verify() {
					t.Fatal("the catalog does not verify what libp2p signed")
				}
				if (e.edKey != nil) != (key.Type() == cryptopb.KeyType_Ed25519) {
					t.Fatalf("Ed25519 key found: %v, key type %s", e.edKey != nil, key.Type())
				}
				if !bytes.Equal(e.payload, p) || string(e.typ) != recordCodec {
					t.Fatalf("payload %d bytes, type %q", len(e.payload), e.typ)
				}
				e.signed[len(e.signed)-1] ^= 1 // the payload's last byte, or its length when empty
				if e.verify() {
					t.Fatal("a changed payload still verifies")
				}
			})
		}
	}
}

// A batch whose chunks each hold one forged record refuses exactly those,
// each with ErrForged, and admits every other record: a failed batch
// verification falls back to checking each signature alone.
func TestAdmitBatchRefusesOnlyTheForgedRecords(t *testing.T) {
	members := &memberSet{}
	src := newNode(t, testConfig(), members)
	m := src.merchant(t)
	ctx := context.Background()
	for i := range 150 {
		if _, err := src.CreateListing(ctx, m, input(fmt.Sprintf("Pan %d", i), fmt.Sprintf("PAN-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	raws := src.raws()
	forged := map[int]bool{}
	for i := 5; i < len(raws); i += 37 {
		raws[i] = append([]byte(nil), raws[i]...)
		raws[i][len(raws[i])-10] ^= 1 // a byte of the signature
		forged[i] = true
	}
	dst := newNode(t, testConfig(), members)
	a := dst.AdmitBatch(raws)
	for i := range raws {
		switch {
		case forged[i] && !errors.Is(a.errs[i], ErrForged):
			t.Fatalf("record %d was forged; AdmitBatch said %v", i, a.errs[i])
		case forged[i] && a.recs[i] != nil:
			t.Fatalf("record %d was forged and still admitted", i)
		case !forged[i] && (a.errs[i] != nil || a.recs[i] == nil):
			t.Fatalf("record %d is sound; AdmitBatch said %v", i, a.errs[i])
		}
	}
}

func TestVerifyChunk(t *testing.T) {
	for _, tt := range []struct{ n, procs, want int }{
		{1, 2, 8}, {16, 2, 8}, {40, 2, 20}, {512, 2, 64}, {512, 16, 32}, {100, 0, 64},
	} {
		if got := verifyChunk(tt.n, tt.procs); got != tt.want {
			t.Errorf("verifyChunk(%d, %d) = %d, want %d", tt.n, tt.procs, got, tt.want)
		}
	}
}

// The cache of peer IDs' text forms only ever holds canonical forms: the
// same ID written as a CID is refused after its canonical form is cached,
// and the cache stops growing at its bound.
func TestPeerTextCache(t *testing.T) {
	key := newKey(t)
	text := peerOf(t, key)
	id, err := peer.Decode(text)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := checkPeerID(text); err != nil {
			t.Fatal(err)
		}
		if got := peerText(id); got != text {
			t.Fatalf("peerText = %s, want %s", got, text)
		}
	}
	asCID := peer.ToCid(id).String()
	if err := checkPeerID(asCID); err == nil {
		t.Fatalf("%s (a CID) accepted as a canonical peer ID", asCID)
	}
	for range maxPeerTexts {
		if err := checkPeerID(peerOf(t, newKey(t))); err != nil {
			t.Fatal(err)
		}
	}
	// Full: a new peer ID is still checked, and not kept.
	late := peerOf(t, newKey(t))
	if err := checkPeerID(late); err != nil {
		t.Fatal(err)
	}
	if _, kept := peerTexts.Load(late); kept {
		t.Fatalf("a full cache (%d entries, bound %d) kept another peer ID", peerTexts.n.Load(), maxPeerTexts)
	}
	if _, kept := peerTexts.Load(text); !kept {
		t.Fatal("the cache lost a peer ID it kept")
	}
}
