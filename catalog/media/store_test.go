package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

func newDB(t testing.TB) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func newStore(t testing.TB, tune func(*Config)) *Store {
	t.Helper()
	cfg := DefaultConfig()
	if tune != nil {
		tune(&cfg)
	}
	s, err := Open(cfg, newDB(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keys counts the store's keys in its database.
func keys(t testing.TB, s *Store) int {
	t.Helper()
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte("m/")
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// readSize returns a stored size's bytes.
func readSize(t testing.TB, s *Store, hash string, size Size) (*File, []byte) {
	t.Helper()
	f, err := s.Open(hash, size)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if n, err := f.WriteTo(&b); err != nil || n != f.Bytes {
		t.Fatalf("%s %s: %d of %d bytes: %v", hash, size, n, f.Bytes, err)
	}
	return f, b.Bytes()
}

func TestIngestAccepts(t *testing.T) {
	tests := []struct {
		name        string
		file        []byte
		typ         string
		w, h        int
		card, thumb [2]int
		thumbType   string
	}{
		{"a JPEG photo", jpegFile(t, photo(640, 480)), TypeJPEG, 640, 480, [2]int{480, 360}, [2]int{160, 120}, TypeJPEG},
		{"a PNG drawing stays PNG", pngFile(t, photo(300, 200)), TypePNG, 300, 200, [2]int{300, 200}, [2]int{160, 107}, TypeJPEG},
		{"a PNG with transparency", transparentPNG(t, 100, 50), TypePNG, 100, 50, [2]int{100, 50}, [2]int{100, 50}, TypePNG},
		{"a lossless WebP becomes JPEG", webpSolid(64, 48, color.NRGBA{10, 200, 90, 255}), TypeJPEG, 64, 48, [2]int{64, 48}, [2]int{64, 48}, TypeJPEG},
		{"a large photo is scaled to the canonical side", jpegFile(t, photo(3000, 1000)), TypeJPEG, 2048, 683, [2]int{480, 160}, [2]int{160, 53}, TypeJPEG},
		{"a portrait photo", jpegFile(t, photo(500, 1500)), TypeJPEG, 500, 1500, [2]int{160, 480}, [2]int{53, 160}, TypeJPEG},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t, nil)
			im, err := s.Ingest(context.Background(), "m1", tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if im.Type != tt.typ || im.Width != tt.w || im.Height != tt.h {
				t.Fatalf("canonical %s %d×%d, want %s %d×%d", im.Type, im.Width, im.Height, tt.typ, tt.w, tt.h)
			}
			canon, got, err := s.Canonical(im.Hash)
			if err != nil || hashOf(canon) != im.Hash || got.Hash != im.Hash {
				t.Fatalf("canonical bytes do not hash to %s: %v", im.Hash, err)
			}
			if !strings.HasPrefix(im.Ref(), "sha256:") || len(im.Ref()) != 7+64 {
				t.Errorf("ref %q", im.Ref())
			}
			for size, want := range map[Size][2]int{Card: tt.card, Thumb: tt.thumb} {
				f, b := readSize(t, s, im.Hash, size)
				cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
				if err != nil || "image/"+format != f.Type || cfg.Width != want[0] || cfg.Height != want[1] {
					t.Errorf("%s: %s %d×%d (%v), stored as %s %d×%d; want %d×%d", size, format, cfg.Width, cfg.Height, err, f.Type, f.Width, f.Height, want[0], want[1])
				}
				if size == Thumb && f.Type != tt.thumbType {
					t.Errorf("thumb is %s, want %s", f.Type, tt.thumbType)
				}
			}
			if held, uploaded, err := s.Holds("m1", im.Hash); !held || !uploaded || err != nil {
				t.Errorf("Holds: %v %v %v", held, uploaded, err)
			}
		})
	}
}

// bombPNG is a real decompression bomb: a gray PNG of side×side pixels
// of zeros, which deflate packs into a few kilobytes.
func bombPNG(t testing.TB, side int) []byte {
	t.Helper()
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+side) // filter byte, then the pixels
	for range side {
		_, _ = zw.Write(row)
	}
	_ = zw.Close()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		_ = binary.Write(&out, binary.BigEndian, uint32(len(data)))
		body := append([]byte(kind), data...)
		out.Write(body)
		_ = binary.Write(&out, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(side))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(side))
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // 8-bit gray, deflate, no interlace
	chunk("IHDR", ihdr)
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

func TestIngestRefusesHostileFiles(t *testing.T) {
	good := jpegFile(t, photo(200, 100))
	goodPNG := pngFile(t, photo(50, 50))
	tests := []struct {
		name string
		file []byte
		tune func(*Config)
		want error
		msg  string
	}{
		{"a PNG that is really HTML", []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"), nil, ErrUnsupported, `"<!DOCTYP"`},
		{"a GIF", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"), nil, ErrUnsupported, "GIF89a"},
		{"an SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), nil, ErrUnsupported, "<svg"},
		{"an empty file", nil, nil, ErrUnsupported, "empty"},
		{"a JPEG cut in half", good[:len(good)/2], nil, ErrInvalid, "cut short or corrupt"},
		{"a JPEG with only its header", good[:200], nil, ErrInvalid, ""},
		{"a PNG cut short", goodPNG[:len(goodPNG)-40], nil, ErrInvalid, "cut short or corrupt"},
		{"a PNG signature and garbage", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...), nil, ErrInvalid, "header"},
		{"a decompression bomb (PNG)", bombPNG(t, 6000), nil, ErrInvalid, "6000×6000 pixels, more than the 25000000"},
		{"a PNG header claiming 100000×100000", pngWithSize(t, goodPNG, 100000, 100000), nil, ErrInvalid, "more than the 25000000"},
		{"a WebP bomb of a few bytes", webpSolid(16384, 16384, color.NRGBA{A: 255}), nil, ErrInvalid, "16384×16384"},
		{"a picture of no pixels", pngWithSize(t, goodPNG, 0, 10), nil, ErrInvalid, ""},
		{"an oversize file", good, func(c *Config) { c.MaxUploadBytes = 1 << 10 }, ErrTooLarge, "more than the 1024 allowed"},
		{"more pixels than configured", good, func(c *Config) { c.MaxPixels = 1 << 16 }, ErrInvalid, "200×100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "more pixels than configured" {
				tt.file = jpegFile(t, photo(400, 200))
				tt.msg = "400×200"
			}
			s := newStore(t, tt.tune)
			_, err := s.Ingest(context.Background(), "m1", tt.file)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("%v, want %v saying %q", err, tt.want, tt.msg)
			}
			if n := keys(t, s); n != 0 {
				t.Errorf("%d keys written for a refused file", n)
			}
		})
	}
}

// A bomb is refused from its header: the node never allocates the
// pixels it claims (36 MB of gray for the PNG, 1 GiB of RGBA for the
// WebP).
func TestBombIsRefusedWithoutAllocating(t *testing.T) {
	s := newStore(t, nil)
	for _, file := range [][]byte{bombPNG(t, 6000), webpSolid(16384, 16384, color.NRGBA{A: 255})} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := s.Ingest(context.Background(), "m1", file)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("bomb: %v", err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
			t.Errorf("refusing a bomb of %d bytes allocated %d bytes", len(file), grew)
		}
	}
}

func TestIngestStripsEXIFAndTurnsPhotosUpright(t *testing.T) {
	s := newStore(t, nil)
	// A landscape 80×40 sensor image whose EXIF says: turn it a quarter
	// right. Its red quarter, top left as stored, ends up top right.
	file := exifJPEG(t, jpegFile(t, photo(80, 40)), 6)
	if o := jpegOrientation(file); o != 6 {
		t.Fatalf("the test file's orientation reads %d", o)
	}
	if !bytes.Contains(file, []byte(secret)) {
		t.Fatal("the test file does not carry its secret")
	}
	im, err := s.Ingest(context.Background(), "m1", file)
	if err != nil {
		t.Fatal(err)
	}
	if im.Width != 40 || im.Height != 80 {
		t.Fatalf("%d×%d, want 40×80 (upright)", im.Width, im.Height)
	}
	canon, _, err := s.Canonical(im.Hash)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"canonical": canon}
	for _, size := range Sizes {
		_, files[string(size)] = readSize(t, s, im.Hash, size)
	}
	for name, b := range files {
		for _, leak := range []string{"Exif", secret, "J. Doe", "\x25\x88"} {
			if bytes.Contains(b, []byte(leak)) {
				t.Errorf("%s keeps %q", name, leak)
			}
		}
		if jpegOrientation(b) != 1 {
			t.Errorf("%s has an orientation", name)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(canon))
	if err != nil {
		t.Fatal(err)
	}
	red := func(x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return r>>8 > 180 && g>>8 < 80 && b>>8 < 80
	}
	if !red(30, 10) || red(10, 10) || red(30, 60) {
		t.Errorf("red quarter not top right: (30,10) %v, (10,10) %v, (30,60) %v", red(30, 10), red(10, 10), red(30, 60))
	}
}

func TestOrientations(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 2)) // pixel value = 10*y + x + 1
	for y := range 2 {
		for x := range 3 {
			src.SetRGBA(x, y, color.RGBA{uint8(10*y + x + 1), 0, 0, 255})
		}
	}
	want := map[int][]uint8{ // rows, top to bottom
		1: {1, 2, 3, 11, 12, 13},
		2: {3, 2, 1, 13, 12, 11},
		3: {13, 12, 11, 3, 2, 1},
		4: {11, 12, 13, 1, 2, 3},
		5: {1, 11, 2, 12, 3, 13},
		6: {11, 1, 12, 2, 13, 3},
		7: {13, 3, 12, 2, 11, 1},
		8: {3, 13, 2, 12, 1, 11},
	}
	for o, rows := range want {
		got := orient(src, o)
		var vals []uint8
		for y := range got.Bounds().Dy() {
			for x := range got.Bounds().Dx() {
				vals = append(vals, got.RGBAAt(x, y).R)
			}
		}
		if !bytes.Equal(vals, rows) {
			t.Errorf("orientation %d: %v, want %v", o, vals, rows)
		}
	}
}

func TestUploadsAreSharedByHashAndCharged(t *testing.T) {
	s := newStore(t, nil)
	ctx := context.Background()
	file := jpegFile(t, photo(320, 240))
	a, err := s.Ingest(ctx, "ann", file)
	if err != nil {
		t.Fatal(err)
	}
	stored := keys(t, s)
	b, err := s.Ingest(ctx, "bob", file)
	if err != nil || b.Hash != a.Hash {
		t.Fatalf("the same file again: %v, %s vs %s", err, b.Hash, a.Hash)
	}
	if _, err := s.Ingest(ctx, "ann", file); err != nil {
		t.Fatal(err)
	}
	if n := keys(t, s); n != stored+2 { // bob's ownership and quota
		t.Errorf("%d keys after two more uploads of one picture, want %d", n, stored+2)
	}
	for _, m := range []string{"ann", "bob"} {
		if used, _ := s.Used(m); used != a.total() {
			t.Errorf("%s charged %d, want %d once", m, used, a.total())
		}
		if held, uploaded, _ := s.Holds(m, a.Hash); !held || !uploaded {
			t.Errorf("%s: held %v uploaded %v", m, held, uploaded)
		}
	}
	if held, uploaded, _ := s.Holds("cat", a.Hash); !held || uploaded {
		t.Errorf("cat: held %v uploaded %v, want held and not uploaded", held, uploaded)
	}
	if held, _, _ := s.Holds("ann", strings.Repeat("0", 64)); held {
		t.Error("an unknown hash is held")
	}
}

// noise is a picture that does not compress.
func noise(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	x := uint32(2463534242)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = uint8(x)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

func TestQuotaRefusesAndWritesNothing(t *testing.T) {
	s := newStore(t, func(c *Config) { c.MerchantBytes = 1 << 20 })
	ctx := context.Background()
	small, err := s.Ingest(ctx, "ann", jpegFile(t, photo(100, 100)))
	if err != nil {
		t.Fatal(err)
	}
	before := keys(t, s)
	big := pngFile(t, noise(700, 700)) // ~1.5 MB canonical PNG
	if _, err := s.Ingest(ctx, "ann", big); !errors.Is(err, ErrQuota) {
		t.Fatalf("over the quota: %v", err)
	}
	if n := keys(t, s); n != before {
		t.Errorf("%d keys after a refused upload, want %d", n, before)
	}
	if used, _ := s.Used("ann"); used != small.total() {
		t.Errorf("used %d, want %d", used, small.total())
	}
	// Another merchant has a quota of its own, and the files are chunked.
	im, err := s.Ingest(ctx, "bob", pngFile(t, noise(200, 200)))
	if err != nil {
		t.Fatal(err)
	}
	_ = im
}

func TestAdoptChecksTheHash(t *testing.T) {
	home := newStore(t, nil)
	im, err := home.Ingest(context.Background(), "ann", pngFile(t, noise(1100, 1000)))
	if err != nil {
		t.Fatal(err)
	}
	canon, _, err := home.Canonical(im.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if len(canon) <= chunkBytes {
		t.Fatalf("canonical of %d bytes is one chunk; the test wants several", len(canon))
	}
	other := newStore(t, nil)
	wrong := jpegFile(t, photo(10, 10))
	exif := exifJPEG(t, wrong, 1)
	tests := []struct {
		name string
		hash string
		data []byte
		want error
	}{
		{"other bytes", im.Hash, wrong, ErrMismatch},
		{"one bit flipped", im.Hash, flip(canon), ErrMismatch},
		{"a matching hash of bytes that are not a canonical picture", hashOf([]byte("<html>")), []byte("<html>"), ErrMismatch},
		{"a WebP is never canonical", hashOf(webpSolid(8, 8, color.NRGBA{A: 255})), webpSolid(8, 8, color.NRGBA{A: 255}), ErrMismatch},
		{"more than a canonical side", hashOf(jpegFile(t, photo(2100, 10))), jpegFile(t, photo(2100, 10)), ErrMismatch},
	}
	for _, tt := range tests {
		if _, err := other.Adopt(tt.hash, tt.data); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if n := keys(t, other); n != 0 {
		t.Fatalf("%d keys after refused adoptions", n)
	}
	got, err := other.Adopt(im.Hash, canon)
	if err != nil || got.Width != im.Width || got.Height != im.Height || got.Sizes[Card] != im.Sizes[Card] {
		t.Fatalf("adopt: %+v %v, want %+v", got, err, im)
	}
	back, _, err := other.Canonical(im.Hash)
	if err != nil || !bytes.Equal(back, canon) {
		t.Fatalf("the adopted canonical file differs: %v", err)
	}
	if held, uploaded, _ := other.Holds("ann", im.Hash); !held || uploaded {
		t.Errorf("adopted: held %v uploaded %v", held, uploaded)
	}
	// A canonical JPEG with EXIF from a member is kept as it hashes, but
	// the sizes a node serves are its own, with nothing but pixels.
	adopted, err := other.Adopt(hashOf(exif), exif)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range Sizes {
		if _, b := readSize(t, other, adopted.Hash, size); bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s of an adopted picture keeps EXIF", size)
		}
	}
}

func flip(b []byte) []byte {
	c := bytes.Clone(b)
	c[len(c)/2] ^= 1
	return c
}

func TestOpenRefusesUnknownSizesAndHashes(t *testing.T) {
	s := newStore(t, nil)
	im, err := s.Ingest(context.Background(), "ann", pngFile(t, photo(20, 20)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		hash string
		size Size
		want error
	}{
		{im.Hash, "huge", ErrInvalid},
		{"../../etc/passwd", Card, ErrInvalid},
		{strings.ToUpper(im.Hash), Card, ErrInvalid},
		{strings.Repeat("ab", 32), Card, ErrNotFound},
	} {
		if _, err := s.Open(c.hash, c.size); !errors.Is(err, c.want) {
			t.Errorf("%s/%s: %v, want %v", c.hash, c.size, err, c.want)
		}
	}
	if _, err := ParseSize("card"); err != nil {
		t.Error(err)
	}
	if _, err := ParseSize("original"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseSize(original): %v", err)
	}
	_ = png.Encode
}
