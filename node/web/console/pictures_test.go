package console

import (
	"image/color"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web/webtest"
)

// listingIDOf reads the listing id out of the editor's address.
var editorPath = regexp.MustCompile(`^/merchant/listings/([^/?]+)\?done=`)

func TestPicturesAreUploadedInTheEditor(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	form := b.Get("/merchant/listings/new")
	webtest.WantStatus(t, form, http.StatusOK)
	if !strings.Contains(form.Body, `enctype="multipart/form-data"`) || !strings.Contains(form.Body, `name="pictures" type="file" multiple`) {
		t.Fatalf("the editor has no picture upload:\n%s", form.Body)
	}
	photo := webtest.Picture(t, 900, 600, color.RGBA{180, 60, 40, 255})
	html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
	fields := listingForm()
	fields.Set("images", "https://img.example/side.jpg")
	fields.Set("csrf", webtest.CSRF(t, form))

	// A page that is really HTML is named next to the input; the photo
	// sent with it is stored and joins the pictures, and nothing is saved.
	r := b.PostFiles("/merchant/listings", fields, "pictures",
		webtest.File{Name: "kettle.jpg", Data: photo}, webtest.File{Name: "kettle-2.png", Data: html})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "pictures", "kettle-2.png is not a JPEG, PNG or WebP picture.")
	ref := regexp.MustCompile(`sha256:[0-9a-f]{64}`).FindString(r.Body)
	if ref == "" {
		t.Fatalf("the stored photo is not in the pictures:\n%s", r.Body)
	}
	if !strings.Contains(r.Body, `src="/media/`+webtest.ImageHash(t, ref)+`/thumb"`) {
		t.Error("the editor does not show the stored photo")
	}
	if list, _, _ := h.Self.Cat.MerchantListings(t.Context(), h.Merchant.ID, "", 10); len(list) != 0 {
		t.Fatalf("%d listings saved with a bad picture", len(list))
	}

	// Sent again as the page now shows it, with no file chosen, it saves.
	fields.Set("images", "https://img.example/side.jpg\r\n"+ref)
	fields.Set("csrf", webtest.CSRF(t, r))
	r = b.PostFiles("/merchant/listings", fields, "pictures")
	m := editorPath.FindStringSubmatch(r.Header.Get("Location"))
	if r.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("save: %d %s\n%s", r.Code, r.Header.Get("Location"), r.Body)
	}
	id, _ := url.PathUnescape(m[1])
	l, err := h.Self.Cat.Listing(t.Context(), id)
	if err != nil || len(l.Images) != 2 || l.Images[1] != ref {
		t.Fatalf("saved pictures %v: %v", l.Images, err)
	}

	// Adding a picture while editing: it joins the end, the main one stays.
	edit := b.Get("/merchant/listings/" + url.PathEscape(id))
	webtest.WantStatus(t, edit, http.StatusOK)
	fields.Set("csrf", webtest.CSRF(t, edit))
	fields.Set("images", strings.Join(l.Images, "\r\n"))
	second := webtest.Picture(t, 400, 400, color.RGBA{30, 90, 180, 255})
	r = b.PostFiles("/merchant/listings/"+url.PathEscape(id), fields, "pictures", webtest.File{Name: "top.jpg", Data: second})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.Code, r.Body)
	}
	if l, _ = h.Self.Cat.Listing(t.Context(), id); len(l.Images) != 3 || l.Images[0] != "https://img.example/side.jpg" || l.Images[1] != ref {
		t.Fatalf("pictures after the edit: %v", l.Images)
	}
	// The storefront shows them, served by this node.
	page := b.Get("/listings/" + url.PathEscape(id))
	if !strings.Contains(page.Body, `/media/`+webtest.ImageHash(t, l.Images[2])+`/full`) {
		t.Error("the storefront does not show the added picture")
	}
	webtest.WantStatus(t, b.Get("/media/"+webtest.ImageHash(t, l.Images[2])+"/card"), http.StatusOK)
}

func TestPictureUploadRefusals(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInMerchant(h.Token)
	form := b.Get("/merchant/listings/new")
	photo := webtest.Picture(t, 50, 50, color.RGBA{1, 2, 3, 255})
	cases := []struct {
		name  string
		files []webtest.File
		want  string
	}{
		{"a photo cut short", []webtest.File{{Name: "half.jpg", Data: photo[:len(photo)/2]}}, "half.jpg could not be read as a picture: it may be cut short or damaged."},
		{"too many files", make([]webtest.File, maxPictureFiles+1), "Choose at most 8 pictures at a time; you chose 9."},
		{"a file over the cap", []webtest.File{{Name: "huge.png", Data: make([]byte, 10<<20+1)}}, "huge.png is larger than 10 MiB; a picture may be up to 10 MiB."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i := range c.files {
				if c.files[i].Name == "" {
					c.files[i] = webtest.File{Name: "p.jpg", Data: photo}
				}
			}
			fields := listingForm()
			fields.Set("csrf", webtest.CSRF(t, form))
			r := b.PostFiles("/merchant/listings", fields, "pictures", c.files...)
			webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
			webtest.HasFieldError(t, r.Body, "pictures", c.want)
		})
	}
	// Without a session no upload is read at all.
	stranger := h.browser()
	fields := listingForm()
	r := stranger.PostFiles("/merchant/listings", fields, "pictures", webtest.File{Name: "p.jpg", Data: photo})
	webtest.WantStatus(t, r, http.StatusForbidden)
}
