package order

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestACopyOfADurableStatusCostsNoFlush checks out while the home's
// outbox cannot reach the storefront, so that the accepted status comes
// only in the confirm's answer. Once a flush has made the storefront's
// commit of it durable, the copy the home's outbox sends afterwards is
// acknowledged without a flush of its own. A copy that comes before
// such a flush still gets one: its first commit is not on disk yet.
func TestACopyOfADurableStatusCostsNoFlush(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	hold := func(on bool) { // the home's requests to the storefront fail
		f.net.mu.Lock()
		defer f.net.mu.Unlock()
		f.net.cut[[2]string{b.id, a.id}] = on
	}
	copied := func(key string, flush bool) uint64 {
		t.Helper()
		hold(true)
		o, err := f.buy(a, key, 1, pan)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Parts[0].Status; got != StatusAccepted {
			t.Fatalf("the part is %s on the storefront, want the answer's %s", got, StatusAccepted)
		}
		if flush {
			if err := a.svc.durable.Sync(); err != nil {
				t.Fatal(err)
			}
		}
		before, _ := a.svc.Flushes()
		hold(false)
		f.drained() // the copy acknowledged
		after, _ := a.svc.Flushes()
		return after - before
	}
	if n := copied("k1", true); n != 0 {
		t.Errorf("the copy of a status made durable since cost %d flushes, want none", n)
	}
	if n := copied("k2", false); n == 0 {
		t.Error("the copy of a status not yet durable was acknowledged without a flush")
	}
}

// TestADrainRemovesWhatItSentInOneCommit queues three status copies at
// the home while it cannot reach the storefront. Once it can, its drain
// sends them in one go and removes them from the outbox in one commit
// (one Badger version), not one commit per copy.
func TestADrainRemovesWhatItSentInOneCommit(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	f.net.mu.Lock()
	f.net.cut[[2]string{b.id, a.id}] = true // the home's requests to the storefront fail
	f.net.mu.Unlock()
	for _, key := range []string{"k1", "k2", "k3"} {
		if _, err := f.buy(a, key, 1, pan); err != nil {
			t.Fatal(err)
		}
	}
	if d, _ := b.svc.Outbox(context.Background()); len(d) != 1 || d[0].Messages != 3 {
		t.Fatalf("the home's outbox holds %+v, want the three copies", d)
	}
	if empty, err := b.svc.OutboxEmpty(); empty || err != nil {
		t.Fatalf("OutboxEmpty with three copies queued: %t (%v)", empty, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	versions := map[uint64]int{} // of the removals
	go func() {
		_ = b.db.Subscribe(ctx, func(kvs *badger.KVList) error {
			mu.Lock()
			defer mu.Unlock()
			for _, kv := range kvs.Kv {
				if len(kv.Value) == 0 {
					versions[kv.Version]++
				}
			}
			return nil
		}, []pb.Match{{Prefix: []byte(prefixOutbox)}})
	}()
	time.Sleep(100 * time.Millisecond) // Subscribe has no signal that it is subscribed
	f.net.mu.Lock()
	f.net.cut[[2]string{b.id, a.id}] = false
	f.net.mu.Unlock()
	f.drained()
	if empty, err := b.svc.OutboxEmpty(); !empty || err != nil {
		t.Fatalf("OutboxEmpty once drained: %t (%v)", empty, err)
	}
	testwait.For(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, c := range versions {
			n += c
		}
		if n < 3 {
			return fmt.Errorf("%d removals seen, want 3", n)
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	if len(versions) != 1 {
		t.Errorf("the three copies left the outbox in %d commits (%v), want one", len(versions), versions)
	}
}

// TestAConfirmLeavesTheOutboxWithItsAnswer buys one part: the
// storefront's confirm leaves its outbox in the commit that folds the
// status the answer carried (one Badger version for both), not in a
// commit of its own after it.
func TestAConfirmLeavesTheOutboxWithItsAnswer(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	removed, answered := map[uint64]bool{}, map[uint64]bool{}
	go func() {
		_ = a.db.Subscribe(ctx, func(kvs *badger.KVList) error {
			mu.Lock()
			defer mu.Unlock()
			for _, kv := range kvs.Kv {
				switch k := string(kv.Key); {
				case strings.HasPrefix(k, prefixOutbox) && len(kv.Value) == 0:
					removed[kv.Version] = true
				case strings.HasPrefix(k, prefixInbox+b.id+"/"):
					answered[kv.Version] = true
				}
			}
			return nil
		}, []pb.Match{{Prefix: []byte(prefixOutbox)}, {Prefix: []byte(prefixInbox)}})
	}()
	time.Sleep(100 * time.Millisecond) // Subscribe has no signal that it is subscribed
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Parts[0].Status; got != StatusAccepted {
		t.Fatalf("the part is %s, want %s from the confirm's answer", got, StatusAccepted)
	}
	testwait.For(t, 10*time.Second, func() error {
		mu.Lock()
		defer mu.Unlock()
		if len(removed) == 0 || len(answered) == 0 {
			return fmt.Errorf("%d removals and %d statuses answered seen", len(removed), len(answered))
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	for v := range removed {
		if !answered[v] {
			t.Errorf("the confirm left the outbox at version %d, its status was folded at %v", v, answered)
		}
	}
}
