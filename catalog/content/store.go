package content

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/search"
)

// Keys of the store, all under "cms/":
//
//	cms/d/<kind>/<slug>            -> Entry (JSON): the draft and its state
//	cms/h/<kind>/<slug>/<version>  -> Doc (JSON): a published version (uint64 big endian)
//	cms/v/<kind>/<key>             -> votes (JSON)
//	cms/n/<kind>/<key>             -> views (uint64 big endian)
const (
	prefixEntry   = "cms/d/"
	prefixHistory = "cms/h/"
	prefixVotes   = "cms/v/"
	prefixViews   = "cms/n/"
)

func entryKey(kind, slug string) []byte { return []byte(prefixEntry + kind + "/" + slug) }

func historyPrefix(kind, slug string) []byte { return []byte(prefixHistory + kind + "/" + slug + "/") }

func historyKey(kind, slug string, v uint64) []byte {
	return binary.BigEndian.AppendUint64(historyPrefix(kind, slug), v)
}

// Federation is what the store needs of the catalog's published records:
// the federation's docs, and signing this node's own.
type Federation interface {
	// FederationDocs returns every live federation doc this node holds
	// of the other members (its own are in the store already).
	FederationDocs(ctx context.Context) ([]Doc, error)
	// PublishDoc signs d as this node's federation doc of its kind and
	// slug, and returns it as published.
	PublishDoc(ctx context.Context, d Doc) (Doc, error)
	// TakeDownDoc signs the takedown of this node's federation doc.
	TakeDownDoc(ctx context.Context, kind, slug string) error
}

// Entry is one of this node's docs as the operator edits it.
type Entry struct {
	// Draft is what the editor shows; publishing copies it.
	Draft Doc `json:"draft"`
	// Federation makes the doc a federation doc when published.
	Federation bool `json:"federation"`
	// Live is the published version shoppers see; 0: not published.
	Live uint64 `json:"live"`
	// Latest is the newest published version; 0: none yet.
	Latest uint64 `json:"latest"`
	// Order places a page in the footer and menu (smaller first).
	Order int `json:"order"`
	// EditedAt is when the draft was last saved.
	EditedAt time.Time `json:"edited_at"`
	// TakenDown is set once a federation doc was taken down: its slug
	// stays this node's, but no member will hold it again.
	TakenDown bool `json:"taken_down,omitempty"`
}

// Status says whether shoppers see the entry: "draft" (never
// published, or hidden) or "published".
func (e *Entry) Status() string {
	if e.Live == 0 {
		return "draft"
	}
	return "published"
}

// Changed reports whether the draft differs from the live version.
func (e *Entry) Changed(live *Doc) bool {
	return live == nil || !reflect.DeepEqual(live.Input(), e.Draft.Input())
}

// Store holds this node's pages and articles and shows them with the
// federation's. It is safe for concurrent use.
type Store struct {
	db   *badger.DB
	fed  Federation
	log  *slog.Logger
	now  func() time.Time
	r    *Renderer
	an   *search.Analyzer
	wmu  sync.Mutex // serializes writes of entries and history
	vmu  sync.Mutex // guards view
	view *view      // what shoppers see; nil: rebuild on next read
}

// Open returns a Store over db. fed may be nil (no federation docs).
func Open(db *badger.DB, fed Federation, log *slog.Logger, now func() time.Time) (*Store, error) {
	if db == nil {
		return nil, errors.New("content: Open needs a database")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, fed: fed, log: log, now: now, r: NewRenderer(), an: search.NewAnalyzer()}, nil
}

// Renderer returns the store's Markdown renderer.
func (s *Store) Renderer() *Renderer { return s.r }

// Invalidate tells the store that the federation's docs changed.
func (s *Store) Invalidate() {
	s.vmu.Lock()
	s.view = nil
	s.vmu.Unlock()
}

// Save writes the draft of a doc: a new one when create (its slug must be
// free among this node's docs of its kind: ErrConflict naming "slug"),
// else the doc of in's kind and slug (ErrNotFound when none). A draft
// changes nothing shoppers see until it is published.
func (s *Store) Save(ctx context.Context, in Input, create, federation bool, order int) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	if err := Validate(in); err != nil {
		return Entry{}, err
	}
	d := docOf(in)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var e Entry
	err := s.db.Update(func(txn *badger.Txn) error {
		old, err := getEntry(txn, d.Kind, d.Slug)
		switch {
		case err != nil:
			return err
		case create && old != nil:
			return &ValidationError{conflict: true, Errors: []FieldError{{Field: "slug", Message: fmt.Sprintf("%q is the slug of another %s already", d.Slug, d.Kind)}}}
		case !create && old == nil:
			return fmt.Errorf("%w: %s %s", ErrNotFound, d.Kind, d.Slug)
		case old != nil:
			e = *old
		}
		if old != nil && old.Latest > 0 && old.Federation != federation {
			return &ValidationError{Errors: []FieldError{{Field: "federation", Message: "a published doc keeps its scope; write a new one for the other"}}}
		}
		d.Version, d.UpdatedAt = e.Draft.Version, e.Draft.UpdatedAt
		e.Draft, e.Federation, e.Order, e.EditedAt = d, federation, order, s.now().UTC()
		return putJSON(txn, entryKey(d.Kind, d.Slug), e)
	})
	return e, err
}

// Publish makes the draft of kind/slug its newest published version,
// signed for the federation when the doc is a federation one.
func (s *Store) Publish(ctx context.Context, kind, slug string) (Doc, error) {
	if err := ctx.Err(); err != nil {
		return Doc{}, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	e, err := s.entry(kind, slug)
	if err != nil {
		return Doc{}, err
	}
	if e.TakenDown {
		return Doc{}, fmt.Errorf("%w: %s %s was taken down from the federation; write it under another slug", ErrConflict, kind, slug)
	}
	d := e.Draft
	d.Version, d.UpdatedAt = e.Latest+1, s.now().UTC().Truncate(time.Millisecond)
	if e.Federation {
		if s.fed == nil {
			return Doc{}, fmt.Errorf("%w: federation docs need the catalog", ErrInvalid)
		}
		if d, err = s.fed.PublishDoc(ctx, d); err != nil {
			return Doc{}, err
		}
		d.Origin = ""
	}
	e.Draft.Version, e.Draft.UpdatedAt = d.Version, d.UpdatedAt
	e.Latest, e.Live = d.Version, d.Version
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := putJSON(txn, historyKey(kind, slug, d.Version), d); err != nil {
			return err
		}
		return putJSON(txn, entryKey(kind, slug), e)
	})
	if err != nil {
		return Doc{}, err
	}
	s.Invalidate()
	return d, nil
}

// Restore makes published version v of kind/slug the draft again and
// publishes it as the newest version.
func (s *Store) Restore(ctx context.Context, kind, slug string, v uint64) (Doc, error) {
	old, err := s.Version(ctx, kind, slug, v)
	if err != nil {
		return Doc{}, err
	}
	s.wmu.Lock()
	err = s.db.Update(func(txn *badger.Txn) error {
		e, err := getEntry(txn, kind, slug)
		if err != nil || e == nil {
			return errors.Join(err, fmt.Errorf("%w: %s %s", ErrNotFound, kind, slug))
		}
		old.Version, old.UpdatedAt = e.Draft.Version, e.Draft.UpdatedAt
		e.Draft, e.EditedAt = old, s.now().UTC()
		return putJSON(txn, entryKey(kind, slug), e)
	})
	s.wmu.Unlock()
	if err != nil {
		return Doc{}, err
	}
	return s.Publish(ctx, kind, slug)
}

// Unpublish hides kind/slug from shoppers; a federation doc is taken
// down from every member, for good.
func (s *Store) Unpublish(ctx context.Context, kind, slug string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	e, err := s.entry(kind, slug)
	if err != nil {
		return err
	}
	if e.Federation && e.Latest > 0 && !e.TakenDown {
		if err := s.fed.TakeDownDoc(ctx, kind, slug); err != nil {
			return err
		}
		e.TakenDown = true
	}
	e.Live = 0
	if err := s.db.Update(func(txn *badger.Txn) error { return putJSON(txn, entryKey(kind, slug), e) }); err != nil {
		return err
	}
	s.Invalidate()
	return nil
}

// Entry returns this node's doc kind/slug as the operator edits it.
func (s *Store) Entry(ctx context.Context, kind, slug string) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	return s.entry(kind, slug)
}

func (s *Store) entry(kind, slug string) (Entry, error) {
	var e *Entry
	err := s.db.View(func(txn *badger.Txn) (err error) {
		e, err = getEntry(txn, kind, slug)
		return err
	})
	if err == nil && e == nil {
		err = fmt.Errorf("%w: %s %q", ErrNotFound, kind, clip(slug))
	}
	if err != nil {
		return Entry{}, err
	}
	return *e, nil
}

// Entries returns this node's docs of kind, pages in menu order, articles
// by section, category and title.
func (s *Store) Entries(ctx context.Context, kind string) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Entry
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, []byte(prefixEntry+kind+"/"), func(_ []byte, e Entry) error {
			out = append(out, e)
			return nil
		})
	})
	sortEntries(out)
	return out, err
}

// Versions returns every published version of kind/slug, newest first.
func (s *Store) Versions(ctx context.Context, kind, slug string) ([]Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Doc
	err := s.db.View(func(txn *badger.Txn) error {
		return eachJSON(txn, historyPrefix(kind, slug), func(_ []byte, d Doc) error {
			out = append(out, d)
			return nil
		})
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// Version returns published version v of kind/slug.
func (s *Store) Version(ctx context.Context, kind, slug string, v uint64) (Doc, error) {
	if err := ctx.Err(); err != nil {
		return Doc{}, err
	}
	var d Doc
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(historyKey(kind, slug, v))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("%w: version %d of %s %q", ErrNotFound, v, kind, clip(slug))
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error { return json.Unmarshal(b, &d) })
	})
	return d, err
}

func getEntry(txn *badger.Txn, kind, slug string) (*Entry, error) {
	item, err := txn.Get(entryKey(kind, slug))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e := new(Entry)
	return e, item.Value(func(b []byte) error { return json.Unmarshal(b, e) })
}

func putJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

// eachJSON decodes every value under prefix, in key order.
func eachJSON[T any](txn *badger.Txn, prefix []byte, fn func(key []byte, v T) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var v T
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &v) }); err != nil {
			return fmt.Errorf("content: %s: %w", it.Item().Key(), err)
		}
		if err := fn(it.Item().KeyCopy(nil), v); err != nil {
			return err
		}
	}
	return nil
}

// sortEntries orders pages by menu order and articles by section,
// category and title; slugs break ties.
func sortEntries(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.Draft.Section, b.Draft.Section),
			cmp.Compare(a.Draft.Category, b.Draft.Category), cmp.Compare(a.Draft.Title, b.Draft.Title), cmp.Compare(a.Draft.Slug, b.Draft.Slug))
	})
}
