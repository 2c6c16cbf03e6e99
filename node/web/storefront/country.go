package storefront

import (
	"slices"
	"sync"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/locale"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// country is an ISO 3166-1 alpha-2 code with its English name, for the
// ship-to selector and the pages that name a destination.
type country struct{ Code, Name string }

// countries are every assigned country, by name; made once.
var countries = sync.OnceValue(func() []country {
	var out []country
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			// Withdrawn codes (RH for ZW) stand for their successor.
			if r, err := language.ParseRegion(code); err == nil && shipping.IsCountry(code) && r.Canonicalize().String() == code {
				if n := countryName(code); n != code { // a code without a name is no country a shopper picks
					out = append(out, country{Code: code, Name: n})
				}
			}
		}
	}
	c := collate.New(language.English, collate.Loose)
	slices.SortFunc(out, func(x, y country) int { return c.CompareString(x.Name, y.Name) })
	return out
})

// countryName names an ISO 3166-1 alpha-2 code in English ("Germany"),
// or returns the code when it names none.
func countryName(code string) string { return web.CountryName(locale.English, code) }
