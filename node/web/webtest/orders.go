package webtest

import (
	"context"
	"errors"
	"sync"

	"github.com/fedmart/fedmart/federation/order"
)

// memNet joins the members' order services in one process: a request
// runs the receiver's Handle directly. A member marked down answers
// nothing and is reported unreachable, as a partitioned member is.
type memNet struct {
	mu    sync.Mutex // guards nodes and down
	nodes map[string]*order.Service
	down  map[string]bool
}

func newMemNet() *memNet {
	return &memNet{nodes: map[string]*order.Service{}, down: map[string]bool{}}
}

// errDown is what a request to a member that is down fails with.
var errDown = errors.New("webtest: member not answering")

func (n *memNet) join(id string, s *order.Service) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nodes[id] = s
}

// setDown marks member id down (or up again).
func (n *memNet) setDown(id string, down bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.down[id] = down
}

// Reachable reports whether member p answers now.
func (n *memNet) Reachable(p string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return !n.down[p]
}

// transport returns the Transport of member from.
func (n *memNet) transport(from string) memTransport { return memTransport{n: n, from: from} }

type memTransport struct {
	n    *memNet
	from string
}

// Request delivers raw to member to and returns its answer.
func (t memTransport) Request(ctx context.Context, to string, raw []byte) ([]byte, error) {
	t.n.mu.Lock()
	svc, down := t.n.nodes[to], t.n.down[to]
	t.n.mu.Unlock()
	if svc == nil || down {
		return nil, errDown
	}
	return svc.Handle(ctx, t.from, raw), nil
}
