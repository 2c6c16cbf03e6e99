package search

import (
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// catNode is one category path. Its bitmap holds the documents filed under
// the path or anywhere below it, so a prefix filter is one bitmap.
type catNode struct {
	path     string
	parent   uint32 // none at the top level; a lower id than the node's
	children []uint32
	docs     *roaring.Bitmap
	size     uint32 // documents in docs
}

// categoryTree holds every category path seen, and all their prefixes, as
// a tree. Nodes are never removed before the next Save/Load; a node whose
// documents are gone has an empty bitmap and is not reported.
type categoryTree struct {
	ids   map[string]uint32
	nodes []catNode
	roots []uint32
}

func newCategoryTree() categoryTree {
	return categoryTree{ids: make(map[string]uint32)}
}

// intern returns the node of a normalized path, creating it and its
// ancestors as needed; the empty path is none.
func (t *categoryTree) intern(path string) uint32 {
	if path == "" {
		return none
	}
	if id, ok := t.ids[path]; ok {
		return id
	}
	path = strings.Clone(path) // not to pin the caller's buffer
	parent := uint32(none)
	if i := strings.LastIndex(path, categorySep); i >= 0 {
		parent = t.intern(path[:i])
	}
	id := uint32(len(t.nodes))
	t.nodes = append(t.nodes, catNode{path: path, parent: parent, docs: roaring.New()})
	t.ids[path] = id
	if parent == none {
		t.roots = append(t.roots, id)
	} else {
		t.nodes[parent].children = append(t.nodes[parent].children, id)
	}
	return id
}

// add files doc under the path's node and all its ancestors, and returns
// the node.
func (t *categoryTree) add(path string, doc uint32) uint32 {
	leaf := t.intern(path)
	for n := leaf; n != none; n = t.nodes[n].parent {
		t.nodes[n].docs.Add(doc)
		t.nodes[n].size++
	}
	return leaf
}

// remove undoes add.
func (t *categoryTree) remove(leaf, doc uint32) {
	for n := leaf; n != none; n = t.nodes[n].parent {
		t.nodes[n].docs.Remove(doc)
		t.nodes[n].size--
	}
}

// path returns the path of node id.
func (t *categoryTree) path(id uint32) string {
	if id == none {
		return ""
	}
	return t.nodes[id].path
}

// reported returns the node selected names (none when it names no known
// path) and the nodes the facet reports: the top level and, under a
// selection, the nodes directly under it.
func (t *categoryTree) reported(selected string) (sel uint32, ids []uint32) {
	sel, ok := t.ids[selected]
	if !ok {
		return none, t.roots
	}
	return sel, append(t.roots[:len(t.roots):len(t.roots)], t.nodes[sel].children...)
}

// byColumn reports whether counting sc is cheaper by reading each
// document's leaf node than by intersecting sc with each reported node.
func (t *categoryTree) byColumn(sc scope, selected string) bool {
	if sc.all {
		return false
	}
	_, ids := t.reported(selected)
	sizes := make([]uint32, len(ids))
	for i, id := range ids {
		sizes[i] = t.nodes[id].size
	}
	return sc.visitCost(4) < sc.intersectCost(sizes)
}

// count counts sc by top-level category and, when selected names a known
// path, by the categories directly under it. tallied holds the counts by
// leaf node of the column tally byColumn chose, and is left zeroed; nil
// counts otherwise.
func (t *categoryTree) count(sc scope, selected string, tallied []int32) map[string]int {
	_, ids := t.reported(selected)
	if tallied != nil {
		// A parent has a lower id than its children (intern adds it
		// first), so one pass from the last node sums each subtree.
		for id := len(t.nodes) - 1; id >= 0; id-- {
			if p := t.nodes[id].parent; p != none {
				tallied[p] += tallied[id]
			}
		}
	}
	h := valueHeap{name: t.path}
	for _, id := range ids {
		var n int
		if tallied != nil {
			n = int(tallied[id])
		} else {
			n = int(sc.countIn(t.nodes[id].docs))
		}
		if n > 0 {
			h.offer(valueCount{id, n})
		}
	}
	if tallied != nil {
		clear(tallied[:len(t.nodes)])
	}
	return h.counts()
}
