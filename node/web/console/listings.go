package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// consolePageSize is how many listings one page of the console shows.
const consolePageSize = 25

// maxStockForms caps the variants whose stock the table lets a merchant
// set in place; the edit page has them all.
const maxStockForms = 10

// consoleListings is what the merchant's listings table shows.
type consoleListings struct {
	Merchant string
	Rows     []consoleRow
	Cursor   string // of this page, so that a stock form comes back to it
	NextURL  string
	FirstURL string
}

// consoleRow is one listing of the table.
type consoleRow struct {
	ID, Title, Category, Price    string
	ViewURL, EditURL, TakeDownURL string
	StockURL                      string
	Variants                      []consoleVariant
	More                          int // variants without a stock form here
	Updated                       time.Time
}

// consoleVariant is one variant's stock and the input that sets it.
type consoleVariant struct {
	SKU, InputID string
	Stock        int64
}

// merchantListings is the merchant's listings table: GET /merchant.
func (c *Console) merchantListings(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	cursor := r.URL.Query().Get("cursor")
	list, next, err := c.deps.Editor.MerchantListings(r.Context(), mv.merchant.ID, cursor, consolePageSize)
	if errors.Is(err, catalog.ErrInvalid) { // a cursor from another merchant or a mistyped link
		web.SeeOther(w, r, "/merchant")
		return
	}
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := consoleListings{Merchant: mv.merchant.Name, Cursor: cursor}
	for i, l := range list {
		v.Rows = append(v.Rows, consoleRowOf(i, l))
	}
	if next != "" {
		v.NextURL = "/merchant?" + url.Values{"cursor": {next}}.Encode()
	}
	if cursor != "" {
		v.FirstURL = "/merchant"
	}
	p := c.consolePage(mv, "Your listings", "/merchant", v)
	p.Notice = web.NoticeIn(r, notices)
	c.pages.Render(w, r, http.StatusOK, "merchant_listings", p)
}

// consoleRowOf builds row n of the table.
func consoleRowOf(n int, l catalog.Listing) consoleRow {
	base := "/merchant/listings/" + url.PathEscape(l.ID)
	row := consoleRow{ID: l.ID, Title: l.Title, Category: l.Category, ViewURL: web.ListingURL(l.ID),
		EditURL: base, TakeDownURL: base + "/takedown", StockURL: base + "/stock", Updated: l.UpdatedAt}
	if lo, ok := web.LowestPrice(l); ok {
		row.Price = web.FormatMoney(lo.Amount, lo.Currency)
	}
	for i, v := range l.Variants {
		if i == maxStockForms {
			row.More = len(l.Variants) - i
			break
		}
		row.Variants = append(row.Variants, consoleVariant{SKU: v.SKU, Stock: v.Stock, InputID: fmt.Sprintf("stock-%d-%d", n, i)})
	}
	return row
}

// stockForm is the page a refused stock change shows.
type stockForm struct {
	Title, SKU, Action, Cursor string
	Form                       *web.Form
}

// setStock sets one variant's stock from the table:
// POST /merchant/listings/{id}/stock.
func (c *Console) setStock(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id, sku, typed := r.PathValue("id"), r.PostForm.Get("sku"), strings.TrimSpace(r.PostForm.Get("stock"))
	f := web.NewForm()
	f.Set("stock", typed)
	n, err := strconv.ParseInt(typed, 10, 64)
	if err != nil || n < 0 {
		f.Add("stock", "Stock must be a whole number of units, 0 or more.")
	} else if err = c.deps.Editor.SetStock(r.Context(), mv.merchant.ID, id, sku, n); err != nil {
		var ve *catalog.ValidationError
		if !errors.As(err, &ve) {
			c.site.Fail(w, r, err)
			return
		}
		for _, fe := range ve.Errors {
			f.Add("stock", "Stock "+fe.Message+".")
		}
	}
	cursor := r.PostForm.Get("cursor")
	if f.OK() {
		back := url.Values{"done": {"stock"}}
		if cursor != "" {
			back.Set("cursor", cursor)
		}
		web.SeeOther(w, r, "/merchant?"+back.Encode())
		return
	}
	l, err := c.ownListing(r, mv, id)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := stockForm{Title: l.Title, SKU: sku, Action: r.URL.Path, Cursor: cursor, Form: f}
	c.pages.Render(w, r, http.StatusUnprocessableEntity, "merchant_stock", c.consolePage(mv, "Set stock", "", v))
}

// ownListing reads one of the merchant's listings; another's, or one of
// another platform, is catalog.ErrNotFound.
func (c *Console) ownListing(r *http.Request, mv merchantVisit, id string) (catalog.Listing, error) {
	l, err := c.deps.Merchants.Listing(r.Context(), id)
	if err == nil && (l.Platform != c.deps.Merchants.Platform() || l.Merchant != mv.merchant.ID) {
		err = catalog.ErrNotFound
	}
	if errors.Is(err, catalog.ErrInvalid) {
		err = catalog.ErrNotFound
	}
	return l, err
}

// takeDownConfirm is what the take-down confirmation shows.
type takeDownConfirm struct{ Title, ID, Action, ViewURL string }

// takeDownForm asks the merchant to confirm a take-down:
// GET /merchant/listings/{id}/takedown.
func (c *Console) takeDownForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	l, err := c.ownListing(r, mv, r.PathValue("id"))
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := takeDownConfirm{Title: l.Title, ID: l.ID, Action: r.URL.Path, ViewURL: web.ListingURL(l.ID)}
	c.pages.Render(w, r, http.StatusOK, "merchant_takedown", c.consolePage(mv, "Take down a listing", "", v))
}

// takeDown takes the listing down: POST /merchant/listings/{id}/takedown.
func (c *Console) takeDown(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	if err := c.deps.Editor.TakeDown(r.Context(), mv.merchant.ID, r.PathValue("id")); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/merchant?done=taken-down")
}
