package storefront

import (
	"fmt"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// speech is how one page speaks: the shopper's language's messages and
// prices, for the texts the storefront builds in Go (the variant
// picker's prices and stock, titles) rather than in its templates.
type speech struct {
	t     func(id string, args ...any) string
	money func(catalog.Money) string
}

// speechOf is r's page's speech.
func (sf *Storefront) speechOf(r *http.Request) speech {
	l := sf.site.Locale(r)
	return speech{t: l.T, money: func(m catalog.Money) string { return sf.site.Money(r, m.Amount, m.Currency) }}
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
func (sf *Storefront) noticeOf(r *http.Request) string {
	n := web.NoticeIn(r, shopperNotices)
	if n == "" {
		return ""
	}
	id := "notice." + r.URL.Query().Get("done")
	if s := sf.site.T(r, id); s != id {
		return s
	}
	return n
}
