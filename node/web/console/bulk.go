package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// Bulk changes. The merchant ticks listings in the table, picks what to
// do to every variant of them (set, add or take stock; set a price, or
// raise or lower prices by a percentage) and asks to review it: POST
// /merchant/bulk shows, variant by variant, the value now and after,
// and what stands in the way. Nothing is written until the merchant
// applies the reviewed change (POST /merchant/bulk/apply), which the
// catalog does all or nothing, at the description versions reviewed: a
// change with any problem writes nothing and shows the review again with
// each problem next to its row.

// bulkOp is one choice of the bulk form's operation select.
type bulkOp struct {
	Value, Label string
	op           catalog.BulkOp
	sign         int64 // -1 for the choices that take away
	// The review's heading says the change with the message
	// "console.bulk.verb_" + Value; the form's select labels it with
	// "console.bulk.op_" + Value (Label is the English one).
}

// bulkOps are the operations the bulk form offers.
var bulkOps = []bulkOp{
	{Value: "set_stock", Label: "Set stock to", op: catalog.BulkSetStock, sign: 1},
	{Value: "add_stock", Label: "Add to stock", op: catalog.BulkAddStock, sign: 1},
	{Value: "take_stock", Label: "Take from stock", op: catalog.BulkAddStock, sign: -1},
	{Value: "set_price", Label: "Set price to", op: catalog.BulkSetPrice, sign: 1},
	{Value: "raise_price", Label: "Raise prices by %", op: catalog.BulkPricePercent, sign: 1},
	{Value: "lower_price", Label: "Lower prices by %", op: catalog.BulkPricePercent, sign: -1},
}

// bulkOpOf finds an operation by its form value.
func bulkOpOf(value string) (bulkOp, bool) {
	for _, o := range bulkOps {
		if o.Value == value {
			return o, true
		}
	}
	return bulkOp{}, false
}

// bulkForm is the bulk form above the listings table.
type bulkForm struct {
	Form     *web.Form // op and amount, with their problems
	Ops      []web.Choice
	Picked   map[string]bool // the listings ticked
	Currency string
}

// newBulkForm is the bulk form showing f (nil for a blank one) with the
// listings picked.
func newBulkForm(f *web.Form, picked []string) bulkForm {
	if f == nil {
		f = web.NewForm()
	}
	b := bulkForm{Form: f, Picked: map[string]bool{}}
	for _, id := range picked {
		b.Picked[id] = true
	}
	for _, o := range bulkOps {
		b.Ops = append(b.Ops, web.Choice{Value: o.Value, Label: o.Label, Selected: o.Value == f.Value("op")})
	}
	return b
}

// readBulk reads the posted operation and amount into a catalog change;
// problems go into f next to their inputs.
func readBulk(l words, pf url.Values, currency string, f *web.Form) (catalog.BulkChange, bulkOp) {
	f.Set("op", pf.Get("op"))
	typed := strings.TrimSpace(pf.Get("amount"))
	f.Set("amount", typed)
	o, ok := bulkOpOf(pf.Get("op"))
	if !ok {
		f.Add("op", l.T("console.bulk.need_op"))
		return catalog.BulkChange{}, o
	}
	if typed == "" {
		f.Add("amount", l.T("console.bulk.need_amount"))
		return catalog.BulkChange{}, o
	}
	ch := catalog.BulkChange{Op: o.op}
	switch o.op {
	case catalog.BulkSetStock, catalog.BulkAddStock:
		n, err := strconv.ParseInt(typed, 10, 64)
		switch {
		case err != nil || n < 0:
			f.Add("amount", l.T("console.bulk.whole_units"))
		case n == 0 && o.op == catalog.BulkAddStock:
			f.Add("amount", l.T("console.bulk.units_one"))
		}
		ch.Amount = n * o.sign
	case catalog.BulkSetPrice:
		n, err := web.ParseAmount(typed, currency)
		switch {
		case err != nil:
			f.Add("amount", l.T("console.form.price_problem", "Problem", problemIn(l, err.Error())))
		case n == 0:
			f.Add("amount", l.T("console.bulk.price_zero"))
		}
		ch.Amount = n
	case catalog.BulkPricePercent:
		bps, err := parsePercent(typed)
		switch {
		case err != nil:
			f.Add("amount", l.T("console.bulk.percent"))
		case bps == 0:
			f.Add("amount", l.T("console.bulk.percent_zero"))
		case o.sign < 0 && bps >= 10_000:
			f.Add("amount", l.T("console.bulk.lower_max"))
		case o.sign > 0 && bps > catalog.MaxBulkPercentBPS:
			f.Add("amount", l.T("console.bulk.raise_max"))
		}
		ch.Amount = bps * o.sign
	}
	return ch, o
}

// parsePercent reads a percentage with up to two decimals ("12.5") as
// basis points (1250).
func parsePercent(s string) (int64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	bps, err := web.ParseAmount(s, "EUR") // two decimals, no sign
	if err != nil || bps > 1_000_000 {
		return 0, errors.New("not a percentage")
	}
	return bps, nil
}

// bulkReview is what the review page shows.
type bulkReview struct {
	Heading  string // what the change does
	Count    int    // listings named
	Rows     []bulkRow
	Changes  int // variants whose value changes
	Problems int
	Form     *web.Form     // problems tied to no row
	Keep     []hiddenInput // the change, the listings at their versions, the table's filter
	BackURL  string
	Action   string
}

// bulkRow is one listing of the review.
type bulkRow struct {
	Title, URL, Problem string
	Variants            []bulkVariant
}

// bulkVariant is one variant's value now and after.
type bulkVariant struct {
	SKU, Before, After, Problem string
	Changed                     bool
}

// bulkAmountText says a change's amount as the merchant typed it, in r's
// language.
func (c *Console) bulkAmountText(r *http.Request, ch catalog.BulkChange, currency string) string {
	switch ch.Op {
	case catalog.BulkSetPrice:
		return c.site.Money(r, ch.Amount, currency)
	case catalog.BulkPricePercent:
		pct := web.FormatAmount(web.AbsAmount(ch.Amount), "EUR") // basis points are hundredths of a percent
		return strings.TrimSuffix(strings.TrimRight(pct, "0"), ".") + "%"
	}
	n := web.AbsAmount(ch.Amount)
	return c.site.T(r, "console.bulk.units", "Count", n, "N", thousands(int(n)))
}

// reviewOf shows plan, made for the change of o, with the hidden inputs
// that apply it at the versions the plan was made from, in r's language.
func (c *Console) reviewOf(r *http.Request, plan catalog.BulkPlan, o bulkOp, f listingFilter) bulkReview {
	currency := c.site.Currency()
	value := func(n int64) string {
		if plan.Change.Stock() {
			return thousands(int(n))
		}
		return c.site.Money(r, n, currency)
	}
	v := bulkReview{Heading: c.site.T(r, "console.bulk.verb_"+o.Value, "Amount", c.bulkAmountText(r, plan.Change, currency)), Count: len(plan.Listings),
		Changes: plan.Changes(), Problems: plan.Problems(), Form: web.NewForm(), BackURL: f.url(f.Page, ""), Action: "/merchant/bulk/apply"}
	v.Keep = append(v.Keep, hiddenInput{"op", o.Value}, hiddenInput{"change", strconv.FormatInt(plan.Change.Amount, 10)})
	for _, l := range plan.Listings {
		row := bulkRow{Title: l.Title, Problem: sentence(l.Problem)}
		if row.Title == "" {
			row.Title = l.ID
		} else {
			row.URL = "/merchant/listings/" + url.PathEscape(l.ID)
		}
		for _, bv := range l.Variants {
			row.Variants = append(row.Variants, bulkVariant{SKU: bv.SKU, Before: value(bv.Before), After: value(bv.After),
				Changed: bv.After != bv.Before, Problem: sentence(bv.Problem)})
		}
		v.Rows = append(v.Rows, row)
		v.Keep = append(v.Keep, hiddenInput{"id", l.ID}, hiddenInput{"version", strconv.FormatUint(l.Version, 10)})
	}
	v.Keep = append(v.Keep, f.hidden()...)
	return v
}

// reviewBulk shows what the ticked listings would become: POST
// /merchant/bulk. A form with problems shows the table again with them.
func (c *Console) reviewBulk(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	filter := filterOf(r.PostForm)
	ids := r.PostForm["id"]
	f := web.NewForm()
	ch, o := readBulk(c.site.Locale(r), r.PostForm, c.site.Currency(), f)
	if len(ids) == 0 {
		f.Add("", c.site.T(r, "console.bulk.tick_first"))
	}
	if !f.OK() {
		c.listingsTable(w, r, mv, http.StatusUnprocessableEntity, filter, newBulkForm(f, ids))
		return
	}
	plan, err := c.deps.Editor.PlanBulk(r.Context(), mv.merchant.ID, ids, ch)
	var ve *catalog.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			f.Add("", sentence(fe.Field+" "+fe.Message))
		}
		c.listingsTable(w, r, mv, http.StatusUnprocessableEntity, filter, newBulkForm(f, ids))
		return
	}
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	v := c.reviewOf(r, plan, o, filter)
	if v.Problems > 0 {
		v.Form.Add("", c.site.T(r, "console.bulk.some_cannot"))
	}
	c.pages.Render(w, r, http.StatusOK, "merchant_bulk", c.consolePage(mv, c.site.T(r, "console.bulk.review"), "", v))
}

// applyBulk applies a reviewed change, all or nothing: POST
// /merchant/bulk/apply. When anything stands in the way, nothing is
// written and the review is shown again with each problem on its row.
func (c *Console) applyBulk(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	filter := filterOf(r.PostForm)
	o, ok := bulkOpOf(r.PostForm.Get("op"))
	amount, err := strconv.ParseInt(r.PostForm.Get("change"), 10, 64)
	ids, versions := r.PostForm["id"], map[string]uint64{}
	for i, id := range ids {
		if i < len(r.PostForm["version"]) {
			versions[id], _ = strconv.ParseUint(r.PostForm["version"][i], 10, 64)
		}
	}
	if !ok || err != nil || len(ids) == 0 {
		web.SeeOther(w, r, filter.url(filter.Page, "")) // not a form this console wrote
		return
	}
	ch := catalog.BulkChange{Op: o.op, Amount: amount}
	plan, err := c.deps.Editor.ApplyBulk(r.Context(), mv.merchant.ID, ids, ch, versions)
	if plan.Problems() == 0 && err == nil {
		web.SeeOther(w, r, filter.url(filter.Page, "bulk"))
		return
	}
	var ve *catalog.ValidationError
	if err != nil && plan.Problems() == 0 && !errors.As(err, &ve) {
		c.site.Fail(w, r, err)
		return
	}
	v := c.reviewOf(r, plan, o, filter)
	v.Form.Add("", c.site.T(r, "console.bulk.nothing_changed"))
	if ve != nil {
		v.Form = web.NewForm()
		for _, fe := range ve.Errors {
			v.Form.Add("", sentence(fe.Field+" "+fe.Message))
		}
	}
	c.pages.Render(w, r, http.StatusUnprocessableEntity, "merchant_bulk", c.consolePage(mv, c.site.T(r, "console.bulk.review"), "", v))
}
