package search

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// Filing the documents by category.
//
// A new document takes the next free slot, so a live index holds its
// documents in the order they arrived: a feed of one merchant after
// another, replication interleaving every member's. Postings are bitmaps
// of slots, and most words are frequent in a few categories ("dress",
// "tent"). Filed by category path, a word's documents fill a few bitmap
// containers densely instead of every container sparsely, and
// intersecting, ranking and counting facets over them reads less: the
// bench's queries over a million listings took 9.4 ms in all against
// 24.1 ms in arrival order (see BENCHMARKS.md). This is index sorting,
// which Lucene applies as it writes a segment
// (IndexWriterConfig.setIndexSort).
//
// Filing indexes the documents again into a fresh index in the new
// order, from what the index holds (stored fields, forward lists,
// columns and ratings): no text is analysed again, and term ids stay.
// Compact files under the write lock. Refile builds the fresh index from
// copies of a few thousand documents at a time, each taken under the read
// lock, while searches and updates go on; the updates record the
// documents they change, and Refile indexes those again from their
// current state before it swaps the fresh index in.

// fileChunk is how many documents a Refile reads from the index under one
// hold of its read lock: updates wait for one chunk's copy, not for the
// whole index's (about a second at a million documents), and the filing
// holds one chunk's copy beside the fresh index, not every document's.
// (A variable, so that tests can make chunks small.)
var fileChunk = 4096

// planChunk is how many slots a Refile's plan reads under one hold of the
// read lock, and termStep how many new terms a filing copies under one.
// Both grow with the index: the plan read whole held updates 6 ms at a
// million documents in a quiet process, 31-47 ms right after a load.
// (Variables, for tests.)
var (
	planChunk uint64 = 1 << 16
	termStep         = 1 << 15
)

// A Refile indexes again what updates changed during its filing in up to
// refreshRounds rounds under the read lock, and leaves at most swapFew of
// them (unless the rounds ran out) to the swap under the write lock.
const (
	refreshRounds = 8
	swapFew       = 64
)

// filedDoc is one document as a filing copies it.
type filedDoc struct {
	d       Doc
	forward string
	lens    [numFields]uint16
}

// Unfiled returns how many documents took a slot since the index was last
// filed by category: those that are out of order.
func (ix *Index) Unfiled() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.unfiled
}

// Filing says what a Refile did.
type Filing struct {
	Filed bool // the filed index was swapped in
	// Reindexed counts the documents that updates changed while the filed
	// index was built, indexed again from their current state (one
	// changed in several rounds counts in each), Rounds the rounds that
	// did so under the read lock, and AtSwap those indexed again under
	// the write lock, at the swap.
	Reindexed, Rounds, AtSwap int
}

// Refile files the documents by category, as Compact does, while
// searches and updates go on. It reads the index a chunk at a time under
// the read lock (which keeps updates out, not searches): the documents,
// then, in rounds, those that updates changed meanwhile. It holds the
// write lock only to index again the few changed since the last round,
// and to swap the filed index in. It builds the filed index beside the
// current one, so it needs about as much memory again while it runs. An
// index in order is left as it is, and so is one whose filing ctx ended
// before the swap (a node shutting down does not wait for a filing of a
// million listings, about 7 s).
func (ix *Index) Refile(ctx context.Context) Filing {
	ix.filingMu.Lock()
	defer ix.filingMu.Unlock()
	ix.mu.Lock()
	ix.touched = make(map[string]struct{}) // from here on, updates say what they change
	ix.mu.Unlock()
	var (
		fresh *Index
		f     Filing
	)
	if order := ix.plan(true); order != nil {
		fresh = ix.build(ctx, order, true)
	}
	// Index again what updates changed while fresh was built, a chunk at
	// a time under the read lock, in rounds, each for what changed during
	// the one before, until few are left: the write lock then waits only
	// for those. (At 300,000 documents, with an update every millisecond,
	// the swap held it 134 ms without the first round; at three million,
	// with an update every 2 ms, 29-35 ms with one round.) Updates faster
	// than a round indexes them again would never leave few, so the
	// rounds are bounded.
	for ; fresh != nil && f.Rounds < refreshRounds; f.Rounds++ {
		var changed []string
		ix.mu.Lock()
		if len(ix.touched) > swapFew {
			changed = ix.takeTouched()
		}
		ix.mu.Unlock()
		if changed == nil {
			break
		}
		ix.refresh(fresh, changed, true)
		f.Reindexed += len(changed)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	swap := ix.swapIn(fresh)
	f.Filed, f.AtSwap = swap.Filed, swap.AtSwap
	f.Reindexed += swap.AtSwap
	return f
}

// swapIn ends a Refile: it indexes again in fresh the documents that
// updates changed since the last refresh, then takes fresh's documents
// for its own. With fresh nil (nothing to file, or the filing stopped),
// it only stops noting updates. It reports whether it took fresh, and
// how many documents it indexed again. The caller holds mu.
func (ix *Index) swapIn(fresh *Index) Filing {
	changed := ix.takeTouched()
	ix.touched = nil // updates no longer say what they change
	if fresh == nil {
		return Filing{}
	}
	ix.refresh(fresh, changed, false)
	ix.adopt(fresh)
	return Filing{Filed: true, AtSwap: len(changed)}
}

// takeTouched returns the ids of the documents updates changed since the
// last call, and notes them afresh in the same map. The caller holds mu.
func (ix *Index) takeTouched() []string {
	ids := slices.Collect(maps.Keys(ix.touched))
	clear(ix.touched)
	return ids
}

// refresh indexes again in fresh, the index being filed, the documents
// ids as ix holds them now, reading them a chunk at a time. With shared,
// it holds ix.mu shared while it reads each chunk; otherwise the caller
// holds mu. A document indexed again takes the next slot, out of order:
// fresh counts it as unfiled.
func (ix *Index) refresh(fresh *Index, ids []string, shared bool) {
	const step = 256 // each is read by id, and indexed on the spot
	type update struct {
		id      string
		doc     filedDoc
		present bool // false: deleted since
	}
	var (
		chunk []update
		es    []entry
	)
	for from := 0; from < len(ids); from += step {
		ix.catchUp(fresh, shared)
		ix.reading(shared, func() {
			chunk = chunk[:0]
			for _, id := range ids[from:min(from+step, len(ids))] {
				u := update{id: id}
				if s, ok := ix.ids.get(id, &ix.slots); ok {
					u.doc, u.present = ix.copyDoc(s), true
				}
				chunk = append(chunk, u)
			}
			ix.termsTo(fresh, math.MaxInt)
		})
		for _, u := range chunk {
			if s, ok := fresh.ids.get(u.id, &fresh.slots); ok {
				fresh.drop(u.id, s)
			}
			if u.present {
				es = fresh.put(u.doc, es)
			}
		}
	}
}

// reading runs read holding mu shared when shared is true; otherwise the
// caller holds mu.
func (ix *Index) reading(shared bool, read func()) {
	if !shared {
		read()
		return
	}
	func() {
		ix.mu.RLock()
		defer ix.mu.RUnlock()
		read()
	}()
	if testHookUnlocked != nil {
		testHookUnlocked()
	}
}

// testHookUnlocked, set by tests only, runs each time a filing lets go of
// the read lock: where updates land.
var testHookUnlocked func()

// touch records that an update changed document id, when a Refile is
// under way. The caller holds mu.
func (ix *Index) touch(id string) {
	if ix.touched != nil {
		ix.touched[id] = struct{}{}
	}
}

// plan returns the slots of the live documents in the order to file them
// in: by category path and, within a category, by slot; nil when they are
// in that order already, with no free slot among them. With shared, it
// reads the index a range of slots at a time, holding mu shared while it
// reads each; otherwise the caller holds mu. A slot that updates free or
// take meanwhile is planned as the range found it: build passes over a
// slot no longer live, and Refile indexes again every document the
// updates changed. It sorts with no lock held.
func (ix *Index) plan(shared bool) []uint32 {
	var (
		keys   []uint64 // a slot's leaf category over the slot, then its rank
		leaves []uint32 // the leaf categories met, each once
		slots  int      // slots the index had at the last range
		seen   []bool   // by category node: met
	)
	for from, more := uint64(0), true; more; from += planChunk {
		ix.reading(shared, func() {
			slots = ix.slots.len()
			if len(seen) < len(ix.categories.nodes) {
				seen = append(seen, make([]bool, len(ix.categories.nodes)-len(seen))...)
			}
			to := uint32(min(from+planChunk, uint64(slots)))
			it := ix.live.Iterator()
			it.AdvanceIfNeeded(uint32(from))
			for it.HasNext() && it.PeekNext() < to {
				s := it.Next()
				c := ix.categoryOf[s]
				if c != none && !seen[c] {
					seen[c] = true
					leaves = append(leaves, c)
				}
				keys = append(keys, uint64(c)<<32|uint64(s))
			}
			more = to < uint32(slots)
		})
	}
	// Rank the leaf categories by path, once: comparing paths in the sort
	// would read two strings per comparison. A slot's key becomes its
	// rank (0: no category, first) over the slot itself. Nodes are never
	// removed, so the ids met stay valid.
	ix.reading(shared, func() {
		slices.SortFunc(leaves, func(a, b uint32) int { return strings.Compare(ix.categories.path(a), ix.categories.path(b)) })
	})
	rank := make([]uint64, len(seen))
	for i, c := range leaves {
		rank[c] = uint64(i + 1)
	}
	for i, k := range keys {
		if c := uint32(k >> 32); c != none {
			keys[i] = rank[c]<<32 | k&math.MaxUint32
		} else {
			keys[i] = k & math.MaxUint32
		}
	}
	if len(keys) == slots && slices.IsSorted(keys) {
		return nil
	}
	slices.Sort(keys)
	order := make([]uint32, len(keys))
	for i, k := range keys {
		order[i] = uint32(k)
	}
	return order
}

// build indexes the documents of the slots in order into a fresh index,
// reading them from ix a chunk at a time; nil once ctx has ended. With
// shared, it holds ix.mu shared while it reads each chunk; otherwise the
// caller holds mu. The documents it indexes are filed: it counts none as
// unfiled.
func (ix *Index) build(ctx context.Context, order []uint32, shared bool) *Index {
	fresh := New()
	var chunk []filedDoc
	for from := 0; from < len(order); from += fileChunk {
		if ctx.Err() != nil {
			return nil
		}
		ix.catchUp(fresh, shared)
		ix.reading(shared, func() {
			chunk = ix.readChunk(order[from:min(from+fileChunk, len(order))], fresh, chunk[:0])
		})
		fresh.take(chunk)
	}
	fresh.unfiled = 0
	return fresh
}

// readChunk appends to chunk a copy of the documents in slots, passing
// over the slots freed since the filing began, and adds to fresh the
// terms that are new since its last chunk. The caller holds mu, shared or
// not.
func (ix *Index) readChunk(slots []uint32, fresh *Index, chunk []filedDoc) []filedDoc {
	for _, s := range slots {
		if ix.live.Contains(s) {
			chunk = append(chunk, ix.copyDoc(s))
		}
	}
	ix.termsTo(fresh, math.MaxInt)
	return chunk
}

// copyDoc returns slot s's document as a filing indexes it again. The
// caller holds mu, shared or not.
func (ix *Index) copyDoc(s uint32) filedDoc {
	return filedDoc{d: ix.doc(s), forward: ix.slots.forward(s), lens: ix.lens[s]}
}

// termsTo adds to fresh up to most of the terms that are new since it
// last read ix. The caller holds mu, shared or not.
func (ix *Index) termsTo(fresh *Index, most int) {
	to := min(len(ix.terms), len(fresh.terms)+most)
	for i := len(fresh.terms); i < to; i++ {
		fresh.terms = append(fresh.terms, term{text: ix.terms[i].text})
	}
}

// catchUp adds to fresh the terms that are new since it last read ix,
// termStep at a time, until at most termStep are left for the chunk read
// next. With shared, it holds mu shared while it reads each step;
// otherwise the caller holds mu.
func (ix *Index) catchUp(fresh *Index, shared bool) {
	for more := true; more; {
		ix.reading(shared, func() {
			ix.termsTo(fresh, termStep)
			more = len(ix.terms)-len(fresh.terms) > termStep
		})
	}
}

// take indexes a chunk into ix, the index being filed, each document in
// the next slot. A document met twice, moved by updates to a slot that was
// still ahead, is taken where it was met first: it was changed since the
// filing began, so Refile indexes it again from its current state.
func (ix *Index) take(chunk []filedDoc) {
	var es []entry
	for _, fd := range chunk {
		if _, taken := ix.ids.get(fd.d.ID, &ix.slots); !taken {
			es = ix.put(fd, es)
		}
	}
}

// put indexes fd into ix, the index being filed, in the next slot, with
// the rating it had. It returns es, a buffer for the forward list, for
// the next put.
func (ix *Index) put(fd filedDoc, es []entry) []entry {
	if fd.d.Reviews > 0 {
		if ix.ratings.of == nil {
			ix.useRatings(make(map[string]rating))
		}
		ix.ratings.of[fd.d.ID] = rating{fd.d.Rating, fd.d.Reviews}
	} else {
		delete(ix.ratings.of, fd.d.ID)
	}
	es = es[:0]
	// The forward list was encoded by the index; it always decodes.
	_ = decodeForward(fd.forward, len(ix.terms), func(e entry) { es = append(es, e) })
	ix.index(ix.alloc(fd.d.ID), fd.d, es, fd.lens)
	return es
}

// useRatings makes of the ratings by document id, as SetRating keeps
// them. The caller holds mu or owns the index.
func (ix *Index) useRatings(of map[string]rating) {
	ix.ratings.of = of
	if of != nil && ix.ratings.atLeast[0] == nil {
		for k := range ix.ratings.atLeast {
			ix.ratings.atLeast[k] = roaring.New()
		}
	}
}

// adopt takes fresh's documents, postings and facets for its own, with
// the vocabulary and the ratings by document id it has (fresh has only
// those of its documents). The caller holds mu.
func (ix *Index) adopt(fresh *Index) {
	fresh.useRatings(ix.ratings.of)
	ix.ids, ix.slots, ix.free = fresh.ids, fresh.slots, fresh.free
	ix.price, ix.band, ix.updated, ix.lens = fresh.price, fresh.band, fresh.updated, fresh.lens
	ix.brandOf, ix.platformOf, ix.categoryOf = fresh.brandOf, fresh.platformOf, fresh.categoryOf
	ix.live, ix.inStock, ix.ratings = fresh.live, fresh.inStock, fresh.ratings
	ix.terms, ix.lenSum = fresh.terms, fresh.lenSum
	ix.brands, ix.platforms, ix.categories = fresh.brands, fresh.platforms, fresh.categories
	ix.prices, ix.times, ix.merchants, ix.currencies = fresh.prices, fresh.times, fresh.merchants, fresh.currencies
	ix.unions.clear() // they name the old slots
	ix.unfiled = fresh.unfiled
	ix.gen++ // so do cached results
}
