package content_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/content"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// everyone is a membership that admits every origin.
type everyone struct{}

func (everyone) IsMember(string) bool { return true }

// member is one node's catalog and content store, on its own Badger.
func member(t *testing.T) (*catalog.Catalog, *content.Store) {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := catalog.DefaultConfig()
	cfg.Currency = "EUR"
	cat, err := catalog.Open(cfg, db, key, everyone{}, nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	st, err := content.Open(db, cat, nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	cat.OnChange(func(ch catalog.Change) {
		if ch.Record != nil && ch.Record.Kind == catalog.KindDoc {
			st.Invalidate()
		}
	})
	return cat, st
}

// copyRecords applies every record src holds to dst, as catch-up would.
func copyRecords(t *testing.T, dst, src *catalog.Catalog) {
	t.Helper()
	err := src.Since(map[string]uint64{}, 100, func(raws [][]byte) error {
		for _, raw := range raws {
			if _, err := dst.Apply(raw); err != nil && !catalog.Skipped(err) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFederationArticlesBesideOwn: another member's federation article,
// as real signed records, shows in this store's help search beside its
// own; one whose slug this store uses takes its qualified key; a
// takedown removes it.
func TestFederationArticlesBesideOwn(t *testing.T) {
	ctx := context.Background()
	catA, a := member(t)
	catB, b := member(t)
	publish := func(s *content.Store, in content.Input, federation bool) {
		t.Helper()
		if _, err := s.Save(ctx, in, true, federation, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, in.Kind, in.Slug); err != nil {
			t.Fatal(err)
		}
	}
	returns := content.Input{Kind: content.KindArticle, Slug: "returns", Title: "Returning a part to another member's merchant",
		Body: "Every part goes back to its own merchant.", Section: content.SectionShoppers, Category: "Returns"}
	publish(a, returns, true)
	publish(a, content.Input{Kind: content.KindArticle, Slug: "points", Title: "Loyalty points", Body: "Earned on delivery.",
		Section: content.SectionShoppers, Category: "Points"}, true)
	publish(b, content.Input{Kind: content.KindArticle, Slug: "returns", Title: "Returns at Beta", Body: "Print the label.",
		Section: content.SectionShoppers, Category: "Returns"}, false)
	copyRecords(t, catB, catA)

	qualified := catA.Platform() + ".returns"
	if l, err := b.Find(ctx, content.KindArticle, "returns"); err != nil || l.Federation {
		t.Fatalf("Beta's own returns article: %+v %v", l, err)
	}
	l, err := b.Find(ctx, content.KindArticle, qualified)
	if err != nil || !l.Federation || l.Origin != catA.Platform() {
		t.Fatalf("Alpha's returns article on Beta under %s: %+v %v", qualified, l, err)
	}
	if hits, _ := b.Search(ctx, "loyalty", "", 10); len(hits) != 1 || hits[0].Key != "points" {
		t.Fatalf("Beta's search for loyalty: %+v", hits)
	}
	if hits, _ := b.Search(ctx, "merchant returning", "", 10); len(hits) == 0 || hits[0].Key != qualified {
		t.Fatalf("Beta's search for merchant returning: %+v", hits)
	}
	if rel, _ := b.Related(ctx, l, 5); len(rel) != 1 || rel[0].Key != "returns" {
		t.Fatalf("related to Alpha's returns on Beta: %+v", rel)
	}
	if err := a.Unpublish(ctx, content.KindArticle, "points"); err != nil {
		t.Fatal(err)
	}
	copyRecords(t, catB, catA)
	if hits, _ := b.Search(ctx, "loyalty", "", 10); len(hits) != 0 {
		t.Fatalf("a taken-down article is found on Beta: %+v", hits)
	}
	if _, err := a.Publish(ctx, content.KindArticle, "points"); err == nil {
		t.Fatal("a taken-down federation article was published again")
	}
}
