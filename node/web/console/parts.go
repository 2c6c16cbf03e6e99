package console

import (
	"errors"
	"fmt"
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
// the filter offers them.
var partFilters = []web.Choice{
	{Value: "", Label: "All orders"},
	{Value: order.StatusAccepted, Label: "To ship"},
	{Value: order.StatusShipped, Label: "Shipped"},
	{Value: order.StatusDelivered, Label: "Delivered"},
	{Value: order.StatusRefunded, Label: "Refunded"},
	{Value: order.StatusCancelled, Label: "Cancelled"},
	{Value: order.StatusRejected, Label: "Not accepted"},
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
		c.site.Status(w, r, http.StatusBadRequest, "Bad request", "There is no such order status to show. Choose one from the list.")
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
	for _, c := range partFilters {
		c.Selected = c.Value == status
		v.Filters = append(v.Filters, c)
	}
	names, carriers := c.site.PlatformNames(), c.carriers()
	for _, p := range parts {
		row := partRow(p, names, carriers, f)
		if len(p.Refunds) > 0 {
			msgs, _ := c.deps.Parts.Messages(r.Context(), p.ID) // without them, refunds show undated
			left := web.LeftViewOf(p.Left(), p.Lines)
			row.Refunds, row.Left = web.RefundViews(p.Refunds, p.Lines, p.Shipping, web.RefundTimes(msgs)), &left
		}
		if p.ID == problemID {
			row.Problem = fmt.Sprintf("%s: it is %s now.", problem, strings.ToLower(row.StatusText))
		}
		v.Rows = append(v.Rows, row)
	}
	if cursor != "" {
		v.FirstURL = ordersListURL(status, "")
	}
	if next != "" {
		v.NextURL = ordersListURL(status, next)
	}
	p := c.consolePage(mv, "Incoming orders", "/merchant/orders", v)
	p.Notice = web.NoticeIn(r, partNotices)
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
func carrierChoices(t shipping.Table, selected string) []web.Choice {
	out := []web.Choice{{Value: "", Label: "Choose a carrier", Selected: selected == ""}}
	for _, cr := range t {
		out = append(out, web.Choice{Value: cr.ID, Label: cr.Name, Selected: cr.ID == selected})
	}
	return append(out, web.Choice{Value: carrierOther, Label: "Other carrier", Selected: selected == carrierOther})
}

// partRow builds one row; f gives its ship inputs what was typed.
func partRow(p order.HomePart, names map[string]string, carriers shipping.Table, f *web.Form) merchantPartRow {
	base := "/merchant/orders/" + url.PathEscape(p.ID)
	row := merchantPartRow{ID: p.ID, Status: p.Status, StatusText: web.StatusText(p.Status),
		Storefront: web.PlatformName(names, p.Storefront), StorefrontID: p.Storefront,
		Total: web.FormatMoney(p.Total.Amount, p.Total.Currency), Carrier: p.Carrier, Tracking: p.Tracking,
		Reason: web.ReasonText[p.Reason], ShipTo: p.ShipTo, Lines: web.LineViews(p.Lines), Created: p.CreatedAt,
		TrackingURL:  p.TrackingURL,
		CarrierField: f.Field(partInput(p.ID, "carrier")), CarrierNameField: f.Field(partInput(p.ID, "carrier_name")),
		TrackingField: f.Field(partInput(p.ID, "tracking")), TrackingURLField: f.Field(partInput(p.ID, "tracking_url")),
		Carriers: carrierChoices(carriers, f.Value(partInput(p.ID, "carrier")))}
	if p.Refunded.Amount > 0 {
		row.Refunded = web.FormatMoney(p.Refunded.Amount, p.Refunded.Currency)
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
		row.Rest = restOf(p)
	}
	for _, rt := range p.Returns {
		if rt.Open() {
			row.ReturnURL, row.ReturnText = returnPageURL(p.ID, rt.ID), "Return to answer…"
			if rt.State == order.ReturnApproved {
				row.ReturnText = "Return approved: mark received…"
			}
			break
		}
	}
	return row
}

// partNotices confirm a merchant's action on a part, by "done".
var partNotices = map[string]string{
	"shipped":         "Marked as shipped. The shopper's storefront is told the carrier and tracking number.",
	"delivered":       "Marked as delivered.",
	"refunded":        "Refunded in full. The shopper's storefront pays the money back.",
	"partly-refunded": "Refunded. The shopper's storefront pays the money back; the part shows the refund and what is left.",
}

// partAction names one action for the pages: the verb a refusal uses and
// the notice after it.
type partAction struct{ verb, done string }

var (
	actionShip    = partAction{"shipped", "shipped"}
	actionDeliver = partAction{"marked delivered", "delivered"}
	actionRefund  = partAction{"refunded", "refunded"}
)

// shipPart marks a part shipped: POST /merchant/orders/{id}/ship. The
// carrier is one of the table, whose page gives the tracking link, or
// "other" with its name and, optionally, an https page where the parcel
// is followed. A problem shows the list again with it next to that
// part's input.
func (c *Console) shipPart(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	f := web.NewForm()
	sh := readShipment(r.PostForm, id, c.carriers(), f)
	var err error
	if f.OK() {
		_, err = c.deps.Parts.ShipWith(r.Context(), mv.merchant.ID, id, sh)
		var fe order.FieldErrors
		if errors.As(err, &fe) {
			for _, e := range fe {
				f.Add(shipInput(id, e.Field, r.PostForm.Get("carrier") == carrierOther), shipProblem(e.Field, e.Message))
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
func readShipment(pf url.Values, id string, carriers shipping.Table, f *web.Form) order.Shipment {
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
			f.Add(partInput(id, "carrier_name"), "Enter the name of the carrier.")
		}
		if link != "" && !strings.HasPrefix(strings.ToLower(link), "https://") {
			f.Add(partInput(id, "tracking_url"), "The tracking page must be an https:// address, such as https://carrier.example/track/JD0002.")
		}
	case carrier == "":
		f.Add(partInput(id, "carrier"), "Choose the carrier, or Other carrier and its name.")
	case !carriers.Known(carrier):
		f.Add(partInput(id, "carrier"), "Choose a carrier from the list, or Other carrier and its name.")
	}
	if tracking == "" {
		f.Add(partInput(id, "tracking"), "Enter the tracking number the carrier gave you.")
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

// shipProblem says an order.FieldErrors problem of the ship form.
func shipProblem(field, msg string) string {
	switch field {
	case "tracking_url":
		return "The tracking page " + msg + "."
	case "tracking":
		return "The tracking number " + msg + "."
	}
	return "The carrier " + msg + "."
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
	v := refundConfirm{ID: p.ID, Total: restOf(p), ShipTo: p.ShipTo.Name,
		Status: web.StatusText(p.Status), Action: r.URL.Path, Shipped: p.Status == order.StatusShipped || p.Status == order.StatusDelivered}
	c.pages.Render(w, r, http.StatusOK, "merchant_refund", c.consolePage(mv, "Refund a part", "/merchant/orders", v))
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
		why := fmt.Sprintf("Part %s can no longer be %s", id, a.verb)
		f := web.NewForm()
		f.Add("", why+": its status changed. The list shows where it stands now.")
		c.ordersTable(w, r, mv, http.StatusConflict, status, cursor, f, id, why)
	default:
		c.site.FailOrder(w, r, err)
	}
}

// restOf is what is left refundable of p: its items and its shipping not
// given back yet.
func restOf(p order.HomePart) string {
	left := p.Left()
	return web.FormatMoney(left.Items.Amount+left.Shipping.Amount, p.Total.Currency)
}
