package storefront

import (
	"fmt"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The shipping and returns terms of a merchant's page and of a listing
// page's line, in the shopper's language: countries named as the
// language names them, counts in its plural forms, lists joined as it
// joins them ("Germany, France" and "德国、法国").

// country names an ISO 3166-1 alpha-2 code in sp's language, the code
// itself when it names none.
func (sp speech) country(code string) string { return web.CountryName(sp.tag, code) }

// destination names a destination: "Germany", "西班牙（ES-CN）".
func (sp speech) destination(d shipping.Destination) string {
	if d.Region != "" {
		return sp.t("terms.region", "Country", sp.country(d.Country), "Region", d.Region)
	}
	return sp.country(d.Country)
}

// list joins items as sp's language does.
func (sp speech) list(items []string) string { return strings.Join(items, sp.t("terms.list_sep")) }

// places names a zone's countries and regions.
func (sp speech) places(z shipping.Zone) string {
	var names []string
	for _, c := range z.Countries {
		names = append(names, sp.country(c))
	}
	for _, r := range z.Regions {
		names = append(names, sp.destination(shipping.Destination{Country: r[:2], Region: r}))
	}
	return sp.list(names)
}

// rate says how a rate is priced: "€4.90 per order + €1.00 per item;
// free over €50.00".
func (sp speech) rate(r shipping.Rate, currency string) string {
	money := func(v int64) string { return sp.cash(v, currency) }
	var parts []string
	if r.Flat > 0 {
		parts = append(parts, sp.t("terms.per_order", "Price", money(r.Flat)))
	}
	if r.PerItem > 0 {
		parts = append(parts, sp.t("terms.per_item", "Price", money(r.PerItem)))
	}
	if len(r.Bands) > 0 {
		var bands []string
		for _, b := range r.Bands {
			bands = append(bands, sp.t("terms.band", "Price", money(b.Amount), "Weight", sp.grams(b.To)))
		}
		parts = append(parts, sp.t("terms.by_weight", "Bands", sp.list(bands)))
	}
	if len(parts) == 0 {
		return sp.t("terms.free")
	}
	s := strings.Join(parts, sp.t("terms.rate_join"))
	if r.FreeOver > 0 {
		s = sp.t("terms.free_over", "Rate", s, "Price", money(r.FreeOver))
	}
	return s
}

// grams writes a weight: "500 g", "2 kg", "2.5 公斤".
func (sp speech) grams(g int64) string {
	switch {
	case g < 1000:
		return sp.t("terms.grams", "N", g)
	case g%1000 == 0:
		return sp.t("terms.kilograms", "N", g/1000)
	}
	return sp.t("terms.kilograms", "N", strings.TrimRight(fmt.Sprintf("%d.%03d", g/1000, g%1000), "0"))
}

// transit says a transit time: "1–2 business days", "1–2 个工作日".
func (sp speech) transit(d shipping.Days) string {
	if d.Min == d.Max {
		return sp.t("terms.business_days", "Count", d.Max)
	}
	return sp.t("terms.business_days_range", "Count", d.Max, "Min", d.Min)
}

// returnsShort says a merchant's returns in two words: "30-day returns",
// "30 天内可退货".
func (sp speech) returnsShort(p catalog.Policies) string {
	if p.ReturnDays <= 0 {
		return sp.t("terms.no_returns")
	}
	return sp.t("terms.day_returns", "Count", p.ReturnDays)
}

// policies says a merchant's policies in plain words, a sentence each.
func (sp speech) policies(p catalog.Policies) []string {
	var out []string
	if p.ReturnDays <= 0 {
		out = append(out, sp.t("terms.returns_refused"))
	} else {
		who := sp.t("terms.you_pay")
		if p.ReturnShipping == catalog.ReturnPaidByMerchant {
			who = sp.t("terms.merchant_pays")
		}
		out = append(out, sp.t("terms.return_within", "Count", p.ReturnDays, "Who", who))
		if p.RestockingFeeBPS > 0 {
			out = append(out, sp.t("terms.restocking", "Fee", web.FormatBPS(int64(p.RestockingFeeBPS))))
		}
	}
	if p.HandlingDays == 0 {
		out = append(out, sp.t("terms.sent_same_day"))
	} else {
		out = append(out, sp.t("terms.sent_within", "Count", p.HandlingDays))
	}
	return out
}

// arrives says when a parcel arrives without weekdays: "3–5 Dec" in
// English, "12月3日–5日" in Chinese.
func (sp speech) arrives(earliest, latest time.Time) string {
	if sp.tag != locale.Chinese {
		return arrivesShort(earliest, latest)
	}
	e, l := earliest.UTC(), latest.UTC()
	switch {
	case e.Equal(l):
		return e.Format("1月2日")
	case e.Month() == l.Month() && e.Year() == l.Year():
		return e.Format("1月2日") + "–" + l.Format("2日")
	}
	return e.Format("1月2日") + "–" + l.Format("1月2日")
}
