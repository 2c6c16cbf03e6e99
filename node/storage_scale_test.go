package node

import (
	"io"
	"log/slog"
	"testing"
)

// The storage section reaches Badger: one table size at every level, so
// that compaction buffers stay bounded in a deep tree.
func TestStorageOptionsReachBadger(t *testing.T) {
	s := DefaultConfig().Storage
	s.TableMB, s.Memtables = 4, 2
	db, err := OpenBadger(t.TempDir(), s, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	o := db.Opts()
	if o.BaseTableSize != 4<<20 || o.TableSizeMultiplier != 1 || o.NumMemtables != 2 {
		t.Errorf("table size %d, multiplier %d, memtables %d; want %d, 1, 2", o.BaseTableSize, o.TableSizeMultiplier, o.NumMemtables, 4<<20)
	}
	if o.MemTableSize != int64(s.MemTableMB)<<20 || o.BlockCacheSize != int64(s.BlockCacheMB)<<20 || o.IndexCacheSize != int64(s.IndexCacheMB)<<20 {
		t.Errorf("memtable %d, block cache %d, index cache %d; want the storage section's sizes", o.MemTableSize, o.BlockCacheSize, o.IndexCacheSize)
	}
}
