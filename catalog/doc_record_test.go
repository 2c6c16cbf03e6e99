package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/content"
)

func helpDoc(slug, title string) content.Doc {
	return content.Doc{Kind: content.KindArticle, Slug: slug, Title: title, Body: "How it works.",
		Section: content.SectionShoppers, Category: "Orders"}
}

// TestDocsAreSignedReplicatedAndTakenDown: a federation doc is a record
// like an offer, one current version per subject, ended by a tombstone.
func TestDocsAreSignedReplicatedAndTakenDown(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	d, err := a.PublishDoc(ctx, helpDoc("returns", "Returns"))
	if err != nil || d.Version != 1 || d.Origin != a.self {
		t.Fatalf("PublishDoc = %+v, %v", d, err)
	}
	if again, err := a.PublishDoc(ctx, helpDoc("returns", "Returns")); err != nil || again.Version != 1 {
		t.Fatalf("an unchanged doc signed again: %+v %v", again, err)
	}
	if own, _ := a.FederationDocs(ctx); len(own) != 0 {
		t.Fatalf("a node lists its own docs as the federation's: %+v", own)
	}
	syncFrom(t, b, a, 10)
	got, err := b.FederationDocs(ctx)
	if err != nil || len(got) != 1 || got[0].Title != "Returns" || got[0].Origin != a.self {
		t.Fatalf("B's copy: %+v %v", got, err)
	}
	if _, err := a.PublishDoc(ctx, helpDoc("returns", "Returns, step by step")); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)
	if got, _ := b.FederationDocs(ctx); len(got) != 1 || got[0].Version != 2 || got[0].Title != "Returns, step by step" {
		t.Fatalf("B's copy after the change: %+v", got)
	}
	if err := a.TakeDownDoc(ctx, content.KindArticle, "returns"); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 10)
	if got, _ := b.FederationDocs(ctx); len(got) != 0 {
		t.Fatalf("a taken-down doc on B: %+v", got)
	}
	if _, err := a.PublishDoc(ctx, helpDoc("returns", "Back again")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("publishing a taken-down doc: %v", err)
	}
}

// TestDocsOfMembersNotAllowedAreRefused: a doc whose origin the charter
// does not let publish is neither signed nor held, and so never relayed;
// its origin's later records still arrive.
func TestDocsOfMembersNotAllowedAreRefused(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b, c := newNode(t, testConfig(), members), newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	onlyA := func(id string) bool { return id == a.self }
	a.SetPublishers(onlyA)
	b.SetPublishers(onlyA)
	if _, err := b.PublishDoc(ctx, helpDoc("terms", "Our terms")); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("B publishes although the charter does not let it: %v", err)
	}
	// C still runs on a charter that lets everyone publish, and signs one.
	if _, err := c.PublishDoc(ctx, helpDoc("terms", "Our terms")); err != nil {
		t.Fatal(err)
	}
	m := c.merchant(t)
	if _, err := c.PutOffer(ctx, m, "", percentOff(1000)); err != nil {
		t.Fatal(err)
	}
	_, err := a.Apply(c.rawOf(t, 1))
	if !errors.Is(err, ErrNotAllowed) || !Skipped(err) || !strings.Contains(err.Error(), c.self) {
		t.Fatalf("A applies C's doc: %v, want ErrNotAllowed naming C", err)
	}
	syncFrom(t, a, c, 10)
	if docs, _ := a.FederationDocs(ctx); len(docs) != 0 {
		t.Fatalf("A holds C's doc: %+v", docs)
	}
	if offers, _ := a.Offers(ctx, c.self, m); len(offers) != 1 {
		t.Fatalf("C's later offer did not reach A: %+v", offers)
	}
	// What A holds, A relays: B learns C's offer from A, never the doc.
	syncFrom(t, b, a, 10)
	if docs, _ := b.FederationDocs(ctx); len(docs) != 0 {
		t.Fatalf("B got C's doc through A: %+v", docs)
	}
	if offers, _ := b.Offers(ctx, c.self, m); len(offers) != 1 {
		t.Fatalf("B did not get C's offer through A: %+v", offers)
	}
}

// TestForgedDocRecordsAreRefused: a member cannot sign a doc under
// another's subject, nor one that breaks the doc's own limits.
func TestForgedDocRecordsAreRefused(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b, evil := newNode(t, testConfig(), members), newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	d, err := a.PublishDoc(ctx, helpDoc("returns", "Returns"))
	if err != nil {
		t.Fatal(err)
	}
	fake := d
	fake.Body, fake.Version = "Send everything to evil.", 5
	raw, err := seal(&Record{Origin: evil.self, Seq: 1, Kind: KindDoc, Subject: DocSubject(a.self, d.Kind, d.Slug), Version: 5, Time: d.UpdatedAt, Doc: &fake}, evil.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(raw); !errors.Is(err, ErrInvalid) {
		t.Errorf("a doc of another platform: %v", err)
	}
	bad := helpDoc("a.b", "x")
	bad.Origin, bad.Version, bad.UpdatedAt = evil.self, 1, d.UpdatedAt
	raw, err = seal(&Record{Origin: evil.self, Seq: 1, Kind: KindDoc, Subject: DocSubject(evil.self, bad.Kind, "ok"), Version: 1, Time: d.UpdatedAt, Doc: &bad}, evil.key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Apply(raw); !errors.Is(err, ErrInvalid) {
		t.Errorf("a doc whose slug differs from its subject: %v", err)
	}
	if docs, _ := b.FederationDocs(ctx); len(docs) != 0 {
		t.Errorf("a refused doc was stored: %+v", docs)
	}
}

// TestDocsBesideManyListings: this node's listing summaries share the
// docs' key prefix. A member with more own listings than MaxDocs still
// publishes docs, and a doc taken down does not hide the docs after it.
func TestDocsBesideManyListings(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	m := a.merchant(t)
	var feed []ListingInput
	for i := range MaxDocs + 1 {
		feed = append(feed, input(fmt.Sprintf("Skillet %d", i), fmt.Sprintf("SK-%d", i)))
	}
	if res, err := a.UpsertBatch(ctx, m, feed); err != nil || res.Created != MaxDocs+1 {
		t.Fatalf("UpsertBatch = %+v, %v", res, err)
	}
	for _, slug := range []string{"a-returns", "b-shipping", "c-points"} {
		if _, err := a.PublishDoc(ctx, helpDoc(slug, slug)); err != nil {
			t.Fatalf("publishing %s beside %d listings: %v", slug, MaxDocs+1, err)
		}
	}
	if err := a.TakeDownDoc(ctx, content.KindArticle, "a-returns"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PublishDoc(ctx, helpDoc("own", "B's own")); err != nil {
		t.Fatal(err)
	}
	syncFrom(t, b, a, 2000)
	got, err := b.FederationDocs(ctx)
	var slugs []string
	for _, d := range got {
		slugs = append(slugs, d.Slug)
	}
	if err != nil || strings.Join(slugs, ",") != "b-shipping,c-points" {
		t.Fatalf("B lists %v (%v), want the two live docs of A", slugs, err)
	}
	if own, err := a.FederationDocs(ctx); err != nil || len(own) != 0 {
		t.Fatalf("A lists %+v (%v): its own docs and listings are not federation docs", own, err)
	}
}

// TestDocsKeptUnderTheOldPrefixAreMoved: builds before 2026-12-05 kept
// doc heads under c/g/, among the node's listing summaries. Opened again,
// the catalog moves them once, leaves the summaries where they are, and
// lists and counts the docs as before.
func TestDocsKeptUnderTheOldPrefixAreMoved(t *testing.T) {
	ctx := context.Background()
	members := &memberSet{}
	a, b := newNode(t, testConfig(), members), newNode(t, testConfig(), members)
	for _, slug := range []string{"returns", "shipping"} {
		if _, err := a.PublishDoc(ctx, helpDoc(slug, slug)); err != nil {
			t.Fatal(err)
		}
	}
	syncFrom(t, b, a, 100)
	if _, err := b.UpsertBatch(ctx, b.merchant(t), []ListingInput{input("Kettle", "K-1")}); err != nil {
		t.Fatal(err)
	}
	// B's store as an earlier build left it.
	if err := b.db.Update(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixDoc)})
		var keys, values [][]byte
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				it.Close()
				return err
			}
			keys, values = append(keys, it.Item().KeyCopy(nil)), append(values, v)
		}
		it.Close()
		for i, k := range keys {
			if err := txn.Set(append([]byte(oldPrefixDoc), k[len(prefixDoc):]...), values[i]); err != nil {
				return err
			}
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return txn.Delete([]byte(keyDocsMoved))
	}); err != nil {
		t.Fatal(err)
	}
	b2 := newNodeOn(t, b.db, testConfig(), members)
	got, err := b2.FederationDocs(ctx)
	if err != nil || len(got) != 2 {
		t.Fatalf("after the move, B lists %+v (%v), want A's two docs", got, err)
	}
	summaries, docs := 0, 0
	if err := b.db.View(func(txn *badger.Txn) error {
		for p, n := range map[string]*int{oldPrefixDoc: &summaries, prefixDoc: &docs} {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(p)})
			for it.Rewind(); it.Valid(); it.Next() {
				*n++
			}
			it.Close()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if summaries != 1 || docs != 2 {
		t.Fatalf("c/g/ holds %d keys, c/d/ %d: want B's listing's summary and A's two docs", summaries, docs)
	}
}
