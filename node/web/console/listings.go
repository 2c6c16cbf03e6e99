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

// listingFilter is what the listings table is filtered and paged by, as
// its query string says: q (words of the title or a SKU), sku, stock
// (in, low or out) and page (from 1).
type listingFilter struct {
	Q, SKU string
	Stock  catalog.StockState
	Page   int
}

// filterOf reads a filter from a query string or a posted form; what
// cannot be read is left out (an unknown stock state, a page below 1).
func filterOf(v url.Values) listingFilter {
	f := listingFilter{Q: strings.TrimSpace(v.Get("q")), SKU: strings.TrimSpace(v.Get("sku")), Page: 1}
	if st, err := catalog.ParseStockState(v.Get("stock")); err == nil {
		f.Stock = st
	}
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 1 {
		f.Page = n
	}
	return f
}

// values is the filter as a query string, without what is unset, at page.
func (f listingFilter) values(page int) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "sku": f.SKU, "stock": string(f.Stock)} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v
}

// url is the listings table at page with the filter, and with done (a
// notice) when it is set.
func (f listingFilter) url(page int, done string) string {
	v := f.values(page)
	if done != "" {
		v.Set("done", done)
	}
	if len(v) == 0 {
		return "/merchant"
	}
	return "/merchant?" + v.Encode()
}

// filtered reports whether any filter is set.
func (f listingFilter) filtered() bool {
	return f.Q != "" || f.SKU != "" || f.Stock != catalog.StockAny
}

// hidden is the filter as hidden inputs, so that a form posted from the
// table comes back to the same page of it.
func (f listingFilter) hidden() []hiddenInput {
	var out []hiddenInput
	v := f.values(f.Page)
	for _, k := range []string{"q", "sku", "stock", "page"} {
		if v.Has(k) {
			out = append(out, hiddenInput{Name: k, Value: v.Get(k)})
		}
	}
	return out
}

// hiddenInput is one <input type="hidden">.
type hiddenInput struct{ Name, Value string }

// stockChoices are the options of the stock filter.
func stockChoices(l words, selected catalog.StockState) []web.Choice {
	out := []web.Choice{
		{Value: "", Label: l.T("console.stock.any")},
		{Value: string(catalog.StockIn), Label: l.T("console.stock.in")},
		{Value: string(catalog.StockLow), Label: l.T("console.stock.low_filter", "Count", catalog.DefaultLowStock)},
		{Value: string(catalog.StockOut), Label: l.T("console.stock.out")},
	}
	for i := range out {
		out[i].Selected = out[i].Value == string(selected)
	}
	return out
}

// stockStateText says a listing's stock state on its row, by message id.
var stockStateText = map[catalog.StockState]string{
	catalog.StockLow: "console.stock.low",
	catalog.StockOut: "console.stock.out",
}

// consoleListings is what the merchant's listings table shows.
type consoleListings struct {
	Filter   listingFilter
	Stocks   []web.Choice
	Filtered bool
	ClearURL string
	Keep     []hiddenInput // the filter, for the forms of the table
	Rows     []consoleRow
	Total    int
	Pager    numberedPager
	Bulk     bulkForm
}

// consoleRow is one listing of the table.
type consoleRow struct {
	ID, Title, Category, Price    string
	ViewURL, EditURL, TakeDownURL string
	StockURL                      string
	PickID                        string // the id of its bulk checkbox
	Picked                        bool
	State                         catalog.StockState
	StateText                     string
	Variants                      []consoleVariant
	More                          int // variants without a stock form here
	Updated                       time.Time
}

// consoleVariant is one variant's stock and the input that sets it.
type consoleVariant struct {
	SKU, InputID string
	Stock        int64
}

// merchantListings is the merchant's listings table: GET /merchant, with
// the filters and page of its query string.
func (c *Console) merchantListings(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	c.listingsTable(w, r, mv, http.StatusOK, filterOf(r.URL.Query()), newBulkForm(nil, nil))
}

// listingsTable renders one page of the filtered table with status, and
// the bulk form b (what was typed, its problems, the listings picked).
// A page past the last goes to the last.
func (c *Console) listingsTable(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, f listingFilter, b bulkForm) {
	q := catalog.ListingQuery{Text: f.Q, SKU: f.SKU, Stock: f.Stock, Offset: (f.Page - 1) * consolePageSize, Limit: consolePageSize}
	m, err := c.deps.Editor.QueryListings(r.Context(), mv.merchant.ID, q)
	var ve *catalog.ValidationError
	if errors.As(err, &ve) { // text longer than any title: nothing can match
		m, err = catalog.ListingMatches{}, nil
	}
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	if last := pageCount(m.Total, consolePageSize); f.Page > last && status == http.StatusOK {
		web.SeeOther(w, r, f.url(last, ""))
		return
	}
	l := c.site.Locale(r)
	v := consoleListings{Filter: f, Stocks: stockChoices(l, f.Stock), Filtered: f.filtered(), ClearURL: "/merchant",
		Keep: f.hidden(), Total: m.Total, Bulk: b}
	v.Bulk.Currency = c.site.Currency()
	ops := make([]web.Choice, len(b.Ops))
	for i, o := range b.Ops {
		o.Label = l.T("console.bulk.op_" + o.Value)
		ops[i] = o
	}
	v.Bulk.Ops = ops
	for i, li := range m.Listings {
		row := c.consoleRowOf(r, i, li)
		row.Picked = b.Picked[li.ID]
		v.Rows = append(v.Rows, row)
	}
	v.Pager = newNumberedPager(l, l.T("console.listings.pages"), "console.pager.listings", f.Page, consolePageSize, m.Total, func(p int) string { return f.url(p, "") })
	p := c.consolePage(mv, c.site.T(r, "console.listings.title"), "/merchant", v)
	p.Notice = c.notice(r, notices)
	if len(v.Rows) > 0 {
		p.Scripts = []string{"console.js"} // ticks every listing of the page at once
	}
	c.pages.Render(w, r, status, "merchant_listings", p)
}

// consoleRowOf builds row n of the table, in r's language.
func (c *Console) consoleRowOf(r *http.Request, n int, l catalog.Listing) consoleRow {
	base := "/merchant/listings/" + url.PathEscape(l.ID)
	row := consoleRow{ID: l.ID, Title: l.Title, Category: l.Category, ViewURL: web.ListingURL(l.ID),
		EditURL: base, TakeDownURL: base + "/takedown", StockURL: base + "/stock", Updated: l.UpdatedAt,
		PickID: fmt.Sprintf("pick-%d", n), State: catalog.StockStateOf(l, 0)}
	if id, ok := stockStateText[row.State]; ok {
		row.StateText = c.site.T(r, id)
	}
	if lo, ok := web.LowestPrice(l); ok {
		row.Price = c.site.Money(r, lo.Amount, lo.Currency)
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
	Title, SKU, Action string
	Keep               []hiddenInput // the table's filter and page
	BackURL            string
	Form               *web.Form
}

// setStock sets one variant's stock from the table:
// POST /merchant/listings/{id}/stock.
func (c *Console) setStock(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id, sku, typed := r.PathValue("id"), r.PostForm.Get("variant"), strings.TrimSpace(r.PostForm.Get("units"))
	f := web.NewForm()
	f.Set("units", typed)
	n, err := strconv.ParseInt(typed, 10, 64)
	if err != nil || n < 0 {
		f.Add("units", c.site.T(r, "console.form.stock_whole"))
	} else if err = c.deps.Editor.SetStock(r.Context(), mv.merchant.ID, id, sku, n); err != nil {
		var ve *catalog.ValidationError
		if !errors.As(err, &ve) {
			c.site.Fail(w, r, err)
			return
		}
		for _, fe := range ve.Errors {
			f.Add("units", c.fieldProblem(r, c.site.T(r, "console.field.stock"), fe.Message))
		}
	}
	back := filterOf(r.PostForm)
	if f.OK() {
		web.SeeOther(w, r, back.url(back.Page, "stock"))
		return
	}
	l, err := c.ownListing(r, mv, id)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := stockForm{Title: l.Title, SKU: sku, Action: r.URL.Path, Keep: back.hidden(), BackURL: back.url(back.Page, ""), Form: f}
	c.pages.Render(w, r, http.StatusUnprocessableEntity, "merchant_stock", c.consolePage(mv, c.site.T(r, "console.stock.title"), "", v))
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
	c.pages.Render(w, r, http.StatusOK, "merchant_takedown", c.consolePage(mv, c.site.T(r, "console.takedown.title"), "", v))
}

// takeDown takes the listing down: POST /merchant/listings/{id}/takedown.
func (c *Console) takeDown(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	if err := c.deps.Editor.TakeDown(r.Context(), mv.merchant.ID, r.PathValue("id")); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/merchant?done=taken-down")
}
