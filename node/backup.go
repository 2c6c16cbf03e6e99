package node

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/peer"
)

// A backup file holds the node's whole Badger database as Badger's backup
// stream, wrapped so that it describes itself and shows when it is
// incomplete:
//
//	fedmart-backup 1\n                         magic and format version
//	{"peer_id":…,"node":…,"taken_at":…}\n      header: whose database, when
//	frames: uint32 n > 0 (big-endian), n bytes  Badger's backup stream
//	uint32 0                                    end of the stream
//	{"badger_version":…,"stream_bytes":…,"sha256":…}\n   trailer
//
// The header comes first so that restore can say which node a file is
// from before it reads further (and `head -2 FILE` tells an operator).
// The trailer comes last because Badger names the version it backed up
// only once its stream ends, and because a file without it did not finish
// (a download cut short, a full disk): its SHA-256 covers every byte
// before it, so a damaged or truncated file is refused before anything in
// the data folder changes. One self-describing file rather than a file and
// a sibling manifest: whoever copies a backup copies all that restore
// needs to check it, and no manifest can be paired with the wrong file.
//
// Badger's own stream is length-delimited protobuf lists; its end is only
// the end of the input, so a stream cut at a list boundary would load
// without complaint. The frames and the trailer are what make truncation
// visible.

const (
	backupMagic  = "fedmart-backup"
	backupFormat = 1

	maxBackupLine  = 64 << 10 // header and trailer lines
	maxBackupFrame = 16 << 20 // one frame of the database stream
	backupFrame    = 1 << 20  // what WriteBackup puts in a frame
)

var (
	// ErrBadBackup marks a file that is not a complete, intact fedmart backup.
	ErrBadBackup = errors.New("not a usable fedmart backup")
	// ErrRunning marks a data folder whose database another process has
	// open: the node is running there.
	ErrRunning = errors.New("the node is running")
)

// dbDirName is the database's folder in the data folder.
const dbDirName = "db"

// BackupHeader says whose database a backup holds and when it was taken.
type BackupHeader struct {
	// PeerID is the identity of the node whose database this is.
	PeerID string `json:"peer_id"`
	// Node is that node's display name (its config's name).
	Node string `json:"node"`
	// TakenAt is when the database was read: the backup holds what the
	// node had committed then.
	TakenAt time.Time `json:"taken_at"`
}

// BackupTrailer closes a complete backup.
type BackupTrailer struct {
	// BadgerVersion is the highest Badger version in the stream, as
	// DB.Backup returned it.
	BadgerVersion uint64 `json:"badger_version"`
	// StreamBytes is the length of Badger's stream inside the frames.
	StreamBytes int64 `json:"stream_bytes"`
	// SHA256 is the hex digest of every byte of the file before the trailer.
	SHA256 string `json:"sha256"`
}

// BackupInfo is what a complete backup says about itself.
type BackupInfo struct {
	Format int
	BackupHeader
	BackupTrailer
}

// WriteBackup writes a backup of db to w: the header h (TakenAt set to
// now), Badger's backup stream of everything committed at that moment,
// and the trailer. It does not stop other writers: the stream reads one
// consistent snapshot. On error, what was written lacks its trailer, and
// ReadBackup refuses it.
func WriteBackup(ctx context.Context, db *badger.DB, w io.Writer, h BackupHeader) (BackupInfo, error) {
	sum := sha256.New()
	hw := io.MultiWriter(w, sum)
	h.TakenAt = time.Now().UTC()
	head, err := json.Marshal(h)
	if err != nil {
		return BackupInfo{}, err
	}
	if _, err := fmt.Fprintf(hw, "%s %d\n%s\n", backupMagic, backupFormat, head); err != nil {
		return BackupInfo{}, err
	}
	fw := &frameWriter{ctx: ctx, w: hw, buf: make([]byte, 0, backupFrame)}
	version, err := db.Backup(fw, 0)
	if err == nil {
		err = fw.close()
	}
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	t := BackupTrailer{BadgerVersion: version, StreamBytes: fw.n, SHA256: hex.EncodeToString(sum.Sum(nil))}
	tail, err := json.Marshal(t)
	if err != nil {
		return BackupInfo{}, err
	}
	if _, err := fmt.Fprintf(w, "%s\n", tail); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	return BackupInfo{Format: backupFormat, BackupHeader: h, BackupTrailer: t}, nil
}

// BackupData writes a backup of the database in cfg's data folder to w,
// for when no node runs there. While one does, it fails with ErrRunning:
// Badger lets one process at a time open a database, so a running node is
// backed up through its API (GET /v1/backup).
func BackupData(ctx context.Context, cfg Config, w io.Writer, log *slog.Logger) (BackupInfo, error) {
	dir := filepath.Join(cfg.DataDir, dbDirName)
	if _, err := os.Stat(dir); err != nil {
		return BackupInfo{}, fmt.Errorf("no database in %s: %w", cfg.DataDir, err)
	}
	self, err := identityOf(cfg)
	if err != nil {
		return BackupInfo{}, err
	}
	db, err := OpenBadger(dir, cfg.Storage, log)
	if err != nil {
		release, lerr := lockDatabase(dir)
		if lerr != nil { // ErrRunning when the node has it open
			return BackupInfo{}, lerr
		}
		release()
		return BackupInfo{}, err
	}
	info, err := WriteBackup(ctx, db, w, BackupHeader{PeerID: self.String(), Node: cfg.Name})
	return info, errors.Join(err, db.Close())
}

// identityOf is the peer ID of the key the config names.
func identityOf(cfg Config) (peer.ID, error) {
	key, err := LoadIdentity(cfg.path(cfg.Identity))
	if err != nil {
		return "", err
	}
	return peer.IDFromPrivateKey(key)
}

// backup streams a backup of the running node's database to w: the API's
// GET /v1/backup.
func (n *Node) backup(ctx context.Context, w io.Writer) error {
	info, err := WriteBackup(ctx, n.db, w, BackupHeader{PeerID: n.fed.Self().String(), Node: n.cfg.Name})
	if err != nil {
		return err
	}
	n.log.Info("backup taken", "taken_at", info.TakenAt, "stream_bytes", info.StreamBytes, "badger_version", info.BadgerVersion)
	return nil
}

// frameWriter cuts Badger's stream into frames of about backupFrame bytes.
type frameWriter struct {
	ctx context.Context // the backup's: Badger's stream takes none
	w   io.Writer
	buf []byte
	n   int64 // stream bytes taken
}

func (f *frameWriter) Write(p []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	f.buf = append(f.buf, p...)
	f.n += int64(len(p))
	if len(f.buf) >= backupFrame {
		if err := f.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (f *frameWriter) flush() error {
	if len(f.buf) == 0 {
		return nil
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(f.buf)))
	if _, err := f.w.Write(n[:]); err != nil {
		return err
	}
	_, err := f.w.Write(f.buf)
	f.buf = f.buf[:0]
	return err
}

// close writes what is left and the empty frame that ends the stream.
func (f *frameWriter) close() error {
	if err := f.flush(); err != nil {
		return err
	}
	_, err := f.w.Write([]byte{0, 0, 0, 0})
	return err
}

// ReadBackup reads a backup from r and checks all of it: magic, format,
// header, frames, trailer, checksum, and that nothing follows. When load
// is not nil it is handed Badger's stream as it is read (for DB.Load);
// since the checksum can only be compared at the end, a caller that loads
// checks the file first (a pass with load nil) and still throws away what it loaded
// when ReadBackup fails. Every refusal wraps ErrBadBackup and says what is
// wrong.
func ReadBackup(r io.Reader, load func(io.Reader) error) (BackupInfo, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	sum := sha256.New()
	info, err := readBackupHeader(br, sum)
	if err != nil {
		return info, err
	}
	fr := &frameReader{r: br, sum: sum}
	if load != nil {
		if err := load(fr); err != nil {
			if fr.err != nil {
				return info, fr.err
			}
			return info, fmt.Errorf("loading the database stream: %w", err)
		}
	}
	if _, err := io.Copy(io.Discard, fr); err != nil {
		return info, err
	}
	return readBackupTrailer(br, info, fr.n, sum)
}

// readBackupHeader reads and checks the magic line and the header.
func readBackupHeader(br *bufio.Reader, sum hash.Hash) (BackupInfo, error) {
	var info BackupInfo
	first, err := readLine(br, len(backupMagic)+24)
	sum.Write(first)
	magic, format, _ := strings.Cut(strings.TrimSuffix(string(first), "\n"), " ")
	switch {
	case len(first) == 0:
		return info, fmt.Errorf("%w: the file is empty", ErrBadBackup)
	case magic != backupMagic:
		return info, fmt.Errorf("%w: it does not begin with %q", ErrBadBackup, backupMagic)
	case err != nil:
		return info, fmt.Errorf("%w: its first line is cut short or too long", ErrBadBackup)
	}
	if info.Format, err = strconv.Atoi(format); err != nil || info.Format != backupFormat {
		return info, fmt.Errorf("%w: it is in format %q; this fedmart reads format %d", ErrBadBackup, format, backupFormat)
	}
	line, err := readLine(br, maxBackupLine)
	if err != nil {
		return info, fmt.Errorf("%w: its header is cut short or longer than %d bytes", ErrBadBackup, maxBackupLine)
	}
	sum.Write(line)
	if err := decodeStrict(line, &info.BackupHeader); err != nil {
		return info, fmt.Errorf("%w: header: %v", ErrBadBackup, err)
	}
	if _, err := peer.Decode(info.PeerID); err != nil {
		return info, fmt.Errorf("%w: header: peer_id %q is not a peer ID", ErrBadBackup, info.PeerID)
	}
	if info.TakenAt.IsZero() {
		return info, fmt.Errorf("%w: header: taken_at is missing", ErrBadBackup)
	}
	return info, nil
}

// readBackupTrailer reads the trailer after the stream (n bytes, hashed
// into sum with everything before) and checks it and the end of the file.
func readBackupTrailer(br *bufio.Reader, info BackupInfo, n int64, sum hash.Hash) (BackupInfo, error) {
	line, err := readLine(br, maxBackupLine)
	if err != nil {
		return info, fmt.Errorf("%w: it ends before its trailer: the backup did not finish (%d bytes of database stream)", ErrBadBackup, n)
	}
	if err := decodeStrict(line, &info.BackupTrailer); err != nil {
		return info, fmt.Errorf("%w: trailer: %v", ErrBadBackup, err)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); info.SHA256 != got || info.StreamBytes != n {
		return info, fmt.Errorf("%w: it is damaged: its content does not match its checksum", ErrBadBackup)
	}
	if extra, _ := io.Copy(io.Discard, br); extra > 0 {
		return info, fmt.Errorf("%w: %d unexpected bytes follow its end", ErrBadBackup, extra)
	}
	return info, nil
}

// frameReader presents the frames' contents as one stream, adding every
// byte it consumes to sum; it ends (io.EOF) at the empty frame.
type frameReader struct {
	r    *bufio.Reader
	sum  hash.Hash
	left int   // bytes left in the current frame
	n    int64 // stream bytes read
	done bool
	err  error // the file's fault, which a loader may hide in its own error
}

func (f *frameReader) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.left == 0 && !f.done {
		f.err = f.next()
		if f.err != nil {
			return 0, f.err
		}
	}
	if f.done {
		return 0, io.EOF
	}
	m, err := f.r.Read(p[:min(len(p), f.left)])
	f.sum.Write(p[:m])
	f.left -= m
	f.n += int64(m)
	if errors.Is(err, io.EOF) {
		f.err = f.truncated()
		return m, f.err
	}
	return m, err
}

// next reads a frame's length.
func (f *frameReader) next() error {
	var b [4]byte
	if _, err := io.ReadFull(f.r, b[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return f.truncated()
		}
		return err
	}
	f.sum.Write(b[:])
	n := binary.BigEndian.Uint32(b[:])
	switch {
	case n == 0:
		f.done = true
	case n > maxBackupFrame:
		return fmt.Errorf("%w: a frame of the database stream claims %d bytes, more than %d", ErrBadBackup, n, maxBackupFrame)
	}
	f.left = int(n)
	return nil
}

func (f *frameReader) truncated() error {
	return fmt.Errorf("%w: it ends inside the database stream after %d bytes: the backup did not finish", ErrBadBackup, f.n)
}

// readLine reads one line of at most max bytes, newline included.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for len(line) <= max {
		b, err := br.ReadByte()
		if err != nil {
			return line, err
		}
		if line = append(line, b); b == '\n' {
			return line, nil
		}
	}
	return line, fmt.Errorf("line longer than %d bytes", max)
}

// decodeStrict decodes one JSON object refusing unknown fields.
func decodeStrict(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
