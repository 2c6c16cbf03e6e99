package node

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/internal/testwait"
)

// The node files its search index once enough documents arrived out of
// category order, and leaves a few alone.
func TestIndexIsFiledAfterALoad(t *testing.T) {
	ix := search.New()
	cats := []string{"Home > Kitchen", "Books", "Sports > Camping", "Apparel > Men", "Electronics > Audio"}
	add := func(from, to int) {
		for i := from; i < to; i++ {
			ix.Upsert(search.Doc{ID: fmt.Sprintf("d%05d", i), Title: fmt.Sprintf("thing %d", i), Category: cats[i%len(cats)], Price: 100, Currency: "EUR"})
		}
	}
	// A load, in arrival order, whole before the filer looks: on a busy
	// machine a filer started first filed part of it, and its spacing
	// (an hour) kept the rest unfiled.
	add(0, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- fileIndex(ctx, ix, indexFiling{every: 20 * time.Millisecond, spacing: time.Hour, minUnfiled: 100}, slog.New(slog.DiscardHandler))
	}()
	defer func() { cancel(); <-done }()
	testwait.For(t, 10*time.Second, func() error {
		if u := ix.Unfiled(); u != 0 {
			return fmt.Errorf("%d of %d documents still unfiled", u, ix.Len())
		}
		return nil
	})
	add(1000, 1050) // fewer than minUnfiled: not worth a filing
	time.Sleep(200 * time.Millisecond)
	if u := ix.Unfiled(); u != 50 {
		t.Fatalf("%d documents unfiled, want the 50 added", u)
	}
	if r, err := ix.Search(search.Query{Text: "thing", Category: "Books", Limit: 1}); err != nil || r.Total != 210 {
		t.Fatalf("search after filing: %d results, %v", r.Total, err)
	}
}

func TestIndexFilingIsDue(t *testing.T) {
	p := indexFiling{every: time.Second, spacing: time.Minute, minUnfiled: 5000}
	for _, c := range []struct {
		u, n      int
		quiet     bool
		sinceLast time.Duration
		want      bool
	}{
		{4999, 4999, true, time.Hour, false},                 // too few to be worth it
		{200_000, 1_000_000, true, 0, true},                  // a load has ended
		{100_000, 1_000_000, true, time.Hour, false},         // a tenth: left for later
		{200_000, 1_000_000, false, time.Hour, false},        // still loading
		{500_000, 1_000_000, false, 30 * time.Second, false}, // growing, filed lately
		{500_000, 1_000_000, false, time.Minute, true},       // growing, half of it unfiled
	} {
		if got := p.due(c.u, c.n, c.quiet, c.sinceLast); got != c.want {
			t.Errorf("due(%d of %d, quiet %v, %s since the last) = %v", c.u, c.n, c.quiet, c.sinceLast, got)
		}
	}
}
