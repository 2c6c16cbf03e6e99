package node

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
)

func fill(t testing.TB, db *badger.DB, value string, n int) {
	t.Helper()
	wb := db.NewWriteBatch()
	for i := range n {
		if err := wb.Set(fmt.Appendf(nil, "k/%04d", i), fmt.Appendf(nil, "%s %d", value, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.Flush(); err != nil {
		t.Fatal(err)
	}
}

// contents lists every key and value under "k/".
func contents(t testing.TB, db *badger.DB) string {
	t.Helper()
	var b strings.Builder
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte("k/"), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s=%s\n", it.Item().Key(), v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func memDB(t testing.TB) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sampleBackup is a backup of a database of n keys with values of about
// size bytes, with its source.
func sampleBackup(t testing.TB, n, size int) ([]byte, *badger.DB, BackupInfo) {
	t.Helper()
	db := memDB(t)
	fill(t, db, strings.Repeat("v", size), n)
	var buf bytes.Buffer
	info, err := WriteBackup(context.Background(), db, &buf, BackupHeader{PeerID: "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", Node: "Alpha"})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), db, info
}

func TestBackupFileReadsBackWhatWasWritten(t *testing.T) {
	file, src, wrote := sampleBackup(t, 3000, 1000) // several frames
	if !bytes.HasPrefix(file, []byte("fedmart-backup 1\n{\"peer_id\":\"12D3KooW")) {
		t.Fatalf("the file does not say what it is: %q", file[:min(len(file), 60)])
	}
	dst := memDB(t)
	read, err := ReadBackup(bytes.NewReader(file), func(r io.Reader) error { return dst.Load(r, 16) })
	if err != nil {
		t.Fatal(err)
	}
	if read.BackupTrailer != wrote.BackupTrailer || !read.TakenAt.Equal(wrote.TakenAt) || read.PeerID != wrote.PeerID || read.Node != "Alpha" || read.BadgerVersion == 0 {
		t.Fatalf("read %+v\nwrote %+v", read, wrote)
	}
	if wrote.StreamBytes <= 2*backupFrame {
		t.Fatalf("a stream of %d bytes does not take several frames", wrote.StreamBytes)
	}
	if got, want := contents(t, dst), contents(t, src); got != want {
		t.Fatalf("loaded %d bytes of keys, want %d", len(got), len(want))
	}
}

// badFile is a file ReadBackup must refuse, saying want.
type badFile struct {
	name string
	file []byte
	want string
}

func TestBackupFileRefusesWhatIsNotComplete(t *testing.T) {
	file, _, _ := sampleBackup(t, 50, 5)
	junk := make([]byte, 4096)
	_, _ = rand.Read(junk)
	header := bytes.IndexByte(file[len("fedmart-backup 1\n"):], '\n') + len("fedmart-backup 1\n") + 1
	trailer := bytes.LastIndex(file, []byte(`{"badger_version":`))
	flip := func(i int) []byte {
		b := bytes.Clone(file)
		b[i] ^= 0x20
		return b
	}
	cases := []badFile{
		{"empty", nil, "the file is empty"},
		{"random bytes", junk, `does not begin with "fedmart-backup"`},
		{"a later format", append([]byte("fedmart-backup 2\n"), file[len("fedmart-backup 1\n"):]...), `format "2"`},
		{"a header of another shape", append([]byte("fedmart-backup 1\n{\"peer\":\"x\"}\n"), file[header:]...), "header"},
		{"a changed byte in the header", flip(header - 10), ""},
		{"a changed byte in the database stream", flip(header + 40), "damaged"},
		{"a changed byte in the trailer", flip(trailer + 20), ""},
		{"bytes after the end", append(bytes.Clone(file), "more"...), "unexpected bytes follow"},
	}
	// Cut anywhere, the file never reads as complete.
	for n := 1; n < len(file); n++ {
		want := ""
		switch {
		case n >= trailer:
			want = "ends before its trailer"
		case n > header:
			want = "did not finish"
		}
		cases = append(cases, badFile{fmt.Sprintf("cut at %d of %d", n, len(file)), file[:n], want})
	}
	for _, c := range cases {
		_, err := ReadBackup(bytes.NewReader(c.file), nil)
		if !errors.Is(err, ErrBadBackup) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want ErrBadBackup saying %q", c.name, err, c.want)
		}
	}
}

func TestBackupEndpointStreamsTheRunningNodesDatabase(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	req, _ := http.NewRequest("GET", c.Nodes[0].APIURL()+"/v1/backup", nil)
	req.Header.Set("Authorization", "Bearer "+c.Tokens[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	db := memDB(t)
	info, err := ReadBackup(resp.Body, func(r io.Reader) error { return db.Load(r, 16) })
	if err != nil {
		t.Fatal(err)
	}
	if info.PeerID != c.Nodes[0].PeerID().String() || info.Node != "Alpha" {
		t.Fatalf("backup of %s (%s), want Alpha's", info.Node, info.PeerID)
	}
	// The charter the node holds is in it.
	if newer, err := federation.CheckStored(db, c.Charter); err != nil || newer {
		t.Fatalf("the backup does not hold the node's charter: newer %v, %v", newer, err)
	}
}

// FuzzReadBackup: no file makes ReadBackup panic, and any it accepts is
// complete (its checksum matched).
func FuzzReadBackup(f *testing.F) {
	file, _, _ := sampleBackup(f, 5, 5)
	f.Add(file)
	f.Add(file[:len(file)/2])
	f.Add([]byte("fedmart-backup 1\n{}\n\x00\x00\x00\x00{}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ReadBackup(bytes.NewReader(b), nil)
		if err == nil && (info.SHA256 == "" || info.PeerID == "") {
			t.Fatalf("accepted a file without a checksum or a node: %+v", info)
		}
		if err != nil && !errors.Is(err, ErrBadBackup) {
			t.Fatalf("a refusal that is not ErrBadBackup: %v", err)
		}
	})
}
