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

// add files doc under the leaf node and all its ancestors.
func (t *categoryTree) add(leaf, doc uint32) {
	for n := leaf; n != none; n = t.nodes[n].parent {
		t.nodes[n].docs.Add(doc)
	}
}

// remove undoes add.
func (t *categoryTree) remove(leaf, doc uint32) {
	for n := leaf; n != none; n = t.nodes[n].parent {
		t.nodes[n].docs.Remove(doc)
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
// known path, by the categories directly under it.
func (t *categoryTree) count(sc scope, selected string) map[string]int {
	h := valueHeap{name: t.path}
	tally := func(ids []uint32) {
		for _, id := range ids {
			if n := sc.countIn(t.nodes[id].docs); n > 0 {
				h.offer(valueCount{id, int(n)})
			}
		}
	}
	tally(t.roots)
	if id, ok := t.ids[selected]; ok {
		tally(t.nodes[id].children)
	}
	return h.counts()
}
