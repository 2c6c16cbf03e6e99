package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// ValueThreshold is the length from which Badger writes a value to its
// value log instead of keeping it in the tree beside its key.
const ValueThreshold = 1 << 10

// OpenBadger opens the node's database with settings for a small machine:
// modest memtables and caches, two compactors (Badger's minimum), tables
// of one size at every level so that a compaction's buffers stay small
// however deep the tree grows, and a value threshold that keeps small
// records in the LSM tree. Writes are not synced by default;
// code whose writes must survive a crash (orders, outboxes) calls db.Sync
// or uses synced transactions. Tools that measure the node's storage
// (fedmart bench) open theirs with it too.
func OpenBadger(dir string, s StorageConfig, log *slog.Logger) (*badger.DB, error) {
	opts := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		WithNumCompactors(2).
		WithNumGoroutines(4).
		WithMemTableSize(int64(s.MemTableMB) << 20).
		WithNumMemtables(s.Memtables).
		WithBaseTableSize(int64(s.TableMB) << 20).
		WithBlockCacheSize(int64(s.BlockCacheMB) << 20).
		WithIndexCacheSize(int64(s.IndexCacheMB) << 20).
		WithValueLogFileSize(128 << 20).
		WithValueThreshold(ValueThreshold).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(10).
		WithCompactL0OnClose(true)
	opts.TableSizeMultiplier = 1 // no setter; see the comment above
	db, err := badger.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("storage: opening %s: %w", dir, err)
	}
	return db, nil
}

// collectGarbage runs value-log GC every interval until ctx ends. Each run
// rewrites log files while at least half their space is reclaimable.
func collectGarbage(ctx context.Context, db *badger.DB, every time.Duration, log *slog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		for n := 0; ctx.Err() == nil; n++ {
			err := db.RunValueLogGC(0.5)
			if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
				if n > 0 {
					log.Debug("value log garbage collected", "files", n)
				}
				break
			}
			if err != nil {
				log.Warn("value log GC failed", "err", err)
				break
			}
		}
	}
}

// badgerLogger sends Badger's logs to slog; its chatty info lines go to debug.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any) {
	l.log.Error(fmt.Sprintf(f, a...), "component", "badger")
}
func (l badgerLogger) Warningf(f string, a ...any) {
	l.log.Warn(fmt.Sprintf(f, a...), "component", "badger")
}
func (l badgerLogger) Infof(f string, a ...any) {
	l.log.Debug(fmt.Sprintf(f, a...), "component", "badger")
}
func (l badgerLogger) Debugf(f string, a ...any) {
	l.log.Debug(fmt.Sprintf(f, a...), "component", "badger")
}

// WaitCompacted waits until no Badger level needs compacting (every
// level's score, Badger's own trigger, is below 1), or until max has
// passed, and returns how long it waited. Benchmarks use it to measure a
// node at rest rather than one still digesting an import.
func (n *Node) WaitCompacted(ctx context.Context, max time.Duration) time.Duration {
	start := time.Now()
	for time.Since(start) < max && ctx.Err() == nil && needsCompaction(n.db.Levels()) {
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

func needsCompaction(levels []badger.LevelInfo) bool {
	for _, l := range levels {
		if l.Score >= 1 {
			return true
		}
	}
	return false
}
