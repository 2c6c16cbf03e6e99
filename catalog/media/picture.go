package media

import (
	"bytes"
	"fmt"
	"image"
	stddraw "image/draw"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// A picture is read from bytes in four steps, each refusing what it
// must before the next spends anything: the type is sniffed from the
// first bytes (a name or a declared type is never trusted); the header
// is read for the dimensions, which must not exceed the pixel cap; only
// then are the pixels decoded; and they are encoded again, so that
// nothing of the file but its pixels survives (EXIF and other metadata,
// colour profiles, trailing data).

// Types of the files the store keeps.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
)

// codec is one file format the store reads.
type codec struct {
	mime   string
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

var (
	jpegCodec = codec{TypeJPEG, jpeg.DecodeConfig, jpeg.Decode}
	pngCodec  = codec{TypePNG, png.DecodeConfig, png.Decode}
	webpCodec = codec{TypeWebP, webp.DecodeConfig, webp.Decode}
)

// sniff names the format of b from its first bytes.
func sniff(b []byte) (codec, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return jpegCodec, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return pngCodec, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return webpCodec, true
	}
	return codec{}, false
}

// decode reads b as one of the formats accepted, at most maxPixels and
// at most maxSide pixels a side (0: no cap on the side).
func decode(b []byte, accept []codec, maxPixels int64, maxSide int) (image.Image, codec, error) {
	c, ok := sniff(b)
	if !ok || !acceptable(c, accept) {
		return nil, codec{}, fmt.Errorf("%w: the file starts %s", ErrUnsupported, describeStart(b))
	}
	cfg, err := c.config(bytes.NewReader(b))
	if err != nil {
		return nil, c, fmt.Errorf("%w: the %s header does not read: %v", ErrInvalid, c.mime, err)
	}
	w, h := int64(cfg.Width), int64(cfg.Height)
	switch {
	case w <= 0 || h <= 0:
		return nil, c, fmt.Errorf("%w: the picture has no pixels (%d×%d)", ErrInvalid, w, h)
	case w*h > maxPixels:
		return nil, c, fmt.Errorf("%w: the picture is %d×%d pixels, more than the %d allowed", ErrInvalid, w, h, maxPixels)
	case maxSide > 0 && (w > int64(maxSide) || h > int64(maxSide)):
		return nil, c, fmt.Errorf("%w: the picture is %d×%d pixels, more than %d a side", ErrInvalid, w, h, maxSide)
	}
	img, err := c.decode(bytes.NewReader(b))
	if err != nil {
		return nil, c, fmt.Errorf("%w: the %s data does not decode (cut short or corrupt): %v", ErrInvalid, c.mime, err)
	}
	if d := img.Bounds().Size(); int64(d.X) != w || int64(d.Y) != h {
		return nil, c, fmt.Errorf("%w: the picture decodes to %d×%d pixels, its header says %d×%d", ErrInvalid, d.X, d.Y, w, h)
	}
	return img, c, nil
}

func acceptable(c codec, accept []codec) bool {
	for _, a := range accept {
		if a.mime == c.mime {
			return true
		}
	}
	return false
}

// describeStart says what a refused file looks like, for the message:
// its first characters when they are text, else its first bytes.
func describeStart(b []byte) string {
	b = b[:min(len(b), 8)]
	n := 0
	for n < len(b) && b[n] >= 0x20 && b[n] <= 0x7e {
		n++
	}
	switch {
	case len(b) == 0:
		return "with nothing (the file is empty)"
	case n >= 3:
		return fmt.Sprintf("with %q", b[:n])
	}
	return fmt.Sprintf("with the bytes % x", b)
}

// upright is a decoded upload scaled down to fit CanonicalSide (if
// larger) and turned upright for orientation, as RGBA.
func upright(img image.Image, orientation int) *image.RGBA {
	b := img.Bounds()
	w, h := fit(b.Dx(), b.Dy(), CanonicalSide)
	var rgba *image.RGBA
	if w == b.Dx() && h == b.Dy() {
		rgba = image.NewRGBA(image.Rect(0, 0, w, h))
		stddraw.Draw(rgba, rgba.Bounds(), img, b.Min, stddraw.Src)
	} else {
		rgba = scale(img, w, h)
	}
	return orient(rgba, orientation)
}

// scale resamples img to w×h with Catmull-Rom, the sharpest of the
// library's kernels for shrinking.
func scale(img image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
	return dst
}

// encoded is one file the store writes: a canonical picture or a size.
type encoded struct {
	mime          string
	width, height int
	data          []byte
}

// canonicalQuality and sizeQuality are the JPEG qualities of canonical
// pictures and of sizes.
const (
	canonicalQuality = 90
	sizeQuality      = 82
)

// encode writes img as PNG when it has transparency or keepPNG is set
// (a PNG upload: drawings and screenshots suffer in JPEG), else as JPEG
// at quality.
func encode(img *image.RGBA, keepPNG bool, quality int) (encoded, error) {
	var buf bytes.Buffer
	e := encoded{width: img.Bounds().Dx(), height: img.Bounds().Dy()}
	if keepPNG || !img.Opaque() {
		e.mime = TypePNG
		if err := png.Encode(&buf, img); err != nil {
			return encoded{}, fmt.Errorf("media: encoding PNG: %w", err)
		}
	} else {
		e.mime = TypeJPEG
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
			return encoded{}, fmt.Errorf("media: encoding JPEG: %w", err)
		}
	}
	e.data = buf.Bytes()
	return e, nil
}

// derive makes every size of a canonical picture, each resampled from
// the next larger one (which is faster, and as sharp at these ratios).
// A picture smaller than a size's box keeps its own dimensions.
func derive(canonical *image.RGBA) (map[Size]encoded, error) {
	out := make(map[Size]encoded, len(Sizes))
	src := canonical
	b := canonical.Bounds()
	for _, s := range Sizes {
		w, h := fit(b.Dx(), b.Dy(), s.Box())
		if w != src.Bounds().Dx() || h != src.Bounds().Dy() {
			src = scale(src, w, h)
		}
		e, err := encode(src, false, sizeQuality)
		if err != nil {
			return nil, err
		}
		out[s] = e
	}
	return out, nil
}
