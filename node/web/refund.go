package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The refunds and partial cancellations of a part, as the shopper's
// order page and the merchant's incoming parts show them: each refund on
// a line of its own (what it gave back, for which units, whether shipping
// was in it, when), then what is left of the part.

// RefundView is one refund or partial cancellation of a part.
type RefundView struct {
	ID string
	// Kind is "Cancelled" for a shopper's partial cancellation,
	// "Refunded" for a merchant's refund.
	Kind   string
	Amount string
	// Items names the units it covers ("2 × Desk lamp"); "" for an
	// amount alone.
	Items string
	// Shipping says whether shipping was given back: "including 4.90 EUR
	// of shipping" or "shipping not included"; "" when shipping was free.
	Shipping string
	// Restocked is true when the units went back to the merchant's stock.
	Restocked bool
	Reason    string
	// At is when the home stated it; zero when its status is not kept.
	At time.Time
}

// LeftView is what is left of a part after its refunds.
type LeftView struct {
	// Units names the units left, line by line ("1 × Desk lamp").
	Units []string
	// Items and Shipping are the money of the items and of the shipping
	// not given back.
	Items, Shipping string
	// None is true when no unit is left.
	None bool
}

// RefundViews builds the views of a part's refunds, said in l's language
// with amounts as money writes them: lines names their units, shipping is
// what the part's shipping cost (a part shipped free says nothing of
// shipping), and at gives when each was stated, by refund id.
func RefundViews(l *locale.Locale, money func(amount int64, currency string) string, refunds []order.Refund, lines []order.Line, shipping order.Money, at map[string]time.Time) []RefundView {
	out := make([]RefundView, 0, len(refunds))
	for _, r := range refunds {
		v := RefundView{ID: r.ID, Kind: l.T("ostatus.refund_kind_refunded"), Amount: money(r.Amount.Amount, r.Amount.Currency),
			Items: UnitsText(r.Lines, lines), Restocked: r.Restock && len(r.Lines) > 0, Reason: r.Reason, At: at[r.ID],
		}
		if r.Kind == order.RefundKindCancel {
			v.Kind = l.T("ostatus.refund_kind_cancelled")
		}
		switch {
		case r.Shipping.Amount > 0:
			v.Shipping = l.T("ostatus.refund_shipping", "Amount", money(r.Shipping.Amount, r.Shipping.Currency))
		case shipping.Amount > 0:
			v.Shipping = l.T("ostatus.refund_no_shipping")
		}
		out = append(out, v)
	}
	return out
}

// LeftViewOf says what is left of a part of lines.
func LeftViewOf(left order.Left, lines []order.Line) LeftView {
	v := LeftView{Items: FormatMoney(left.Items.Amount, left.Items.Currency),
		Shipping: FormatMoney(left.Shipping.Amount, left.Shipping.Currency), None: true}
	for _, u := range left.Units {
		if u.Quantity > 0 {
			v.None = false
			v.Units = append(v.Units, UnitsText([]order.Units{u}, lines))
		}
	}
	return v
}

// UnitsText names units by their lines' titles: "2 × Desk lamp, 1 × Mug".
func UnitsText(units []order.Units, lines []order.Line) string {
	var parts []string
	for _, u := range units {
		title := u.SKU
		for _, l := range lines {
			if l.ListingID == u.ListingID && l.SKU == u.SKU {
				title = l.Title
				break
			}
		}
		parts = append(parts, strconv.FormatInt(u.Quantity, 10)+" × "+title)
	}
	return strings.Join(parts, ", ")
}

// RefundTimes reads when each refund of a part was stated from the
// part's signed messages: the time of the status that carried it.
func RefundTimes(msgs []*order.Message) map[string]time.Time {
	out := map[string]time.Time{}
	for _, m := range msgs {
		if m.Kind == order.KindStatus && m.Status != nil && m.Status.Refund != nil {
			out[m.Status.Refund.ID] = m.At
		}
	}
	return out
}
