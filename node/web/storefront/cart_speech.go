package storefront

import (
	"slices"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
)

// The cart's shipping in the shopper's language: the ship-to selector's
// countries named and ordered as the language does (pinyin for
// Chinese), and which lines do not ship to the destination.

// chineseCountries are countries() named in Simplified Chinese, in
// pinyin order; made once.
var chineseCountries = sync.OnceValue(func() []country {
	out := slices.Clone(countries())
	for i := range out {
		out[i].Name = web.CountryName(locale.Chinese, out[i].Code)
	}
	c := collate.New(language.SimplifiedChinese)
	slices.SortFunc(out, func(x, y country) int { return c.CompareString(x.Name, y.Name) })
	return out
})

// countries are the ship-to selector's choices in sp's language.
func (sp speech) countries() []country {
	if sp.tag == locale.Chinese {
		return chineseCountries()
	}
	return countries()
}

// noShipLine says that the line titled title does not ship to dest.
func (sp speech) noShipLine(title, dest string) string {
	return sp.t("cart_ship.no_ship_line", "Title", title, "Country", dest)
}

// noShipPart says that the lines titled titles do not ship to dest.
func (sp speech) noShipPart(titles []string, dest string) string {
	quoted := make([]string, len(titles))
	for i, t := range titles {
		quoted[i] = sp.t("cart_ship.quoted", "Title", t)
	}
	return sp.t("cart_ship.no_ship_part", "Count", len(titles), "Titles", sp.prose(quoted), "Country", dest)
}
