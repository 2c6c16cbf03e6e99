package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// The merchant's incoming orders are the parts of its listings that
// shoppers bought on any storefront of the federation; this node, their
// home, is the authority on their status. The merchant ships an accepted
// part (carrier and tracking number), marks a shipped part delivered, and
// refunds a part that was accepted, shipped or delivered; the storefront
// the part was sold on is told by the order service.

// merchantPartsPageSize is how many parts one page of incoming orders shows.
const merchantPartsPageSize = 25

// partFilters are the statuses the list can be narrowed to, in the order
// the filter offers them, each labeled by its message id.
var partFilters = []web.Choice{
	{Value: "", Label: "console.orders.filter_all"},
	{Value: order.StatusAccepted, Label: "console.orders.filter_to_ship"},
	{Value: order.StatusShipped, Label: "console.status.shipped"},
	{Value: order.StatusDelivered, Label: "console.status.delivered"},
	{Value: order.StatusRefunded, Label: "console.status.refunded"},
	{Value: order.StatusCancelled, Label: "console.status.cancelled"},
	{Value: order.StatusRejected, Label: "console.status.rejected"},
}

// statusIDs are the messages of a part's statuses; statusText falls back
// to the web kit's English words for another.
var statusIDs = map[string]string{
	order.StatusReserved:  "console.status.reserved",
	order.StatusAccepted:  "console.status.accepted",
	order.StatusRejected:  "console.status.rejected",
	order.StatusShipped:   "console.status.shipped",
	order.StatusDelivered: "console.status.delivered",
	order.StatusCancelled: "console.status.cancelled",
	order.StatusRefunded:  "console.status.refunded",
}

// reasonIDs are the messages of a home node's reasons for ending a part.
var reasonIDs = map[string]string{
	order.ReasonOutOfStock:   "console.reason.out_of_stock",
	order.ReasonPriceChanged: "console.reason.price_changed",
	order.ReasonUnavailable:  "console.reason.unavailable",
}

// statusText says a part's status in l's language.
func statusText(l words, status string) string {
	if id, ok := statusIDs[status]; ok {
		return l.T(id)
	}
	return web.StatusText(status)
}

// merchantOrdersView is what the merchant orders template shows.
type merchantOrdersView struct {
	Filters           []web.Choice
	Status, Cursor    string
	Rows              []merchantPartRow
	Form              *web.Form // the ship form's problems, and why an action was refused
	NextURL, FirstURL string
}

// merchantPartRow is one incoming part.
type merchantPartRow struct {
	ID, Status, StatusText    string
	Storefront, StorefrontID  string
	Total, Refunded           string
	Carrier, Tracking, Reason string
	TrackingURL               string // where the parcel is followed, when known
	ShipTo                    order.Address
	Lines                     []web.LineView
	Created                   time.Time
	ShipURL, DeliverURL       string
	RefundURL                 string // "" when the part cannot be refunded
	// RefundSomeURL refunds some of it; "" when it cannot be refunded.
	// Rest is what a full refund gives back now.
	RefundSomeURL, Rest string
	// MessagesURL is the part's conversation with its shopper.
	MessagesURL string
	// Refunds are its refunds and partial cancellations; Left is what
	// is left refundable after them, shown when it had any.
	Refunds []web.RefundView
	Left    *web.LeftView
	// CarrierField, CarrierNameField, TrackingField and TrackingURLField
	// are the ship form's inputs, their ids derived from the part's id;
	// Carriers are the carrier select's options, "other" last.
	CarrierField, CarrierNameField, TrackingField, TrackingURLField web.Field
	Carriers                                                        []web.Choice
	// Problem says why the last action on this part was refused.
	Problem string
	// ReturnURL is the page of its open return, asked or approved;
	// ReturnText says which.
	ReturnURL, ReturnText string
}

// partInput names one ship form input of part id in a form, so that each
// row's inputs have ids of their own.
func partInput(id, name string) string { return "ship[" + id + "]." + name }

// merchantOrders lists the merchant's incoming parts: GET /merchant/orders.
func (c *Console) merchantOrders(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	q := r.URL.Query()
	c.ordersTable(w, r, mv, http.StatusOK, q.Get("status"), q.Get("cursor"), web.NewForm(), "", "")
}

// ordersTable renders the list of parts with status filter and cursor;
// f holds the problems of the last action, and problem says why the
// action on part problemID was refused, next to it.
func (c *Console) ordersTable(w http.ResponseWriter, r *http.Request, mv merchantVisit, code int, status, cursor string,
	f *web.Form, problemID, problem string) {
	if !knownFilter(status) {
		c.site.Status(w, r, http.StatusBadRequest, c.site.T(r, "console.orders.bad_status_title"), c.site.T(r, "console.orders.bad_status"))
		return
	}
	parts, next, err := c.deps.Parts.MerchantParts(r.Context(), mv.merchant.ID, status, cursor, merchantPartsPageSize)
	if errors.Is(err, order.ErrInvalid) && cursor != "" { // a mistyped cursor
		web.SeeOther(w, r, "/merchant/orders")
		return
	}
	if err != nil {
		c.site.FailOrder(w, r, err)
		return
	}
	v := merchantOrdersView{Status: status, Cursor: cursor, Form: f}
	l := c.site.Locale(r)
	for _, ch := range partFilters {
		ch.Selected, ch.Label = ch.Value == status, l.T(ch.Label)
		v.Filters = append(v.Filters, ch)
	}
	names, carriers := c.site.PlatformNames(), c.carriers()
	for _, p := range parts {
		row := c.partRow(r, p, names, carriers, f)
		if len(p.Refunds) > 0 {
			msgs, _ := c.deps.Parts.Messages(r.Context(), p.ID) // without them, refunds show undated
			left := web.LeftViewOf(p.Left(), p.Lines)
			money := func(amount int64, cur string) string { return c.site.Money(r, amount, cur) }
			row.Refunds, row.Left = web.RefundViews(l, money, p.Refunds, p.Lines, p.Shipping, web.RefundTimes(msgs)), &left
		}
		if p.ID == problemID {
			row.Problem = l.T("console.orders.problem_now", "Why", problem, "Status", strings.ToLower(row.StatusText))
		}
		v.Rows = append(v.Rows, row)
	}
	if cursor != "" {
		v.FirstURL = ordersListURL(status, "")
	}
	if next != "" {
		v.NextURL = ordersListURL(status, next)
	}
	p := c.consolePage(mv, l.T("console.orders.title"), "/merchant/orders", v)
	p.Notice = c.notice(r, partNotices)
	p.Scripts = []string{"console.js"} // shows the other carrier's inputs only when picked
	c.pages.Render(w, r, code, "merchant_orders", p)
}

// ordersListURL is the list of parts with status, from cursor.
func ordersListURL(status, cursor string) string {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) == 0 {
		return "/merchant/orders"
	}
	return "/merchant/orders?" + q.Encode()
}

// knownFilter reports whether status is one the list can be narrowed to.
func knownFilter(status string) bool {
	for _, c := range partFilters {
		if c.Value == status {
			return true
		}
	}
	return false
}

// carrierOther is the carrier select's value for a carrier not in the
// table, named in the form with its own tracking page.
const carrierOther = "other"

// carriers is the table of carriers a part ships with.
func (c *Console) carriers() shipping.Table {
	if c.deps.Profiles != nil {
		return c.deps.Profiles.Carriers()
	}
	return shipping.Carriers()
}

// carrierChoices are the carrier select's options with selected chosen:
// the table, then "Other".
func carrierChoices(l words, t shipping.Table, selected string) []web.Choice {
	out := []web.Choice{{Value: "", Label: l.T("console.orders.choose_carrier"), Selected: selected == ""}}
	for _, cr := range t {
		out = append(out, web.Choice{Value: cr.ID, Label: cr.Name, Selected: cr.ID == selected})
	}
	return append(out, web.Choice{Value: carrierOther, Label: l.T("console.orders.other_carrier"), Selected: selected == carrierOther})
}

// partRow builds one row in r's language; f gives its ship inputs what
// was typed.
func (c *Console) partRow(r *http.Request, p order.HomePart, names map[string]string, carriers shipping.Table, f *web.Form) merchantPartRow {
	l := c.site.Locale(r)
	base := "/merchant/orders/" + url.PathEscape(p.ID)
	row := merchantPartRow{ID: p.ID, Status: p.Status, StatusText: statusText(l, p.Status),
		Storefront: web.PlatformName(names, p.Storefront), StorefrontID: p.Storefront,
		Total: c.site.Money(r, p.Total.Amount, p.Total.Currency), Carrier: p.Carrier, Tracking: p.Tracking,
		ShipTo: p.ShipTo, Lines: web.LineViews(p.Lines), Created: p.CreatedAt,
		TrackingURL:  p.TrackingURL,
		CarrierField: f.Field(partInput(p.ID, "carrier")), CarrierNameField: f.Field(partInput(p.ID, "carrier_name")),
		TrackingField: f.Field(partInput(p.ID, "tracking")), TrackingURLField: f.Field(partInput(p.ID, "tracking_url")),
		Carriers: carrierChoices(l, carriers, f.Value(partInput(p.ID, "carrier")))}
	if id, ok := reasonIDs[p.Reason]; ok {
		row.Reason = l.T(id)
	}
	for i, ln := range p.Lines {
		row.Lines[i].UnitPrice = c.site.Money(r, ln.UnitPrice.Amount, ln.UnitPrice.Currency)
		row.Lines[i].Subtotal = c.site.Money(r, ln.Quantity*ln.UnitPrice.Amount, ln.UnitPrice.Currency)
	}
	if p.Refunded.Amount > 0 {
		row.Refunded = c.site.Money(r, p.Refunded.Amount, p.Refunded.Currency)
	}
	switch p.Status {
	case order.StatusAccepted:
		row.ShipURL, row.RefundURL = base+"/ship", base+"/refund"
	case order.StatusShipped:
		row.DeliverURL, row.RefundURL = base+"/deliver", base+"/refund"
	case order.StatusDelivered:
		row.RefundURL = base + "/refund"
	}
	row.MessagesURL = base + "/messages"
	if row.RefundURL != "" {
		row.RefundSomeURL = base + "/refund-some"
		row.Rest = c.restIn(r, p)
	}
	for _, rt := range p.Returns {
		if rt.Open() {
			row.ReturnURL, row.ReturnText = returnPageURL(p.ID, rt.ID), l.T("console.orders.return_to_answer")
			if rt.State == order.ReturnApproved {
				row.ReturnText = l.T("console.orders.return_approved")
			}
			break
		}
	}
	return row
}

// partNotices confirm a merchant's action on a part, by "done".
var partNotices = map[string]string{
	"shipped":         "console.notice.shipped",
	"delivered":       "console.notice.delivered",
	"refunded":        "console.notice.refunded",
	"partly-refunded": "console.notice.partly_refunded",
}

// partAction names one action for the pages: the message a refusal uses
// and the notice after it.
type partAction struct{ refused, done string }

var (
	actionShip    = partAction{"console.orders.refused_ship", "shipped"}
	actionDeliver = partAction{"console.orders.refused_deliver", "delivered"}
	actionRefund  = partAction{"console.orders.refused_refund", "refunded"}
)

// shipPart marks a part shipped: POST /merchant/orders/{id}/ship. The
// carrier is one of the table, whose page gives the tracking link, or
// "other" with its name and, optionally, an https page where the parcel
// is followed. A problem shows the list again with it next to that
// part's input.
func (c *Console) shipPart(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	f := web.NewForm()
	sh := readShipment(c.site.Locale(r), r.PostForm, id, c.carriers(), f)
	var err error
	if f.OK() {
		_, err = c.deps.Parts.ShipWith(r.Context(), mv.merchant.ID, id, sh)
		var fe order.FieldErrors
		if errors.As(err, &fe) {
			for _, e := range fe {
				f.Add(shipInput(id, e.Field, r.PostForm.Get("carrier") == carrierOther), c.shipProblem(r, e.Field, e.Message))
			}
			err = nil
		}
	}
	if !f.OK() {
		c.ordersTable(w, r, mv, http.StatusUnprocessableEntity, r.PostForm.Get("status"), r.PostForm.Get("cursor"), f, "", "")
		return
	}
	c.afterAction(w, r, mv, id, actionShip, err)
}

// readShipment reads part id's ship form into f.
func readShipment(l words, pf url.Values, id string, carriers shipping.Table, f *web.Form) order.Shipment {
	text := func(name string) string {
		v := strings.TrimSpace(pf.Get(name))
		f.Set(partInput(id, name), v)
		return v
	}
	carrier, name, tracking, link := text("carrier"), text("carrier_name"), text("tracking"), text("tracking_url")
	sh := order.Shipment{Carrier: carrier, Tracking: tracking}
	switch {
	case carrier == carrierOther:
		sh.Carrier, sh.TrackingURL = name, link
		if name == "" {
			f.Add(partInput(id, "carrier_name"), l.T("console.orders.need_carrier_name"))
		}
		if link != "" && !strings.HasPrefix(strings.ToLower(link), "https://") {
			f.Add(partInput(id, "tracking_url"), l.T("console.orders.need_https"))
		}
	case carrier == "":
		f.Add(partInput(id, "carrier"), l.T("console.orders.need_carrier"))
	case !carriers.Known(carrier):
		f.Add(partInput(id, "carrier"), l.T("console.orders.unknown_carrier"))
	}
	if tracking == "" {
		f.Add(partInput(id, "tracking"), l.T("console.orders.need_tracking"))
	}
	return sh
}

// shipInput is the input of part id's ship form an order.FieldErrors
// field names: the carrier's name is the carrier_name input for another
// carrier.
func shipInput(id, field string, other bool) string {
	if field == "carrier" && other {
		field = "carrier_name"
	}
	return partInput(id, field)
}

// shipProblem says an order.FieldErrors problem of the ship form in r's
// language, naming the field.
func (c *Console) shipProblem(r *http.Request, field, msg string) string {
	switch field {
	case "tracking_url":
		return c.fieldProblem(r, c.site.T(r, "console.orders.the_tracking_page"), msg)
	case "tracking":
		return c.fieldProblem(r, c.site.T(r, "console.orders.the_tracking_number"), msg)
	}
	return c.fieldProblem(r, c.site.T(r, "console.orders.the_carrier"), msg)
}

// deliverPart marks a shipped part delivered:
// POST /merchant/orders/{id}/deliver.
func (c *Console) deliverPart(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	_, err := c.deps.Parts.Deliver(r.Context(), mv.merchant.ID, id)
	c.afterAction(w, r, mv, id, actionDeliver, err)
}

// refundConfirm is what the refund confirmation shows.
type refundConfirm struct {
	ID, Total, ShipTo, Status string
	Action                    string
	Shipped                   bool // the goods left: they do not go back to stock
}

// refundForm asks the merchant to confirm a full refund, which cannot be
// taken back: GET /merchant/orders/{id}/refund.
func (c *Console) refundForm(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	p, err := c.deps.Parts.HomePartOf(r.Context(), mv.merchant.ID, r.PathValue("id"))
	if err != nil {
		c.site.FailOrder(w, r, err)
		return
	}
	v := refundConfirm{ID: p.ID, Total: c.restIn(r, p), ShipTo: p.ShipTo.Name,
		Status: statusText(c.site.Locale(r), p.Status), Action: r.URL.Path, Shipped: p.Status == order.StatusShipped || p.Status == order.StatusDelivered}
	c.pages.Render(w, r, http.StatusOK, "merchant_refund", c.consolePage(mv, c.site.T(r, "console.refund.title"), "/merchant/orders", v))
}

// refundPart refunds a part in full: POST /merchant/orders/{id}/refund.
func (c *Console) refundPart(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	_, err := c.deps.Parts.Refund(r.Context(), mv.merchant.ID, id)
	c.afterAction(w, r, mv, id, actionRefund, err)
}

// afterAction answers an action on part id: back to the list (the same
// filter and page) with a notice, or, when the part's status no longer
// allows it, the list with why next to the part (409).
func (c *Console) afterAction(w http.ResponseWriter, r *http.Request, mv merchantVisit, id string, a partAction, err error) {
	status, cursor := r.PostForm.Get("status"), r.PostForm.Get("cursor")
	if !knownFilter(status) {
		status = ""
	}
	switch {
	case err == nil:
		back := url.Values{"done": {a.done}}
		if status != "" {
			back.Set("status", status)
		}
		if cursor != "" {
			back.Set("cursor", cursor)
		}
		web.SeeOther(w, r, "/merchant/orders?"+back.Encode())
	case errors.Is(err, order.ErrConflict):
		why := c.site.Locale(r).T(a.refused, "ID", id)
		f := web.NewForm()
		f.Add("", c.site.T(r, "console.orders.status_changed", "Why", why))
		c.ordersTable(w, r, mv, http.StatusConflict, status, cursor, f, id, why)
	default:
		c.site.FailOrder(w, r, err)
	}
}

// restIn is what is left refundable of p, its items and its shipping not
// given back yet, as r's language writes money.
func (c *Console) restIn(r *http.Request, p order.HomePart) string {
	left := p.Left()
	return c.site.Money(r, left.Items.Amount+left.Shipping.Amount, p.Total.Currency)
}
