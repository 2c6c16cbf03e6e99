package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// The files the tests upload are made here, byte by byte where a
// library would not write what a hostile or unusual file holds.

// photo is a w×h picture with a gradient, so that resampling and
// encoding have something to do; its top-left quarter is red, so that
// a test can tell which way up it is.
func photo(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(40 + 150*x/w), uint8(60 + 120*y/h), 140, 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{230, 20, 20, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func jpegFile(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngFile(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// transparentPNG is a w×h PNG whose right half is see-through.
func transparentPNG(t testing.TB, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if x >= w/2 {
				a = 0
			}
			img.SetNRGBA(x, y, color.NRGBA{20, 120, 200, a})
		}
	}
	return pngFile(t, img)
}

// secret is what the EXIF data of exifJPEG carries besides the GPS
// position; no byte of it may survive an upload.
const secret = "Home of J. Doe, 52.5200N 13.4050E"

// exifJPEG is file with an APP1 EXIF segment inserted after its start
// marker: IFD0 holds the orientation, an image description (secret) and
// a pointer to a GPS IFD with a latitude.
func exifJPEG(t testing.TB, file []byte, orientation uint16) []byte {
	t.Helper()
	le := binary.LittleEndian
	var tiff bytes.Buffer
	tiff.WriteString("II")
	_ = binary.Write(&tiff, le, uint16(42))
	_ = binary.Write(&tiff, le, uint32(8)) // IFD0 right after the header
	const entries = 3
	ifd0End := 8 + 2 + 12*entries + 4
	descOff := ifd0End
	gpsOff := descOff + len(secret) + 1
	entry := func(tag, typ uint16, count, value uint32) {
		_ = binary.Write(&tiff, le, tag)
		_ = binary.Write(&tiff, le, typ)
		_ = binary.Write(&tiff, le, count)
		_ = binary.Write(&tiff, le, value)
	}
	_ = binary.Write(&tiff, le, uint16(entries))
	entry(0x010E, 2, uint32(len(secret)+1), uint32(descOff)) // ImageDescription, ASCII
	entry(0x0112, 3, 1, uint32(orientation))                 // Orientation, SHORT
	entry(0x8825, 4, 1, uint32(gpsOff))                      // GPS IFD pointer, LONG
	_ = binary.Write(&tiff, le, uint32(0))                   // no IFD1
	tiff.WriteString(secret + "\x00")
	// GPS IFD: GPSLatitudeRef "N", GPSLatitude 52/1 31/1 12/1.
	ratOff := gpsOff + 2 + 12*2 + 4
	_ = binary.Write(&tiff, le, uint16(2))
	entry(0x0001, 2, 2, uint32('N'))
	entry(0x0002, 5, 3, uint32(ratOff))
	_ = binary.Write(&tiff, le, uint32(0))
	for _, v := range []uint32{52, 1, 31, 1, 12, 1} {
		_ = binary.Write(&tiff, le, v)
	}
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	app1 := []byte{0xFF, 0xE1}
	app1 = binary.BigEndian.AppendUint16(app1, uint16(len(seg)+2))
	app1 = append(app1, seg...)
	out := append([]byte{}, file[:2]...)
	out = append(out, app1...)
	return append(out, file[2:]...)
}

// pngWithSize is file (a PNG) with its header's dimensions replaced and
// its checksum fixed: a small file that claims to hold w×h pixels, as a
// decompression bomb does.
func pngWithSize(t testing.TB, file []byte, w, h uint32) []byte {
	t.Helper()
	out := bytes.Clone(file)
	// signature (8), length (4), "IHDR" (4), then width and height.
	if string(out[12:16]) != "IHDR" {
		t.Fatal("no IHDR chunk where expected")
	}
	binary.BigEndian.PutUint32(out[16:], w)
	binary.BigEndian.PutUint32(out[20:], h)
	binary.BigEndian.PutUint32(out[29:], crc32.ChecksumIEEE(out[12:29]))
	return out
}

// webpSolid is a lossless WebP of w×h pixels of one colour, written by
// hand (Go has no WebP encoder): every Huffman code has a single symbol,
// so the pixels take no bits at all, and a picture of any size is a few
// bytes, which also makes it the smallest decompression bomb there is.
func webpSolid(w, h int, c color.NRGBA) []byte {
	var bw bitWriter
	bw.put(0x2f, 8)
	bw.put(uint32(w-1), 14)
	bw.put(uint32(h-1), 14)
	bw.put(0, 1) // alpha not used
	bw.put(0, 3) // version 0
	bw.put(0, 1) // no transform
	bw.put(0, 1) // no colour cache
	bw.put(0, 1) // no meta prefix codes
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} {
		bw.put(1, 1) // a simple code
		bw.put(0, 1) // of one symbol
		bw.put(1, 1) // of 8 bits
		bw.put(uint32(sym), 8)
	}
	data := bw.bytes()
	var out bytes.Buffer
	out.WriteString("RIFF")
	_ = binary.Write(&out, binary.LittleEndian, uint32(4+8+len(data)+len(data)%2))
	out.WriteString("WEBPVP8L")
	_ = binary.Write(&out, binary.LittleEndian, uint32(len(data)))
	out.Write(data)
	if len(data)%2 == 1 {
		out.WriteByte(0)
	}
	return out.Bytes()
}

// bitWriter writes bits least significant first, as VP8L reads them.
type bitWriter struct {
	b []byte
	n uint
}

func (w *bitWriter) put(v uint32, bits uint) {
	for i := range bits {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

func (w *bitWriter) bytes() []byte { return w.b }
