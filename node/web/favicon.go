package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image/png"
	"io/fs"
	"net/http"
	"time"
)

// The site's icon is static/favicon.svg, which every page links first;
// static/favicon-32.png is the fallback for browsers without SVG icons
// and static/apple-touch-icon.png (180 px) the one phones put on a home
// screen. Both PNGs are the SVG rendered at their size. Browsers and
// crawlers also ask for /favicon.ico on their own, without reading the
// page: it is the 32 px PNG in an ICO container (ICO files may hold PNG
// images since Windows Vista, and every browser reads them), made at
// start rather than kept as another copy of the same picture.

// faviconMaxAge is how long a browser may keep /favicon.ico, whose URL
// cannot carry a version: a day, then it asks again (and gets 304 when
// nothing changed).
const faviconMaxAge = 24 * time.Hour

// favicon serves /favicon.ico.
type favicon struct {
	ico  []byte
	etag string
}

// newFavicon wraps static/favicon-32.png in an ICO header.
func newFavicon(files fs.FS) (*favicon, error) {
	b, err := fs.ReadFile(files, "favicon-32.png")
	if err != nil {
		return nil, err
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("favicon-32.png: %w", err)
	}
	if cfg.Width > 256 || cfg.Height > 256 {
		return nil, fmt.Errorf("favicon-32.png: %dx%d, an ICO image is at most 256x256", cfg.Width, cfg.Height)
	}
	const headerLen = 6 + 16 // ICONDIR, one ICONDIRENTRY
	ico := make([]byte, headerLen, headerLen+len(b))
	binary.LittleEndian.PutUint16(ico[2:], 1) // type: icon
	binary.LittleEndian.PutUint16(ico[4:], 1) // one image
	ico[6], ico[7] = byte(cfg.Width), byte(cfg.Height)
	binary.LittleEndian.PutUint16(ico[10:], 1)  // colour planes
	binary.LittleEndian.PutUint16(ico[12:], 32) // bits per pixel
	binary.LittleEndian.PutUint32(ico[14:], uint32(len(b)))
	binary.LittleEndian.PutUint32(ico[18:], headerLen)
	ico = append(ico, b...)
	sum := sha256.Sum256(ico)
	return &favicon{ico: ico, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}, nil
}

// ServeHTTP answers with the icon, or 304 to a browser that holds it.
func (f *favicon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(faviconMaxAge.Seconds())))
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, "favicon.ico", time.Time{}, bytes.NewReader(f.ico))
}
