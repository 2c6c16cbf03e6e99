package search

import (
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// catNode is one category path. Its bitmap holds the documents filed under
// the path or anywhere below it, so a prefix filter is one bitmap.
type catNode struct {
	path     string
	parent   uint32 // none at the top level
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

// count counts the scope by top-level category and, when selected names a
// known path, by the categories directly under it. column maps a document
// to its leaf node; counts is zeroed scratch with room for every node.
func (t *categoryTree) count(sc scope, selected string, column []uint32, counts []int32) map[string]int {
	sel, ok := t.ids[selected]
	if !ok {
		sel = none
	}
	ids := t.roots
	if sel != none {
		ids = append(ids[:len(ids):len(ids)], t.nodes[sel].children...)
	}
	sizes := make([]uint32, len(ids))
	for i, id := range ids {
		sizes[i] = t.nodes[id].size
	}
	if !sc.all && sc.visitCost(4) < sc.intersectCost(sizes) {
		t.countColumn(sc.docs, sel, column, counts)
	} else {
		for _, id := range ids {
			counts[id] = int32(sc.countIn(t.nodes[id].docs))
		}
	}
	h := valueHeap{name: t.path}
	for _, id := range ids {
		if counts[id] > 0 {
			h.offer(valueCount{id, int(counts[id])})
		}
		counts[id] = 0
	}
	return h.counts()
}

// countColumn counts docs into counts by top-level node and by the node
// under sel (none for no selection) they are filed in, reading each
// document's leaf node. Which two nodes a leaf counts for is worked out
// once per node first, so that a document costs two lookups whatever the
// depth of its category.
func (t *categoryTree) countColumn(docs *roaring.Bitmap, sel uint32, column []uint32, counts []int32) {
	top := make([]uint32, len(t.nodes))   // each node's top-level ancestor
	under := make([]uint32, len(t.nodes)) // each node's ancestor right under sel, or none
	for id := range t.nodes {
		top[id], under[id] = uint32(id), none
		for n := uint32(id); t.nodes[n].parent != none; n = t.nodes[n].parent {
			if t.nodes[n].parent == sel {
				under[id] = n
			}
			top[id] = t.nodes[n].parent
		}
	}
	each(docs, func(docs []uint32) {
		for _, d := range docs {
			n := column[d]
			if n == none {
				continue
			}
			counts[top[n]]++
			if u := under[n]; u != none {
				counts[u]++
			}
		}
	})
}
