package node

import (
	"time"

	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// Letters write money and times as the storefront's pages in their
// language do (CLDR): "€1,234.50" and "Nov 25, 2026, 12:00 PM UTC" in
// English, "¥1,234.50" for yuan and "2026年11月25日 12:00 UTC" in
// Simplified Chinese. Times are in UTC, which every recipient can read
// whatever the node's zone.

// letterFmt is the language of a letter, as mail.Language names it ("en",
// "zh"; the default for any other).
type letterFmt string

// letterMoney are the money formats of the letters' languages.
var letterMoney = map[string]*web.MoneyFormat{"en": web.NewMoneyFormat(locale.English), "zh": web.NewMoneyFormat(locale.Chinese)}

// tag is the page language the letter's language is: "en" or "zh-CN".
func (f letterFmt) tag() string {
	if mail.Language(string(f)) == "zh" {
		return locale.Chinese
	}
	return locale.English
}

// money writes amount minor units of currency.
func (f letterFmt) money(amount int64, currency string) string {
	if m, ok := letterMoney[mail.Language(string(f))]; ok {
		return m.Format(amount, currency)
	}
	return web.FormatMoney(amount, currency)
}

// time writes an instant, in UTC.
func (f letterFmt) time(t time.Time) string { return web.FormatTimeIn(f.tag(), t, time.UTC) }
