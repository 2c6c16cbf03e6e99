package replication

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Progress is how far this node's copy of one member's catalog is behind
// the member's own.
type Progress struct {
	// Head is the member's latest record as last heard: the highest of its
	// seqs this node stores (live records arrive out of order) and of those
	// a catch-up answer (from it or a third member) claimed.
	Head uint64
	// Mark is the seq up to which this node holds every record of it.
	Mark uint64
	// Behind is Head - Mark: records heard of and not (yet) held.
	Behind uint64
	// CaughtUp is when a catch-up with the member last completed; zero if
	// none has this run.
	CaughtUp time.Time
}

// progress is what the replicator learns about heads and catch-ups.
type progress struct {
	mu       sync.Mutex
	heads    map[string]uint64     // by origin
	caughtUp map[peer.ID]time.Time // by member
}

func newProgress() *progress {
	return &progress{heads: map[string]uint64{}, caughtUp: map[peer.ID]time.Time{}}
}

// heard raises the known heads to a catch-up answer's marks, for the
// origins member admits (a peer may name any origin: only members' are
// kept, so the map stays as small as the charter).
func (pr *progress) heard(marks map[string]uint64, member func(string) bool) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for origin, m := range marks {
		if member(origin) {
			pr.heads[origin] = max(pr.heads[origin], m)
		}
	}
}

// isMemberID reports whether origin is the peer ID of a charter member.
func (r *Replicator) isMemberID(origin string) bool {
	id, err := peer.Decode(origin)
	return err == nil && r.fed.IsMember(id)
}

// synced records a completed catch-up with p.
func (pr *progress) synced(p peer.ID, at time.Time) {
	pr.mu.Lock()
	pr.caughtUp[p] = at
	pr.mu.Unlock()
}

// Progress reports member p's replication state: its head as last heard,
// this node's mark for it, and when a catch-up with it last completed.
func (r *Replicator) Progress(p peer.ID) Progress {
	mark, top := r.store.Origin(p.String())
	r.progress.mu.Lock()
	head, at := r.progress.heads[p.String()], r.progress.caughtUp[p]
	r.progress.mu.Unlock()
	head = max(head, top, mark)
	return Progress{Head: head, Mark: mark, Behind: head - mark, CaughtUp: at}
}
