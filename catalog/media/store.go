package media

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
)

// Badger keys owned by the store, all under "m/":
//
//	m/i/<hash>                  the picture's Image (JSON), written last
//	m/b/<hash>/<part>/<n>       chunk n (big-endian uint16) of a file: part o is
//	                            the canonical file, the others are sizes by name
//	m/o/<hash>/<merchant>       the merchant uploaded the picture
//	m/q/<merchant>              bytes the merchant's uploads take (big-endian uint64)
//
// A picture's files are written before its Image, so a reader that finds
// the Image finds every chunk; files are immutable (their key is their
// content's hash), so an upload cut short is simply written again.
const (
	prefixImage = "m/i/"
	prefixChunk = "m/b/"
	prefixOwner = "m/o/"
	prefixQuota = "m/q/"
)

// canonicalPart names the canonical file among a picture's parts.
const canonicalPart = "o"

// chunkBytes is the size of one stored chunk of a file: under Badger's
// largest value threshold, so that a chunk fits any configuration
// (an in-memory database has no value log for larger values).
const chunkBytes = 512 << 10

func imageKey(hash string) []byte { return []byte(prefixImage + hash) }

func chunkKey(hash, part string, n int) []byte {
	return binary.BigEndian.AppendUint16([]byte(prefixChunk+hash+"/"+part+"/"), uint16(n))
}

func ownerKey(hash, merchant string) []byte { return []byte(prefixOwner + hash + "/" + merchant) }

func quotaKey(merchant string) []byte { return []byte(prefixQuota + merchant) }

// Rendition is one stored file of a picture: its canonical file or one
// of its sizes.
type Rendition struct {
	// Type is image/jpeg or image/png.
	Type string `json:"type"`
	// Width and Height are in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Bytes is the file's length.
	Bytes int64 `json:"bytes"`
}

// Image is a stored picture: its canonical file, whose SHA-256 is its
// hash, and the sizes derived from it.
type Image struct {
	// Hash is the SHA-256 of the canonical file, in lower-case hex.
	Hash string `json:"hash"`
	// Rendition describes the canonical file.
	Rendition
	// Sizes describe the renditions the pages show.
	Sizes map[Size]Rendition `json:"sizes"`
}

// Ref is the picture's reference in a listing's images.
func (i Image) Ref() string { return catalog.ImageRef(i.Hash) }

// Store keeps pictures in the node's Badger database: plain Go, no
// networking. It is safe for concurrent use.
type Store struct {
	cfg Config
	db  *badger.DB
	log *slog.Logger

	// wmu serializes the writes of owners and quotas (a read-modify-write
	// of the merchant's quota), so that they never conflict.
	wmu sync.Mutex
}

// Open returns the store of pictures in db. It starts nothing and needs
// no Close; the database is the caller's. A nil log discards.
func Open(cfg Config, db *badger.DB, log *slog.Logger) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("media: Open needs a database")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{cfg: cfg, db: db, log: log}, nil
}

// Config is the store's configuration.
func (s *Store) Config() Config { return s.cfg }

// uploadCodecs are the formats a merchant may upload; canonicalCodecs
// those a canonical file is in.
var (
	uploadCodecs    = []codec{jpegCodec, pngCodec, webpCodec}
	canonicalCodecs = []codec{jpegCodec, pngCodec}
)

// Ingest stores a merchant's upload: a JPEG, PNG or WebP file of at most
// Config.MaxUploadBytes and Config.MaxPixels. It is decoded, turned
// upright, scaled down to CanonicalSide and encoded again (PNG for a PNG
// or a picture with transparency, JPEG otherwise): that canonical file,
// with no metadata left, is what the picture's hash is of. The sizes
// are derived from it. An upload that makes a picture stored already
// only records the merchant as its uploader. The merchant's quota
// (Config.MerchantBytes) is charged once per picture; over it, nothing
// is written.
func (s *Store) Ingest(ctx context.Context, merchant string, data []byte) (Image, error) {
	if int64(len(data)) > s.cfg.MaxUploadBytes {
		return Image{}, fmt.Errorf("%w: the file is %d bytes, more than the %d allowed", ErrTooLarge, len(data), s.cfg.MaxUploadBytes)
	}
	img, c, err := decode(data, uploadCodecs, s.cfg.MaxPixels, 0)
	if err != nil {
		return Image{}, err
	}
	if err := ctx.Err(); err != nil {
		return Image{}, err
	}
	orientation := 1
	if c.mime == TypeJPEG {
		orientation = jpegOrientation(data)
	}
	up := upright(img, orientation)
	canon, err := encode(up, c.mime == TypePNG, canonicalQuality)
	if err != nil {
		return Image{}, err
	}
	hash := hashOf(canon.data)
	if im, err := s.Image(hash); err == nil {
		return im, s.write(im, nil, merchant)
	} else if !errors.Is(err, ErrNotFound) {
		return Image{}, err
	}
	im, files, err := render(hash, canon, up)
	if err != nil {
		return Image{}, err
	}
	return im, s.write(im, files, merchant)
}

// Adopt stores the canonical file of the picture with hash, as a member
// handed it out: the bytes must hash to hash and be a canonical picture
// (a JPEG or PNG of at most CanonicalSide a side), or nothing is kept
// and the error is ErrMismatch (ErrTooLarge over MaxCanonicalBytes). The
// sizes are derived here; no merchant owns the picture.
func (s *Store) Adopt(hash string, data []byte) (Image, error) {
	if len(data) > MaxCanonicalBytes {
		return Image{}, fmt.Errorf("%w: %d bytes, more than a canonical picture's %d", ErrTooLarge, len(data), MaxCanonicalBytes)
	}
	if got := hashOf(data); got != hash {
		return Image{}, fmt.Errorf("%w: asked for %s, the bytes hash to %s", ErrMismatch, hash, got)
	}
	if im, err := s.Image(hash); err == nil {
		return im, nil
	}
	img, c, err := decode(data, canonicalCodecs, CanonicalSide*CanonicalSide, CanonicalSide)
	if err != nil {
		return Image{}, fmt.Errorf("%w: not a canonical picture: %v", ErrMismatch, err)
	}
	b := img.Bounds()
	im, files, err := render(hash, encoded{mime: c.mime, width: b.Dx(), height: b.Dy(), data: data}, upright(img, 1))
	if err != nil {
		return Image{}, err
	}
	return im, s.write(im, files, "")
}

// render derives the sizes of a picture from its pixels: its Image and
// its files by part.
func render(hash string, canon encoded, pixels *image.RGBA) (Image, map[string][]byte, error) {
	sizes, err := derive(pixels)
	if err != nil {
		return Image{}, nil, err
	}
	im := Image{Hash: hash, Rendition: canon.rendition(), Sizes: make(map[Size]Rendition, len(sizes))}
	files := map[string][]byte{canonicalPart: canon.data}
	for sz, e := range sizes {
		im.Sizes[sz], files[string(sz)] = e.rendition(), e.data
	}
	return im, files, nil
}

// write stores a picture's files (none when it is stored already), then,
// in one transaction, its Image and, for an upload, merchant as its
// uploader with the quota charged. Over the quota it writes nothing.
func (s *Store) write(im Image, files map[string][]byte, merchant string) error {
	meta, err := json.Marshal(im)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var charge bool
	if merchant != "" {
		if charge, err = s.checkQuota(im, merchant); err != nil {
			return err
		}
	}
	if files == nil && !charge {
		return nil // stored, and the merchant's already
	}
	w := &chunkWriter{db: s.db}
	defer w.discard()
	for part, data := range files {
		for n := 0; n*chunkBytes < len(data); n++ {
			if err := w.set(chunkKey(im.Hash, part, n), data[n*chunkBytes:min(len(data), (n+1)*chunkBytes)]); err != nil {
				return err
			}
		}
	}
	if err := w.commit(); err != nil {
		return err
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(imageKey(im.Hash), meta); err != nil {
			return err
		}
		if !charge {
			return nil
		}
		used, err := loadQuota(txn, merchant)
		if err != nil {
			return err
		}
		if err := txn.Set(ownerKey(im.Hash, merchant), nil); err != nil {
			return err
		}
		return txn.Set(quotaKey(merchant), binary.BigEndian.AppendUint64(nil, uint64(used+im.total())))
	})
	if err != nil {
		return fmt.Errorf("media: storing picture %s: %w", im.Hash, err)
	}
	if files != nil {
		s.log.Debug("picture stored", "hash", im.Hash, "type", im.Type, "width", im.Width, "height", im.Height, "bytes", im.total())
	}
	return nil
}

// checkQuota reports whether merchant is to be recorded as an uploader
// of im (false when it is one already), and fails with ErrQuota when
// that would take the merchant's pictures past Config.MerchantBytes.
// Caller holds wmu.
func (s *Store) checkQuota(im Image, merchant string) (bool, error) {
	var charge bool
	err := s.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get(ownerKey(im.Hash, merchant)); err == nil {
			return nil
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		used, err := loadQuota(txn, merchant)
		if err != nil {
			return err
		}
		if size := im.total(); used+size > s.cfg.MerchantBytes {
			return fmt.Errorf("%w: the picture takes %d bytes, and the merchant's pictures take %d of the %d allowed", ErrQuota, size, used, s.cfg.MerchantBytes)
		}
		charge = true
		return nil
	})
	return charge, err
}

func (e encoded) rendition() Rendition {
	return Rendition{Type: e.mime, Width: e.width, Height: e.height, Bytes: int64(len(e.data))}
}

// chunkWriter writes keys in as few transactions as Badger allows,
// committing one whenever the next key would make it too big.
type chunkWriter struct {
	db  *badger.DB
	txn *badger.Txn
}

func (w *chunkWriter) set(k, v []byte) error {
	if w.txn == nil {
		w.txn = w.db.NewTransaction(true)
	}
	err := w.txn.Set(k, v)
	if !errors.Is(err, badger.ErrTxnTooBig) {
		return err
	}
	if err := w.commit(); err != nil {
		return err
	}
	w.txn = w.db.NewTransaction(true)
	return w.txn.Set(k, v)
}

func (w *chunkWriter) commit() error {
	if w.txn == nil {
		return nil
	}
	err := w.txn.Commit()
	w.txn = nil
	if err != nil {
		return fmt.Errorf("media: storing a picture: %w", err)
	}
	return nil
}

func (w *chunkWriter) discard() {
	if w.txn != nil {
		w.txn.Discard()
	}
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Image returns the stored picture with hash, or ErrNotFound.
func (s *Store) Image(hash string) (Image, error) {
	if !catalog.IsImageHash(hash) {
		return Image{}, fmt.Errorf("%w: hash %q: want 64 lower-case hex digits", ErrInvalid, clip(hash))
	}
	var im Image
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(imageKey(hash))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("%w: %s", ErrNotFound, hash)
		}
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &im) })
	})
	return im, err
}

// Holds reports whether the picture with hash is stored here, and
// whether merchant uploaded it (the catalog's ImageStore).
func (s *Store) Holds(merchant, hash string) (held, uploaded bool, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get(imageKey(hash)); errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		held = true
		_, err := txn.Get(ownerKey(hash, merchant))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		uploaded = err == nil
		return err
	})
	return held, uploaded, err
}

// Used is how many bytes merchant's uploads take.
func (s *Store) Used(merchant string) (int64, error) {
	var n int64
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		n, err = loadQuota(txn, merchant)
		return err
	})
	return n, err
}

func loadQuota(txn *badger.Txn, merchant string) (int64, error) {
	item, err := txn.Get(quotaKey(merchant))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int64
	err = item.Value(func(v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("media: stored quota of %s is %d bytes", merchant, len(v))
		}
		n = int64(binary.BigEndian.Uint64(v))
		return nil
	})
	return n, err
}

// total is the bytes the picture's files take.
func (i Image) total() int64 {
	n := i.Bytes
	for _, r := range i.Sizes {
		n += r.Bytes
	}
	return n
}

// Canonical returns the canonical file of the picture with hash, to hand
// out to a member.
func (s *Store) Canonical(hash string) ([]byte, Image, error) {
	im, err := s.Image(hash)
	if err != nil {
		return nil, Image{}, err
	}
	var buf bufferWriter
	if err := s.copyPart(&buf, hash, canonicalPart, im.Bytes); err != nil {
		return nil, Image{}, err
	}
	return buf.b, im, nil
}

// File is one stored file of a picture, ready to be copied out.
type File struct {
	Rendition
	store *Store
	hash  string
	part  string
}

// Open returns a size of the stored picture with hash, or ErrNotFound.
func (s *Store) Open(hash string, size Size) (*File, error) {
	if size.Box() == 0 {
		return nil, fmt.Errorf("%w: size %q", ErrInvalid, clip(string(size)))
	}
	im, err := s.Image(hash)
	if err != nil {
		return nil, err
	}
	r, ok := im.Sizes[size]
	if !ok {
		return nil, fmt.Errorf("%w: %s has no %s size", ErrNotFound, hash, size)
	}
	return &File{Rendition: r, store: s, hash: hash, part: string(size)}, nil
}

// WriteTo copies the file to w, a chunk at a time.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	err := f.store.copyPart(cw, f.hash, f.part, f.Bytes)
	return cw.n, err
}

// copyPart writes the chunks of one file to w; they must add up to size.
func (s *Store) copyPart(w io.Writer, hash, part string, size int64) error {
	var done int64
	for n := 0; done < size; n++ {
		err := s.db.View(func(txn *badger.Txn) error {
			item, err := txn.Get(chunkKey(hash, part, n))
			if err != nil {
				return fmt.Errorf("media: %s/%s chunk %d: %w", hash, part, n, err)
			}
			return item.Value(func(v []byte) error {
				if len(v) == 0 {
					return fmt.Errorf("media: %s/%s chunk %d is empty", hash, part, n)
				}
				done += int64(len(v))
				_, err := w.Write(v)
				return err
			})
		})
		if err != nil {
			return err
		}
	}
	if done != size {
		return fmt.Errorf("media: %s/%s holds %d bytes, want %d", hash, part, done, size)
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type bufferWriter struct{ b []byte }

func (b *bufferWriter) Write(p []byte) (int, error) {
	b.b = append(b.b, p...)
	return len(p), nil
}
