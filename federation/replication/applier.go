package replication

import (
	"context"
	"errors"
)

// maxApplyBatch bounds the records the gossip applier stores in one go.
const maxApplyBatch = 256

// errStopped answers validators that arrive after the applier stopped.
var errStopped = errors.New("replication: stopped")

// applyReq is one record a topic validator hands to the applier, and
// where the applier answers.
type applyReq struct {
	raw  []byte
	done chan Result
}

// verifiedReqs is a batch of requests whose records are verified.
type verifiedReqs struct {
	reqs []applyReq
	v    Verified
}

// apply hands raw to the applier and waits for the store's verdict.
func (r *Replicator) apply(raw []byte) Result {
	req := applyReq{raw: raw, done: make(chan Result, 1)}
	select {
	case r.applyq <- req:
	case <-r.applied:
		return Result{Outcome: Known, Err: errStopped}
	}
	select {
	case res := <-req.done:
		return res
	case <-r.applied:
		return Result{Outcome: Known, Err: errStopped}
	}
}

// applyLoop stores the records that topic validators hand it, in batches
// and in two stages: one goroutine takes every request waiting (up to
// maxApplyBatch) and verifies their signatures in parallel, while this one
// stores the batch before in one transaction. GossipSub runs validators
// concurrently, so under load many records wait together and share a
// transaction and both cores; a record that arrives alone is a batch of
// one and waits for nothing.
func (r *Replicator) applyLoop(ctx context.Context) error {
	defer close(r.applied)
	verified := make(chan verifiedReqs, 1)
	go func() {
		defer close(verified)
		for {
			var first applyReq
			select {
			case <-ctx.Done():
				return
			case first = <-r.applyq:
			}
			reqs := []applyReq{first}
		more:
			for len(reqs) < maxApplyBatch {
				select {
				case req := <-r.applyq:
					reqs = append(reqs, req)
				default:
					break more
				}
			}
			raws := make([][]byte, len(reqs))
			for i, req := range reqs {
				raws[i] = req.raw
			}
			select {
			case verified <- verifiedReqs{reqs: reqs, v: r.store.Verify(raws)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	for b := range verified {
		for i, res := range r.store.StoreVerified(b.v) {
			b.reqs[i].done <- res
		}
	}
	return nil
}
