package media

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// memNet carries pictures between the services of a test in memory, as
// mediawire does over libp2p, and lets a member answer what it likes.
type memNet struct {
	mu      sync.Mutex // guards members, answers and calls
	members map[string]*Service
	answers map[string]func(hash string) ([]byte, error) // a member's own answers
	calls   int
}

func (n *memNet) transport(from string) Transport { return memTransport{n: n, from: from} }

type memTransport struct {
	n    *memNet
	from string
}

func (t memTransport) Fetch(ctx context.Context, peer, hash string, max int) ([]byte, error) {
	t.n.mu.Lock()
	t.n.calls++
	svc, answer := t.n.members[peer], t.n.answers[peer]
	t.n.mu.Unlock()
	var b []byte
	var err error
	switch {
	case answer != nil:
		b, err = answer(hash)
	case svc != nil:
		b, err = svc.Lend(ctx, t.from, hash)
	default:
		return nil, fmt.Errorf("no route to %s", peer)
	}
	if len(b) > max {
		return nil, fmt.Errorf("%w: answer of %d bytes", ErrTooLarge, len(b))
	}
	return b, err
}

func (n *memNet) callsSoFar() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.calls
}

// homeIndex is the catalog's index of which platforms' listings show a
// picture, as the test sets it.
type homeIndex struct {
	mu    sync.Mutex // guards homes
	homes map[string][]string
}

func (h *homeIndex) ImageHomes(hash string, limit int) ([]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.homes[hash]
	return out[:min(limit, len(out))], nil
}

func (h *homeIndex) set(hash string, homes ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.homes == nil {
		h.homes = map[string][]string{}
	}
	h.homes[hash] = homes
}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// federation is three members' services over one memNet, sharing one
// index of homes and one clock.
type federation struct {
	net   *memNet
	homes *homeIndex
	clock *testClock
	svc   map[string]*Service
}

func newFederation(t *testing.T, names ...string) *federation {
	f := &federation{net: &memNet{members: map[string]*Service{}, answers: map[string]func(string) ([]byte, error){}},
		homes: &homeIndex{}, clock: &testClock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}, svc: map[string]*Service{}}
	for _, name := range names {
		svc, err := NewService(newStore(t, nil), Deps{Self: name, Homes: f.homes, Transport: f.net.transport(name), Now: f.clock.now})
		if err != nil {
			t.Fatal(err)
		}
		f.svc[name] = svc
		f.net.members[name] = svc
	}
	return f
}

func TestAMemberFetchesAPictureOnceAndChecksIt(t *testing.T) {
	f := newFederation(t, "alpha", "beta")
	ctx := context.Background()
	im, err := f.svc["alpha"].Store().Ingest(ctx, "ann", jpegFile(t, photo(900, 600)))
	if err != nil {
		t.Fatal(err)
	}
	// Before a listing shows it, beta asks nobody.
	if _, err := f.svc["beta"].Open(ctx, im.Hash, Card, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unlisted picture: %v", err)
	}
	if n := f.net.callsSoFar(); n != 0 {
		t.Fatalf("%d fetches for a picture no listing shows", n)
	}
	f.clock.advance(2 * time.Minute) // past RetryAfter
	f.homes.set(im.Hash, "beta", "alpha")
	charged := 0
	file, err := f.svc["beta"].Open(ctx, im.Hash, Card, func() error { charged++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if file.Width != 480 || file.Height != 320 || file.Type != TypeJPEG || charged != 1 {
		t.Fatalf("card %+v, charged %d", file.Rendition, charged)
	}
	got, _, err := f.svc["beta"].Store().Canonical(im.Hash)
	if err != nil || hashOf(got) != im.Hash {
		t.Fatalf("beta's copy: %v", err)
	}
	// Held now: no second fetch, no charge.
	calls := f.net.callsSoFar()
	if _, err := f.svc["beta"].Open(ctx, im.Hash, Thumb, func() error { charged++; return nil }); err != nil || charged != 1 || f.net.callsSoFar() != calls {
		t.Fatalf("second open: %v, charged %d, calls %d → %d", err, charged, calls, f.net.callsSoFar())
	}
}

func TestAMemberServingWrongBytesIsRefused(t *testing.T) {
	f := newFederation(t, "alpha", "beta", "mallory")
	ctx := context.Background()
	im, err := f.svc["alpha"].Store().Ingest(ctx, "ann", pngFile(t, photo(300, 300)))
	if err != nil {
		t.Fatal(err)
	}
	decoy := jpegFile(t, photo(300, 300))
	f.net.answers["mallory"] = func(string) ([]byte, error) { return decoy, nil }
	f.homes.set(im.Hash, "mallory")
	_, err = f.svc["beta"].Open(ctx, im.Hash, Full, nil)
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong bytes: %v, want not found for a mismatch", err)
	}
	if held, _, _ := f.svc["beta"].Store().Holds("", im.Hash); held {
		t.Fatal("beta kept the wrong bytes")
	}
	if n := keys(t, f.svc["beta"].Store()); n != 0 {
		t.Fatalf("beta wrote %d keys", n)
	}
	// The refusal is remembered for a while: the page shown again asks nobody.
	calls := f.net.callsSoFar()
	if _, err := f.svc["beta"].Open(ctx, im.Hash, Full, nil); !errors.Is(err, ErrNotFound) || f.net.callsSoFar() != calls {
		t.Fatalf("asked again at once: %v, %d calls", err, f.net.callsSoFar()-calls)
	}
	// Later, with an honest home listed too, beta gets the real picture
	// even though mallory is asked first.
	f.clock.advance(2 * time.Minute)
	f.homes.set(im.Hash, "mallory", "alpha")
	if _, err := f.svc["beta"].Open(ctx, im.Hash, Full, nil); err != nil {
		t.Fatalf("with alpha listed too: %v", err)
	}
}

func TestFetchesAreCharged(t *testing.T) {
	f := newFederation(t, "alpha", "beta")
	ctx := context.Background()
	im, err := f.svc["alpha"].Store().Ingest(ctx, "ann", jpegFile(t, photo(64, 64)))
	if err != nil {
		t.Fatal(err)
	}
	f.homes.set(im.Hash, "alpha")
	refuse := func() error { return errors.New("too many picture fetches from this client") }
	if _, err := f.svc["beta"].Open(ctx, im.Hash, Card, refuse); !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "this client") {
		t.Fatalf("refused charge: %v", err)
	}
	if n := f.net.callsSoFar(); n != 0 {
		t.Fatalf("%d fetches after the client's budget refused", n)
	}
	// A refused charge is not a missing picture: the next client gets it.
	if _, err := f.svc["beta"].Open(ctx, im.Hash, Card, nil); err != nil {
		t.Fatal(err)
	}
}

func TestLend(t *testing.T) {
	f := newFederation(t, "alpha")
	ctx := context.Background()
	if _, err := f.svc["alpha"].Lend(ctx, "beta", strings.Repeat("ab", 32)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown picture: %v", err)
	}
	if _, err := f.svc["alpha"].Lend(ctx, "beta", "../x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("malformed hash: %v", err)
	}
	im, err := f.svc["alpha"].Store().Ingest(ctx, "ann", jpegFile(t, photo(64, 64)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.svc["alpha"].Lend(ctx, "beta", im.Hash)
	if err != nil || hashOf(b) != im.Hash {
		t.Fatalf("lend: %v", err)
	}
}

func TestPeerBudgets(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	b := newPeerBudgets(Config{PeerStreams: 1, PeerBytesPerMinute: 6000}, clock.now)
	ctx := context.Background()
	end, err := b.begin(ctx, "mallory")
	if err != nil {
		t.Fatal(err)
	}
	// One transfer at a time: the next waits, here until its context ends.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.begin(done, "mallory"); !errors.Is(err, ErrBudget) {
		t.Fatalf("a second transfer at once: %v", err)
	}
	// Another member has a budget of its own.
	endOther, err := b.begin(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	endOther(10)
	end(6000) // a minute's worth
	if _, err := b.begin(ctx, "mallory"); !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "6000 bytes") {
		t.Fatalf("after a minute's bytes: %v", err)
	}
	clock.advance(30 * time.Second) // half of it back
	end, err = b.begin(ctx, "mallory")
	if err != nil {
		t.Fatalf("after the refill: %v", err)
	}
	end(0)
}
