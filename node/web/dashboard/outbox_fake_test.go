package dashboard

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/fedmart/fedmart/federation/order"
)

// fakeOutbox is the order service's outbox as the dashboard sees it: the
// depths and parked messages the test sets. It stays a fake: a real
// outbox parks a message only after a member refused it for
// orders.park_after, and the pages' tests need many states of it (ages,
// counts per member, a member gone from the charter) side by side. RetryParked and DropParked
// take a parked message away (and record which), as the service does; an
// unknown key is order.ErrNotFound.
type fakeOutbox struct {
	mu      sync.Mutex // guards every field below
	depths  []order.OutboxDepth
	parked  []order.ParkedMessage
	retried []string
	dropped []string
	err     error // Outbox's and Parked's answer, when set
}

func (f *fakeOutbox) setOutbox(depths ...order.OutboxDepth) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.depths = depths
}

func (f *fakeOutbox) setParked(list ...order.ParkedMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.parked = list
}

func (f *fakeOutbox) setOutboxErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// parkedCalls returns the keys sent again and dropped so far.
func (f *fakeOutbox) parkedCalls() (retried, dropped []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.retried), slices.Clone(f.dropped)
}

func (f *fakeOutbox) Outbox(context.Context) ([]order.OutboxDepth, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.depths), f.err
}

func (f *fakeOutbox) Parked(_ context.Context, limit int) ([]order.ParkedMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	list := slices.Clone(f.parked)
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	return list, f.err
}

func (f *fakeOutbox) RetryParked(_ context.Context, key string) error {
	return f.take(key, &f.retried)
}

func (f *fakeOutbox) DropParked(_ context.Context, key string) error {
	return f.take(key, &f.dropped)
}

// take removes the parked message key and records it in calls.
func (f *fakeOutbox) take(key string, calls *[]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.parked, func(pm order.ParkedMessage) bool { return pm.Key == key })
	if i < 0 {
		return fmt.Errorf("%w: parked message %q", order.ErrNotFound, key)
	}
	f.parked = slices.Delete(f.parked, i, i+1)
	*calls = append(*calls, key)
	return nil
}
