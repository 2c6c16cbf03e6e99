package node

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
)

// backupDataDir initialises a node folder named name whose database holds
// n keys "k/<i>" -> "<name> <i>", and returns its config.
func backupDataDir(t *testing.T, root, name string, n int) Config {
	t.Helper()
	dir := filepath.Join(root, name)
	if _, err := Init(InitOptions{DataDir: dir, Name: name, P2PListen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenBadger(filepath.Join(dir, dbDirName), cfg.Storage, discard())
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, name, n)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRestoreReplacesTheDatabaseAndKeepsTheOldOne(t *testing.T) {
	root := t.TempDir()
	cfg := backupDataDir(t, root, "alpha", 20)
	backup := filepath.Join(root, "alpha.backup")
	writeBackupFile(t, cfg, backup)
	db, err := OpenBadger(filepath.Join(cfg.DataDir, dbDirName), cfg.Storage, discard())
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, "after the backup", 30)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	res, err := Restore(RestoreOptions{Config: cfg, File: backup})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(res.Kept), "db.before-restore-") || res.Backup.Node != "alpha" {
		t.Fatalf("result %+v", res)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, restoringDirName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the staging database is left behind: %v", err)
	}
	restored := openData(t, cfg.DataDir, dbDirName)
	if got := contents(t, restored); !strings.Contains(got, "k/0019=alpha 19") || strings.Contains(got, "after the backup") || strings.Contains(got, "k/0020") {
		t.Fatalf("restored database holds\n%s", got)
	}
	info, ok, err := RestoreMarker(restored)
	if err != nil || !ok || info.File != backup || !info.BackupTakenAt.Equal(res.Backup.TakenAt) || info.RestoredAt.IsZero() || info.Node != "alpha" {
		t.Fatalf("restore note %+v %v %v", info, ok, err)
	}
	if !restoredCatalog(t, cfg, restored) {
		t.Fatal("the restored database does not tell the catalog to learn its records back first")
	}
	kept := openData(t, cfg.DataDir, filepath.Base(res.Kept))
	if got := contents(t, kept); !strings.Contains(got, "k/0029=after the backup 29") {
		t.Fatalf("the replaced database was not kept as it was:\n%s", got)
	}
}

func TestRestoreRefusesAndChangesNothing(t *testing.T) {
	root := t.TempDir()
	alpha, beta := backupDataDir(t, root, "alpha", 5), backupDataDir(t, root, "beta", 7)
	betaBackup, alphaBackup := filepath.Join(root, "beta.backup"), filepath.Join(root, "alpha.backup")
	writeBackupFile(t, beta, betaBackup)
	writeBackupFile(t, alpha, alphaBackup)
	good, _ := os.ReadFile(alphaBackup)
	truncated := filepath.Join(root, "truncated.backup")
	if err := os.WriteFile(truncated, good[:len(good)-30], 0o600); err != nil {
		t.Fatal(err)
	}
	random := filepath.Join(root, "random.backup")
	junk := make([]byte, 1000)
	_, _ = rand.Read(junk)
	if err := os.WriteFile(random, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, alpha)

	for _, c := range []struct {
		name, file string
		want       error
		says       string
	}{
		{"another node's backup", betaBackup, ErrForeignBackup, `a backup of "beta"`},
		{"a truncated file", truncated, ErrBadBackup, "did not finish"},
		{"a random file", random, ErrBadBackup, "does not begin with"},
		{"a missing file", filepath.Join(root, "nothing"), os.ErrNotExist, "nothing"},
	} {
		_, err := Restore(RestoreOptions{Config: alpha, File: c.file})
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: err = %v, want %v saying %q", c.name, err, c.want, c.says)
		}
	}
	// While the database is open (the node runs), restore refuses.
	db, err := OpenBadger(filepath.Join(alpha.DataDir, dbDirName), alpha.Storage, discard())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(RestoreOptions{Config: alpha, File: alphaBackup}); !errors.Is(err, ErrRunning) {
		t.Errorf("restore under a running node: err = %v, want ErrRunning", err)
	}
	if _, err := BackupData(context.Background(), alpha, io.Discard, discard()); !errors.Is(err, ErrRunning) {
		t.Errorf("offline backup under a running node: err = %v, want ErrRunning", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(alpha.DataDir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "db.") {
			t.Errorf("a refused restore left %s behind", e.Name())
		}
	}
	if after := snapshot(t, alpha); after != before {
		t.Fatalf("a refused restore changed the database:\n%s\nwas\n%s", after, before)
	}

	// Forced, another node's backup is restored, and the note says whose.
	if _, err := Restore(RestoreOptions{Config: alpha, File: betaBackup, Force: true}); err != nil {
		t.Fatal(err)
	}
	info, _, _ := RestoreMarker(openData(t, alpha.DataDir, dbDirName))
	if info.Node != "beta" {
		t.Fatalf("restore note %+v, want the backup of beta", info)
	}
}

func writeBackupFile(t *testing.T, cfg Config, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := BackupData(context.Background(), cfg, f, discard()); err != nil {
		t.Fatal(err)
	}
}

// openData opens the database in dir/name until the test ends.
func openData(t *testing.T, dir, name string) *badger.DB {
	t.Helper()
	db, err := OpenBadger(filepath.Join(dir, name), DefaultConfig().Storage, discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// snapshot reads the keys of cfg's database and closes it again.
func snapshot(t *testing.T, cfg Config) string {
	t.Helper()
	db, err := OpenBadger(filepath.Join(cfg.DataDir, dbDirName), cfg.Storage, discard())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return contents(t, db)
}

// noMembers is a membership of nobody: enough to open a catalog.
type noMembers struct{}

func (noMembers) IsMember(string) bool { return false }

// restoredCatalog reports whether the catalog in db (of cfg's node)
// waits to learn its records back.
func restoredCatalog(t *testing.T, cfg Config, db *badger.DB) bool {
	t.Helper()
	key, err := LoadIdentity(cfg.path(cfg.Identity))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Open(cfg.Catalog, db, key, noMembers{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.Restored()
}

// After a lost disk the folder holds the node's key and config again, and
// no database at all.
func TestRestoreIntoAFolderWithoutADatabase(t *testing.T) {
	root := t.TempDir()
	cfg := backupDataDir(t, root, "alpha", 3)
	backup := filepath.Join(root, "alpha.backup")
	writeBackupFile(t, cfg, backup)
	if err := os.RemoveAll(filepath.Join(cfg.DataDir, dbDirName)); err != nil {
		t.Fatal(err)
	}
	res, err := Restore(RestoreOptions{Config: cfg, File: backup})
	if err != nil || res.Kept != "" {
		t.Fatalf("restore into an empty folder: kept %q, %v", res.Kept, err)
	}
	if got := snapshot(t, cfg); !strings.Contains(got, "k/0002=alpha 2") {
		t.Fatalf("restored database holds\n%s", got)
	}
}
