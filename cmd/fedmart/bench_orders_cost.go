package main

import (
	"cmp"
	"context"
	"expvar"
	"slices"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/fedmart/fedmart/node"
)

// What a sub-order costs, counted: the order messages the members
// answered and the work they gave Badger during the storm, each over the
// sub-orders accepted; and what one of each step costs on this machine,
// measured in the same run. BENCHMARKS.md ("What a sub-order is made
// of") multiplies them out, to show how much of a sub-order's CPU time
// the protocol's steps account for and what a protocol that shares steps
// among many sub-orders would save.

// orderWork is what the members of the process have done so far, all
// told (their flushes are counted by orderFlushes).
type orderWork struct {
	messages             uint64 // order messages answered
	entries, gets, iters int64  // Badger's: entries written, keys read, iterators opened
	written              int64  // bytes written to Badger's tree and value log
}

// orderWorkOf reads the members' counters and Badger's. Badger counts
// for the whole process, which holds only the members while they work.
func orderWorkOf(nodes []*node.Node) orderWork {
	var w orderWork
	for _, nd := range nodes {
		w.messages += nd.Orders().Handled()
	}
	w.entries, w.gets = expvarInt("badger_put_num_user"), expvarInt("badger_get_num_user")
	// Badger counts a value it writes to the value log as the pointer the
	// tree keeps (write_bytes_user), and the value apart.
	w.iters = expvarInt("badger_iterator_num_user")
	w.written = expvarInt("badger_write_bytes_user") + expvarInt("badger_write_bytes_vlog")
	return w
}

// per is the work done since before, per sub-order of n.
func (w orderWork) per(before orderWork, n float64) (messages, entries, gets, iters, written float64) {
	return float64(w.messages-before.messages) / n, float64(w.entries-before.entries) / n,
		float64(w.gets-before.gets) / n, float64(w.iters-before.iters) / n, float64(w.written-before.written) / n
}

// expvarInt is the value of the expvar integer name; 0 when Badger has
// not published it (metrics off).
func expvarInt(name string) int64 {
	if v, ok := expvar.Get(name).(*expvar.Int); ok {
		return v.Value()
	}
	return 0
}

// workFigures are the counts of a storm, per sub-order.
func workFigures(before, after orderWork, subOrders float64) []figure {
	messages, entries, gets, iters, written := after.per(before, subOrders)
	const all = " per sub-order, all three members, 32 shoppers"
	return []figure{
		{Name: "order messages answered" + all, Unit: "messages", Value: messages},
		{Name: "Badger entries written" + all, Unit: "entries", Value: entries},
		{Name: "bytes written to Badger (tree and value log)" + all, Unit: "bytes", Value: written},
		{Name: "Badger keys read" + all, Unit: "reads", Value: gets},
		{Name: "Badger iterators opened" + all, Unit: "iterators", Value: iters},
	}
}

// unitFigures are the CPU costs of one of each step, measured now.
func unitFigures(rttCPU, keptCPU, sign, verify, commit, commitSync time.Duration) []figure {
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	return []figure{
		{Name: "CPU time of a bare libp2p stream round trip, both ends", Unit: "µs", Value: us(rttCPU)},
		{Name: "CPU time of a bare libp2p round trip on a stream kept open, both ends", Unit: "µs", Value: us(keptCPU),
			Baseline: "the same on a new stream", Base: us(rttCPU)},
		{Name: "CPU time of an Ed25519 signature of 1,500 bytes", Unit: "µs", Value: us(sign)},
		{Name: "CPU time of an Ed25519 verification of 1,500 bytes", Unit: "µs", Value: us(verify)},
		{Name: "CPU time of a Badger commit of a 1,500-byte value, no sync", Unit: "µs", Value: us(commit),
			Baseline: "the same commit and DB.Sync", Base: us(commitSync)},
	}
}

// writesFigures are the writes of parts sub-orders, by key prefix, per
// sub-order: the bytes, then the entries, that each subsystem writes for
// one (prefixes written less than once for two sub-orders are left out).
//
// Then, by prefix, the entries whose value Badger writes to its value
// log besides (node.ValueThreshold or longer): a flush that finds that
// log written syncs it too ("A larger value threshold" in
// BENCHMARKS.md).
func writesFigures(counts []writeCount, parts int) []figure {
	var bytes, entries, logged []figure
	const each = " per sub-order, one checkout at a time"
	for _, c := range counts {
		n := float64(c.entries) / float64(parts)
		if n < 0.5 {
			continue
		}
		bytes = append(bytes, figure{Name: "bytes written under " + c.prefix + each, Unit: "bytes", Value: float64(c.bytes) / float64(parts)})
		entries = append(entries, figure{Name: "entries written under " + c.prefix + each, Unit: "entries", Value: n})
		if c.logged > 0 {
			logged = append(logged, figure{Name: "entries written to the value log under " + c.prefix + each, Unit: "entries",
				Value: float64(c.logged) / float64(parts), Baseline: "all entries written under it", Base: n})
		}
	}
	return slices.Concat(bytes, entries, logged)
}

// writeCount is what was written under one key prefix.
type writeCount struct {
	prefix         string
	entries, bytes int
	logged         int // entries whose value went to the value log
}

// writeWatch counts what the members write to Badger, by the first two
// parts of each key ("o/order/", "s/ev/").
type writeWatch struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex // guards the fields below
	counts map[string]*writeCount
	last   time.Time // of the last write seen
}

// watchWrites starts counting the members' writes.
func watchWrites(ctx context.Context, nodes []*node.Node) *writeWatch {
	ctx, cancel := context.WithCancel(ctx)
	w := &writeWatch{cancel: cancel, counts: map[string]*writeCount{}, last: time.Now()}
	for _, nd := range nodes {
		w.wg.Go(func() { _ = nd.DB().Subscribe(ctx, w.count, []pb.Match{{}}) })
	}
	time.Sleep(100 * time.Millisecond) // Subscribe has no signal that it is subscribed
	return w
}

func (w *writeWatch) count(kvs *badger.KVList) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, kv := range kvs.Kv {
		p := keyPrefix(kv.Key)
		c := w.counts[p]
		if c == nil {
			c = &writeCount{prefix: p}
			w.counts[p] = c
		}
		c.entries++
		c.bytes += len(kv.Key) + len(kv.Value)
		if len(kv.Value) >= node.ValueThreshold {
			c.logged++
		}
	}
	w.last = time.Now()
	return nil
}

// quiet waits until no member has written for d, or for at most limit.
func (w *writeWatch) quiet(d, limit time.Duration) {
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(d / 10) {
		w.mu.Lock()
		since := time.Since(w.last)
		w.mu.Unlock()
		if since >= d {
			return
		}
	}
}

// reset forgets what was counted so far.
func (w *writeWatch) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.counts)
}

// stop ends the count and returns it, most bytes first.
func (w *writeWatch) stop() []writeCount {
	w.cancel()
	w.wg.Wait()
	out := make([]writeCount, 0, len(w.counts))
	for _, c := range w.counts {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b writeCount) int { return cmp.Or(b.bytes-a.bytes, strings.Compare(a.prefix, b.prefix)) })
	return out
}

// keyPrefix is the first two parts of key, "o/order/" of "o/order/123".
func keyPrefix(key []byte) string {
	n := 0
	for i, b := range key {
		if b == '/' {
			if n++; n == 2 {
				return string(key[:i+1])
			}
		}
	}
	return string(key)
}
