package replication

import (
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// gapGrace is how long a gap that gossip revealed may stay open before
// the member that forwarded the record is asked for a catch-up.
// GossipSub delivers a burst out of order (validators run concurrently
// and the applier stores in batches), so most gaps close by themselves
// within milliseconds. Asked at once, ten members at 100 listing changes
// a second ran over 500 catch-ups a second between them, each resending
// records that gossip was delivering anyway (BENCHMARKS.md, "Gaps wait
// before they are caught up").
const gapGrace = 500 * time.Millisecond

// gapNotice says that a record of origin forwarded by from was stored
// above the origin's mark.
type gapNotice struct {
	origin string
	from   peer.ID
}

// gapWatch holds the gaps gossip revealed, one per origin, until they
// close or their grace ends. Only the sync loop uses it.
type gapWatch struct {
	open map[string]gapSeen
}

type gapSeen struct {
	from peer.ID   // the member that forwarded the record revealing it
	top  uint64    // the origin's highest stored seq then: the gap is below it
	due  time.Time // when its grace ends
}

// seen watches a gap of origin below top, revealed by a record that from
// forwarded. An origin already watched keeps its gap and its due time:
// the earliest gap is the one that must close first.
func (w *gapWatch) seen(origin string, from peer.ID, top uint64, now time.Time) {
	if _, ok := w.open[origin]; ok {
		return
	}
	if w.open == nil {
		w.open = map[string]gapSeen{}
	}
	w.open[origin] = gapSeen{from: from, top: top, due: now.Add(gapGrace)}
}

// next is when the earliest grace ends; ok is false when none is open.
func (w *gapWatch) next() (at time.Time, ok bool) {
	for _, g := range w.open {
		if !ok || g.due.Before(at) {
			at, ok = g.due, true
		}
	}
	return at, ok
}

// expire ends the graces that are over by now and returns the members
// to catch up with, once each: those that forwarded a record above a gap
// still open (the origin's mark below the top the gap was seen with).
// A gap that closed while a newer one opened above it (the mark below
// the origin's top now) is watched again, from now.
func (w *gapWatch) expire(now time.Time, origin func(string) (mark, top uint64)) []peer.ID {
	var out []peer.ID
	for o, g := range w.open {
		if now.Before(g.due) {
			continue
		}
		mark, top := origin(o)
		switch {
		case mark < g.top:
			delete(w.open, o)
			if !slices.Contains(out, g.from) {
				out = append(out, g.from)
			}
		case mark < top:
			w.open[o] = gapSeen{from: g.from, top: top, due: now.Add(gapGrace)}
		default:
			delete(w.open, o)
		}
	}
	return out
}
