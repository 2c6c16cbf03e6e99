package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestACopyOfADurableStatusCostsNoFlush checks out while the home's
// outbox cannot reach the storefront, so that the accepted status comes
// only in the answer to the confirm. Once a flush has made the
// storefront's commit of it durable, the copy the home's outbox sends
// afterwards is acknowledged without a flush of its own. A copy that
// comes before such a flush still gets one: its first commit is not on
// disk yet. (The storefront of this fixture flushes for nothing else.)
func TestACopyOfADurableStatusCostsNoFlush(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	copied := func(key string, flush bool) uint64 {
		t.Helper()
		f.net.cutFrom(b.id, a.id, true) // the home's requests to the storefront fail
		o, err := f.buy(a, key, 1, pan)
		if err != nil {
			t.Fatal(err)
		}
		statusOn(t, a, o.Parts[0].ID, StatusAccepted) // from the answer: the copy cannot come
		if flush {
			if err := a.svc.durable.Sync(); err != nil {
				t.Fatal(err)
			}
		}
		before, _ := a.svc.Flushes()
		f.net.cutFrom(b.id, a.id, false)
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
	f.net.cutFrom(b.id, a.id, true) // the home's requests to the storefront fail
	for _, key := range []string{"k1", "k2", "k3"} {
		o, err := f.buy(a, key, 1, pan)
		if err != nil {
			t.Fatal(err)
		}
		statusOn(t, a, o.Parts[0].ID, StatusAccepted)
	}
	if d, _ := b.svc.Outbox(context.Background()); len(d) != 1 || d[0].Messages != 3 {
		t.Fatalf("the home's outbox holds %+v, want the three copies", d)
	}
	if empty, err := b.svc.OutboxEmpty(); empty || err != nil {
		t.Fatalf("OutboxEmpty with three copies queued: %t (%v)", empty, err)
	}
	var mu sync.Mutex
	versions := map[uint64]int{} // of the removals
	subscribe(t, b.db, func(kv *pb.KV) {
		if len(kv.Value) == 0 {
			mu.Lock()
			defer mu.Unlock()
			versions[kv.Version]++
		}
	}, prefixOutbox)
	f.net.cutFrom(b.id, a.id, false)
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
	var mu sync.Mutex
	removed, answered := map[uint64]bool{}, map[uint64]bool{}
	subscribe(t, a.db, func(kv *pb.KV) {
		mu.Lock()
		defer mu.Unlock()
		switch k := string(kv.Key); {
		case strings.HasPrefix(k, prefixOutbox) && len(kv.Value) == 0:
			removed[kv.Version] = true
		case strings.HasPrefix(k, prefixInbox+b.id+"/"):
			answered[kv.Version] = true
		}
	}, prefixOutbox, prefixInbox)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, o.Parts[0].ID, StatusAccepted)
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

// subscribe calls fn with each entry db commits under prefixes, from
// when it returns until the test ends. Badger's Subscribe says nothing
// when it is ready, so subscribe writes a key of its own until fn's
// subscription sees it.
func subscribe(t *testing.T, db *badger.DB, fn func(*pb.KV), prefixes ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	const ready = "test/subscribed"
	var seen atomic.Bool
	matches := []pb.Match{{Prefix: []byte(ready)}}
	for _, p := range prefixes {
		matches = append(matches, pb.Match{Prefix: []byte(p)})
	}
	go func() {
		_ = db.Subscribe(ctx, func(kvs *badger.KVList) error {
			for _, kv := range kvs.Kv {
				if string(kv.Key) == ready {
					seen.Store(true)
					continue
				}
				fn(kv)
			}
			return nil
		}, matches)
	}()
	testwait.For(t, 10*time.Second, func() error {
		if seen.Load() {
			return nil
		}
		if err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(ready), nil) }); err != nil {
			return err
		}
		return errors.New("not subscribed yet")
	})
}
