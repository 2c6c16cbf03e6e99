package node

import (
	"context"
	"log/slog"
	"time"

	"github.com/fedmart/fedmart/catalog/search"
)

// indexFiling is when the node files its search index by category
// (search.Index.Refile): every check, it looks at how many documents
// took a slot since the index was last filed. It files when those are at
// least minUnfiled and either an eighth of the index with none added
// since the last check (a load or a catch-up has ended), or half the
// index with at least spacing since the last filing (the index keeps
// growing). Filing a million listings takes about 7 s of one core
// (BENCHMARKS.md, "an index filed by category"); the spacing keeps a
// long load or catch-up, which has both cores busy, from paying it over
// and over.
type indexFiling struct {
	every      time.Duration
	spacing    time.Duration
	minUnfiled int
}

var defaultIndexFiling = indexFiling{every: 5 * time.Second, spacing: time.Minute, minUnfiled: 5000}

// due reports whether u unfiled documents of n are worth a filing.
func (p indexFiling) due(u, n int, quiet bool, sinceLast time.Duration) bool {
	return u >= p.minUnfiled && ((quiet && u*8 >= n) || (u*2 >= n && sinceLast >= p.spacing))
}

// fileIndex files ix as p says until ctx ends.
func fileIndex(ctx context.Context, ix *search.Index, p indexFiling, log *slog.Logger) error {
	t := time.NewTicker(p.every)
	defer t.Stop()
	last, filed := -1, time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		u, n := ix.Unfiled(), ix.Len()
		quiet := u == last
		last = u
		if !p.due(u, n, quiet, time.Since(filed)) {
			continue
		}
		start := time.Now()
		if f := ix.Refile(ctx); f.Filed {
			log.Info("search index filed by category", "docs", n, "unfiled", u, "took", time.Since(start).Round(time.Millisecond),
				"changed_meanwhile", f.Reindexed, "rounds", f.Rounds, "at_swap", f.AtSwap)
		}
		last, filed = ix.Unfiled(), time.Now()
	}
}

// WaitIndexFiled waits, at most max, until the search index holds no
// filing that fileIndex would still make, and returns how long it waited.
// For tools that measure search as a node serves it after a bulk load
// (fedmart bench).
func (n *Node) WaitIndexFiled(ctx context.Context, max time.Duration) time.Duration {
	p := defaultIndexFiling
	start := time.Now()
	for time.Since(start) < max && ctx.Err() == nil {
		if !p.due(n.index.Unfiled(), n.index.Len(), true, 0) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}
