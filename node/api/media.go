package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/fedmart/fedmart/catalog/media"
	"github.com/gin-gonic/gin"
)

// Media stores the pictures merchants upload; *media.Store satisfies it.
type Media interface {
	// Config holds the upload limits.
	Config() media.Config
	// Ingest stores a merchant's upload, or says why not.
	Ingest(ctx context.Context, merchant string, data []byte) (media.Image, error)
}

// mediaPath is where merchants upload pictures; its body may be larger
// than the API's cap (see limitBody).
const mediaPath = "/v1/media"

// uploadOverhead is what a multipart body may add to a picture.
const uploadOverhead = 64 << 10

// mediaBodyLimit caps the body of an upload: the picture and its framing.
func (a *API) mediaBodyLimit() int64 {
	if a.deps.Media == nil {
		return a.cfg.MaxBodyBytes
	}
	return a.deps.Media.Config().MaxUploadBytes + uploadOverhead
}

// uploadAnswer is what an upload returns.
type uploadAnswer struct {
	Ref    string               `json:"ref"`
	Hash   string               `json:"hash"`
	Type   string               `json:"type"`
	Width  int                  `json:"width"`
	Height int                  `json:"height"`
	Bytes  int64                `json:"bytes"`
	Sizes  map[string]sizeEntry `json:"sizes"`
}

type sizeEntry struct {
	URL    string `json:"url"`
	Type   string `json:"type"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int64  `json:"bytes"`
}

// postMedia stores a merchant's picture: a multipart form's "file" part,
// or the raw body. The type is read from the bytes, never from a name or
// a Content-Type.
func (a *API) postMedia(c *gin.Context) {
	if a.deps.Media == nil {
		failStatus(c, http.StatusNotFound, "Not found", "this node stores no pictures")
		return
	}
	data, ok := a.readPicture(c)
	if !ok {
		return
	}
	im, err := a.deps.Media.Ingest(c.Request.Context(), merchantOf(c).ID, data)
	if err != nil {
		failPicture(c, err)
		return
	}
	ans := uploadAnswer{Ref: im.Ref(), Hash: im.Hash, Type: im.Type, Width: im.Width, Height: im.Height, Bytes: im.Bytes,
		Sizes: map[string]sizeEntry{}}
	for size, r := range im.Sizes {
		ans.Sizes[string(size)] = sizeEntry{URL: "/media/" + im.Hash + "/" + string(size), Type: r.Type, Width: r.Width, Height: r.Height, Bytes: r.Bytes}
	}
	c.Header("Location", ans.Sizes[string(media.Full)].URL)
	c.JSON(http.StatusCreated, ans)
}

// readPicture reads the uploaded file, at most Config.MaxUploadBytes.
func (a *API) readPicture(c *gin.Context) ([]byte, bool) {
	max := a.deps.Media.Config().MaxUploadBytes
	var src io.Reader = c.Request.Body
	if ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); ct == "multipart/form-data" {
		mr, err := c.Request.MultipartReader()
		if err != nil {
			failStatus(c, http.StatusBadRequest, "Unreadable body", "the multipart form does not read: "+err.Error(), FieldError{Field: "file", Message: "is missing"})
			return nil, false
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				failStatus(c, http.StatusUnprocessableEntity, "Invalid input", "the form has no file part",
					FieldError{Field: "file", Message: "is required: send the picture in a part named file"})
				return nil, false
			}
			if err != nil {
				a.failRead(c, err)
				return nil, false
			}
			if part.FormName() == "file" {
				src = part
				break
			}
		}
	}
	data, err := io.ReadAll(io.LimitReader(src, max+1))
	if err != nil {
		a.failRead(c, err)
		return nil, false
	}
	if int64(len(data)) > max {
		failPicture(c, fmt.Errorf("%w: the file is more than the %d bytes allowed", media.ErrTooLarge, max))
		return nil, false
	}
	return data, true
}

func (a *API) failRead(c *gin.Context, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		failPicture(c, fmt.Errorf("%w: the body is more than the %d bytes allowed", media.ErrTooLarge, a.mediaBodyLimit()))
		return
	}
	failStatus(c, http.StatusBadRequest, "Unreadable body", err.Error())
}

// failPicture writes a refused upload as a problem naming the file.
func failPicture(c *gin.Context, err error) {
	status, title, ok := statusOf(err)
	if !ok || status >= 500 {
		fail(c, err)
		return
	}
	failStatus(c, status, title, err.Error(), FieldError{Field: "file", Message: err.Error()})
}
