package console

import (
	"slices"
	"strings"
	"sync"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// The console names countries in English and groups them by continent
// (the UN M.49 regions golang.org/x/text knows), so that a merchant picks
// a zone's countries from a list instead of typing codes.

// country is one ISO 3166-1 country with its English name.
type country struct{ Code, Name string }

// continent is a group of countries in the pickers.
type continent struct {
	Name      string
	Countries []country
}

// continents are the groups, by their M.49 codes.
var continents = []struct{ code, name string }{
	{"150", "Europe"}, {"019", "Americas"}, {"142", "Asia"}, {"002", "Africa"}, {"009", "Oceania"},
}

// countryList returns every assigned country in its continent, by name.
// Deprecated codes the catalog still reads (such as "BU" or "SU") are
// left out: they belong to no continent, stand for another code, or have
// no name.
var countryList = sync.OnceValue(func() []continent {
	out := make([]continent, len(continents))
	parents := make([]language.Region, len(continents))
	for i, c := range continents {
		out[i].Name, parents[i] = c.name, language.MustParseRegion(c.code)
	}
	names := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if !shipping.IsCountry(code) {
				continue
			}
			r := language.MustParseRegion(code)
			if r.String() != code || names.Name(r) == "" {
				continue
			}
			for i, p := range parents {
				if p.Contains(r) {
					out[i].Countries = append(out[i].Countries, country{Code: code, Name: names.Name(r)})
					break
				}
			}
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Countries, func(x, y country) int { return strings.Compare(x.Name, y.Name) })
	}
	return out
})

// countryName is the English name of a country code, or the code itself
// when it names none.
func countryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.English.Regions().Name(r); n != "" {
		return n
	}
	return code
}

// countryGroup is a continent as a picker shows it: its countries, those
// chosen ticked.
type countryGroup struct {
	Name    string
	Chosen  int // how many of its countries are chosen
	Choices []web.Choice
}

// countryGroups lists every continent's countries with those in chosen
// ticked; a chosen code the list lacks comes first, in a group of its
// own, so that nothing chosen is lost from the form.
func countryGroups(chosen []string) []countryGroup {
	picked := map[string]bool{}
	for _, c := range chosen {
		picked[c] = true
	}
	var out []countryGroup
	listed := map[string]bool{}
	for _, ct := range countryList() {
		g := countryGroup{Name: ct.Name}
		for _, c := range ct.Countries {
			listed[c.Code] = true
			g.Choices = append(g.Choices, web.Choice{Value: c.Code, Label: c.Name, Selected: picked[c.Code]})
			if picked[c.Code] {
				g.Chosen++
			}
		}
		out = append(out, g)
	}
	other := countryGroup{Name: "Other codes"}
	for _, c := range chosen {
		if !listed[c] {
			listed[c] = true
			other.Choices = append(other.Choices, web.Choice{Value: c, Label: countryName(c), Selected: true})
			other.Chosen++
		}
	}
	if len(other.Choices) > 0 {
		out = append([]countryGroup{other}, out...)
	}
	return out
}
