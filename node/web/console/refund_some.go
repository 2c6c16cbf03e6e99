package console

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A merchant refunds part of a part in two steps on one page (GET and
// POST /merchant/orders/{id}/refund-some): the units of each line to
// refund, or an amount for the items, with or without the shipping left,
// and whether the units go back to stock; then a confirmation that says
// the amount and to whom. Only the confirmation's button refunds
// (Parts.RefundPart, with an idempotency key made for that confirmation,
// so that a double submit refunds once). A refund beyond what is left
// refundable is said next to the input that asked for it.

// refundSomeView is what the merchant_refund_some template shows.
type refundSomeView struct {
	ID, Action, Status, ShipTo, Storefront string
	Lines                                  []refundLine
	// Amount, WithShipping, Restock and Reason are the form's other
	// inputs; ShippingLeft is the shipping not refunded yet, "" when
	// none is left.
	Amount, WithShipping, Restock, Reason web.Field
	ItemsLeft, ShippingLeft               string
	// Confirm shows the confirmation of Refund (with Key and the inputs
	// hidden) rather than the inputs.
	Confirm bool
	Key     string
	// Refund is what the confirmation gives back, Units what it covers
	// and Shipping the shipping in it; Restocked says the units go back
	// to stock, Ends that nothing will be left of the part.
	Refund, Units, Shipping string
	Restocked, Ends         bool
	Form                    *web.Form
}

// refundLine is one line of the part with its units left to refund.
type refundLine struct {
	Title, SKU, UnitPrice string
	Left, Ordered         int64
	Field                 web.Field
}

// refundQuantity names the quantity input of the i-th line left.
func refundQuantity(i int) string { return "lines[" + strconv.Itoa(i) + "].quantity" }

// refundSomeForm shows the inputs: GET /merchant/orders/{id}/refund-some.
// A part that can no longer be refunded goes back to the list.
func (c *Console) refundSomeForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, ok := c.refundablePart(w, r, mv)
	if !ok {
		return
	}
	c.renderRefundSome(w, r, mv, http.StatusOK, c.refundSomeViewOf(r, p, web.NewForm()))
}

// refundSome reads the inputs: POST /merchant/orders/{id}/refund-some.
// Without "confirm" it shows the confirmation, or the inputs again with
// their problems; with it, it refunds.
func (c *Console) refundSome(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, ok := c.refundablePart(w, r, mv)
	if !ok {
		return
	}
	f := web.NewForm()
	l := c.site.Locale(r)
	money := func(v int64) string { return c.site.Money(r, v, p.Total.Currency) }
	req, lineOf := readRefund(l, money, r.PostForm, p, f)
	v := c.refundSomeViewOf(r, p, f)
	switch {
	case !f.OK():
		c.renderRefundSome(w, r, mv, http.StatusUnprocessableEntity, v)
		return
	case r.PostForm.Get("confirm") == "" || r.PostForm.Get("change") != "":
		if r.PostForm.Get("change") == "" {
			confirmRefund(&v, p, req, money)
		}
		c.renderRefundSome(w, r, mv, http.StatusOK, v)
		return
	}
	req.Key = r.PostForm.Get("key")
	if !refundKey.MatchString(req.Key) {
		req.Key = newRefundKey()
	}
	_, err := c.deps.Parts.RefundPart(r.Context(), mv.merchant.ID, p.ID, req)
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, "/merchant/orders?done=partly-refunded")
	case errors.As(err, &fe):
		for _, e := range fe {
			f.Add(refundInput(e.Field, lineOf), c.refundProblem(r, e.Field, e.Message))
		}
		c.renderRefundSome(w, r, mv, http.StatusUnprocessableEntity, v)
	default:
		c.afterAction(w, r, mv, p.ID, actionRefund, err)
	}
}

func (c *Console) renderRefundSome(w http.ResponseWriter, r *http.Request, mv merchantVisit, code int, v refundSomeView) {
	p := c.consolePage(mv, c.site.T(r, "console.refund_some.title"), "/merchant/orders", v)
	c.pages.Render(w, r, code, "merchant_refund_some", p)
}

// refundablePart reads the request's part; one that is not accepted,
// shipped or delivered sends the merchant back to the list.
func (c *Console) refundablePart(w http.ResponseWriter, r *http.Request, mv merchantVisit) (order.HomePart, bool) {
	p, err := c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, r.PathValue("id"))
	if err != nil {
		c.site.FailOrder(w, r, err)
		return p, false
	}
	switch p.Status {
	case order.StatusAccepted, order.StatusShipped, order.StatusDelivered:
		return p, true
	}
	web.SeeOther(w, r, "/merchant/orders")
	return p, false
}

// readRefund reads the form into f and a request, with, for each unit it
// names, the index of its line among those left; problems are in l's
// language, with amounts written by money.
func readRefund(l words, money func(int64) string, pf url.Values, p order.HomePart, f *web.Form) (order.RefundRequest, []int) {
	var req order.RefundRequest
	var lineOf []int
	left := p.Left()
	for i, u := range left.Units {
		name := refundQuantity(i)
		s := strings.TrimSpace(pf.Get(name))
		f.Set(name, s)
		if s == "" {
			continue
		}
		title := lineTitle(p.Lines, u)
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil || n < 0:
			f.Add(name, l.T("console.refund_some.units_range", "Title", title, "Max", u.Quantity))
		case n > u.Quantity:
			f.Add(name, l.T("console.refund_some.units_left", "Title", title, "Left", u.Quantity, "N", n))
		case n > 0:
			req.Lines = append(req.Lines, order.Units{ListingID: u.ListingID, SKU: u.SKU, Quantity: n})
			lineOf = append(lineOf, i)
		}
	}
	cur := p.Total.Currency
	if s := strings.TrimSpace(pf.Get("amount")); s != "" {
		f.Set("amount", s)
		switch a, err := web.ParseAmount(s, cur); {
		case err != nil:
			f.Add("amount", l.T("console.problem.field", "Label", l.T("console.refund_some.the_amount"), "Problem", problemIn(l, err.Error())))
		case a > left.Items.Amount:
			f.Add("amount", l.T("console.refund_some.more_than_left", "Amount", money(a), "Left", money(left.Items.Amount)))
		default:
			req.Amount = &a
		}
	}
	req.WithShipping = pf.Get("with_shipping") == "yes" && left.Shipping.Amount > 0
	req.Restock = pf.Get("restock") == "yes"
	req.Reason = strings.TrimSpace(pf.Get("reason"))
	if req.WithShipping {
		f.Set("with_shipping", "yes")
	}
	if req.Restock {
		f.Set("restock", "yes")
	}
	f.Set("reason", req.Reason)
	switch {
	case len(req.Reason) > 512:
		f.Add("reason", l.T("console.returns.why_long"))
	case req.Restock && len(req.Lines) == 0 && f.OK():
		f.Add("restock", l.T("console.refund_some.restock_what"))
	case f.OK() && len(req.Lines) == 0 && req.Amount == nil && !req.WithShipping:
		f.Add("amount", l.T("console.refund_some.nothing"))
	case f.OK() && req.Amount == nil:
		if worth := unitsWorth(p.Lines, req.Lines); worth > left.Items.Amount {
			f.Add(refundQuantity(lineOf[0]), l.T("console.refund_some.worth_more", "Worth", money(worth), "Left", money(left.Items.Amount)))
		}
	}
	return req, lineOf
}

// lineTitle is the title of the line units u belong to.
func lineTitle(lines []order.Line, u order.Units) string {
	for _, l := range lines {
		if l.ListingID == u.ListingID && l.SKU == u.SKU {
			return l.Title
		}
	}
	return u.SKU
}

// unitsWorth is what units cost at their lines' unit prices.
func unitsWorth(lines []order.Line, units []order.Units) int64 {
	var worth int64
	for _, u := range units {
		for _, l := range lines {
			if l.ListingID == u.ListingID && l.SKU == u.SKU {
				worth += u.Quantity * l.UnitPrice.Amount
				break
			}
		}
	}
	return worth
}

// refundField matches the field an order.FieldErrors names of a unit.
var refundField = regexp.MustCompile(`^lines\[(\d+)\]`)

// refundInput is the input of a field RefundPart named: a unit's
// ("lines[2].quantity" of the units sent) is its line's quantity.
func refundInput(field string, lineOf []int) string {
	if m := refundField.FindStringSubmatch(field); m != nil {
		if j, err := strconv.Atoi(m[1]); err == nil && j < len(lineOf) {
			return refundQuantity(lineOf[j])
		}
	}
	switch field {
	case "lines":
		if len(lineOf) > 0 {
			return refundQuantity(lineOf[0])
		}
		return "amount"
	case "amount", "restock", "reason":
		return field
	}
	return ""
}

// refundProblem says a problem RefundPart found, in a sentence in r's
// language.
func (c *Console) refundProblem(r *http.Request, field, msg string) string {
	if field == "amount" {
		return c.site.T(r, "console.refund_some.amount_problem", "Problem", c.problemText(r, msg))
	}
	return c.site.T(r, "console.refund_some.problem", "Problem", c.problemText(r, msg))
}

// refundSomeViewOf is the inputs' page of part p with f, in r's
// language.
func (c *Console) refundSomeViewOf(r *http.Request, p order.HomePart, f *web.Form) refundSomeView {
	left := p.Left()
	cur := p.Total.Currency
	money := func(v int64, cur string) string { return c.site.Money(r, v, cur) }
	v := refundSomeView{ID: p.ID, Action: "/merchant/orders/" + url.PathEscape(p.ID) + "/refund-some", Status: statusText(c.site.Locale(r), p.Status),
		ShipTo: p.ShipTo.Name, Storefront: web.PlatformName(c.site.PlatformNames(), p.Storefront), Form: f,
		Amount: f.Field("amount"), WithShipping: f.Field("with_shipping"), Restock: f.Field("restock"), Reason: f.Field("reason"),
		ItemsLeft: money(left.Items.Amount, cur)}
	if left.Shipping.Amount > 0 {
		v.ShippingLeft = money(left.Shipping.Amount, cur)
	}
	for i, u := range left.Units {
		rl := refundLine{Title: lineTitle(p.Lines, u), SKU: u.SKU, Left: u.Quantity, Field: f.Field(refundQuantity(i))}
		for _, l := range p.Lines {
			if l.ListingID == u.ListingID && l.SKU == u.SKU {
				rl.Ordered += l.Quantity
				rl.UnitPrice = money(l.UnitPrice.Amount, l.UnitPrice.Currency)
			}
		}
		v.Lines = append(v.Lines, rl)
	}
	return v
}

// confirmRefund turns v into the confirmation of req: the amount as the
// order service will compute it (the units' worth or the amount, the
// shipping left when asked, or when a part that never shipped ends),
// with amounts written by money.
func confirmRefund(v *refundSomeView, p order.HomePart, req order.RefundRequest, money func(int64) string) {
	left := p.Left()
	items := unitsWorth(p.Lines, req.Lines)
	if req.Amount != nil {
		items = *req.Amount
	}
	var units, all int64
	for _, u := range req.Lines {
		units += u.Quantity
	}
	for _, u := range left.Units {
		all += u.Quantity
	}
	v.Ends = units == all && all > 0 || items == left.Items.Amount
	var shipping int64
	if req.WithShipping || v.Ends && p.Status == order.StatusAccepted {
		shipping = left.Shipping.Amount
	}
	v.Confirm, v.Key, v.Restocked = true, newRefundKey(), req.Restock
	v.Refund = money(items + shipping)
	v.Units = web.UnitsText(req.Lines, p.Lines)
	if shipping > 0 {
		v.Shipping = money(shipping)
	}
}

// refundKey is the shape of the keys newRefundKey makes.
var refundKey = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// newRefundKey returns 128 random bits for one refund confirmation.
func newRefundKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}
