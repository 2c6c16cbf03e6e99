package search

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// snapshotQueries exercise every part of the index a snapshot rebuilds.
var snapshotQueries = []Query{
	{},
	{Text: "steel pan"},
	{Text: "kitchen", Sort: PriceAsc, Limit: 50},
	{Text: "black", Category: "Home", Brand: []string{"Brand0", "Brand2"}, InStock: true},
	{Platform: []string{"plat1"}, MinPrice: 500, MaxPrice: 20000, Sort: PriceDesc},
	{Category: "Fashion > Men", Sort: Newest, Limit: 100},
}

func TestSaveLoadRoundTrip(t *testing.T) {
	docs := genDocs(600, 5)
	ix := newIndexOf(docs)
	for _, d := range docs[:100] { // leave free slots and unused terms behind
		ix.Delete(d.ID)
	}
	ix.Upsert(Doc{ID: "gone", Title: "Ephemeral gizmo", Brand: "Gone", Category: "Gone > Away"})
	ix.Delete("gone")
	ix.Upsert(Doc{ID: "extra", Title: "Zero time listing"})
	dir := t.TempDir()
	if err := ix.Save(dir, "stamp-42"); err != nil {
		t.Fatal(err)
	}
	if err := ix.Save(dir, "stamp-43"); err != nil { // over an existing one
		t.Fatal(err)
	}
	got, stamp, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if stamp != "stamp-43" || got.Len() != ix.Len() {
		t.Fatalf("stamp %q, Len %d: want stamp-43, %d", stamp, got.Len(), ix.Len())
	}
	checkInvariants(t, got)
	for _, q := range snapshotQueries {
		for page := 0; page < 3; page++ {
			want := mustSearch(t, ix, q)
			have := mustSearch(t, got, q)
			if !reflect.DeepEqual(have, want) {
				t.Fatalf("query %+v page %d differs after Load:\n got %+v\nwant %+v", q, page, have, want)
			}
			if q.Cursor = want.NextCursor; q.Cursor == "" {
				break
			}
		}
	}
	if len(got.terms) >= len(ix.terms) {
		t.Errorf("Load kept %d terms of %d: unused terms should be dropped", len(got.terms), len(ix.terms))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d files, want only %s", len(entries), SnapshotFile)
	}
}

func TestLoadEmptyIndex(t *testing.T) {
	dir := t.TempDir()
	if err := New().Save(dir, ""); err != nil {
		t.Fatal(err)
	}
	ix, stamp, err := Load(dir)
	if err != nil || stamp != "" || ix.Len() != 0 {
		t.Fatalf("Load = %v, %q, %v", ix, stamp, err)
	}
	ix.Upsert(Doc{ID: "a", Title: "works"})
	if res := mustSearch(t, ix, Query{Text: "works"}); res.Total != 1 {
		t.Errorf("loaded empty index does not take updates")
	}
}

func TestLoadMissing(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "nowhere"))
	if !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("err = %v, want ErrNoSnapshot", err)
	}
}

func TestLoadCorrupt(t *testing.T) {
	dir := t.TempDir()
	if err := newIndexOf(genDocs(50, 6)).Save(dir, "s"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SnapshotFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 0x40
		return b
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic only", good[:8]},
		{"truncated header", good[:12]},
		{"truncated half", good[:len(good)/2]},
		{"truncated trailer", good[:len(good)-1]},
		{"trailing garbage", append(append([]byte(nil), good...), 0)},
		{"flipped magic", flip(0)},
		{"flipped version", flip(8)},
		{"flipped body", flip(len(good) / 3)},
		{"flipped body late", flip(len(good) - 10)},
		{"flipped checksum", flip(len(good) - 1)},
		{"huge length", append(append([]byte(snapshotMagic), 1, 0xff, 0xff, 0xff, 0xff, 0x0f), good[14:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			ix, _, err := Load(dir)
			if !errors.Is(err, ErrCorruptSnapshot) || ix != nil {
				t.Errorf("Load = %v, %v; want ErrCorruptSnapshot", ix, err)
			}
		})
	}
}

func TestSaveFailsOnUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := New().Save(file, "s"); err == nil {
		t.Error("Save into a regular file succeeded")
	}
}

// FuzzSnapshot checks that no file content panics Load's decoder: it
// either rebuilds an index that holds together or reports corruption.
func FuzzSnapshot(f *testing.F) {
	dir := f.TempDir()
	ix := newIndexOf(shopDocs()[:4])
	ix.Delete("a2") // a free slot
	if err := ix.Save(dir, "seed"); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, SnapshotFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, _, err := readSnapshot(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		checkInvariants(t, ix)
		if _, err := ix.Search(Query{Text: "pan", Category: "Home"}); err != nil {
			t.Fatal(err)
		}
	})
}
