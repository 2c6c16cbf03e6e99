package media

import (
	"context"
	"errors"
	"image/color"
	"testing"
)

// FuzzIngest feeds arbitrary bytes to an upload: each is stored or
// refused as unsupported, invalid or too large, and nothing panics.
func FuzzIngest(f *testing.F) {
	f.Add(jpegFile(f, photo(16, 8)))
	f.Add(exifJPEG(f, jpegFile(f, photo(8, 16)), 8))
	f.Add(pngFile(f, photo(8, 8)))
	f.Add(transparentPNG(f, 8, 4))
	f.Add(webpSolid(8, 8, color.NRGBA{1, 2, 3, 255}))
	f.Add([]byte("<html>"))
	s := newStore(f, func(c *Config) { c.MaxPixels = 1 << 16 })
	f.Fuzz(func(t *testing.T, b []byte) {
		im, err := s.Ingest(context.Background(), "m", b)
		switch {
		case err == nil:
			if im.Width < 1 || im.Height < 1 || im.Width > CanonicalSide || im.Height > CanonicalSide || len(im.Sizes) != len(Sizes) {
				t.Fatalf("stored %+v", im)
			}
		case errors.Is(err, ErrUnsupported), errors.Is(err, ErrInvalid), errors.Is(err, ErrTooLarge):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	})
}

// FuzzJPEGOrientation reads the orientation of arbitrary bytes: always
// 1 to 8, never a panic.
func FuzzJPEGOrientation(f *testing.F) {
	f.Add(exifJPEG(f, jpegFile(f, photo(8, 8)), 6))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := jpegOrientation(b); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
