package console

import (
	"net/http"
	"net/url"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// listingEditor is what the listing form template shows.
type listingEditor struct {
	Form     *web.Form
	Rows     []int // variant row numbers
	Action   string
	Submit   string
	Currency string
	ID       string // empty for a new listing
	ViewURL  string
	// Pictures offers the upload of pictures, at most MaxPictureMiB each;
	// Previews are the listing's pictures as the form names them.
	Pictures      bool
	MaxPictureMiB int64
	Previews      []picturePreview
	// Shipping are the merchant's shipping profiles to pick from, the
	// default first; nil when the console keeps no profiles.
	Shipping []web.Choice
}

// editorPage renders the listing form with status.
func (c *Console) editorPage(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, v listingEditor) {
	v.Currency = c.site.Currency()
	if c.deps.Pictures != nil {
		v.Pictures, v.MaxPictureMiB = true, c.deps.Pictures.Config().MaxUploadBytes>>20
	}
	v.Previews = previews(v.Form.Field("images").Value)
	if c.deps.Profiles != nil {
		sps, err := c.deps.Profiles.ShippingProfiles(r.Context(), c.deps.Merchants.Platform(), mv.merchant.ID)
		if err != nil {
			c.site.Fail(w, r, err)
			return
		}
		def := c.site.T(r, "console.form.default_free")
		if mp, _, err := c.merchantProfile(r.Context(), mv); err == nil && mp.DefaultShipping != "" {
			for _, sp := range sps {
				if sp.ID == mp.DefaultShipping {
					def = c.site.T(r, "console.form.default_profile", "Name", sp.Name)
				}
			}
		}
		v.Shipping = shippingChoices(sps, v.Form.Value("shipping_profile"), def)
	}
	l := c.site.Locale(r)
	title, current := l.T("console.nav.new_listing"), "/merchant/listings/new"
	v.Submit = l.T("console.form.create")
	if v.ID != "" {
		title, current, v.Submit = l.T("console.form.edit_title"), "", l.T("console.form.save")
		v.ViewURL = web.ListingURL(v.ID)
	}
	p := c.consolePage(mv, title, current, v)
	p.Notice = c.notice(r, notices)
	c.pages.Render(w, r, status, "merchant_form", p)
}

// rows numbers the variant rows of a form holding n variants: theirs and
// one blank row for another.
func rows(n int) []int {
	out := make([]int, n+1)
	for i := range out {
		out[i] = i
	}
	return out
}

// newListingForm is GET /merchant/listings/new.
func (c *Console) newListingForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	c.editorPage(w, r, mv, http.StatusOK, listingEditor{Form: web.NewForm(), Rows: rows(0), Action: "/merchant/listings"})
}

// editListingForm shows one of the merchant's listings in the form:
// GET /merchant/listings/{id}.
func (c *Console) editListingForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	l, err := c.ownListing(r, mv, r.PathValue("id"))
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	f := web.NewForm()
	n := fillListingForm(f, l)
	c.editorPage(w, r, mv, http.StatusOK, listingEditor{Form: f, Rows: rows(n), Action: r.URL.Path, ID: l.ID})
}

// createListing is POST /merchant/listings.
func (c *Console) createListing(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	c.saveListing(w, r, mv, listingEditor{Action: r.URL.Path}, func(in catalog.ListingInput) (catalog.Listing, error) {
		return c.deps.Editor.CreateListing(r.Context(), mv.merchant.ID, in)
	})
}

// replaceListing is POST /merchant/listings/{id}.
func (c *Console) replaceListing(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	if _, err := c.ownListing(r, mv, id); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	c.saveListing(w, r, mv, listingEditor{Action: r.URL.Path, ID: id}, func(in catalog.ListingInput) (catalog.Listing, error) {
		return c.deps.Editor.ReplaceListing(r.Context(), mv.merchant.ID, id, in)
	})
}

// saveListing reads the posted form and saves it with save. Problems
// re-render the form with 422, each next to its input; the "add another
// variant" button re-renders it, with a blank row after the last one
// filled in, and saves nothing.
func (c *Console) saveListing(w http.ResponseWriter, r *http.Request, mv merchantVisit, v listingEditor,
	save func(catalog.ListingInput) (catalog.Listing, error)) {
	v.Form = web.NewForm()
	li := readListingForm(c.site.Locale(r), r.PostForm, c.site.Currency(), v.Form)
	c.uploadPictures(r.Context(), r.MultipartForm, mv.merchant.ID, v.Form, &li.in)
	v.Rows = rows(0)
	if n := len(li.rowOf); n > 0 {
		v.Rows = rows(li.rowOf[n-1] + 1) // up to the last row filled in
	}
	if r.PostForm.Has("add_variant") {
		v.Form = v.Form.WithoutErrors().WithErrorsOf(v.Form, picturesInput)
		c.editorPage(w, r, mv, http.StatusOK, v)
		return
	}
	if !v.Form.OK() {
		c.editorPage(w, r, mv, http.StatusUnprocessableEntity, v)
		return
	}
	l, err := save(li.in)
	if c.addCatalogErrors(r, v.Form, err, li.rowOf) {
		c.editorPage(w, r, mv, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	done := "saved"
	if v.ID == "" {
		done = "created"
	}
	web.SeeOther(w, r, "/merchant/listings/"+url.PathEscape(l.ID)+"?done="+done)
}
