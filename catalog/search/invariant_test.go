package search

import (
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// checkInvariants verifies that the index's bitmaps, counters and columns
// agree with its slots.
func checkInvariants(t *testing.T, ix *Index) {
	t.Helper()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if got := ix.live.GetCardinality(); got != uint64(ix.ids.len()) {
		t.Fatalf("live has %d documents, ids %d", got, ix.ids.len())
	}
	var lens [numFields]int64
	for id, s := range ix.ids.all(&ix.slots) {
		if got, ok := ix.ids.get(id, &ix.slots); !ok || got != s || ix.slots.id(s) != id || !ix.live.Contains(s) {
			t.Fatalf("id %q maps to slot %d holding %q", id, s, ix.slots.id(s))
		}
		if int(ix.band[s]) != bandOf(ix.price[s]) {
			t.Fatalf("slot %d: band %d for price %d", s, ix.band[s], ix.price[s])
		}
		for f, n := range ix.lens[s] {
			lens[f] += int64(n)
		}
	}
	if lens != ix.lenSum {
		t.Errorf("length sums %v, want %v", ix.lenSum, lens)
	}
	checkTextBlocks(t, &ix.slots)
	ix.eachBitmap(func(bm *roaring.Bitmap) {
		if !roaring.AndNot(bm, ix.live).IsEmpty() {
			t.Fatalf("a bitmap holds documents that are not live")
		}
	})
	for _, tm := range ix.terms {
		if got := tm.matches().GetCardinality(); got != uint64(tm.df) {
			t.Errorf("term %q: df %d, postings hold %d", tm.text, tm.df, got)
		}
	}
	for _, f := range []*facetDict{&ix.brands, &ix.platforms} {
		for id, bm := range f.docs {
			if bm.GetCardinality() != uint64(f.sizes[id]) {
				t.Errorf("value %q: size %d, bitmap %d", f.names[id], f.sizes[id], bm.GetCardinality())
			}
		}
	}
	tb := ix.times.buckets
	for i, b := range tb {
		if b.docs.GetCardinality() != uint64(b.size) || (i > 0 && b.start <= tb[i-1].start) || tb[0].start != -maxMicros {
			t.Fatalf("time bucket %d: size %d, bitmap %d, start %d", i, b.size, b.docs.GetCardinality(), b.start)
		}
		b.docs.Iterate(func(d uint32) bool {
			if u := ix.updated[d]; u < b.start || u > ix.times.end(i) {
				t.Fatalf("slot %d updated at %d is in time bucket %d", d, u, i)
			}
			return true
		})
	}
	for _, n := range ix.categories.nodes {
		if n.docs.GetCardinality() != uint64(n.size) {
			t.Errorf("category %q: size %d, bitmap %d", n.path, n.size, n.docs.GetCardinality())
		}
	}
	for i, bm := range ix.prices.buckets {
		if bm != nil && bm.GetCardinality() != uint64(ix.prices.sizes[i]) {
			t.Errorf("price bucket %d: size %d, bitmap %d", i, ix.prices.sizes[i], bm.GetCardinality())
		}
	}
}

// checkTextBlocks fails t unless every block's live bytes are those of
// the slots whose texts it holds, every slot's text lies in a block it
// was written to, and no block but the last is less than half live.
func checkTextBlocks(t *testing.T, st *slotTable) {
	t.Helper()
	live := make([]int, len(st.blocks))
	for s := range uint32(st.len()) {
		sl := st.rows[s]
		if sl.ends[4] == 0 {
			continue
		}
		blk := st.blocks[sl.block]
		if blk == nil || int(sl.at+sl.ends[4]) > blk.buf.Len() || !slices.Contains(blk.rows, s) {
			t.Fatalf("slot %d: text at %d+%d of block %d, which does not hold it", s, sl.at, sl.ends[4], sl.block)
		}
		live[sl.block] += int(sl.ends[4])
	}
	for b, blk := range st.blocks {
		switch {
		case blk == nil:
			if !slices.Contains(st.unused, uint32(b)) {
				t.Fatalf("block %d was let go but is not kept for reuse", b)
			}
		case blk.live != live[b]:
			t.Fatalf("block %d: %d live bytes counted, slots hold %d", b, blk.live, live[b])
		case b != st.tail && blk.live*2 < blk.buf.Cap():
			t.Fatalf("block %d: %d of %d bytes live, and it was kept", b, blk.live, blk.buf.Cap())
		}
	}
}
