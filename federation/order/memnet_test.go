package order

import (
	"context"
	"errors"
	"sync"
	"time"
)

// memNet joins order services in one process, as etcd raft's tests join
// raft nodes: each Request runs the receiver's Handle directly. Faults are
// injected per direction: a cut link fails every request, a lossy one
// loses the request or the answer (the receiver may have acted), and dup
// delivers a request twice.
type memNet struct {
	mu    sync.Mutex // guards nodes, calls and the fault tables
	nodes map[string]*Service
	// calls counts the Handles and catch-up pages running at each node,
	// so that a node leaving (join with nil) waits for them before its
	// database closes; left is signalled when one ends.
	calls map[string]int
	left  *sync.Cond
	cut   map[[2]string]bool
	lose  map[[2]string]func() (request, answer bool)
	dup   map[[2]string]bool
	// page, when above zero, cuts every catch-up page to that many
	// messages, as a member with more to send than one page holds does.
	page int
}

func newMemNet() *memNet {
	n := &memNet{nodes: map[string]*Service{}, calls: map[string]int{}, cut: map[[2]string]bool{},
		lose: map[[2]string]func() (bool, bool){}, dup: map[[2]string]bool{}}
	n.left = sync.NewCond(&n.mu)
	return n
}

// errCut is what a request over a cut link fails with.
var errCut = errors.New("memnet: link cut")

// transport returns the Transport (and SyncTransport) of member from.
func (n *memNet) transport(from string) memTransport { return memTransport{n: n, from: from} }

// join puts s in the network as member id; with s nil, it takes id out
// and returns once no call to it runs any more (it no longer gets new
// ones), as a process that stops answers nothing after.
func (n *memNet) join(id string, s *Service) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nodes[id] = s
	for s == nil && n.calls[id] > 0 {
		n.left.Wait()
	}
}

// ended counts a call to member to as over.
func (n *memNet) ended(to string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls[to]--
	n.left.Broadcast()
}

// partition cuts (or, with on false, heals) both directions between a and b.
func (n *memNet) partition(a, b string, on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cut[[2]string{a, b}], n.cut[[2]string{b, a}] = on, on
}

// cutFrom cuts (or, with on false, heals) the direction from a to b
// only: b's answers to a still come back.
func (n *memNet) cutFrom(a, b string, on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cut[[2]string{a, b}] = on
}

// fault sets the loss function (nil: none) and the duplication of the
// link from a to b.
func (n *memNet) fault(a, b string, lose func() (request, answer bool), dup bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lose[[2]string{a, b}], n.dup[[2]string{a, b}] = lose, dup
}

type memTransport struct {
	n    *memNet
	from string
}

// Request delivers raw to member to and returns its answer, subject to
// the link's faults.
func (t memTransport) Request(ctx context.Context, to string, raw []byte) ([]byte, error) {
	t.n.mu.Lock()
	link := [2]string{t.from, to}
	svc, cut, lose, dup := t.n.nodes[to], t.n.cut[link], t.n.lose[link], t.n.dup[link]
	if svc != nil && !cut {
		t.n.calls[to]++
	}
	t.n.mu.Unlock()
	if svc == nil || cut {
		return nil, errCut
	}
	defer t.n.ended(to)
	var loseReq, loseAns bool
	if lose != nil {
		loseReq, loseAns = lose()
	}
	if loseReq {
		return nil, errCut
	}
	if dup {
		svc.Handle(ctx, t.from, raw)
	}
	answer := svc.Handle(ctx, t.from, raw)
	if loseAns {
		return nil, errCut
	}
	return answer, nil
}

// Fetch asks member to for a page of the messages the two share.
func (t memTransport) Fetch(ctx context.Context, to string, since time.Time, cursor string) (SyncPage, error) {
	t.n.mu.Lock()
	svc, cut := t.n.nodes[to], t.n.cut[[2]string{t.from, to}]
	if svc != nil && !cut {
		t.n.calls[to]++
	}
	t.n.mu.Unlock()
	if svc == nil || cut {
		return SyncPage{}, errCut
	}
	p, err := svc.SyncPageOf(ctx, t.from, since, cursor)
	t.n.ended(to)
	t.n.mu.Lock()
	limit := t.n.page
	t.n.mu.Unlock()
	if err != nil || limit == 0 || len(p.Messages) <= limit {
		return p, err
	}
	p.Messages = p.Messages[:limit]
	last, err := DecodeMessage(p.Messages[limit-1])
	if err != nil {
		return SyncPage{}, err
	}
	p.Next = timeKey(last.At) + "/" + last.Part + "/" + last.From + "/" + last.ID // the index suffix SyncPageOf's cursor is
	return p, nil
}
