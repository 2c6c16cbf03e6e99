package search

import (
	"slices"
	"strings"
)

// slotTable holds what the index keeps of each document besides its
// columns and postings (a slot), with the slots' strings in shared blocks.
//
// The garbage collector marks every pointer of the heap at every cycle,
// however little the searches in between allocated. A slot that held its
// strings as a string of its own put one object per document on the heap;
// a slot that holds an offset into a shared block puts none, and the
// slots hold no pointer at all, so the collector does not even read them:
// ten million documents leave a few thousand blocks to mark instead of
// ten million strings.
//
// A slot's text is written once and never changed: a document updated is
// written again at the end of the last block, and its old text becomes
// dead bytes. Strings read from a block stay valid for as long as anyone
// holds them, as strings.Builder's do, because the bytes under them are
// never written again. A block whose live bytes fall under half of its
// size moves them to the last block and is let go; so the blocks hold at
// most about twice the live text, and each byte written is moved at most
// about once more.
type slotTable struct {
	rows   []slot
	blocks []*textBlock // nil where a block was let go
	tail   int          // the block being written, -1 before the first
	unused []uint32     // blocks let go, for reuse
}

// slot is one document's: where its text is, and the values a search
// reads beside it. It holds no pointer.
type slot struct {
	block, at          uint32    // its text starts at byte at of blocks[block]
	ends               [5]uint32 // where id, title, snippet, image and forward list end, from at
	merchant, currency uint32
	inStock            bool
}

// textBlock is one shared block of slot texts.
type textBlock struct {
	buf  strings.Builder // grown to the block's size once, never beyond
	live int             // bytes of the texts slots still refer to
	rows []uint32        // the slots whose texts were written here, some since rewritten
}

// textBlockSize is the size of a shared block; a text longer than half of
// it gets a block of its own. Moving a block's live half costs one copy of
// 128 KiB under the write lock. (A variable, so that tests can make blocks
// small.)
var textBlockSize = 256 << 10

func newSlotTable() slotTable { return slotTable{tail: -1} }

// len is the number of slots, free ones included.
func (t *slotTable) len() int { return len(t.rows) }

// grow adds a free slot and returns it.
func (t *slotTable) grow() uint32 {
	t.rows = append(t.rows, slot{})
	return uint32(len(t.rows) - 1)
}

// text returns the whole text of slot s; empty for a free slot.
func (t *slotTable) text(s uint32) string {
	sl := &t.rows[s]
	if sl.ends[4] == 0 {
		return ""
	}
	return t.blocks[sl.block].buf.String()[sl.at : sl.at+sl.ends[4]]
}

// part returns the i-th string of slot s's text; empty for a free slot,
// whose ends are all 0.
func (t *slotTable) part(s uint32, i int) string {
	text := t.text(s)
	from := uint32(0)
	if i > 0 {
		from = t.rows[s].ends[i-1]
	}
	return text[from:t.rows[s].ends[i]]
}

// id returns the document id of slot s; empty for a free slot.
func (t *slotTable) id(s uint32) string      { return t.part(s, 0) }
func (t *slotTable) title(s uint32) string   { return t.part(s, 1) }
func (t *slotTable) snippet(s uint32) string { return t.part(s, 2) }
func (t *slotTable) image(s uint32) string   { return t.part(s, 3) }
func (t *slotTable) forward(s uint32) string { return t.part(s, 4) }

// shown returns copies of the strings a result shows of slot s, in one
// allocation: a result outlives the index's lock and is kept in the result
// cache, and a view would keep a whole block from being let go.
func (t *slotTable) shown(s uint32) (id, title, snippet, image string) {
	ends := t.rows[s].ends
	text := strings.Clone(t.text(s)[:ends[3]])
	return text[:ends[0]], text[ends[0]:ends[1]], text[ends[1]:ends[2]], text[ends[2]:ends[3]]
}

// set writes d's shown strings and its encoded forward list (see
// encodeForward) as slot s's text, in place of any it had, and resets the
// slot's other values.
func (t *slotTable) set(s uint32, d Doc, forward string) {
	t.clear(s)
	parts := [...]string{d.ID, d.Title, d.Description, d.Image, forward}
	var sl slot
	n := 0
	for i, p := range parts {
		n += len(p)
		sl.ends[i] = uint32(n)
	}
	if n == 0 {
		t.rows[s] = sl
		return
	}
	b := t.room(n)
	blk := t.blocks[b]
	sl.block, sl.at = uint32(b), uint32(blk.buf.Len())
	for _, p := range parts {
		blk.buf.WriteString(p)
	}
	blk.live += n
	blk.rows = append(blk.rows, s)
	t.rows[s] = sl
}

// clear frees slot s: its text becomes dead bytes, and its block is let
// go once those are more than half of it.
func (t *slotTable) clear(s uint32) {
	sl := t.rows[s]
	t.rows[s] = slot{}
	if sl.ends[4] == 0 {
		return
	}
	blk := t.blocks[sl.block]
	blk.live -= int(sl.ends[4])
	if int(sl.block) != t.tail && blk.live*2 < blk.buf.Cap() {
		t.move(int(sl.block))
	}
}

// room returns a block with room for a text of n bytes: the last block,
// a new last block, or, for a long text, a block of its own.
func (t *slotTable) room(n int) int {
	if n > textBlockSize/2 {
		return t.newBlock(n)
	}
	if t.tail < 0 || t.blocks[t.tail].buf.Cap()-t.blocks[t.tail].buf.Len() < n {
		t.tail = t.newBlock(textBlockSize)
	}
	return t.tail
}

// newBlock adds an empty block of the given size and returns it.
func (t *slotTable) newBlock(size int) int {
	blk := new(textBlock)
	blk.buf.Grow(size)
	if n := len(t.unused); n > 0 {
		b := t.unused[n-1]
		t.unused = t.unused[:n-1]
		t.blocks[b] = blk
		return int(b)
	}
	t.blocks = append(t.blocks, blk)
	return len(t.blocks) - 1
}

// move writes the live texts of block b again at the end of the last
// block, and lets b go.
func (t *slotTable) move(b int) {
	blk := t.blocks[b]
	t.blocks[b] = nil
	old := blk.buf.String()
	for _, s := range blk.rows {
		sl := &t.rows[s]
		if int(sl.block) != b || sl.ends[4] == 0 {
			continue // rewritten since, in another block or later in this one
		}
		text := old[sl.at : sl.at+sl.ends[4]]
		to := t.room(len(text))
		dst := t.blocks[to]
		sl.block, sl.at = uint32(to), uint32(dst.buf.Len())
		dst.buf.WriteString(text)
		dst.live += len(text)
		dst.rows = append(dst.rows, s)
	}
	t.unused = append(t.unused, uint32(b)) // only now: a slot moved to a block reusing b would look unmoved
}

// clone returns a copy of t whose slots and block list are sized to their
// contents, to use in t's place: the blocks themselves are shared.
func (t *slotTable) clone() slotTable {
	c := *t
	c.rows, c.blocks = slices.Clone(t.rows), slices.Clone(t.blocks)
	return c
}
