package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// Coupons are codes this storefront's operator creates and the
// storefront funds: the page lists them with their budgets, what each
// gave away (the storefront's cost) and in how many orders, creates one
// from a form, and ends one after a confirmation; a coupon's page lists
// its newest uses.

// Coupons keeps the storefront's coupons; *order.Service satisfies it.
// Bad input is an order.FieldErrors naming the field, a code that exists
// order.ErrConflict.
type Coupons interface {
	CreateCoupon(ctx context.Context, in order.CouponInput) (order.Coupon, error)
	EndCoupon(ctx context.Context, code string) (order.Coupon, error)
	Coupons(ctx context.Context) ([]order.Coupon, error)
	Coupon(ctx context.Context, code string) (order.Coupon, error)
	CouponUses(ctx context.Context, code string, limit int) ([]order.CouponUse, error)
}

// couponsPage is what the coupons template shows.
type couponsPage struct {
	Rows     []couponRow
	Form     *web.Form
	Kinds    []web.Choice
	Currency string
	// Spent is what every coupon gave away, in all.
	Spent string
}

// couponRow is one coupon, every cell ready to show.
type couponRow struct {
	Code, URL, EndURL, What, Limits, When string
	Budget, Spent, Left                   string
	Uses                                  int64
	// UsedBPS is the share of the budget spent, for the bar.
	UsedPercent int64
	State       string // "live", "ended", "expired", "spent", "scheduled"
}

// couponPage is what one coupon's page shows.
type couponPage struct {
	Row  couponRow
	Uses []couponUseRow
}

// couponUseRow is one use of a coupon.
type couponUseRow struct {
	Order, Shopper, Discount, At string
}

// couponNotices confirm an action, by "done".
var couponNotices = map[string]string{
	"created": "Coupon created. Shoppers can use it at checkout from its start.",
	"ended":   "Coupon ended. No checkout takes it from now on.",
}

// couponLabels name the form's inputs in messages, by the order
// service's field names.
var couponLabels = map[string]string{
	"code": "Code", "kind": "Kind", "percent_bps": "Percent off", "amount": "Amount off", "min_cart": "Minimum cart",
	"budget": "Budget", "per_shopper": "Uses per shopper", "categories": "Categories", "platforms": "Members",
	"starts": "Starts", "ends": "Ends",
}

// operatorCoupons lists the coupons with the form for a new one:
// GET /operator/coupons.
func (d *Dashboard) operatorCoupons(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	today := d.site.Now().UTC()
	f.Set("kind", order.CouponPercent)
	f.Set("per_shopper", "1")
	f.Set("starts", today.Format(time.DateOnly))
	f.Set("ends", today.AddDate(0, 1, 0).Format(time.DateOnly))
	d.renderCoupons(w, r, sess, http.StatusOK, f)
}

func (d *Dashboard) renderCoupons(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, f *web.Form) {
	cs, err := d.deps.Coupons.Coupons(r.Context())
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	cur := d.site.Currency()
	v := couponsPage{Form: f, Currency: cur}
	var spent int64
	for _, c := range cs {
		v.Rows = append(v.Rows, d.couponRowOf(c, cur))
		spent += c.Spent
	}
	v.Spent = web.FormatMoney(spent, cur)
	for _, k := range []web.Choice{{Value: order.CouponPercent, Label: "Percent off"}, {Value: order.CouponAmount, Label: "Amount off the order"}} {
		k.Selected = k.Value == f.Value("kind")
		v.Kinds = append(v.Kinds, k)
	}
	p := d.dashboardPage(sess, "Coupons", "/operator/coupons", v)
	p.Styles, p.Notice = []string{"dashboard.css"}, web.NoticeIn(r, couponNotices)
	d.pages.Render(w, r, status, "operator_coupons", p)
}

// couponRowOf formats one coupon.
func (d *Dashboard) couponRowOf(c order.Coupon, cur string) couponRow {
	base := "/operator/coupons/" + url.PathEscape(c.Code)
	row := couponRow{Code: c.Code, URL: base, Budget: web.FormatMoney(c.Budget, cur), Spent: web.FormatMoney(c.Spent, cur),
		Left: web.FormatMoney(max(c.Budget-c.Spent, 0), cur), Uses: c.Uses,
		When: web.FormatTime(c.Starts, d.site.Zone()) + " to " + web.FormatTime(c.Ends, d.site.Zone())}
	if c.Budget > 0 {
		row.UsedPercent = min(c.Spent*100/c.Budget, 100)
	}
	switch c.Kind {
	case order.CouponPercent:
		row.What = strings.TrimSuffix(strings.TrimSuffix(web.FormatAmount(c.PercentBPS, "EUR"), "0"), ".0") + " % off"
	case order.CouponAmount:
		row.What = web.FormatMoney(c.Amount, cur) + " off"
	}
	var limits []string
	if c.MinCart > 0 {
		limits = append(limits, "from "+web.FormatMoney(c.MinCart, cur))
	}
	if c.PerShopper > 0 {
		limits = append(limits, fmt.Sprintf("%d per shopper", c.PerShopper))
	}
	if len(c.Categories) > 0 {
		limits = append(limits, strings.Join(c.Categories, ", "))
	}
	if len(c.Platforms) > 0 {
		limits = append(limits, fmt.Sprintf("items of %d members", len(c.Platforms)))
	}
	row.Limits = strings.Join(limits, "; ")
	now := d.site.Now()
	switch {
	case c.Ended:
		row.State = "ended"
	case c.Spent >= c.Budget:
		row.State = "spent"
	case !now.Before(c.Ends):
		row.State = "expired"
	case now.Before(c.Starts):
		row.State = "scheduled"
	default:
		row.State, row.EndURL = "live", base+"/end"
	}
	if row.State == "scheduled" || row.State == "spent" || row.State == "expired" {
		row.EndURL = base + "/end"
	}
	return row
}

// createCoupon creates a coupon from the form: POST /operator/coupons.
func (d *Dashboard) createCoupon(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	in := readCouponForm(r.PostForm, f, d.site.Currency(), d.site.Zone())
	if f.OK() {
		_, err := d.deps.Coupons.CreateCoupon(r.Context(), in)
		switch {
		case errors.Is(err, order.ErrConflict):
			f.Add("code", "Code "+in.Code+" exists already: choose another.")
		case addCouponErrors(f, err):
		case err != nil:
			d.site.FailOrder(w, r, err)
			return
		}
	}
	if !f.OK() {
		d.renderCoupons(w, r, sess, http.StatusUnprocessableEntity, f)
		return
	}
	web.SeeOther(w, r, "/operator/coupons?done=created")
}

// readCouponForm reads the coupon form, and the form with what was typed
// and what cannot be read.
func readCouponForm(pf url.Values, f *web.Form, cur string, zone *time.Location) order.CouponInput {
	get := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(name, v)
		return v
	}
	money := func(name, label string, optional bool) int64 {
		s := get(name)
		if s == "" && optional {
			return 0
		}
		n, err := web.ParseAmount(s, cur)
		if err != nil {
			f.Add(name, label+" "+err.Error()+".")
		}
		return n
	}
	in := order.CouponInput{Code: order.NormalizeCoupon(get("code")), Kind: get("kind")}
	switch in.Kind {
	case order.CouponPercent:
		bps, err := web.ParseAmount(strings.TrimSuffix(get("percent"), "%"), "EUR")
		if err != nil {
			f.Add("percent", "Percent off must be a percentage such as 10 or 12.5.")
		}
		in.PercentBPS = bps
	case order.CouponAmount:
		in.Amount = money("amount", "Amount off", false)
	}
	in.MinCart, in.Budget = money("min_cart", "Minimum cart", true), money("budget", "Budget", false)
	if s := get("per_shopper"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f.Add("per_shopper", "Uses per shopper must be a whole number.")
		}
		in.PerShopper = n
	}
	for _, c := range strings.Split(get("categories"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			in.Categories = append(in.Categories, c)
		}
	}
	in.Platforms = strings.Fields(strings.ReplaceAll(get("platforms"), ",", " "))
	for _, x := range []struct {
		name, label string
		t           *time.Time
	}{{"starts", "Starts", &in.Starts}, {"ends", "Ends", &in.Ends}} {
		t, err := time.ParseInLocation(time.DateOnly, get(x.name), zone)
		if err != nil {
			f.Add(x.name, x.label+" must be a date such as 2026-12-01.")
		}
		*x.t = t
	}
	return in
}

// addCouponErrors puts an order.FieldErrors next to the coupon form's
// inputs; it reports false for any other error.
func addCouponErrors(f *web.Form, err error) bool {
	var fe order.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	for _, e := range fe {
		input, _, _ := strings.Cut(e.Field, "[")
		label, ok := couponLabels[input]
		switch {
		case input == "percent_bps":
			input = "percent"
		case !ok:
			input, label = "", "The coupon:"
		}
		f.Add(input, fmt.Sprintf("%s %s.", label, strings.TrimSuffix(e.Message, ".")))
	}
	return true
}

// maxCouponUsesShown is how many of a coupon's newest uses its page lists.
const maxCouponUsesShown = 100

// operatorCoupon shows one coupon with its newest uses:
// GET /operator/coupons/{code}.
func (d *Dashboard) operatorCoupon(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	c, err := d.deps.Coupons.Coupon(r.Context(), r.PathValue("code"))
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	uses, err := d.deps.Coupons.CouponUses(r.Context(), c.Code, maxCouponUsesShown)
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	v := couponPage{Row: d.couponRowOf(c, d.site.Currency())}
	for _, u := range uses {
		v.Uses = append(v.Uses, couponUseRow{Order: u.Order, Shopper: u.Shopper, Discount: web.FormatMoney(u.Discount.Amount, u.Discount.Currency),
			At: web.FormatTime(u.At, d.site.Zone())})
	}
	p := d.dashboardPage(sess, "Coupon "+c.Code, "/operator/coupons", v)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, http.StatusOK, "operator_coupon", p)
}

// endCoupon ends a coupon: POST /operator/coupons/{code}/end (the
// coupon's page asks to confirm).
func (d *Dashboard) endCoupon(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	if _, err := d.deps.Coupons.EndCoupon(r.Context(), r.PathValue("code")); err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	web.SeeOther(w, r, "/operator/coupons?done=ended")
}
