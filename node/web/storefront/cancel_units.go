package storefront

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A shopper cancels some units of a part that has not shipped in two
// steps on one page (GET and POST /orders/{id}/parts/{part}/cancel): the
// part's lines, each with how many of its units to cancel (0 up to what
// is left), then a confirmation that says what will be cancelled and
// refunded, and how. Only the confirmation's button cancels
// (Orders.CancelUnits, with an idempotency key made for that
// confirmation, so that a double submit cancels once). The home puts the
// units back in stock; the order page then shows the refund and what is
// left of the part.

// cancelUnitsView is what the cancel_units template shows.
type cancelUnitsView struct {
	ID, OrderURL, Action string
	Merchant, Platform   string
	Lines                []cancelLine
	// Confirm shows the confirmation of Cancelled with the hidden
	// quantities and Key, rather than the quantities' inputs.
	Confirm   bool
	Key       string
	Cancelled []string
	// Total is the refund the confirmation announces, Way how it is paid;
	// Unpaid is true on an invoice not paid yet. Whole is true when every
	// unit left is cancelled, which cancels the part and gives its
	// shipping back.
	Total, Way    string
	Unpaid, Whole bool
	// ShippingBack is true when Whole gives shipping back.
	ShippingBack bool
	Form         *web.Form
}

// cancelLine is one line of the part with what is left of it.
type cancelLine struct {
	Title, Options, UnitPrice string
	Ordered, Left             int64
	Field                     web.Field
}

// cancelUnitsURL is the page that cancels some units of part of order id.
func cancelUnitsURL(id, part string) string {
	return orderURL(id) + "/parts/" + url.PathEscape(part) + "/cancel"
}

// quantityInput names the quantity input of the i-th line left.
func quantityInput(i int) string { return "lines[" + strconv.Itoa(i) + "].quantity" }

// cancelUnitsForm shows the quantities to cancel:
// GET /orders/{id}/parts/{part}/cancel. A part that can no longer be
// cancelled goes back to the order's page.
func (sf *Storefront) cancelUnitsForm(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, ok := sf.cancellablePart(w, r, sv)
	if !ok {
		return
	}
	v := sf.cancelUnitsViewOf(r.Context(), o, p, web.NewForm())
	sf.render(w, r, http.StatusOK, "cancel_units", sf.shopperPage(sv, sf.site.T(r, "units.title"), v))
}

// cancelUnits reads the quantities: POST /orders/{id}/parts/{part}/cancel.
// Without "confirm" it shows the confirmation (or the quantities again
// with what is wrong next to each line); with it, it cancels.
func (sf *Storefront) cancelUnits(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, ok := sf.cancellablePart(w, r, sv)
	if !ok {
		return
	}
	f := web.NewForm()
	units, lineOf := readUnits(sf.speechOf(r), r.PostForm, p, sf.cancelUnitsViewOf(r.Context(), o, p, f).Lines, f)
	v := sf.cancelUnitsViewOf(r.Context(), o, p, f)
	switch {
	case !f.OK():
		sf.render(w, r, http.StatusUnprocessableEntity, "cancel_units", sf.shopperPage(sv, sf.site.T(r, "units.title"), v))
		return
	case r.PostForm.Get("confirm") == "" || r.PostForm.Get("change") != "":
		if r.PostForm.Get("change") == "" {
			sf.confirmUnits(r.Context(), &v, o, p, units)
		}
		sf.render(w, r, http.StatusOK, "cancel_units", sf.shopperPage(sv, sf.site.T(r, "units.title"), v))
		return
	}
	key := r.PostForm.Get("key")
	if !idempotencyKey.MatchString(key) {
		key = newIdempotencyKey()
	}
	_, err := sf.deps.Orders.CancelUnits(r.Context(), sv.shopper.ID, o.ID, p.ID, units, key)
	var fe order.FieldErrors
	switch {
	case err == nil:
		web.SeeOther(w, r, orderURL(o.ID)+"?done=cancelled-some")
	case errors.As(err, &fe):
		for _, e := range fe {
			f.Add(unitsInput(e.Field, lineOf), e.Message+".")
		}
		sf.render(w, r, http.StatusUnprocessableEntity, "cancel_units", sf.shopperPage(sv, sf.site.T(r, "units.title"), v))
	case errors.Is(err, order.ErrConflict):
		ov := sf.orderViewOf(r.Context(), o)
		ov.Problem = sf.site.T(r, "units.conflict")
		sf.render(w, r, http.StatusConflict, "order", sf.shopperPage(sv, sf.site.T(r, "orders.order_title", "ID", o.ID), ov))
	default:
		sf.site.FailOrder(w, r, err)
	}
}

// cancellablePart reads the order and the part of the request; a part
// that is not accepted (waiting for its merchant, shipped or ended) sends
// the shopper back to the order's page, and reports false.
func (sf *Storefront) cancellablePart(w http.ResponseWriter, r *http.Request, sv shopperVisit) (order.Order, order.Part, bool) {
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, r.PathValue("id"))
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return o, order.Part{}, false
	}
	for _, p := range o.Parts {
		if p.ID != r.PathValue("part") {
			continue
		}
		if p.Status != order.StatusAccepted || web.LeftViewOf(p.Left(), p.Items).None {
			web.SeeOther(w, r, orderURL(o.ID))
			return o, p, false
		}
		return o, p, true
	}
	sf.site.FailOrder(w, r, fmt.Errorf("%w: order %s has no part %s", order.ErrNotFound, o.ID, r.PathValue("part")))
	return o, order.Part{}, false
}

// readUnits reads the quantities into f, each line's problem named by
// its title, and returns the units to cancel with, for each of them, the
// index of its line among those left.
func readUnits(sp speech, pf url.Values, p order.Part, lines []cancelLine, f *web.Form) ([]order.Units, []int) {
	var units []order.Units
	var lineOf []int
	left := p.Left().Units
	for i, l := range lines {
		name := quantityInput(i)
		s := strings.TrimSpace(pf.Get(name))
		f.Set(name, s)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil || n < 0:
			f.Add(name, sp.t("units.bad_number", "Title", l.Title, "Left", l.Left))
		case n > l.Left:
			f.Add(name, sp.t("units.too_many", "Title", l.Title, "Left", l.Left, "N", n))
		case n > 0:
			units = append(units, order.Units{ListingID: left[i].ListingID, SKU: left[i].SKU, Quantity: n})
			lineOf = append(lineOf, i)
		}
	}
	if f.OK() && len(units) == 0 {
		f.Add(quantityInput(0), sp.t("units.none"))
	}
	return units, lineOf
}

// unitsField matches the field an order.FieldErrors names of a unit.
var unitsField = regexp.MustCompile(`^lines\[(\d+)\]`)

// unitsInput is the input of a field that CancelUnits named
// ("lines[2].quantity" of the units sent, whose lines lineOf gives).
func unitsInput(field string, lineOf []int) string {
	if m := unitsField.FindStringSubmatch(field); m != nil {
		if j, err := strconv.Atoi(m[1]); err == nil && j < len(lineOf) {
			return quantityInput(lineOf[j])
		}
	}
	if len(lineOf) > 0 {
		return quantityInput(lineOf[0])
	}
	return ""
}

// cancelUnitsViewOf is the quantities' page of part p of o, with f.
func (sf *Storefront) cancelUnitsViewOf(ctx context.Context, o order.Order, p order.Part, f *web.Form) cancelUnitsView {
	ov := sf.orderViewOf(ctx, o)
	v := cancelUnitsView{ID: o.ID, OrderURL: orderURL(o.ID), Action: cancelUnitsURL(o.ID, p.ID), Form: f,
		Way: sf.speechIn(ctx).refundWay(o.Payment, sf.site.Name()), Unpaid: o.Payment.Status == order.PaymentPending}
	var pv partView
	for _, x := range ov.Parts {
		if x.ID == p.ID {
			pv = x
		}
	}
	v.Merchant, v.Platform = pv.Merchant, pv.Platform
	for i, u := range p.Left().Units {
		cl := cancelLine{Left: u.Quantity, Field: f.Field(quantityInput(i)), Title: u.SKU}
		for j, l := range p.Items {
			if l.ListingID == u.ListingID && l.SKU == u.SKU && j < len(pv.Lines) {
				cl.Title, cl.Options, cl.UnitPrice = pv.Lines[j].Title, pv.Lines[j].Options, pv.Lines[j].UnitPrice
				cl.Ordered += l.Quantity
			}
		}
		v.Lines = append(v.Lines, cl)
	}
	return v
}

// confirmUnits turns v into the confirmation of cancelling units: what
// they are, and the refund the home will give (their worth at the prices
// paid, never more than the items left; everything left, shipping
// included, when no unit would be left).
func (sf *Storefront) confirmUnits(ctx context.Context, v *cancelUnitsView, o order.Order, p order.Part, units []order.Units) {
	left := p.Left()
	var worth, count, all int64
	for _, u := range units {
		for _, l := range p.Items {
			if l.ListingID == u.ListingID && l.SKU == u.SKU {
				worth += u.Quantity * l.UnitPrice.Amount
				break
			}
		}
		count += u.Quantity
	}
	for _, u := range left.Units {
		all += u.Quantity
	}
	refund := min(worth, left.Items.Amount)
	if count == all {
		refund, v.Whole, v.ShippingBack = left.Items.Amount+left.Shipping.Amount, true, left.Shipping.Amount > 0
	}
	v.Confirm, v.Key = true, newIdempotencyKey()
	for _, u := range units {
		v.Cancelled = append(v.Cancelled, web.UnitsText([]order.Units{u}, p.Items))
	}
	v.Total = sf.speechIn(ctx).cash(refund, p.Total.Currency)
}
