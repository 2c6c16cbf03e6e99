package search

import (
	"testing"
	"unsafe"
)

// The id map keeps no copy of an id: its key is the slot's own, also
// after the document is replaced (the old version's string must not be
// kept alive by the key).
func TestIDKeysShareTheSlotsString(t *testing.T) {
	ix := New()
	ix.Upsert(Doc{ID: "plat/merch/one", Title: "Oak bookshelf", Price: 100})
	ix.Upsert(Doc{ID: "plat/merch/one", Title: "Oak bookshelf, five shelves", Price: 120})
	ix.Upsert(Doc{ID: "plat/merch/two", Title: "Steel skillet", Price: 50})
	if len(ix.ids) != 2 {
		t.Fatalf("%d ids, want 2", len(ix.ids))
	}
	for k, s := range ix.ids {
		if unsafe.StringData(k) != unsafe.StringData(ix.slots[s].stored) {
			t.Errorf("id %q: the map key is a string of its own, not the slot's", k)
		}
	}
}
