package storefront

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A shopper returns some units of a delivered part on one page (GET and
// POST /orders/{id}/parts/{part}/return) while its merchant's return
// window is open: the units of each line still returnable, a reason of
// order.ReturnReasons and a note. The request goes to the part's home
// (Orders.RequestReturn, with an idempotency key made when the form was
// shown, so that a double submit asks once); the order page then follows
// the return step by step: requested, approved with how to send the units
// back, or refused with the reason, and received with the refund.

// returnReasonText are the reasons a shopper may give, in words, in the
// order the select offers them.
var returnReasonText = map[string]string{
	"damaged":          "It arrived damaged",
	"wrong_item":       "I received the wrong item",
	"not_as_described": "It is not as described",
	"no_longer_needed": "I no longer need it",
	"other":            "Another reason (say it in the note)",
}

// returnStateText names a return's states for shoppers.
var returnStateText = map[string]string{
	order.ReturnRequested: "Requested",
	order.ReturnApproved:  "Approved",
	order.ReturnRefused:   "Refused",
	order.ReturnReceived:  "Received",
}

// returnView is what the return template shows.
type returnView struct {
	ID, OrderURL, Action string
	Merchant, Platform   string
	// Until is the last day of the window, Policy the merchant's terms
	// in sentences.
	Until  string
	Policy []string
	Lines  []cancelLine
	Reason web.Field
	// Reasons are the reason select's options.
	Reasons []web.Choice
	Note    web.Field
	Key     string
	Form    *web.Form
}

// returnWindow is what a part's merchant takes back: its policies, and
// the end of the window from the part's delivery.
type returnWindow struct {
	policies catalog.Policies
	ends     time.Time
}

// returnURL is the page that returns units of part of order id.
func returnURL(id, part string) string {
	return orderURL(id) + "/parts/" + url.PathEscape(part) + "/return"
}

// windowOf is the return window of p, and whether its merchant takes
// returns of it at all: the part delivered (with the home's time of it)
// and a policy of ReturnDays > 0.
func (sf *Storefront) windowOf(ctx context.Context, p order.Part) (returnWindow, bool) {
	if p.Status != order.StatusDelivered || p.DeliveredAt.IsZero() {
		return returnWindow{}, false
	}
	prof, err := sf.deps.Profiles.MerchantProfile(ctx, p.Platform, p.Merchant)
	if err != nil || prof.Policies.ReturnDays <= 0 {
		return returnWindow{}, false
	}
	return returnWindow{policies: prof.Policies, ends: p.DeliveredAt.Add(time.Duration(prof.Policies.ReturnDays) * 24 * time.Hour)}, true
}

// returnableUnits are the units of p left to return: neither refunded
// nor cancelled, nor in a return still open.
func returnableUnits(p order.Part) []order.Units {
	units := p.Left().Units
	for _, r := range p.Returns {
		if !r.Open() {
			continue
		}
		for _, u := range r.Lines {
			for i := range units {
				if units[i].ListingID == u.ListingID && units[i].SKU == u.SKU {
					units[i].Quantity -= u.Quantity
				}
			}
		}
	}
	return units
}

// returnForm shows the units, the reason and the note:
// GET /orders/{id}/parts/{part}/return. A part that cannot be returned
// (any more) goes back to the order's page.
func (sf *Storefront) returnForm(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, win, ok := sf.returnablePart(w, r, sv)
	if !ok {
		return
	}
	if !sf.site.Now().Before(win.ends) {
		web.SeeOther(w, r, orderURL(o.ID))
		return
	}
	v := sf.returnViewOf(r.Context(), o, p, win, web.NewForm())
	v.Key = newIdempotencyKey()
	sf.render(w, r, http.StatusOK, "return", sf.shopperPage(sv, sf.site.T(r, "returns.title"), v))
}

// requestReturn reads the form: POST /orders/{id}/parts/{part}/return.
// A problem shows the form again with it next to its input; a request
// the home's terms refuse (the window ended, the units returned
// meanwhile) says why above the form.
func (sf *Storefront) requestReturn(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, win, ok := sf.returnablePart(w, r, sv)
	if !ok {
		return
	}
	f, sp := web.NewForm(), sf.speechOf(r)
	in, lineOf := readReturn(sp, r.PostForm, p, f)
	if !sf.site.Now().Before(win.ends) {
		f.Add("", sp.t("returns.window_ended", "Day", sp.day(win.ends), "Count", win.policies.ReturnDays))
	}
	key := r.PostForm.Get("key")
	if !idempotencyKey.MatchString(key) {
		key = newIdempotencyKey()
	}
	v := sf.returnViewOf(r.Context(), o, p, win, f)
	v.Key = key
	if !f.OK() {
		sf.render(w, r, http.StatusUnprocessableEntity, "return", sf.shopperPage(sv, sp.t("returns.title"), v))
		return
	}
	_, err := sf.deps.Orders.RequestReturn(r.Context(), sv.shopper.ID, o.ID, p.ID, in, key)
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, orderURL(o.ID)+"?done=return-requested")
	case errors.As(err, &fe):
		for _, e := range fe {
			f.Add(returnInput(e.Field, lineOf), sp.returnProblem(p, in, lineOf, e.Field, e.Message))
		}
		v = sf.returnViewOf(r.Context(), o, p, win, f)
		v.Key = key
		sf.render(w, r, http.StatusUnprocessableEntity, "return", sf.shopperPage(sv, sp.t("returns.title"), v))
	case errors.Is(err, order.ErrConflict):
		f.Add("", sp.t("returns.conflict", "Why", conflictText(err)))
		sf.render(w, r, http.StatusConflict, "return", sf.shopperPage(sv, sp.t("returns.title"), v))
	default:
		sf.site.FailOrder(w, r, err)
	}
}

// conflictText is the reason of an order.ErrConflict, without the
// field it names.
func conflictText(err error) string {
	s := strings.TrimPrefix(err.Error(), order.ErrConflict.Error()+": ")
	_, after, found := strings.Cut(s, ": ")
	if found {
		return after
	}
	return s
}

// returnInput is the input of a field RequestReturn named.
func returnInput(field string, lineOf []int) string {
	if strings.HasPrefix(field, "lines") {
		return unitsInput(field, lineOf)
	}
	return field
}

// returnProblem says a problem RequestReturn found with in, in a
// sentence: a line's units beyond those left to return (some are in
// another open return) by its title and the units left.
func (sp speech) returnProblem(p order.Part, in order.ReturnInput, lineOf []int, field, msg string) string {
	switch field {
	case "reason":
		return sp.t("returns.choose_reason")
	case "note":
		return sp.t("returns.note_problem", "Problem", msg)
	}
	if m := unitsField.FindStringSubmatch(field); m != nil && strings.HasSuffix(field, ".quantity") {
		if j, err := strconv.Atoi(m[1]); err == nil && j < len(in.Lines) && lineOf[j] < len(returnableUnits(p)) {
			u := in.Lines[j]
			return sp.t("returns.open_elsewhere", "Title", unitTitle(u, p.Items), "Left", max(returnableUnits(p)[lineOf[j]].Quantity, 0), "N", u.Quantity)
		}
	}
	return msg + "."
}

// unitTitle is the title of the line of units u.
func unitTitle(u order.Units, lines []order.Line) string {
	for _, l := range lines {
		if l.ListingID == u.ListingID && l.SKU == u.SKU {
			return l.Title
		}
	}
	return u.SKU
}

// returnablePart reads the order and the part of the request; a part its
// merchant takes no return of (not delivered, no return policy) sends
// the shopper back to the order's page, and reports false.
func (sf *Storefront) returnablePart(w http.ResponseWriter, r *http.Request, sv shopperVisit) (order.Order, order.Part, returnWindow, bool) {
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, r.PathValue("id"))
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return o, order.Part{}, returnWindow{}, false
	}
	for _, p := range o.Parts {
		if p.ID != r.PathValue("part") {
			continue
		}
		win, ok := sf.windowOf(r.Context(), p)
		if !ok {
			web.SeeOther(w, r, orderURL(o.ID))
		}
		return o, p, win, ok
	}
	sf.site.FailOrder(w, r, fmt.Errorf("%w: order %s has no part %s", order.ErrNotFound, o.ID, r.PathValue("part")))
	return o, order.Part{}, returnWindow{}, false
}

// readReturn reads the form into f: the units of each returnable line,
// the reason and the note. It returns the request with, for each of its
// units, the index of its line.
func readReturn(sp speech, pf url.Values, p order.Part, f *web.Form) (order.ReturnInput, []int) {
	var in order.ReturnInput
	var lineOf []int
	left := p.Left().Units
	for i, u := range returnableUnits(p) {
		// Units in another open return are checked by RequestReturn, so
		// that the same request sent again (its key) is answered as the
		// first was.
		u.Quantity = left[i].Quantity
		name := quantityInput(i)
		s := strings.TrimSpace(pf.Get(name))
		f.Set(name, s)
		if s == "" {
			continue
		}
		title := unitTitle(u, p.Items)
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil || n < 0:
			f.Add(name, sp.t("units.bad_number", "Title", title, "Left", max(u.Quantity, 0)))
		case n > u.Quantity:
			f.Add(name, sp.t("returns.too_many", "Title", title, "Left", max(u.Quantity, 0), "N", n))
		case n > 0:
			in.Lines = append(in.Lines, order.Units{ListingID: u.ListingID, SKU: u.SKU, Quantity: n})
			lineOf = append(lineOf, i)
		}
	}
	if f.OK() && len(in.Lines) == 0 {
		f.Add(quantityInput(0), sp.t("returns.none"))
	}
	in.Reason = pf.Get("reason")
	f.Set("reason", in.Reason)
	if _, ok := returnReasonText[in.Reason]; !ok {
		f.Add("reason", sp.t("returns.choose_reason"))
	}
	in.Note = strings.TrimSpace(pf.Get("note"))
	f.Set("note", in.Note)
	switch {
	case len(in.Note) > 1000:
		f.Add("note", sp.t("returns.note_long", "N", len(in.Note)))
	case in.Reason == "other" && in.Note == "":
		f.Add("note", sp.t("returns.note_needed"))
	}
	return in, lineOf
}

// returnViewOf is the form of returning units of part p of o, with f.
func (sf *Storefront) returnViewOf(ctx context.Context, o order.Order, p order.Part, win returnWindow, f *web.Form) returnView {
	cv, sp := sf.cancelUnitsViewOf(ctx, o, p, web.NewForm()), sf.speechIn(ctx)
	v := returnView{ID: o.ID, OrderURL: orderURL(o.ID), Action: returnURL(o.ID, p.ID), Merchant: cv.Merchant, Platform: cv.Platform,
		Until: sp.day(win.ends), Policy: sp.returnPolicyText(win.policies), Reason: f.Field("reason"), Note: f.Field("note"), Form: f}
	units := returnableUnits(p)
	for i, l := range cv.Lines {
		if i < len(units) {
			l.Left = max(units[i].Quantity, 0)
		}
		l.Field = f.Field(quantityInput(i))
		v.Lines = append(v.Lines, l)
	}
	v.Reasons = []web.Choice{{Value: "", Label: sp.t("returns.choose"), Selected: v.Reason.Value == ""}}
	for _, reason := range order.ReturnReasons {
		v.Reasons = append(v.Reasons, web.Choice{Value: reason, Label: sp.returnReason(reason), Selected: reason == v.Reason.Value})
	}
	return v
}

// returnPolicyText says who pays a return's shipping and the restocking
// fee, a sentence each.
func (sp speech) returnPolicyText(p catalog.Policies) []string {
	out := []string{sp.t("returns.you_pay")}
	if p.ReturnShipping == catalog.ReturnPaidByMerchant {
		out[0] = sp.t("returns.merchant_pays")
	}
	if p.RestockingFeeBPS > 0 {
		out = append(out, sp.t("returns.fee", "Fee", web.FormatBPS(int64(p.RestockingFeeBPS))))
	} else {
		out = append(out, sp.t("returns.no_fee"))
	}
	return out
}
