package search

import "github.com/fedmart/fedmart/internal/cores"

// UpsertAll adds or replaces every document of docs, as Upsert would one
// after the other (of two with the same ID the later wins). The text of
// all of them is analysed first, on every core, and the index is then
// locked once for the lot: a batch of a bulk import or a catch-up costs
// one lock and the bitmap updates, not one analysis after another under
// the caller's lock.
func (ix *Index) UpsertAll(docs []Doc) {
	type analysed struct {
		d    Doc
		tf   map[string]tfCode
		lens [numFields]uint16
	}
	last := make(map[string]int, len(docs))
	for i, d := range docs {
		if d.ID != "" {
			last[d.ID] = i
		}
	}
	out := make([]analysed, len(docs))
	cores.Each(len(docs), 16, func(i int) {
		if docs[i].ID == "" || last[docs[i].ID] != i {
			return
		}
		d := normalize(docs[i])
		tf, lens := ix.analyzeDoc(d)
		d.Description = snippet(d.Description) // after analysis: it matches whole
		out[i] = analysed{d: d, tf: tf, lens: lens}
	})
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, a := range out {
		if a.d.ID == "" {
			continue
		}
		ix.gen++
		ix.touch(a.d.ID)
		s, ok := ix.ids.get(a.d.ID, &ix.slots)
		if ok {
			ix.unindex(s)
		} else {
			s = ix.alloc(a.d.ID)
		}
		ix.index(s, a.d, ix.entries(a.tf), a.lens)
	}
}
