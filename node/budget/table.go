package budget

import (
	"container/list"
	"sync"
)

// Table is a map from client keys to V that keeps at most Max entries:
// adding one to a full table evicts the entry used least recently. It is
// safe for concurrent use.
type Table[V any] struct {
	max int
	mu  sync.Mutex // guards order and byKey
	// order holds *entry[V], most recently used at the front.
	order *list.List
	byKey map[string]*list.Element
}

type entry[V any] struct {
	key string
	val V
}

// NewTable returns an empty table that keeps at most size entries (at
// least 1).
func NewTable[V any](size int) *Table[V] {
	return &Table[V]{max: max(size, 1), order: list.New(), byKey: map[string]*list.Element{}}
}

// Update runs fn on key's value (the zero V when key is new) while the
// table is locked, stores what fn returns, and marks key as just used. A
// new key in a full table evicts the least recently used one first.
func (t *Table[V]) Update(key string, fn func(v V, found bool) V) V {
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.byKey[key]; ok {
		e := el.Value.(*entry[V])
		e.val = fn(e.val, true)
		t.order.MoveToFront(el)
		return e.val
	}
	var zero V
	v := fn(zero, false)
	for t.order.Len() >= t.max {
		oldest := t.order.Back()
		delete(t.byKey, oldest.Value.(*entry[V]).key)
		t.order.Remove(oldest)
	}
	t.byKey[key] = t.order.PushFront(&entry[V]{key: key, val: v})
	return v
}

// Get returns key's value without marking it used.
func (t *Table[V]) Get(key string) (V, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.byKey[key]; ok {
		return el.Value.(*entry[V]).val, true
	}
	var zero V
	return zero, false
}

// Delete forgets key.
func (t *Table[V]) Delete(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.byKey[key]; ok {
		delete(t.byKey, key)
		t.order.Remove(el)
	}
}

// Len is the number of entries kept.
func (t *Table[V]) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.order.Len()
}
