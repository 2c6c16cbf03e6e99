package storefront

import (
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The words of the order pages that the storefront builds in Go rather
// than in its templates: a part's status, why a part ended, when it is
// expected, and its refunds, each in the page's language.

// partStatus says a part's status in words.
func (sp speech) partStatus(s string) string {
	return sp.tOr("part_status."+s, web.StatusText(s))
}

// reason explains a home node's reason for ending a part; "" for none.
func (sp speech) reason(code string) string {
	if code == "" {
		return ""
	}
	fallback, ok := web.ReasonText[code]
	if !ok {
		return ""
	}
	return sp.tOr("reason."+code, fallback)
}

// zhWeekdays are the weekdays as Chinese dates write them, Sunday first.
var zhWeekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// arrivesText says when a part is expected, as arrivesText does in
// English; Chinese writes "12月8日（周二）至12月10日（周四）".
func (sp speech) arrivesText(earliest, latest time.Time) string {
	if sp.tag != locale.Chinese {
		return arrivesText(earliest, latest)
	}
	day := func(t time.Time) string {
		return t.Format("1月2日") + "（" + zhWeekdays[t.Weekday()] + "）"
	}
	e, l := earliest.UTC(), latest.UTC()
	if e.Equal(l) {
		return day(e)
	}
	return day(e) + "至" + day(l)
}

// day writes the day of t in the site's zone: "12 Dec 2026" in
// English, "2026年12月12日" in Chinese.
func (sp speech) day(t time.Time) string {
	if sp.tag == locale.Chinese {
		return t.In(sp.zone).Format("2006年1月2日")
	}
	return t.In(sp.zone).Format("2 Jan 2006")
}

// returnReason is a return's reason in words.
func (sp speech) returnReason(code string) string {
	fallback, ok := returnReasonText[code]
	if !ok {
		return ""
	}
	return sp.tOr("returns.reason_"+code, fallback)
}

// returnState names a return's state.
func (sp speech) returnState(s string) string {
	return sp.tOr("returns.state_"+s, returnStateText[s])
}

// refundViews are p's refunds as its order page shows them, stated at
// the times at gives.
func (sp speech) refundViews(p order.Part, at map[string]time.Time) []web.RefundView {
	return web.RefundViews(sp.issue.L, sp.cash, p.Refunds, p.Items, p.Shipping, at)
}

// elapsed says how long d is, as web.Elapsed does in English: "2 days",
// "2 天".
func (sp speech) elapsed(d time.Duration) string {
	if sp.tag != locale.Chinese {
		return web.Elapsed(d)
	}
	return sp.issue.Elapsed(d)
}
