package media

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// peerBudgets are the budgets of the members this node fetches pictures
// from, or hands them out to: each member has PeerStreams transfers at
// a time (more wait their turn) and PeerBytesPerMinute bytes a minute
// (past them, transfers are refused until the budget refills). Only
// members of the charter reach them, so the table grows with the
// charter and no further.
type peerBudgets struct {
	cfg Config
	now func() time.Time

	mu    sync.Mutex // guards peers
	peers map[string]*peerBudget
}

// peerBudget is one member's budget.
type peerBudget struct {
	slots chan struct{} // a token per transfer under way
	bytes *rate.Limiter // bytes a minute, in a bucket of a minute's worth
}

func newPeerBudgets(cfg Config, now func() time.Time) *peerBudgets {
	return &peerBudgets{cfg: cfg, now: now, peers: map[string]*peerBudget{}}
}

func (b *peerBudgets) of(peer string) *peerBudget {
	b.mu.Lock()
	defer b.mu.Unlock()
	p, ok := b.peers[peer]
	if !ok {
		perSecond := rate.Limit(float64(b.cfg.PeerBytesPerMinute) / 60)
		p = &peerBudget{slots: make(chan struct{}, b.cfg.PeerStreams), bytes: rate.NewLimiter(perSecond, int(b.cfg.PeerBytesPerMinute))}
		b.peers[peer] = p
	}
	return p
}

// begin takes one of peer's transfer slots, waiting for one until ctx
// ends, once its bytes budget is not spent; end gives the slot back and
// charges the bytes moved.
func (b *peerBudgets) begin(ctx context.Context, peer string) (end func(moved int), err error) {
	p := b.of(peer)
	if p.bytes.TokensAt(b.now()) <= 0 {
		return nil, fmt.Errorf("%w: member %s moved %d bytes of pictures in the last minute", ErrBudget, peer, b.cfg.PeerBytesPerMinute)
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: waiting for one of member %s's %d picture transfers: %v", ErrBudget, peer, b.cfg.PeerStreams, ctx.Err())
	}
	return func(moved int) {
		// The bucket holds a minute's worth, which covers any one
		// picture; the charge may take it below zero, refusing the
		// member's next transfers until it has refilled.
		p.bytes.ReserveN(b.now(), min(moved, p.bytes.Burst()))
		<-p.slots
	}, nil
}

// failures remembers, for a while, the pictures no member handed out,
// so that a page shown many times does not ask the members every time.
// It is bounded: when full, it starts again empty.
type failures struct {
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex // guards seen
	seen map[string]time.Time
}

// maxFailures bounds the failures remembered.
const maxFailures = 4096

func (f *failures) add(hash string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen == nil || len(f.seen) >= maxFailures {
		f.seen = map[string]time.Time{}
	}
	f.seen[hash] = f.now().Add(f.ttl)
}

// recent reports whether hash failed within the ttl.
func (f *failures) recent(hash string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	until, ok := f.seen[hash]
	if ok && f.now().After(until) {
		delete(f.seen, hash)
		return false
	}
	return ok
}
