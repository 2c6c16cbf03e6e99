package search

import (
	"fmt"
	"hash/maphash"
	"iter"
	"testing"
)

// Two ids with the same hash are both kept: the later in others. With a
// hash that gives every id the same value, every id but one lives there,
// through upserts, replacements, deletes, a batch and a filing.
func TestCollidingIDsAreAllKept(t *testing.T) {
	ix := New()
	ix.ids.hash = func(maphash.Seed, string) uint64 { return 7 }
	for i := range 40 {
		ix.Upsert(Doc{ID: fmt.Sprintf("p/m/%d", i), Title: fmt.Sprintf("oak shelf %d", i), Category: "Home", Price: int64(100 + i)})
	}
	if n := len(ix.ids.others); n != 39 {
		t.Fatalf("%d ids kept by id, want 39 (the hash of all 40 is one)", n)
	}
	ix.Upsert(Doc{ID: "p/m/0", Title: "steel shelf", Price: 90}) // the one kept by its hash
	ix.Upsert(Doc{ID: "p/m/5", Title: "steel shelf", Price: 95}) // one kept by id
	ix.Delete("p/m/0")
	ix.Delete("p/m/7")
	ix.UpsertAll([]Doc{{ID: "p/m/8", Title: "steel rack", Price: 80}, {ID: "p/m/40", Title: "steel rack", Price: 85}})
	checkInvariants(t, ix)
	if n := ix.Len(); n != 39 {
		t.Fatalf("%d documents, want 39", n)
	}
	res, err := ix.Search(Query{Text: "steel"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 {
		t.Fatalf("steel finds %d documents, want p/m/5, p/m/8 and p/m/40", res.Total)
	}
	for _, gone := range []string{"p/m/0", "p/m/7"} {
		if _, ok := ix.ids.get(gone, &ix.slots); ok {
			t.Errorf("%s is still mapped after its delete", gone)
		}
	}
	ix.Compact()
	checkInvariants(t, ix)
	if n := ix.Len(); n != 39 {
		t.Fatalf("after filing, %d documents, want 39", n)
	}
}

// all yields every id and its slot, for tests.
func (m *docIDs) all(slots *slotTable) iter.Seq2[string, uint32] {
	return func(yield func(string, uint32) bool) {
		for _, s := range m.byHash {
			if !yield(slots.id(s), s) {
				return
			}
		}
		for id, s := range m.others {
			if !yield(id, s) {
				return
			}
		}
	}
}
