package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/content"
)

// Federation pages and help articles are published records like offers
// (records of kind KindDoc): signed by the member that wrote them,
// replicated by gossip and catch-up, one current version per subject
// <platform>.<kind>.<slug>, taken down for good by a tombstone. Only the
// members the charter names as publishers may publish them
// (SetPublishers): a doc record of any other origin is valid but never
// held, so never relayed (ErrNotAllowed), and its origin's marks move on.

// prefixDoc keys the head of a doc record by its subject:
// c/d/<platform>.<kind>.<slug>, so that an origin's docs are together.
// Builds before 2026-12-05 kept them under c/g/, the prefix of this
// node's listing summaries; moveDocs moves them once at Open.
const prefixDoc = "c/d/"

// oldPrefixDoc is where docs were kept before; keyDocsMoved says they
// were moved from it.
const (
	oldPrefixDoc = "c/g/"
	keyDocsMoved = "c/db"
)

func docKey(subject string) []byte { return []byte(prefixDoc + subject) }

// MaxDocs is the most federation docs (taken-down ones included) one
// member may publish, and the most any node holds of one member.
const MaxDocs = 1000

// DocSubject is the subject of platform's federation doc of kind and slug.
func DocSubject(platform, kind, slug string) string { return platform + "." + kind + "." + slug }

// parseDocSubject splits a doc record's subject.
func parseDocSubject(s string) (platform, kind, slug string, err error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return "", "", "", errors.New("want <platform>.<kind>.<slug>")
	}
	if err := checkPeerID(parts[0]); err != nil {
		return "", "", "", fmt.Errorf("platform: %v", err)
	}
	if parts[1] != content.KindPage && parts[1] != content.KindArticle {
		return "", "", "", fmt.Errorf("kind %q is not %q or %q", clip(parts[1]), content.KindPage, content.KindArticle)
	}
	if !content.ValidSlug(parts[2]) {
		return "", "", "", fmt.Errorf("slug %q is not a valid slug", clip(parts[2]))
	}
	return parts[0], parts[1], parts[2], nil
}

// SetPublishers sets who may publish federation docs: may reports it for a
// member's peer ID. The node calls it at start and whenever the charter
// changes; until then, every member may.
func (c *Catalog) SetPublishers(may func(peerID string) bool) { c.publishers.Store(&may) }

// mayPublish reports whether origin may publish federation docs.
func (c *Catalog) mayPublish(origin string) bool {
	if p := c.publishers.Load(); p != nil {
		return (*p)(origin)
	}
	return true
}

// PublishDoc signs d as this node's federation doc of its kind and slug:
// a new version unless nothing changed. It returns the doc as signed.
func (c *Catalog) PublishDoc(ctx context.Context, d content.Doc) (content.Doc, error) {
	if err := ctx.Err(); err != nil {
		return content.Doc{}, err
	}
	if !c.mayPublish(c.self) {
		return content.Doc{}, fmt.Errorf("%w: the charter does not let this member publish federation pages and articles (content.publishers)", ErrNotAllowed)
	}
	if err := content.Validate(d.Input()); err != nil {
		return content.Doc{}, err
	}
	subject := DocSubject(c.self, d.Kind, d.Slug)
	doc := d
	rec, err := c.signSubject(KindDoc, subject, docContent(&d), false, func(txn *badger.Txn, r *Record) error {
		if r.Version == 1 {
			if err := countDocs(txn, c.self); err != nil {
				return err
			}
		}
		doc.Origin, doc.Version, doc.UpdatedAt = c.self, r.Version, r.Time
		r.Doc = &doc
		return nil
	})
	if err != nil {
		return content.Doc{}, err
	}
	return *rec.Doc, nil
}

// TakeDownDoc signs the takedown of this node's federation doc of kind
// and slug: every member drops it, and the subject is never used again.
func (c *Catalog) TakeDownDoc(ctx context.Context, kind, slug string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	subject := DocSubject(c.self, kind, slug)
	if _, _, _, err := parseDocSubject(subject); err != nil {
		return fmt.Errorf("%w: doc %s: %v", ErrNotFound, clip(subject), err)
	}
	_, err := c.signSubject(KindDoc, subject, digest{}, true, func(_ *badger.Txn, r *Record) error {
		if r.Version == 1 {
			return fmt.Errorf("%w: doc %s", ErrNotFound, subject)
		}
		return nil
	})
	return err
}

// FederationDocs returns the live federation docs of the other members
// that may publish them, by subject.
func (c *Catalog) FederationDocs(ctx context.Context) ([]content.Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []content.Doc
	err := c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixDoc)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			origin := platformOf(string(it.Item().Key()[len(prefixDoc):]))
			if origin == c.self || !c.members.IsMember(origin) || !c.mayPublish(origin) {
				continue
			}
			doc, err := liveDoc(txn, it.Item(), origin)
			if err != nil {
				return err
			}
			if doc != nil {
				out = append(out, *doc)
			}
		}
		return nil
	})
	return out, err
}

// liveDoc is the doc whose head item is, nil when it was taken down.
func liveDoc(txn *badger.Txn, item *badger.Item, origin string) (*content.Doc, error) {
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	h, err := decodeHead(raw)
	if err != nil || h.tomb {
		return nil, err
	}
	rec, err := loadRecord(txn, origin, h.seq)
	if err != nil {
		return nil, err
	}
	return rec.Doc, nil
}

// docContent is what a digest of a doc covers: what its author wrote.
func docContent(d *content.Doc) digest { return contentSum(d.Input()) }

// countDocs refuses another doc of origin when it has MaxDocs already.
func countDocs(txn *badger.Txn, origin string) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: docKey(origin + ".")})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid() && n < MaxDocs; it.Next() {
		n++
	}
	if n >= MaxDocs {
		return fmt.Errorf("%w: %s has %d federation pages and articles, the most one member may have", ErrQuota, origin, n)
	}
	return nil
}

// checkDoc checks a doc record's own fields.
func (r *Record) checkDoc() error {
	platform, kind, slug, err := parseDocSubject(r.Subject)
	d := r.Doc
	switch {
	case err != nil:
		return fmt.Errorf("subject: %v", err)
	case platform != r.Origin:
		return errors.New("subject names another platform than the origin")
	case r.ListingID != "" || r.Listing != nil || r.Stock != nil || r.StockVersion != 0 ||
		r.Merchant != nil || r.Shipping != nil || r.Offer != nil:
		return errors.New("a doc record carries a doc, nothing else")
	case r.Seq == 0:
		return errors.New("seq must be at least 1")
	case r.Version == 0:
		return errors.New("version must be at least 1")
	case r.Time.IsZero():
		return errors.New("time is missing")
	case r.Tombstone && d != nil:
		return errors.New("a tombstone carries no doc")
	case r.Tombstone:
		return nil
	case d == nil:
		return errors.New("doc is missing")
	case d.Kind != kind || d.Slug != slug || d.Origin != r.Origin:
		return errors.New("doc kind, slug or origin differ from the record's")
	case d.Version != r.Version || !d.UpdatedAt.Equal(r.Time):
		return errors.New("doc version or updated_at differ from the record's")
	}
	if err := content.CheckPublished(d); err != nil {
		return fmt.Errorf("doc: %v", err)
	}
	return nil
}

// placeDoc stores a doc record from another node (or one of ours, learnt
// back) unless its origin may not publish docs or a newer version is
// stored.
func (c *Catalog) placeDoc(txn *badger.Txn, rec *Record, raw []byte) (*Change, error) {
	if !c.mayPublish(rec.Origin) {
		return nil, fmt.Errorf("%w: record %s/%d: the charter does not let %s publish federation pages and articles", ErrNotAllowed, rec.Origin, rec.Seq, rec.Origin)
	}
	prev, err := getHead(txn, docKey(rec.Subject))
	if err != nil {
		return nil, err
	}
	if err := order("doc", rec.Subject, rec.Version, prev); err != nil {
		return nil, err
	}
	if prev.tomb {
		return nil, fmt.Errorf("%w: %s was taken down at version %d", ErrConflict, rec.Subject, prev.version)
	}
	if prev.seq == 0 {
		if err := c.quotaOK(txn, rec.Origin, "", rec.Subject); err != nil {
			return nil, err
		}
		if err := countDocs(txn, rec.Origin); err != nil {
			return nil, err
		}
		if err := c.countListing(txn, rec.Origin, ""); err != nil {
			return nil, err
		}
	}
	var sum digest
	if rec.Doc != nil {
		sum = docContent(rec.Doc)
	}
	if err := putRecord(txn, rec, raw, prev.seq, 0); err != nil {
		return nil, err
	}
	h := head{seq: rec.Seq, version: rec.Version, tomb: rec.Tombstone, sum: sum}
	if err := txn.Set(docKey(rec.Subject), h.encode()); err != nil {
		return nil, err
	}
	return &Change{ID: rec.Subject, Record: rec, Raw: raw}, nil
}

// moveDocs moves the doc heads a build before 2026-12-05 kept under
// c/g/, among this node's listing summaries, to prefixDoc, once. It runs
// at Open, before anything writes; a move cut short runs again at the
// next Open. A summary's key is never a doc subject: its second part is
// a merchant id of 16 characters, never "page" or "article".
func moveDocs(db *badger.DB) error {
	type head struct{ subject, value []byte }
	var heads []head
	moved := false
	err := db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte(keyDocsMoved)); !errors.Is(err, badger.ErrKeyNotFound) {
			moved = err == nil
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(oldPrefixDoc)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			subject := it.Item().Key()[len(oldPrefixDoc):]
			if _, _, _, err := parseDocSubject(string(subject)); err != nil {
				continue // a listing's summary
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			heads = append(heads, head{bytes.Clone(subject), v})
		}
		return nil
	})
	if err != nil || moved {
		return err
	}
	wb := db.NewWriteBatch() // a node may hold many members' docs: more than one transaction takes
	defer wb.Cancel()
	for _, h := range heads {
		if err := wb.Set(docKey(string(h.subject)), h.value); err != nil {
			return err
		}
		if err := wb.Delete(append([]byte(oldPrefixDoc), h.subject...)); err != nil {
			return err
		}
	}
	if err := wb.Set([]byte(keyDocsMoved), []byte{1}); err != nil {
		return err
	}
	return wb.Flush()
}
