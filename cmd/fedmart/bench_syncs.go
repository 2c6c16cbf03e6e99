package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/node"
)

// syncCosts are what one durable write of a 1,500-byte order record
// costs, measured over n writes on a database opened as a node opens its
// own, on the default storage settings (BENCHMARKS.md "What a flush
// costs" and "Where one checkout's 6.3 ms go").
type syncCosts struct {
	commit     time.Duration // CPU of a Badger commit, no sync
	commitSync time.Duration // CPU of the same commit and DB.Sync (an msync of the memtable's mapped log and of the value log)
	logSync    time.Duration // CPU of an overwrite of a preallocated log file and its fdatasync (syncLog): what an order log of its own would pay
	syncWall   time.Duration // median wall time of the DB.Syncs alone
	// commitFaults and commitSyncFaults are the page faults of one
	// commit, without and with DB.Sync: after an msync the next write
	// to each page of a mapped log faults again.
	commitFaults, commitSyncFaults float64
	// mappedClean and mappedDirty are the CPU time of a write to a page
	// of a mapped file after an msync, and to the same page once dirty;
	// mappedFaults the faults per page of the first (mappedWrites).
	mappedClean, mappedDirty time.Duration
	mappedFaults             float64
}

// measureSyncs measures syncCosts over n writes of each kind.
func measureSyncs(n int) (c syncCosts, err error) {
	dir, err := os.MkdirTemp("", "fedmart-sync-")
	if err != nil {
		return syncCosts{}, err
	}
	defer os.RemoveAll(dir)
	rec := make([]byte, 1500)
	db, err := node.OpenBadger(filepath.Join(dir, "db"), node.DefaultConfig().Storage, slog.New(slog.DiscardHandler))
	if err != nil {
		return syncCosts{}, err
	}
	defer db.Close()
	var syncs []time.Duration
	perWrite := func(from int, sync bool) (time.Duration, float64, error) {
		start, faults := cpuTime(), pageFaults()
		for i := from; i < from+n; i++ {
			err := db.Update(func(txn *badger.Txn) error { return txn.Set(fmt.Appendf(nil, "o/%09d", i), rec) })
			if err == nil && sync {
				began := time.Now()
				err = db.Sync()
				syncs = append(syncs, time.Since(began))
			}
			if err != nil {
				return 0, 0, err
			}
		}
		return (cpuTime() - start) / time.Duration(n), float64(pageFaults()-faults) / float64(n), nil
	}
	if c.commit, c.commitFaults, err = perWrite(0, false); err != nil {
		return syncCosts{}, err
	}
	if err := db.Sync(); err != nil { // not to charge the first synced write with the others
		return syncCosts{}, err
	}
	if c.commitSync, c.commitSyncFaults, err = perWrite(n, true); err != nil {
		return syncCosts{}, err
	}

	log, err := newSyncLog(filepath.Join(dir, "log"), int64(n*len(rec)), len(rec))
	if err != nil {
		return syncCosts{}, err
	}
	defer log.Close()
	start := cpuTime()
	for range n {
		if _, err := log.write(); err != nil {
			return syncCosts{}, err
		}
	}
	c.logSync, c.syncWall = (cpuTime()-start)/time.Duration(n), percentile(syncs, 50)
	if c.mappedClean, c.mappedDirty, c.mappedFaults, err = mappedWrites(filepath.Join(dir, "mapped"), 4096, 5); err != nil {
		return syncCosts{}, fmt.Errorf("writes to a mapped file: %w", err)
	}
	return c, nil
}

// syncLog is a file written in full once, then overwritten in place a
// block at a time (the next after the last, the first after the file's
// end), each write followed by an fdatasync: the durable write
// a log of the node's own would make. Neither the file's size nor its
// blocks change, so the sync writes the block and nothing of the file
// system's.
type syncLog struct {
	f        *os.File
	at, size int64
	block    []byte
}

// newSyncLog creates the log at path, size bytes long, written a block
// bytes at a time.
func newSyncLog(path string, size int64, block int) (*syncLog, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(make([]byte, size)); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return &syncLog{f: f, size: size, block: make([]byte, block)}, nil
}

// write overwrites the next block and returns how long it took to reach
// the disk.
func (l *syncLog) write() (time.Duration, error) {
	l.block[0]++
	start := time.Now()
	if _, err := l.f.WriteAt(l.block, l.at); err != nil {
		return 0, err
	}
	if err := syscall.Fdatasync(int(l.f.Fd())); err != nil {
		return 0, err
	}
	took := time.Since(start)
	l.at = (l.at + int64(len(l.block))) % l.size
	return took, nil
}

func (l *syncLog) Close() error { return l.f.Close() }
