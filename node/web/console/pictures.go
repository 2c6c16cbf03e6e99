package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"path"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant adds pictures to a listing in its editor: the files chosen
// in the form's file input are stored when the form is sent (saved, or
// another variant added), and their references join the listing's
// pictures, one per line beside any https addresses. The form works
// without JavaScript; it is sent as multipart/form-data, which the kit
// lets a signed-in merchant make as large as an upload (web.AllowUpload).

// Pictures stores the pictures merchants upload; *media.Store satisfies
// it.
type Pictures interface {
	// Config holds the upload limits the form states.
	Config() media.Config
	// Ingest stores a merchant's upload, or says why not (media's errors).
	Ingest(ctx context.Context, merchant string, data []byte) (media.Image, error)
}

// maxPictureFiles caps the files one form sends: with the form's body
// cap (web.MaxUploadBytes), a few large photos at a time.
const maxPictureFiles = 8

// picturesInput is the name of the form's file input.
const picturesInput = "pictures"

// picturePreview is one of a listing's pictures, as the editor shows it.
type picturePreview struct{ URL, Alt string }

// previews are the pictures the form's images text names that a page can
// show, as thumbnails.
func previews(images string) []picturePreview {
	var out []picturePreview
	for _, s := range strings.Fields(images) {
		if u := web.ImageURL(s, web.ImageThumb); u != "" {
			alt := fmt.Sprintf("Picture %d", len(out)+1)
			if len(out) == 0 {
				alt += ", the main one"
			}
			out = append(out, picturePreview{URL: u, Alt: alt})
		}
	}
	return out
}

// uploadPictures stores the files posted in the pictures input for
// merchant, and adds their references to the form's images and to in.
// Each file that cannot be stored is named next to the input, and the
// others are kept.
func (c *Console) uploadPictures(ctx context.Context, r *multipart.Form, merchant string, f *web.Form, in *catalog.ListingInput) {
	if r == nil || c.deps.Pictures == nil {
		return
	}
	var files []*multipart.FileHeader
	for _, fh := range r.File[picturesInput] {
		if fh.Filename != "" || fh.Size > 0 { // a browser sends an empty part when no file is chosen
			files = append(files, fh)
		}
	}
	if len(files) > maxPictureFiles {
		f.Add(picturesInput, fmt.Sprintf("Choose at most %d pictures at a time; you chose %d.", maxPictureFiles, len(files)))
		return
	}
	images := f.Field("images").Value
	for _, fh := range files {
		name := path.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
		im, err := c.ingest(ctx, merchant, fh)
		if err != nil {
			f.Add(picturesInput, name+" "+c.pictureProblem(err))
			continue
		}
		if strings.Contains(images, im.Ref()) {
			continue // a picture the listing shows already
		}
		if images = strings.TrimRight(images, "\n"); images != "" {
			images += "\n"
		}
		images += im.Ref()
		in.Images = append(in.Images, im.Ref())
	}
	f.Set("images", images)
}

// ingest reads one uploaded file, at most the store's cap, and stores it.
func (c *Console) ingest(ctx context.Context, merchant string, fh *multipart.FileHeader) (media.Image, error) {
	max := c.deps.Pictures.Config().MaxUploadBytes
	if fh.Size > max {
		return media.Image{}, media.ErrTooLarge
	}
	file, err := fh.Open()
	if err != nil {
		return media.Image{}, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, max+1))
	if err != nil {
		return media.Image{}, err
	}
	if int64(len(data)) > max {
		return media.Image{}, media.ErrTooLarge
	}
	return c.deps.Pictures.Ingest(ctx, merchant, data)
}

// pictureProblem says, after a file's name, why it was not stored.
func (c *Console) pictureProblem(err error) string {
	cfg := c.deps.Pictures.Config()
	switch {
	case errors.Is(err, media.ErrUnsupported):
		return "is not a JPEG, PNG or WebP picture."
	case errors.Is(err, media.ErrTooLarge):
		return fmt.Sprintf("is larger than %s; a picture may be up to %s.", mib(cfg.MaxUploadBytes), mib(cfg.MaxUploadBytes))
	case errors.Is(err, media.ErrInvalid) && strings.Contains(err.Error(), "pixels, more than"):
		return fmt.Sprintf("has more than the %d megapixels a picture may have.", cfg.MaxPixels/1_000_000)
	case errors.Is(err, media.ErrInvalid):
		return "could not be read as a picture: it may be cut short or damaged."
	case errors.Is(err, media.ErrQuota):
		return fmt.Sprintf("would take your pictures past the %s they may take.", mib(cfg.MerchantBytes))
	}
	c.site.Log().Error("console: storing a picture", "err", err)
	return "could not be stored. Try again in a moment."
}

// mib writes a byte count in whole MiB.
func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }
