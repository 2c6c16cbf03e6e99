package federation

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// connectedTo fails unless n reports exactly the peers in want as connected
// members, and no others.
func connectedTo(n *testNode, want ...*testNode) error {
	wantSet := map[peer.ID]bool{}
	for _, w := range want {
		wantSet[w.Self()] = true
	}
	for _, m := range n.Members() {
		if m.Connected != wantSet[m.PeerID] {
			return fmt.Errorf("%s: member %s connected=%v, want %v", n.Self().ShortString(), m.Name, m.Connected, wantSet[m.PeerID])
		}
	}
	for _, p := range n.Host().Network().Peers() {
		if !wantSet[p] {
			return fmt.Errorf("%s: holds a connection to %s", n.Self().ShortString(), p.ShortString())
		}
	}
	return nil
}

func versionIs(v uint64, nodes ...*testNode) func() error {
	return func() error {
		for _, n := range nodes {
			if got := n.version(); got != v {
				return fmt.Errorf("%s at charter version %d, want %d", n.Self().ShortString(), got, v)
			}
		}
		return nil
	}
}

func TestFederationLifecycle(t *testing.T) {
	ka, _ := newKey(t)
	kb, _ := newKey(t)
	kc, _ := newKey(t)
	kd, _ := newKey(t)
	a, b, c := startNode(t, ka), startNode(t, kb), startNode(t, kc)
	v1 := founding(t, []Member{a.member("alpha"), b.member("beta"), c.member("gamma")}, ka, kb, kc)
	federate(t, v1, a, b, c)

	t.Run("outsider cannot connect or open a stream", func(t *testing.T) {
		ko, _ := newKey(t)
		// An outsider with a valid key and no gate of its own: the strongest position a stranger can take.
		h, err := libp2p.New(libp2p.Identity(ko), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		for _, n := range []*testNode{a, b, c} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = h.Connect(ctx, peer.AddrInfo{ID: n.Self(), Addrs: n.Host().Addrs()})
			s, err := h.NewStream(ctx, n.Self(), CharterProtocol)
			cancel()
			if err == nil {
				s.Close()
				t.Fatalf("outsider opened a charter stream to %s", n.Self())
			}
		}
		testwait.For(t, 5*time.Second, func() error {
			for _, n := range []*testNode{a, b, c} {
				if n.Host().Network().Connectedness(h.ID()) == network.Connected {
					return fmt.Errorf("%s still connected to the outsider", n.Self().ShortString())
				}
				for _, m := range n.Members() {
					if m.PeerID == h.ID() {
						return fmt.Errorf("outsider listed as a member")
					}
				}
			}
			return nil
		})
		if got := testutilRefused(a) + testutilRefused(b) + testutilRefused(c); got == 0 {
			t.Fatal("no member counted a refused connection")
		}
	})

	d := startNode(t, kd)
	v2 := amend(t, v1, func(ch *Charter) { ch.Members = append(ch.Members, d.member("delta")) }, ka, kb, kc)
	t.Run("amendment admits a fourth member", func(t *testing.T) {
		if err := a.Submit(context.Background(), v2); err != nil {
			t.Fatal(err)
		}
		testwait.For(t, 10*time.Second, versionIs(2, a, b, c))     // spread by a
		if err := d.Submit(context.Background(), v2); err != nil { // d's operator boots it from v2
			t.Fatal(err)
		}
		testwait.For(t, 10*time.Second, func() error {
			for _, n := range []*testNode{a, b, c, d} {
				if err := connectedTo(n, otherThan(n, a, b, c, d)...); err != nil {
					return err
				}
			}
			return nil
		})
	})

	t.Run("suspension disconnects the member", func(t *testing.T) {
		v3 := amend(t, v2, func(ch *Charter) { ch.Members[2].Status = StatusSuspended }, ka, kb, kd)
		if err := b.Submit(context.Background(), v3); err != nil {
			t.Fatal(err)
		}
		testwait.For(t, 10*time.Second, versionIs(3, a, b, d))
		refusedBefore := testutilRefused(a) + testutilRefused(b) + testutilRefused(d)
		testwait.For(t, 10*time.Second, func() error {
			for _, n := range []*testNode{a, b, d} {
				if err := connectedTo(n, otherThan(n, a, b, d)...); err != nil {
					return err
				}
			}
			// c keeps trying (its own charter still lists everyone); the others refuse it.
			if testutilRefused(a)+testutilRefused(b)+testutilRefused(d) == refusedBefore {
				return fmt.Errorf("the suspended member has not been refused yet")
			}
			return nil
		})
	})
}

func otherThan(n *testNode, all ...*testNode) []*testNode {
	var out []*testNode
	for _, x := range all {
		if x != n {
			out = append(out, x)
		}
	}
	return out
}

func testutilRefused(n *testNode) float64 {
	return counterValue(n.metrics.refused)
}

// TestCloseWaitsForHandlersInFlight opens a stream to a member whose
// handler is still reading its store when the member closes: Close ends
// the handler's context and returns only after the handler has, so that
// its owner can close the store behind it (a handler that read Badger
// after that panicked the process).
func TestCloseWaitsForHandlersInFlight(t *testing.T) {
	ka, _ := newKey(t)
	kb, _ := newKey(t)
	a, b := startNode(t, ka), startNode(t, kb)
	federate(t, founding(t, []Member{a.member("Alpha"), b.member("Beta")}, ka, kb), a, b)

	entered := make(chan struct{})
	var returned atomic.Bool
	var ended atomic.Bool
	b.Handle("/fedmart/test/slow/1", func(ctx context.Context, _ peer.ID, _ network.Stream) error {
		defer returned.Store(true)
		close(entered)
		<-ctx.Done() // a handler waiting on its store, a lock or a flush
		ended.Store(true)
		time.Sleep(50 * time.Millisecond) // what it does after: the close must not pass it
		return ctx.Err()
	})
	s, err := a.Open(context.Background(), b.Self(), "/fedmart/test/slow/1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Reset()
	if _, err := s.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never ran")
	}
	b.stop()
	if !ended.Load() || !returned.Load() {
		t.Fatalf("Close returned with the handler still running (context ended: %v, returned: %v)", ended.Load(), returned.Load())
	}
}
