package federation

import (
	"context"
	"crypto/rand"
	"io"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// The host BuildHost assembles speaks TCP and QUIC each on its own: two
// hosts listening on one transport only connect, identify each other and
// carry a stream.
func TestBuiltHostsTalkOverTCPAndQUIC(t *testing.T) {
	for _, listen := range []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"} {
		a, b := testHost(t, listen), testHost(t, listen)
		const echo = "/fedmart/test-echo/1.0.0"
		b.SetStreamHandler(echo, func(s network.Stream) {
			defer s.Close()
			_, _ = io.Copy(s, io.LimitReader(s, 5))
		})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
			t.Fatalf("%s: connect: %v", listen, err)
		}
		s, err := a.NewStream(ctx, b.ID(), echo)
		if err != nil {
			t.Fatalf("%s: stream: %v", listen, err)
		}
		if _, err := s.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(s)
		if err != nil || string(got) != "hello" {
			t.Fatalf("%s: echo %q %v", listen, got, err)
		}
		conns := a.Network().ConnsToPeer(b.ID())
		if len(conns) == 0 || !sameTransport(conns[0].RemoteMultiaddr(), listen) {
			t.Errorf("%s: connected over %v", listen, conns)
		}
	}
}

func testHost(t *testing.T, listen string) host.Host {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h, err := BuildHost(key, []string{listen}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// sameTransport reports whether addr uses the transport of listen.
func sameTransport(addr ma.Multiaddr, listen string) bool {
	_, quicErr := addr.ValueForProtocol(ma.P_QUIC_V1)
	wantQUIC := listen[len(listen)-7:] == "quic-v1"
	return (quicErr == nil) == wantQUIC
}
