package content

import (
	"context"
	"errors"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

func openStore(t *testing.T, fed Federation) *Store {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := Open(db, fed, nil, func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func page(slug, title, body string) Input {
	return Input{Kind: KindPage, Slug: slug, Title: title, Body: body}
}

func article(slug, title, category, body string) Input {
	return Input{Kind: KindArticle, Slug: slug, Title: title, Body: body, Section: SectionShoppers, Category: category}
}

// TestPageHistory writes, publishes, edits and restores a page, and checks
// what shoppers see at each step.
func TestPageHistory(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	if _, err := s.Save(ctx, page("about", "About us", "We sell *tea*."), true, false, 2); err != nil {
		t.Fatal(err)
	}
	_, err := s.Save(ctx, page("about", "Another", "x"), true, false, 1)
	var ve *ValidationError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &ve) || ve.Errors[0].Field != "slug" {
		t.Fatalf("a second page with slug about: %v, want a conflict naming slug", err)
	}
	if got, _ := s.Pages(ctx); len(got) != 0 {
		t.Fatalf("a draft is shown: %v", got)
	}
	if _, err := s.Publish(ctx, KindPage, "about"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(ctx, page("about", "About us", "We sell *coffee*."), false, false, 2); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Find(ctx, KindPage, "about"); l.Body != "We sell *tea*." {
		t.Fatalf("an unpublished draft is shown: %q", l.Body)
	}
	if _, err := s.Publish(ctx, KindPage, "about"); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Versions(ctx, KindPage, "about")
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Body != "We sell *tea*." {
		t.Fatalf("Versions = %+v, %v", vs, err)
	}
	d, err := s.Restore(ctx, KindPage, "about", 1)
	if err != nil || d.Version != 3 || d.Body != "We sell *tea*." {
		t.Fatalf("Restore(1) = %+v, %v; want version 3 with the first body", d, err)
	}
	if l, _ := s.Find(ctx, KindPage, "about"); l.Body != "We sell *tea*." || l.Version != 3 {
		t.Fatalf("after restore shoppers see %+v", l)
	}
	if _, err := s.Restore(ctx, KindPage, "about", 9); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Restore(9) = %v, want ErrNotFound", err)
	}
	// Menu order: the operator's numbers, not titles.
	if _, err := s.Save(ctx, page("terms", "Terms", "t"), true, false, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, KindPage, "terms"); err != nil {
		t.Fatal(err)
	}
	ps, _ := s.Pages(ctx)
	if len(ps) != 2 || ps[0].Slug != "terms" || ps[1].Slug != "about" {
		t.Fatalf("Pages = %+v, want terms then about", ps)
	}
	if err := s.Unpublish(ctx, KindPage, "terms"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Find(ctx, KindPage, "terms"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unpublished page is found: %v", err)
	}
}

// TestHelpSearch finds this store's articles by their words and counts
// votes and views; federation_test.go adds other members' articles.
func TestHelpSearch(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	for _, in := range []Input{
		article("returns", "How returns work here", "Returns", "Print the label and drop the parcel off."),
		article("returns-abroad", "Returning a parcel from abroad", "Returns", "Parcels from abroad go back by post."),
		article("shipping-times", "Shipping times", "Shipping", "Parcels arrive in two to five days."),
		article("points", "Loyalty points", "Points", "Points are earned on delivery."),
	} {
		if _, err := s.Save(ctx, in, true, false, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, KindArticle, in.Slug); err != nil {
			t.Fatal(err)
		}
	}
	hits, err := s.Search(ctx, "returning parcels", "", 10)
	if err != nil || len(hits) < 2 {
		t.Fatalf("Search = %+v, %v", hits, err)
	}
	if hits, _ := s.Search(ctx, "loyalty", "", 10); len(hits) != 1 || hits[0].Key != "points" {
		t.Fatalf("Search(loyalty) = %+v", hits)
	}
	if hits, _ := s.Search(ctx, "loyalty", SectionMerchants, 10); len(hits) != 0 {
		t.Fatalf("Search(loyalty) in merchants = %+v", hits)
	}
	rel, _ := s.Find(ctx, KindArticle, "returns")
	if r, _ := s.Related(ctx, rel, 5); len(r) != 1 || r[0].Key != "returns-abroad" {
		t.Fatalf("Related = %+v", r)
	}
	for range 3 {
		_ = s.Viewed(ctx, "shipping-times")
	}
	_ = s.Viewed(ctx, "points")
	if mv, _ := s.MostViewed(ctx, 5); len(mv) != 2 || mv[0].Key != "shipping-times" {
		t.Fatalf("MostViewed = %+v", mv)
	}
	_, _ = s.Vote(ctx, "points", true)
	if v, _ := s.Vote(ctx, "points", false); v != (Votes{Yes: 1, No: 1}) {
		t.Fatalf("votes = %+v", v)
	}
	if _, err := s.Vote(ctx, "nothing-here", true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a vote for no article: %v", err)
	}
}
