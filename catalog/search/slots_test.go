package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Slot texts live in shared blocks; updates and deletes leave dead bytes
// there, and a block under half live moves its texts on. Through many
// rewrites, every document reads back as last written, strings read
// before a block moved keep their value, and the blocks never hold much
// more than twice the live text.
func TestTextBlocksStayBounded(t *testing.T) {
	defer func(size int) { textBlockSize = size }(textBlockSize)
	textBlockSize = 1024
	r := rand.New(rand.NewPCG(3, 4))
	ix := New()
	want := make(map[string]string) // id to title
	doc := func(id string, round int) Doc {
		title := fmt.Sprintf("oak shelf %s round %d", id, round)
		if r.IntN(20) == 0 {
			title += strings.Repeat(" long", 150) // more than half a block: a block of its own
		}
		return Doc{ID: id, Title: title, Category: "Home", Price: int64(100 + round), InStock: round%2 == 0}
	}
	for i := range 400 {
		d := doc(fmt.Sprintf("p/%d", i), 0)
		ix.Upsert(d)
		want[d.ID] = d.Title
	}
	ix.mu.RLock()
	s0, _ := ix.ids.get("p/0", &ix.slots)
	early, earlyWas := ix.slots.title(s0), strings.Clone(ix.slots.title(s0)) // a view into the first block
	ix.mu.RUnlock()
	for round := 1; round <= 30; round++ {
		for range 200 {
			id := fmt.Sprintf("p/%d", r.IntN(400))
			if r.IntN(10) == 0 {
				ix.Delete(id)
				delete(want, id)
				continue
			}
			d := doc(id, round)
			ix.Upsert(d)
			want[id] = d.Title
		}
		checkInvariants(t, ix)
	}
	if early != earlyWas {
		t.Fatalf("a title read before its block moved reads %q, was %q", early, earlyWas)
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	liveBytes, held := 0, 0
	for id, title := range want {
		s, ok := ix.ids.get(id, &ix.slots)
		if !ok {
			t.Fatalf("%s is missing", id)
		}
		if got := ix.slots.title(s); got != title {
			t.Fatalf("%s reads %q, want %q", id, got, title)
		}
		liveBytes += len(ix.slots.text(s))
	}
	for _, blk := range ix.slots.blocks {
		if blk != nil {
			held += blk.buf.Cap()
		}
	}
	// Written and never let go, the blocks would hold every version.
	if held > 2*liveBytes+2*textBlockSize {
		t.Errorf("blocks hold %d bytes for %d live", held, liveBytes)
	}
	t.Logf("%d live bytes in %d held", liveBytes, held)
}
