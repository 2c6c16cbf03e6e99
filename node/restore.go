package node

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ErrForeignBackup marks a backup of another node's identity.
var ErrForeignBackup = errors.New("backup of another node")

// A restore works beside the data folder's database, DIR/db:
//
//	DIR/db.restoring                  a restore loading (removed if it fails)
//	DIR/db.before-restore-<time>      the database a restore replaced
const (
	restoringDirName = "db.restoring"
	keptDirPrefix    = "db.before-restore-"
)

// RestoreOptions say what Restore loads where.
type RestoreOptions struct {
	// Config is the data folder's configuration (LoadConfig): its folder,
	// identity and storage settings.
	Config Config
	// File is the backup file.
	File string
	// Force restores a backup taken of another node's identity.
	Force bool
	// Progress, when set, hears each step and the bytes of the file read
	// in it so far (of total).
	Progress func(step string, done, total int64)
	// Log hears Badger's warnings; nil discards them.
	Log *slog.Logger
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	// Backup is what the file said about itself.
	Backup BackupInfo
	// Kept is where the database that was replaced now lies; empty when
	// the data folder had none.
	Kept string
}

// Restore replaces the database of an existing data folder (its config
// and identity in place, its node stopped) with the backup in o.File.
//
// Nothing in the folder changes until the whole file has been read and
// checked (ErrBadBackup) and found to be this node's (ErrForeignBackup,
// unless o.Force). The backup is then loaded into DIR/db.restoring, beside
// the database, with the restore note (RestoreMarker) and the catalog's
// restore mark, and only a complete load is swapped in: in one step where
// the system can exchange two names, the replaced database then renamed
// DIR/db.before-restore-<time>. It is never deleted. A failure before the
// swap leaves DIR/db as it was, and the node starts on it as before.
//
// The folder's database stays locked throughout, so that no node starts
// on it meanwhile; a running node is ErrRunning.
func Restore(o RestoreOptions) (RestoreResult, error) {
	dir := o.Config.DataDir
	dbDir := filepath.Join(dir, dbDirName)
	release, err := lockDatabase(dbDir)
	if err != nil {
		return RestoreResult{}, err
	}
	defer release()
	now := time.Now().UTC()
	res := RestoreResult{}
	kept := keptName(dir, now)
	self, err := identityOf(o.Config)
	if err != nil {
		return res, err
	}
	if res.Backup, err = checkRestore(o, self); err != nil {
		return res, err
	}
	staging := filepath.Join(dir, restoringDirName)
	if err := os.RemoveAll(staging); err != nil { // left by a restore that did not finish
		return res, err
	}
	note := RestoreInfo{RestoredAt: now, BackupTakenAt: res.Backup.TakenAt, File: absPath(o.File), Node: res.Backup.Node, PeerID: res.Backup.PeerID}
	if err := loadBackup(o, staging, note); err != nil {
		_ = os.RemoveAll(staging)
		return res, err
	}
	o.step("swapping the restored database in", 0, 0)
	swapped := false
	if res.Kept, swapped, err = swapIn(staging, dbDir, kept); err != nil {
		if !swapped {
			_ = os.RemoveAll(staging)
		}
		return res, err
	}
	return res, syncDir(dir)
}

// keptName is a free name for the database a restore at now replaces.
func keptName(dir string, now time.Time) string {
	base := filepath.Join(dir, keptDirPrefix+now.Format("20060102T150405Z"))
	name := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
}

func (o RestoreOptions) step(what string, done, total int64) {
	if o.Progress != nil {
		o.Progress(what, done, total)
	}
}

// checkRestore reads the whole file once and checks it is a complete
// backup of this node (self), or o.Force.
func checkRestore(o RestoreOptions, self peer.ID) (BackupInfo, error) {
	f, total, err := openBackup(o.File)
	if err != nil {
		return BackupInfo{}, err
	}
	defer f.Close()
	info, err := ReadBackup(o.counting(f, "checking the backup", total), nil)
	if err != nil {
		return info, fmt.Errorf("%s: %w", o.File, err)
	}
	if info.PeerID != self.String() && !o.Force {
		return info, fmt.Errorf("%w: %s is a backup of %q (peer id %s), but %s is the folder of peer id %s; restoring it would make this node sign as one identity with another's records (pass --force if that is really meant)",
			ErrForeignBackup, o.File, info.Node, info.PeerID, o.Config.DataDir, self)
	}
	return info, nil
}

// loadBackup loads the file into a new database at dir and leaves the
// restore note and the catalog's mark in it.
func loadBackup(o RestoreOptions, dir string, note RestoreInfo) error {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f, total, err := openBackup(o.File)
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := OpenBadger(dir, o.Config.Storage, log)
	if err != nil {
		return err
	}
	_, err = ReadBackup(o.counting(f, "loading the database", total), func(r io.Reader) error { return db.Load(r, 16) })
	if err != nil {
		err = fmt.Errorf("%s: %w", o.File, err)
	} else {
		err = db.Update(func(txn *badger.Txn) error {
			if err := putRestoreMarker(txn, note); err != nil {
				return err
			}
			return catalog.MarkRestored(txn)
		})
	}
	return errors.Join(err, db.Close())
}

// swapIn puts the loaded database at staging in place of dbDir, keeping
// the one it replaces at kept; it returns where that now lies, and
// whether the restored database is in place (on error too).
func swapIn(staging, dbDir, kept string) (string, bool, error) {
	if _, err := os.Stat(dbDir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(staging, dbDir); err != nil {
			return "", false, err
		}
		return "", true, nil
	}
	if err := exchange(staging, dbDir); err == nil {
		// dbDir is the restored database; staging holds the old one.
		if err := os.Rename(staging, kept); err != nil {
			return staging, true, fmt.Errorf("the database is restored, but the one it replaced stays at %s: %w", staging, err)
		}
		return kept, true, nil
	}
	// No atomic exchange here: two renames, undoing the first if the
	// second fails. (A crash between them leaves no DIR/db; the two
	// databases are at the names this function was given.)
	if err := os.Rename(dbDir, kept); err != nil {
		return "", false, fmt.Errorf("%s cannot be moved aside (restore needs it to be a folder of its own, not a mount point): %w", dbDir, err)
	}
	if err := os.Rename(staging, dbDir); err != nil {
		return "", false, errors.Join(err, os.Rename(kept, dbDir))
	}
	return kept, true, nil
}

func openBackup(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("backup file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("backup file: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("backup file: %s is not a regular file", path)
	}
	return f, st.Size(), nil
}

// counting reports the bytes read from r under step.
func (o RestoreOptions) counting(r io.Reader, step string, total int64) io.Reader {
	o.step(step, 0, total)
	return &progressReader{r: r, fn: func(n int64) { o.step(step, n, total) }}
}

// progressReader calls fn with the bytes read so far.
type progressReader struct {
	r  io.Reader
	n  int64
	fn func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.fn(p.n)
	return n, err
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
