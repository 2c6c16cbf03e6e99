package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// SnapshotFile is the name of the snapshot Save writes in its directory.
const SnapshotFile = "search.idx"

// snapshotMagic opens every snapshot; snapshotVersion follows it and
// changes with the layout. Load rejects other versions as corrupt, which
// makes the caller rebuild.
const (
	snapshotMagic   = "fmsearch"
	snapshotVersion = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Save writes the index to dir/SnapshotFile with the caller's stamp, which
// Load returns so the caller can tell whether the snapshot matches its
// source data. The file is written under a temporary name, synced, and
// renamed over the old one, so a crash leaves the old snapshot or the new
// one, never a mix. Save holds the read lock while it writes: searches go
// on, updates wait.
//
// The snapshot holds the term postings as roaring bitmaps, and every slot
// with its document's stored fields and forward list; Load reads the
// postings back and rebuilds the facet bitmaps from the documents. Unused
// terms and facet values are not written, so a Save/Load cycle also
// compacts the vocabulary.
func (ix *Index) Save(dir, stamp string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("search: save: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+SnapshotFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("search: save: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	err = ix.writeSnapshot(tmp, stamp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, SnapshotFile))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("search: save: %w", err)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeSnapshot writes the snapshot body and its CRC-32C trailer.
func (ix *Index) writeSnapshot(f *os.File, stamp string) error {
	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)
	e := encoder{w: bw}
	ix.mu.RLock()
	ix.encode(&e, stamp)
	ix.mu.RUnlock()
	if e.err != nil {
		return e.err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := f.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

// encode writes the snapshot body: magic, version and stamp; the terms in
// use, each with its postings; then every slot, free or holding a
// document. The caller holds mu shared.
func (ix *Index) encode(e *encoder, stamp string) {
	e.bytes([]byte(snapshotMagic))
	e.uvarint(snapshotVersion)
	e.string(stamp)
	remap := make([]uint32, len(ix.terms))
	used := 0
	for i, t := range ix.terms {
		if t.df > 0 {
			remap[i] = uint32(used)
			used++
		}
	}
	e.uvarint(uint64(used))
	for _, t := range ix.terms {
		if t.df > 0 {
			e.term(&t)
		}
	}
	e.uvarint(uint64(ix.slots.len()))
	var es []entry
	for s := range uint32(ix.slots.len()) {
		if ix.slots.id(s) == "" {
			e.uvarint(0)
			continue
		}
		es = es[:0]
		_ = decodeForward(ix.slots.forward(s), len(ix.terms), func(en entry) {
			es = append(es, entry{remap[en.term], en.code})
		})
		e.uvarint(1)
		ix.encodeDoc(e, s, encodeForward(es))
	}
}

// term writes a term's text and postings.
func (e *encoder) term(t *term) {
	e.string(t.text)
	e.uvarint(uint64(len(t.lists)))
	for _, p := range t.lists {
		e.bytes([]byte{p.field, p.level})
		b, err := p.docs.ToBytes()
		if err != nil && e.err == nil {
			e.err = err
		}
		e.string(string(b))
	}
}

// encodeDoc writes the stored fields of slot s with its remapped forward
// list.
func (ix *Index) encodeDoc(e *encoder, s uint32, forward string) {
	d := ix.doc(s)
	for _, v := range []string{d.ID, d.Title, d.Description, d.Brand, d.Category,
		d.Platform, d.Merchant, d.Currency, d.Image} {
		e.string(v)
	}
	e.varint(d.Price)
	e.varint(ix.updated[s])
	if d.InStock {
		e.uvarint(1)
	} else {
		e.uvarint(0)
	}
	for _, n := range ix.lens[s] {
		e.uvarint(uint64(n))
	}
	e.string(forward)
}

// encoder writes snapshot values and keeps the first error.
type encoder struct {
	w   *bufio.Writer
	err error
	buf [binary.MaxVarintLen64]byte
}

func (e *encoder) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) uvarint(v uint64) { e.bytes(binary.AppendUvarint(e.buf[:0], v)) }

func (e *encoder) varint(v int64) { e.bytes(binary.AppendVarint(e.buf[:0], v)) }

func (e *encoder) string(s string) {
	e.uvarint(uint64(len(s)))
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

// Load reads the snapshot in dir and returns the rebuilt index with the
// stamp it was saved with. It returns ErrNoSnapshot when there is none, and
// ErrCorruptSnapshot when the file is truncated, fails its checksum or does
// not decode; either way the caller rebuilds from its source data.
func Load(dir string) (*Index, string, error) {
	path := filepath.Join(dir, SnapshotFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("%w: %s", ErrNoSnapshot, path)
	}
	if err != nil {
		return nil, "", fmt.Errorf("search: load: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("search: load: %w", err)
	}
	ix, stamp, err := readSnapshot(f, info.Size())
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %w", ErrCorruptSnapshot, path, err)
	}
	return ix, stamp, nil
}

// readSnapshot decodes a snapshot of the given size and checks its trailer.
func readSnapshot(f io.Reader, size int64) (*Index, string, error) {
	if size < int64(len(snapshotMagic))+4 {
		return nil, "", errors.New("truncated")
	}
	crc := crc32.New(castagnoli)
	body := size - 4
	d := &decoder{r: bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, body), crc), 1<<20), left: body}
	ix, stamp := decodeIndex(d)
	if d.err == nil && d.left != 0 {
		d.fail("%d unread bytes", d.left)
	}
	if d.err != nil {
		return nil, "", d.err
	}
	var trailer [4]byte
	if _, err := io.ReadFull(f, trailer[:]); err != nil {
		return nil, "", fmt.Errorf("trailer: %w", err)
	}
	if binary.LittleEndian.Uint32(trailer[:]) != crc.Sum32() {
		return nil, "", errors.New("checksum mismatch")
	}
	ix.Compact()
	return ix, stamp, nil
}
