package search

import "hash/maphash"

// docIDs maps document ids to slots without a pointer per document.
//
// The garbage collector marks every pointer of the heap at every cycle,
// however little the searches in between allocated. A map keyed by the
// id string holds one per document, and so did the slots' two strings:
// with three million documents, a collection of the index took 844-900
// ms on two cores; keyed by a 64-bit hash of the id, 193-197 ms, and with
// one string per slot, 149-150 ms (a scratch program, 2026-12-06, the
// wall time of runtime.GC once the index was built; both cores work at
// it). Every cycle costs that, and searches that allocate while it runs
// help it. The slots now keep their strings in shared blocks (see
// slotTable).
//
// The slot's own id decides whether a hash is the id's. Two ids whose
// hashes are equal (about one pair in 10^12 at ten million documents)
// are both kept: the first by its hash, the later in others, by the id.
type docIDs struct {
	seed   maphash.Seed
	hash   func(seed maphash.Seed, id string) uint64 // maphash.String; a test may make ids collide
	byHash map[uint64]uint32
	others map[string]uint32 // ids whose hash another id held when they were added
}

func newDocIDs() docIDs {
	return docIDs{seed: maphash.MakeSeed(), hash: maphash.String, byHash: make(map[uint64]uint32)}
}

// len is the number of ids.
func (m *docIDs) len() int { return len(m.byHash) + len(m.others) }

// get returns the slot of id. slots are the index's slots, each holding
// its document's id.
func (m *docIDs) get(id string, slots *slotTable) (uint32, bool) {
	if s, ok := m.byHash[m.hash(m.seed, id)]; ok && slots.id(s) == id {
		return s, true
	}
	s, ok := m.others[id]
	return s, ok
}

// set maps id to slot s. Any slot the map already names must hold its
// id; slot s need not hold id yet.
func (m *docIDs) set(id string, s uint32, slots *slotTable) {
	h := m.hash(m.seed, id)
	if cur, ok := m.byHash[h]; ok && slots.id(cur) != id {
		if m.others == nil {
			m.others = make(map[string]uint32)
		}
		m.others[id] = s
		return
	}
	m.byHash[h] = s
}

// delete removes id, whose slot must still hold it.
func (m *docIDs) delete(id string, slots *slotTable) {
	h := m.hash(m.seed, id)
	if s, ok := m.byHash[h]; ok && slots.id(s) == id {
		delete(m.byHash, h)
		return
	}
	delete(m.others, id)
}
