package order

import (
	"testing"
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
