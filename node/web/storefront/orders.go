package storefront

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// ordersPageSize is how many orders one page of a shopper's orders shows.
const ordersPageSize = 20

// ordersView is what the orders template shows: a shopper's orders,
// newest first.
type ordersView struct {
	Orders []orderRow
	// Elsewhere are the orders placed on other members (first page only).
	Elsewhere         []remoteOrderRow
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
	// Items and Shipping split Total.
	Items, Shipping string
	// Country names the address's country.
	Country string
	// Coupon is the storefront's code the order used and CouponDiscount
	// what it took off Items; "" for none.
	Coupon, CouponDiscount string
	Payment                string
	// Points says what loyalty points paid and refunds gave back; nil
	// when the order used none.
	Points *orderPointsView
	Parts  []partView
	// CancelURL is the page that confirms a cancel of every part not yet
	// shipped; "" when no part can be cancelled any more.
	CancelURL string
	// Problem says why a request about the order was refused.
	Problem string
}

// orderPointsView is what points paid of an order: Points worth Value,
// and the points refunds gave back (Back) or are giving back (Due).
type orderPointsView struct {
	Points    int64
	Value     string
	Back, Due int64
	DueValue  string
}

// orderPointsOf is what o's page says about its points.
func orderPointsOf(o order.Order) *orderPointsView {
	p := o.Points
	if p == nil {
		return nil
	}
	v := &orderPointsView{Points: p.Points, Value: web.FormatMoney(p.Value.Amount, p.Value.Currency), Back: p.Returned}
	for _, r := range p.Returns {
		if !r.Given {
			v.Due += r.Points
		}
	}
	if p.RefundDue.Amount > 0 {
		v.DueValue = web.FormatMoney(p.RefundDue.Amount, p.RefundDue.Currency)
	}
	return v
}

// partView is one merchant's part of an order.
type partView struct {
	ID, Status, StatusText string
	Platform, PlatformID   string
	Merchant               string
	Total                  string
	Carrier, Tracking      string
	// TrackingURL is the carrier's page of the parcel, "" unless it is
	// an https URL.
	TrackingURL string
	// Items, Shipping and Rate are the part's items total, its shipping
	// and the rate it ships at; Arrives is the estimate made when it was
	// ordered ("Tue 8 – Thu 10 Dec"), "" without one.
	Items, Shipping, Rate, Arrives string
	// ShippingRefund says whether a refund gave the shipping back.
	ShippingRefund string
	Reason         string
	// Refund says what became of the money of a part that ended.
	Refund string
	Lines  []lineView
	// CancelURL confirms the cancel of this part alone; "" once shipped.
	CancelURL string
	// CancelSomeURL cancels some of its units; "" unless accepted.
	CancelSomeURL string
	// Refunds are its refunds and partial cancellations; Left what is
	// left of it after them, shown when it had any.
	Refunds []web.RefundView
	Left    *web.LeftView
	// ReturnURL returns some of its units, "" unless its merchant's
	// window is open; ReturnUntil is the window's last day and
	// ReturnPolicy the merchant's terms. Returns are its returns.
	ReturnURL, ReturnUntil string
	ReturnPolicy           []string
	Returns                []partReturnView
	// Issues are its problems reported, newest first; ReportURL reports
	// another, "" when the part may not have one (now).
	Issues    []partIssueView
	ReportURL string
	// Thread is its conversation with its merchant.
	Thread  *web.ThreadView
	Updated time.Time
}

// lineView is one line of a part, as shoppers read it: no SKU.
type lineView struct {
	Title, URL, Options string
	Quantity            int64
	UnitPrice, Subtotal string
	// Discount is what the merchant's offer took off, "" for none.
	Discount string
	// ReviewURL writes (or edits) a review of a delivered line.
	ReviewURL string
}

// orderURL is the shopper's page of an order.
func orderURL(id string) string { return "/orders/" + url.PathEscape(id) }

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
		row := orderRow{ID: o.ID, URL: orderURL(o.ID), Status: sf.speechOf(r).summaryStatus(o), Total: sf.site.Money(r, o.Total.Amount, o.Total.Currency),
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
	} else if v.Elsewhere, err = sf.remoteOrders(r.Context(), sv.shopper); err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	p := sf.shopperPage(sv, sf.site.T(r, "orders.title"), v)
	p.Notice = sf.noticeOf(r)
	sf.render(w, r, http.StatusOK, "orders", p)
}

// orderPage shows one of the shopper's orders: GET /orders/{id}.
func (sf *Storefront) orderPage(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, err := sf.deps.Orders.GetOrder(r.Context(), sv.shopper.ID, r.PathValue("id"))
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	p := sf.shopperPage(sv, sf.site.T(r, "orders.order_title", "ID", o.ID), sf.threadsOf(r.Context(), sv, o, sf.orderViewOf(r.Context(), o), "", nil))
	p.Notice = sf.noticeOf(r)
	sf.render(w, r, http.StatusOK, "order", p)
}

// orderViewOf builds the view of an order, naming platforms from the
// charter and this node's merchants by name.
func (sf *Storefront) orderViewOf(ctx context.Context, o order.Order) orderView {
	names := sf.site.PlatformNames()
	merchants := sf.merchantNamer(ctx)
	listings := sf.listingCache(ctx)
	sp := sf.speechIn(ctx)
	refunds := sp.partRefunds(o, sf.site.Name())
	v := orderView{ID: o.ID, Status: sp.summaryStatus(o), Total: sf.site.MoneyIn(ctx, o.Total.Amount, o.Total.Currency),
		Placed: o.CreatedAt, ShipTo: o.ShipTo, Payment: sp.paymentText(o.Payment), Country: sp.country(o.ShipTo.Country),
		Items:    sf.site.MoneyIn(ctx, o.Total.Amount+o.CouponDiscount.Amount-o.Shipping.Amount, o.Total.Currency),
		Shipping: sf.site.MoneyIn(ctx, o.Shipping.Amount, o.Total.Currency), Points: orderPointsOf(o)}
	if o.Coupon != "" {
		v.Coupon, v.CouponDiscount = o.Coupon, sf.site.MoneyIn(ctx, o.CouponDiscount.Amount, o.CouponDiscount.Currency)
	}
	carriers := sf.deps.Profiles.Carriers()
	for _, p := range o.Parts {
		pv := partView{ID: p.ID, Status: p.Status, StatusText: sp.partStatus(p.Status),
			Platform: web.PlatformName(names, p.Platform), PlatformID: p.Platform, Merchant: merchants(p),
			Total: sf.site.MoneyIn(ctx, p.Total.Amount, p.Total.Currency), Carrier: p.Carrier, Tracking: p.Tracking,
			Reason: sp.reason(p.Reason), Refund: refunds[p.ID], Updated: p.UpdatedAt, Rate: p.ShippingRate,
			Items:          sf.site.MoneyIn(ctx, p.Total.Amount-p.Shipping.Amount, p.Total.Currency),
			Shipping:       sf.site.MoneyIn(ctx, p.Shipping.Amount, p.Total.Currency),
			ShippingRefund: sp.shippingRefundText(p)}
		if p.Shipping.Amount == 0 {
			pv.Shipping = sp.t("ostatus.free")
		}
		if p.Estimate != nil {
			pv.Arrives = sp.arrivesText(p.Estimate.Earliest, p.Estimate.Latest)
		}
		if c, ok := carriers.Find(p.Carrier); ok {
			pv.Carrier = c.Name
		}
		if p.TrackingURL != "" && shipping.CheckTrackingURL(p.TrackingURL) == nil {
			pv.TrackingURL = p.TrackingURL
		}
		if p.Status == order.StatusRefunded && p.Carrier != "" {
			pv.StatusText = sp.t("ostatus.part_returned")
		}
		for _, l := range p.Items {
			lv := lineView{Title: l.Title, URL: web.ListingURL(l.ListingID), Quantity: l.Quantity,
				UnitPrice: sf.site.MoneyIn(ctx, l.UnitPrice.Amount, l.UnitPrice.Currency),
				Subtotal:  sf.site.MoneyIn(ctx, l.Quantity*l.UnitPrice.Amount-l.Discount.Amount, l.UnitPrice.Currency)}
			if l.Discount.Amount > 0 {
				lv.Discount = sf.site.MoneyIn(ctx, l.Discount.Amount, l.Discount.Currency)
			}
			if listing := listings(l.ListingID); listing != nil && len(listing.Variants) > 1 {
				if i := slices.IndexFunc(listing.Variants, func(v catalog.Variant) bool { return v.SKU == l.SKU }); i >= 0 {
					lv.Options = optionsText(listing.Variants[i].Options)
				}
			}
			if p.Status == order.StatusDelivered && sf.deps.Reviews != nil {
				lv.ReviewURL = reviewURL(o.ID, p.ID, l.ListingID, l.SKU)
			}
			pv.Lines = append(pv.Lines, lv)
		}
		if len(p.Refunds) > 0 {
			sf.refundsOf(ctx, sp, p, &pv)
		}
		if p.Status == order.StatusAccepted && (pv.Left == nil || !pv.Left.None) {
			pv.CancelSomeURL = cancelUnitsURL(o.ID, p.ID)
		}
		sf.returnsOf(ctx, o, p, &pv)
		sf.issuesOf(sp, o, p, &pv)
		if order.Cancellable(p.Status) {
			v.CancelURL = cancelURL(o.ID, "")
			pv.CancelURL = cancelURL(o.ID, p.ID)
		}
		v.Parts = append(v.Parts, pv)
	}
	return v
}

// listingCache returns a function that reads a listing once per request;
// nil when it is gone.
func (sf *Storefront) listingCache(ctx context.Context) func(id string) *catalog.Listing {
	known := map[string]*catalog.Listing{}
	return func(id string) *catalog.Listing {
		l, ok := known[id]
		if !ok {
			if found, err := sf.deps.Listings.Listing(ctx, id); err == nil {
				l = &found
			}
			known[id] = l
		}
		return l
	}
}

// merchantNamer returns a function that names a part's merchant as the
// listing of its first line does (see merchantName), or by its abbreviated
// id when that listing is gone. Names are looked up once per request.
func (sf *Storefront) merchantNamer(ctx context.Context) func(p order.Part) string {
	sp := sf.speechIn(ctx)
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
			n = sp.t("ostatus.merchant_n", "ID", web.ShortID(p.Merchant))
		}
		known[key] = n
		return n
	}
}

// paymentText says how an order was paid, and what was refunded: "Card
// ending in 4242, 247.90 EUR charged; 24.79 EUR refunded".
func (sp speech) paymentText(p order.Payment) string {
	amount := sp.orderMoney(p.Amount)
	var s string
	switch {
	case p.Method == order.MethodSandboxCard && p.Last4 != "":
		s = sp.t("ostatus.pay_card", "Last4", p.Last4, "Amount", amount, "Status", sp.paymentStatusText(p.Status))
	case p.Method == order.MethodManual && p.Status == order.PaymentPending && p.Refunded.Amount > 0:
		due := sp.cash(p.Amount.Amount-p.Refunded.Amount, p.Amount.Currency)
		return sp.t("ostatus.pay_invoice_reduced", "Due", due, "Amount", amount, "Cancelled", sp.orderMoney(p.Refunded))
	case p.Method == order.MethodManual:
		s = sp.t("ostatus.pay_invoice", "Amount", amount, "Status", sp.paymentStatusText(p.Status))
	case p.Method == "":
		return ""
	default:
		s = sp.t("ostatus.pay_other", "Method", p.Method, "Amount", amount, "Status", sp.paymentStatusText(p.Status))
	}
	if p.Refunded.Amount > 0 {
		s = sp.t("ostatus.pay_refunded", "Payment", s, "Amount", sp.orderMoney(p.Refunded))
	}
	return s
}

// paymentStatusText says a payment's status in words.
func (sp speech) paymentStatusText(s string) string {
	switch s {
	case order.PaymentCaptured, order.PaymentPending, order.PaymentPaid:
		return sp.t("ostatus.payment_" + s)
	}
	return s
}

// refundsOf adds p's refunds, dated by its statuses, and what is left of
// it to pv.
func (sf *Storefront) refundsOf(ctx context.Context, sp speech, p order.Part, pv *partView) {
	msgs, _ := sf.deps.Orders.Messages(ctx, p.ID) // without them, refunds show undated
	pv.Refunds = sp.refundViews(p, web.RefundTimes(msgs))
	left := web.LeftViewOf(p.Left(), p.Items)
	left.Items, left.Shipping = sp.orderMoney(p.Left().Items), sp.orderMoney(p.Left().Shipping)
	pv.Left = &left
}
