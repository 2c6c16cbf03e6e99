package storefront

import (
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// speechFor is the speech of pages in the language tag, prices written
// as that language writes them.
func speechFor(t *testing.T, tag string) speech {
	t.Helper()
	c, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := c.Lookup(tag)
	if !ok {
		t.Fatalf("no language %s", tag)
	}
	mf := web.NewMoneyFormat(tag)
	return speech{t: l.T, tag: l.Tag, cash: mf.Format, zone: time.UTC, money: func(m catalog.Money) string { return mf.Format(m.Amount, m.Currency) }}
}

// part is a part of a test order: status, total in cents, and a carrier
// for a part that shipped.
func part(id, status string, cents int64, carrier string) order.Part {
	return order.Part{ID: id, Status: status, Total: order.Money{Amount: cents, Currency: "EUR"}, Carrier: carrier}
}

func TestSummaryStatus(t *testing.T) {
	card := order.Payment{Method: order.MethodSandboxCard, Status: order.PaymentCaptured, Last4: "4242",
		Amount: order.Money{Amount: 24790, Currency: "EUR"}}
	refunded := func(p order.Payment, cents int64) order.Payment {
		p.Refunded = order.Money{Amount: cents, Currency: "EUR"}
		return p
	}
	invoice := order.Payment{Method: order.MethodManual, Status: order.PaymentPending, Amount: card.Amount}
	const (
		res, acc, shp, del = order.StatusReserved, order.StatusAccepted, order.StatusShipped, order.StatusDelivered
		can, rej, ref      = order.StatusCancelled, order.StatusRejected, order.StatusRefunded
	)
	tests := []struct {
		name  string
		parts []order.Part
		pay   order.Payment
		want  string
	}{
		{"one part waits", []order.Part{part("a", res, 2479, "")}, card, "Waiting for the merchant"},
		{"parts wait", []order.Part{part("a", res, 2479, ""), part("b", res, 100, "")}, card, "Waiting for the merchants"},
		{"accepted", []order.Part{part("a", acc, 2479, ""), part("b", res, 100, "")}, card, "Being prepared"},
		{"one of two shipped", []order.Part{part("a", shp, 2479, "DHL"), part("b", acc, 100, "")}, card, "Partly shipped"},
		{"one delivered, one being prepared", []order.Part{part("a", del, 2479, "DHL"), part("b", acc, 100, "")}, card, "Partly shipped"},
		{"all shipped", []order.Part{part("a", shp, 2479, "DHL"), part("b", shp, 100, "UPS")}, card, "Shipped"},
		{"one delivered, one shipped", []order.Part{part("a", del, 2479, "DHL"), part("b", shp, 100, "UPS")}, card, "Partly delivered"},
		{"all delivered", []order.Part{part("a", del, 2479, "DHL"), part("b", del, 100, "UPS")}, card, "Delivered"},
		{"all cancelled, refunded", []order.Part{part("a", can, 2479, "")}, refunded(card, 2479), "Cancelled, refunded €24.79"},
		{"all cancelled, refund under way", []order.Part{part("a", can, 2479, "")}, card, "Cancelled, refund of €24.79 under way"},
		{"cancelled, never paid", []order.Part{part("a", can, 2479, "")}, invoice, "Cancelled, nothing to pay"},
		{"not accepted", []order.Part{part("a", rej, 2479, ""), part("b", rej, 100, "")}, refunded(card, 2579),
			"Not accepted, refunded €25.79"},
		{"refunded before shipping is a cancel", []order.Part{part("a", ref, 2479, "")}, refunded(card, 2479), "Cancelled, refunded €24.79"},
		{"refunded after shipping is a return", []order.Part{part("a", ref, 2479, "DHL")}, refunded(card, 2479), "Returned, refunded €24.79"},
		{"endings mixed", []order.Part{part("a", rej, 2479, ""), part("b", can, 100, "")}, refunded(card, 2579), "Cancelled, refunded €25.79"},
		{"delivered and one cancelled", []order.Part{part("a", del, 22311, "DHL"), part("b", can, 2479, "")}, refunded(card, 2479),
			"Delivered; 1 part cancelled, refunded €24.79"},
		{"shipped, two cancelled, one returned", []order.Part{part("a", shp, 100, "DHL"), part("b", can, 200, ""), part("c", can, 300, ""),
			part("d", ref, 400, "UPS")}, refunded(card, 500), "Shipped; 2 parts cancelled, 1 returned, refund of €9.00 under way"},
		{"recovered after a restore: the money is not known here", []order.Part{part("a", can, 2479, "")},
			order.Payment{Status: order.PaymentRecovered}, "Cancelled"},
	}
	en := speechFor(t, locale.English)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := en.summaryStatus(order.Order{Parts: tt.parts, Payment: tt.pay}); got != tt.want {
				t.Errorf("summaryStatus = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPartRefundsAndPayment(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	early, late := part("a", order.StatusCancelled, 2479, ""), part("b", order.StatusCancelled, 1000, "")
	early.UpdatedAt, late.UpdatedAt = t0, t0.Add(time.Minute)
	o := order.Order{Parts: []order.Part{late, early, part("c", order.StatusShipped, 5000, "DHL")},
		Payment: order.Payment{Method: order.MethodSandboxCard, Status: order.PaymentCaptured, Last4: "4242",
			Amount: order.Money{Amount: 8479, Currency: "EUR"}, Refunded: order.Money{Amount: 2479, Currency: "EUR"}}}
	en := speechFor(t, locale.English)
	got := en.partRefunds(o, "Alpha Market")
	want := map[string]string{"a": "€24.79 refunded to the card ending in 4242.",
		"b": "A refund of €10.00 to the card ending in 4242 is under way."}
	if len(got) != len(want) || got["a"] != want["a"] || got["b"] != want["b"] {
		t.Errorf("partRefunds = %q, want %q (the first part to end is refunded first)", got, want)
	}
	if s := en.paymentText(o.Payment); s != "Card ending in 4242, €84.79 charged; €24.79 refunded" {
		t.Errorf("paymentText = %q", s)
	}
	o.Payment = order.Payment{Method: order.MethodManual, Status: order.PaymentPending, Amount: order.Money{Amount: 8479, Currency: "EUR"},
		Refunded: order.Money{Amount: 3479, Currency: "EUR"}}
	if got := en.partRefunds(o, "Alpha Market")["a"]; got != "Nothing to pay for this part: the invoice is reduced by €24.79." {
		t.Errorf("an unpaid invoice's cancelled part: %q", got)
	}
	if s := en.paymentText(o.Payment); s != "Pay later, on invoice: €50.00 to be paid (€84.79 less €34.79 cancelled)" {
		t.Errorf("paymentText of a reduced invoice = %q", s)
	}
	o.Payment.Status = order.PaymentPaid
	if got := en.partRefunds(o, "Alpha Market")["a"]; got != "€24.79 refunded by bank transfer from Alpha Market." {
		t.Errorf("a paid invoice's cancelled part: %q", got)
	}
}

// A Chinese page says an order's status, its parts' refunds and its
// payment in Chinese, its money written the CLDR way for zh-CN.
func TestOrderTextsInChinese(t *testing.T) {
	zh := speechFor(t, locale.Chinese)
	cny := func(a int64) order.Money { return order.Money{Amount: a, Currency: "CNY"} }
	a, b := part("a", order.StatusDelivered, 123450, "DHL"), part("b", order.StatusCancelled, 2479, "")
	a.Total, b.Total = cny(123450), cny(2479)
	pay := order.Payment{Method: order.MethodSandboxCard, Status: order.PaymentCaptured, Last4: "4242", Amount: cny(125929), Refunded: cny(2479)}
	o := order.Order{Parts: []order.Part{a, b}, Payment: pay}
	if got, want := zh.summaryStatus(o), "已送达；1 个部分已取消，已退款 ¥24.79"; got != want {
		t.Errorf("summaryStatus = %q, want %q", got, want)
	}
	if got, want := zh.partRefunds(o, "Alpha Market")["b"], "¥24.79 已退至尾号为 4242 的银行卡。"; got != want {
		t.Errorf("partRefunds = %q, want %q", got, want)
	}
	if got, want := zh.paymentText(pay), "尾号为 4242 的银行卡，¥1,259.29 已扣款；已退款 ¥24.79"; got != want {
		t.Errorf("paymentText = %q, want %q", got, want)
	}
	if got, want := zh.partStatus(order.StatusAccepted), "已接受，备货中"; got != want {
		t.Errorf("partStatus = %q, want %q", got, want)
	}
	d := func(day int) time.Time { return time.Date(2026, 12, day, 0, 0, 0, 0, time.UTC) }
	if got, want := zh.arrivesText(d(8), d(10)), "12月8日（周二）至12月10日（周四）"; got != want {
		t.Errorf("arrivesText = %q, want %q", got, want)
	}
}
