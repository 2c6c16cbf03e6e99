package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/node/budget"
)

// Pictures: a listing's images are http(s) URLs or references of
// pictures uploaded to its home node ("sha256:<hash>"). The kit turns
// either into what an <img> loads (ImageURL, the templates' "image"),
// and serves the uploaded ones at /media/<hash>/<size> from the node's
// media service, which fetches a picture it lacks from the home of a
// listing that shows it. The files are immutable (their name is their
// content's hash), so browsers keep them for a year.

// Media opens pictures by hash, fetching those this node lacks from
// other members; *media.Service satisfies it.
type Media interface {
	// Open returns a size of the picture; when the node has to fetch it,
	// it calls charge first, whose error refuses the fetch.
	Open(ctx context.Context, hash string, size media.Size, charge func() error) (*media.File, error)
}

// The sizes of a picture the pages ask for (see media.Size).
const (
	ImageThumb = string(media.Thumb)
	ImageCard  = string(media.Card)
	ImageFull  = string(media.Full)
)

// ImageURL is what a page loads to show image (an entry of a listing's
// images) at size (ImageThumb, ImageCard or ImageFull): this node's
// /media/<hash>/<size> for an uploaded picture, the address itself for
// an https URL, and "" for anything else (a plain http URL would be
// mixed content on an https storefront, and the pages' Content-Security-
// Policy loads no other).
func ImageURL(image, size string) string {
	if h, ok := catalog.ImageHash(image); ok {
		if _, err := media.ParseSize(size); err != nil {
			size = ImageFull
		}
		return "/media/" + h + "/" + size
	}
	if strings.HasPrefix(image, "https://") && len(image) > len("https://") {
		return image
	}
	return ""
}

// serveMedia serves GET /media/{hash}/{size}. A picture that cannot be
// had is answered with a plain placeholder picture (and a 404, or 429
// when the client spent its budget), so that a page shows a quiet box
// rather than a broken image, and a browser asks again later.
func (s *Site) serveMedia(w http.ResponseWriter, r *http.Request) {
	hash := r.PathValue("hash")
	size, err := media.ParseSize(r.PathValue("size"))
	if err != nil || !catalog.IsImageHash(hash) {
		s.missingPicture(w, http.StatusNotFound)
		return
	}
	etag := `"` + hash + "-" + string(size) + `"`
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", immutable)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var refused *budget.Refusal
	f, err := s.media.Open(r.Context(), hash, size, func() error {
		if refused = s.budgets.Charge(budget.MediaFetches, r); refused != nil {
			return refused
		}
		return nil
	})
	switch {
	case refused != nil:
		RetryAfter(w, refused.RetryAfter)
		s.missingPicture(w, http.StatusTooManyRequests)
		return
	case errors.Is(err, media.ErrNotFound), errors.Is(err, media.ErrInvalid), errors.Is(err, media.ErrBudget):
		s.missingPicture(w, http.StatusNotFound)
		return
	case err != nil:
		s.log.Error("web: serving a picture", "hash", hash, "size", size, "err", err)
		s.missingPicture(w, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("Content-Length", strconv.FormatInt(f.Bytes, 10))
	h.Set("Cache-Control", immutable)
	h.Set("ETag", etag)
	h.Set("Content-Disposition", "inline")
	if r.Method == http.MethodHead {
		return
	}
	if _, err := f.WriteTo(w); err != nil {
		s.log.Warn("web: a picture was cut short", "hash", hash, "size", size, "err", err)
	}
}

// immutable lets browsers and caches keep a picture for a year: its
// address names its content.
const immutable = "public, max-age=31536000, immutable"

// missingPicture answers with the placeholder picture and status, kept
// by browsers for a minute only.
func (s *Site) missingPicture(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Cache-Control", "public, max-age=60")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(placeholderSVG))
}

// placeholderSVG is a quiet grey picture frame with a mountain and a sun.
const placeholderSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">` +
	`<rect width="400" height="400" fill="#eef0f3"/>` +
	`<g fill="none" stroke="#b7bec8" stroke-width="10" stroke-linejoin="round">` +
	`<rect x="110" y="130" width="180" height="140" rx="14"/>` +
	`<path d="M125 255l55-60 40 40 25-25 40 45"/></g>` +
	`<circle cx="250" cy="168" r="14" fill="#b7bec8"/></svg>`
