package replication

import (
	"fmt"
	"sync"
)

// syncPipe applies the batches of one catch-up stream in three stages that
// overlap: the stream's reader collects a batch, one goroutine verifies the
// batch after it (Ed25519 on every core), and another stores the one
// before that (one transaction, then the index). Batches are stored in the
// order they were read. The first refused record stops the storing; the
// reader sees it through failed and stops reading.
type syncPipe struct {
	toVerify chan [][]byte
	done     chan struct{} // closed when the storer has finished

	mu      sync.Mutex // guards err and applied
	err     error
	applied int
}

func (r *Replicator) newSyncPipe() *syncPipe {
	p := &syncPipe{toVerify: make(chan [][]byte, 1), done: make(chan struct{})}
	toStore := make(chan Verified, 1)
	go func() {
		defer close(toStore)
		for raws := range p.toVerify {
			if p.failed() != nil {
				continue // drain: the stream is refused already
			}
			toStore <- r.store.Verify(raws)
		}
	}()
	go func() {
		defer close(p.done)
		for v := range toStore {
			if p.failed() != nil {
				continue
			}
			stored := 0
			var err error
			for _, res := range r.store.StoreVerified(v) {
				switch res.Outcome {
				case Refused:
					if err == nil {
						err = fmt.Errorf("peer sent a refused record: %w", res.Err)
					}
				case Early:
					// Stored later: the end frame's marks must not be
					// adopted over it, so the stream stops here too.
					if err == nil {
						err = fmt.Errorf("peer sent a record dated ahead of this node's clock, to be asked for again: %w", res.Err)
					}
				case Stored:
					stored++
				}
			}
			p.mu.Lock()
			p.applied += stored
			if err != nil && p.err == nil {
				p.err = err
			}
			p.mu.Unlock()
		}
	}()
	return p
}

// add queues a batch; it blocks while two batches are waiting, which keeps
// the reader no further ahead than the stages behind it.
func (p *syncPipe) add(raws [][]byte) { p.toVerify <- raws }

// failed returns the error that stopped the pipe, if any.
func (p *syncPipe) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// finish waits until every batch added is stored (or skipped after a
// refusal), adds the records stored to st and returns the refusal, if any.
func (p *syncPipe) finish(st *Stats) error {
	close(p.toVerify)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	st.Applied += p.applied
	return p.err
}
