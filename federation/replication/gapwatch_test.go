package replication

import (
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// TestGapWatchCatchesUpOnlyOnGapsThatStay: of the gaps gossip revealed,
// a catch-up is wanted once a grace is over and only for those still
// open, with each forwarder once; a gap that closed while a newer one
// opened above it is watched again, and nothing is wanted before the
// grace ends.
func TestGapWatchCatchesUpOnlyOnGapsThatStay(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	a, b := peer.ID("forwarder-a"), peer.ID("forwarder-b")
	held := map[string][2]uint64{} // origin -> mark, top
	origin := func(o string) (uint64, uint64) { return held[o][0], held[o][1] }

	var w gapWatch
	if _, ok := w.next(); ok {
		t.Fatal("an empty watch has a grace to wait for")
	}
	w.seen("closes", a, 5, t0)
	w.seen("stays", a, 7, t0)
	w.seen("stays-too", a, 9, t0.Add(time.Millisecond))
	w.seen("moves-up", b, 4, t0)
	w.seen("closes", b, 50, t0.Add(100*time.Millisecond)) // already watched: keeps its gap and due time
	if at, ok := w.next(); !ok || !at.Equal(t0.Add(gapGrace)) {
		t.Fatalf("next grace ends at %v %v, want %v", at, ok, t0.Add(gapGrace))
	}

	held["closes"] = [2]uint64{5, 5}
	held["stays"] = [2]uint64{6, 7}
	held["stays-too"] = [2]uint64{2, 9}
	held["moves-up"] = [2]uint64{4, 12}
	if got := w.expire(t0.Add(gapGrace-time.Nanosecond), origin); len(got) != 0 {
		t.Fatalf("before any grace ended: %v", got)
	}
	got := w.expire(t0.Add(gapGrace), origin)
	if !slices.Equal(got, []peer.ID{a}) {
		t.Fatalf("after the first grace: %v, want only %s, once", got, a)
	}
	if len(w.open) != 2 || w.open["stays-too"].due != t0.Add(time.Millisecond+gapGrace) {
		t.Fatalf("still watched: %+v, want stays-too (not yet due) and moves-up", w.open)
	}
	if g := w.open["moves-up"]; g.top != 12 || g.from != b || !g.due.Equal(t0.Add(2*gapGrace)) {
		t.Fatalf("the gap that closed under a newer one: %+v, want top 12 from %s due %v", g, b, t0.Add(2*gapGrace))
	}

	held["moves-up"] = [2]uint64{11, 12}
	if got := w.expire(t0.Add(2*gapGrace), origin); !slices.Equal(got, []peer.ID{a, b}) && !slices.Equal(got, []peer.ID{b, a}) {
		t.Fatalf("after the second grace: %v, want %s and %s", got, a, b)
	}
	if _, ok := w.next(); ok || len(w.open) != 0 {
		t.Fatalf("still watched after every grace ended: %+v", w.open)
	}
}
