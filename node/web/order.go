package web

import (
	"strings"

	"github.com/fedmart/fedmart/federation/order"
)

// The words for orders and their parts, which the shopper's order pages
// and the merchant's incoming parts share.

// LineView is one line of a part.
type LineView struct {
	Title, URL, SKU     string
	Quantity            int64
	UnitPrice, Subtotal string
}

// partStatusText says a part's status in words.
var partStatusText = map[string]string{
	order.StatusReserved:  "Waiting for the merchant",
	order.StatusAccepted:  "Accepted, being prepared",
	order.StatusRejected:  "Not accepted",
	order.StatusShipped:   "Shipped",
	order.StatusDelivered: "Delivered",
	order.StatusCancelled: "Cancelled",
	order.StatusRefunded:  "Refunded",
}

// StatusText says a part's or an order's status in words; an order's
// "partially_shipped" is "Partly shipped".
func StatusText(s string) string {
	if rest, ok := strings.CutPrefix(s, "partially_"); ok {
		return "Partly " + strings.ToLower(StatusText(rest))
	}
	if t, ok := partStatusText[s]; ok {
		return t
	}
	return strings.ReplaceAll(s, "_", " ")
}

// ReasonText explains a home node's reason for ending a part.
var ReasonText = map[string]string{
	order.ReasonOutOfStock:   "the merchant no longer had the stock",
	order.ReasonPriceChanged: "the price had changed",
	order.ReasonUnavailable:  "the merchant's platform could not be reached",
}

// LineViews builds the views of a part's lines.
func LineViews(lines []order.Line) []LineView {
	out := make([]LineView, 0, len(lines))
	for _, l := range lines {
		out = append(out, LineView{Title: l.Title, URL: ListingURL(l.ListingID), SKU: l.SKU, Quantity: l.Quantity,
			UnitPrice: FormatMoney(l.UnitPrice.Amount, l.UnitPrice.Currency),
			Subtotal:  FormatMoney(l.Quantity*l.UnitPrice.Amount, l.UnitPrice.Currency)})
	}
	return out
}
