package web

import (
	"net/http"
	"net/url"

	"github.com/fedmart/fedmart/catalog"
)

// listingEditor is what the listing form template shows.
type listingEditor struct {
	Form     *form
	Rows     []int // variant row numbers
	Action   string
	Submit   string
	Currency string
	ID       string // empty for a new listing
	ViewURL  string
}

// editorPage renders the listing form with status.
func (wb *Web) editorPage(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, v listingEditor) {
	v.Currency = wb.currency()
	title, current := "New listing", "/merchant/listings/new"
	v.Submit = "Create listing"
	if v.ID != "" {
		title, current, v.Submit = "Edit listing", "", "Save listing"
		v.ViewURL = listingURL(v.ID)
	}
	p := wb.consolePage(mv, title, current, v)
	p.Notice = noticeOf(r)
	wb.render(w, r, status, "merchant_form", p)
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
func (wb *Web) newListingForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	wb.editorPage(w, r, mv, http.StatusOK, listingEditor{Form: newForm(), Rows: rows(0), Action: "/merchant/listings"})
}

// editListingForm shows one of the merchant's listings in the form:
// GET /merchant/listings/{id}.
func (wb *Web) editListingForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	l, err := wb.ownListing(r, mv, r.PathValue("id"))
	if err != nil {
		wb.fail(w, r, err)
		return
	}
	f := newForm()
	n := fillListingForm(f, l)
	wb.editorPage(w, r, mv, http.StatusOK, listingEditor{Form: f, Rows: rows(n), Action: r.URL.Path, ID: l.ID})
}

// createListing is POST /merchant/listings.
func (wb *Web) createListing(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	wb.saveListing(w, r, mv, listingEditor{Action: r.URL.Path}, func(in catalog.ListingInput) (catalog.Listing, error) {
		return wb.deps.Editor.CreateListing(r.Context(), mv.merchant.ID, in)
	})
}

// replaceListing is POST /merchant/listings/{id}.
func (wb *Web) replaceListing(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	if _, err := wb.ownListing(r, mv, id); err != nil {
		wb.fail(w, r, err)
		return
	}
	wb.saveListing(w, r, mv, listingEditor{Action: r.URL.Path, ID: id}, func(in catalog.ListingInput) (catalog.Listing, error) {
		return wb.deps.Editor.ReplaceListing(r.Context(), mv.merchant.ID, id, in)
	})
}

// saveListing reads the posted form and saves it with save. Problems
// re-render the form with 422, each next to its input; the "add another
// variant" button re-renders it, with a blank row after the last one
// filled in, and saves nothing.
func (wb *Web) saveListing(w http.ResponseWriter, r *http.Request, mv merchantVisit, v listingEditor,
	save func(catalog.ListingInput) (catalog.Listing, error)) {
	v.Form = newForm()
	li := readListingForm(r.PostForm, wb.currency(), v.Form)
	v.Rows = rows(0)
	if n := len(li.rowOf); n > 0 {
		v.Rows = rows(li.rowOf[n-1] + 1) // up to the last row filled in
	}
	if r.PostForm.Has("add_variant") {
		v.Form = withoutErrors(v.Form)
		wb.editorPage(w, r, mv, http.StatusOK, v)
		return
	}
	if !v.Form.OK() {
		wb.editorPage(w, r, mv, http.StatusUnprocessableEntity, v)
		return
	}
	l, err := save(li.in)
	if addCatalogErrors(v.Form, err, li.rowOf) {
		wb.editorPage(w, r, mv, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		wb.fail(w, r, err)
		return
	}
	done := "saved"
	if v.ID == "" {
		done = "created"
	}
	seeOther(w, r, "/merchant/listings/"+url.PathEscape(l.ID)+"?done="+done)
}

// withoutErrors keeps what f shows and drops its problems.
func withoutErrors(f *form) *form {
	g := newForm()
	g.values = f.values
	return g
}
