package storefront

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// ordersPageSize is how many orders one page of a shopper's orders shows.
const ordersPageSize = 20

// ordersView is what the orders template shows: a shopper's orders,
// newest first.
type ordersView struct {
	Orders            []orderRow
	NextURL, FirstURL string
}

// orderRow is one order of the list.
type orderRow struct {
	ID, URL, Status, Total string
	Parts                  int
	Items                  int64
	Placed                 time.Time
}

// orderView is what the order template shows: one order, part by part.
type orderView struct {
	ID, Status, Total string
	Placed            time.Time
	ShipTo            order.Address
	Payment           string
	Parts             []partView
	// CancelURL is where the cancel form posts; "" when no part can be
	// cancelled any more.
	CancelURL string
	// Problem says why a request about the order was refused.
	Problem string
}

// partView is one merchant's part of an order.
type partView struct {
	ID, Status, StatusText string
	Platform, PlatformID   string
	Merchant               string
	Total, Refunded        string
	Carrier, Tracking      string
	Reason                 string
	Lines                  []web.LineView
	Updated                time.Time
}

// orderURL is the shopper's page of an order.
func orderURL(id string) string { return "/orders/" + url.PathEscape(id) }

// cancellable reports whether a part in status s can still be cancelled.
func cancellable(s string) bool { return s == order.StatusReserved || s == order.StatusAccepted }

// ordersPage lists the shopper's orders, newest first: GET /orders.
func (sf *Storefront) ordersPage(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	cursor := r.URL.Query().Get("cursor")
	list, next, err := sf.deps.Orders.Orders(r.Context(), sv.shopper.ID, cursor, ordersPageSize)
	if errors.Is(err, order.ErrInvalid) { // a mistyped cursor
		web.SeeOther(w, r, "/orders")
		return
	}
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	var v ordersView
	for _, o := range list {
		row := orderRow{ID: o.ID, URL: orderURL(o.ID), Status: web.StatusText(o.Status), Total: web.FormatMoney(o.Total.Amount, o.Total.Currency),
			Parts: len(o.Parts), Placed: o.CreatedAt}
		for _, p := range o.Parts {
			for _, l := range p.Items {
				row.Items += l.Quantity
			}
		}
		v.Orders = append(v.Orders, row)
	}
	if next != "" {
		v.NextURL = "/orders?" + url.Values{"cursor": {next}}.Encode()
	}
	if cursor != "" {
		v.FirstURL = "/orders"
	}
	p := sf.shopperPage(sv, "Your orders", v)
	p.Notice = web.NoticeIn(r, shopperNotices)
	sf.pages.Render(w, r, http.StatusOK, "orders", p)
}

// orderPage shows one of the shopper's orders: GET /orders/{id}.
func (sf *Storefront) orderPage(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, r.PathValue("id"))
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	p := sf.shopperPage(sv, "Order "+o.ID, sf.orderViewOf(r.Context(), o))
	p.Notice = web.NoticeIn(r, shopperNotices)
	sf.pages.Render(w, r, http.StatusOK, "order", p)
}

// cancelOrder asks the home nodes to cancel every part not yet shipped:
// POST /orders/{id}/cancel. An order with nothing left to cancel is shown
// again with why.
func (sf *Storefront) cancelOrder(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	id := r.PathValue("id")
	_, err := sf.deps.Orders.CancelOrder(r.Context(), sv.shopper.ID, id)
	if err == nil {
		web.SeeOther(w, r, orderURL(id)+"?done=cancelled")
		return
	}
	if !errors.Is(err, order.ErrConflict) {
		sf.site.FailOrder(w, r, err)
		return
	}
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, id)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	v := sf.orderViewOf(r.Context(), o)
	v.Problem = "Nothing was cancelled: every part of this order has shipped or ended already."
	sf.pages.Render(w, r, http.StatusConflict, "order", sf.shopperPage(sv, "Order "+o.ID, v))
}

// orderViewOf builds the view of an order, naming platforms from the
// charter and this node's merchants by name.
func (sf *Storefront) orderViewOf(ctx context.Context, o order.Order) orderView {
	names := sf.site.PlatformNames()
	merchants := sf.merchantNamer(ctx)
	v := orderView{ID: o.ID, Status: web.StatusText(o.Status), Total: web.FormatMoney(o.Total.Amount, o.Total.Currency),
		Placed: o.CreatedAt, ShipTo: o.ShipTo, Payment: paymentText(o.Payment)}
	for _, p := range o.Parts {
		pv := partView{ID: p.ID, Status: p.Status, StatusText: web.StatusText(p.Status),
			Platform: web.PlatformName(names, p.Platform), PlatformID: p.Platform, Merchant: merchants(p),
			Total: web.FormatMoney(p.Total.Amount, p.Total.Currency), Carrier: p.Carrier, Tracking: p.Tracking,
			Reason: web.ReasonText[p.Reason], Lines: web.LineViews(p.Items), Updated: p.UpdatedAt}
		if p.Refunded.Amount > 0 {
			pv.Refunded = web.FormatMoney(p.Refunded.Amount, p.Refunded.Currency)
		}
		if cancellable(p.Status) {
			v.CancelURL = orderURL(o.ID) + "/cancel"
		}
		v.Parts = append(v.Parts, pv)
	}
	return v
}

// merchantNamer returns a function that names a part's merchant as the
// listing of its first line does (see merchantName), or by its abbreviated
// id when that listing is gone. Names are looked up once per request.
func (sf *Storefront) merchantNamer(ctx context.Context) func(p order.Part) string {
	known := map[string]string{}
	return func(p order.Part) string {
		key := p.Platform + "/" + p.Merchant
		if n, ok := known[key]; ok {
			return n
		}
		n := ""
		if len(p.Items) > 0 {
			if l, err := sf.deps.Listings.Listing(ctx, p.Items[0].ListingID); err == nil {
				n = sf.merchantName(ctx, l)
			}
		}
		if n == "" {
			n = "Merchant " + web.ShortID(p.Merchant)
		}
		known[key] = n
		return n
	}
}

// paymentText says how an order was paid.
func paymentText(p order.Payment) string {
	amount := web.FormatMoney(p.Amount.Amount, p.Amount.Currency)
	switch {
	case p.Method == order.MethodSandboxCard && p.Last4 != "":
		return "Card ending in " + p.Last4 + ", " + amount + " " + paymentStatusText(p.Status)
	case p.Method == order.MethodManual:
		return "Pay later, on invoice: " + amount + " " + paymentStatusText(p.Status)
	case p.Method == "":
		return ""
	}
	return p.Method + ": " + amount + " " + paymentStatusText(p.Status)
}

// paymentStatusText says a payment's status in words.
func paymentStatusText(s string) string {
	switch s {
	case order.PaymentCaptured:
		return "charged"
	case order.PaymentPending:
		return "to be paid"
	case order.PaymentPaid:
		return "paid"
	}
	return s
}
