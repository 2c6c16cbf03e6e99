package storefront

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// speech is how one page speaks: the shopper's language's messages and
// prices, for the texts the storefront builds in Go (the variant
// picker's prices and stock, titles) rather than in its templates.
type speech struct {
	t     func(id string, args ...any) string
	money func(catalog.Money) string
	// cash writes amount minor units of a currency as money does.
	cash func(amount int64, currency string) string
	// tag is the language's tag, "en" or "zh-CN".
	tag string
	// zone is the site's time zone, which days are written in.
	zone *time.Location
	// issue says an issue's words, which the console says too.
	issue web.IssueWords
}

// speechOf is r's page's speech.
func (sf *Storefront) speechOf(r *http.Request) speech {
	l := sf.site.Locale(r)
	cash := func(amount int64, cur string) string { return sf.site.Money(r, amount, cur) }
	return speech{t: l.T, cash: cash, tag: l.Tag, zone: sf.site.Zone(), money: func(m catalog.Money) string { return cash(m.Amount, m.Currency) },
		issue: web.IssueWords{L: l, Money: cash, Zone: sf.site.Zone()}}
}

// speechIn is the speech of the page whose request ctx was derived from
// (English outside a request).
func (sf *Storefront) speechIn(ctx context.Context) speech {
	l := sf.site.LocaleIn(ctx)
	cash := func(amount int64, cur string) string { return sf.site.MoneyIn(ctx, amount, cur) }
	return speech{t: l.T, cash: cash, tag: l.Tag, zone: sf.site.Zone(), money: func(m catalog.Money) string { return cash(m.Amount, m.Currency) },
		issue: web.IssueWords{L: l, Money: cash, Zone: sf.site.Zone()}}
}

// orderMoney writes an order's money.
func (sp speech) orderMoney(m order.Money) string { return sp.cash(m.Amount, m.Currency) }

// tOr is the message id, or fallback when the messages lack it (a
// status or reason code newer than the messages).
func (sp speech) tOr(id, fallback string, args ...any) string {
	if s := sp.t(id, args...); s != id {
		return s
	}
	return fallback
}

// stock says how many of a variant are left.
func (sp speech) stock(n int64) string {
	switch {
	case n <= 0:
		return sp.t("store.out_of_stock")
	case n <= lowStock:
		return sp.t("store.only_left", "Count", n)
	}
	return sp.t("store.in_stock")
}

// optionN names the i-th variant offered as a button of its own.
func (sp speech) optionN(i int) string { return sp.t("store.option_n", "N", fmt.Sprint(i)) }

// fromPrice is the price of a listing whose variants' prices differ.
func (sp speech) fromPrice(l catalog.Listing) string {
	lo, ok := web.LowestPrice(l)
	if !ok {
		return ""
	}
	return sp.t("store.from_price", "Price", sp.money(lo))
}

// noticeOf is the confirmation r's "done" parameter names (see
// shopperNotices), in the shopper's language when the messages have it
// as notice.<done>.
func (sf *Storefront) noticeOf(r *http.Request) string { return sf.noticeIn(r, shopperNotices) }

// noticeIn is the confirmation of notices that r's "done" parameter
// names, in the shopper's language when the messages have it as
// notice.<done>.
func (sf *Storefront) noticeIn(r *http.Request, notices map[string]string) string {
	n := web.NoticeIn(r, notices)
	if n == "" {
		return ""
	}
	id := "notice." + r.URL.Query().Get("done")
	if s := sf.site.T(r, id); s != id {
		return s
	}
	return n
}
