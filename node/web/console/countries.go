package console

import (
	"slices"
	"strings"
	"sync"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// The console names countries in the page's language, with CLDR's names
// (golang.org/x/text/language/display: "Germany", "德国"), and groups
// them by continent (the UN M.49 regions golang.org/x/text knows), so
// that a merchant picks a zone's countries from a list instead of typing
// codes. A list is in the language's alphabetical order (collate: pinyin
// for Chinese).

// country is one ISO 3166-1 country with its name.
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

// countryLists are the lists by language tag, each made once.
var countryLists sync.Map // tag → []continent

// regionNames names regions in the language tag.
func regionNames(tag string) display.Namer {
	if t := language.Make(tag); t != language.English && t != language.Und {
		return display.Regions(t)
	}
	return display.English.Regions()
}

// countryList returns every assigned country in its continent, by name
// in the language tag. Deprecated codes the catalog still reads (such as
// "BU" or "SU") are left out: they belong to no continent, stand for
// another code, or have no name.
func countryList(tag string) []continent {
	if l, ok := countryLists.Load(tag); ok {
		return l.([]continent)
	}
	l, _ := countryLists.LoadOrStore(tag, makeCountryList(tag))
	return l.([]continent)
}

func makeCountryList(tag string) []continent {
	out := make([]continent, len(continents))
	parents := make([]language.Region, len(continents))
	names := regionNames(tag)
	for i, c := range continents {
		out[i].Name, parents[i] = c.name, language.MustParseRegion(c.code)
		if n := names.Name(parents[i]); tag != "en" && n != "" {
			out[i].Name = n
		}
	}
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
		sortNames(tag, out[i].Countries, func(c country) string { return c.Name })
	}
	return out
}

// sortNames sorts list by its names in the language tag's order.
func sortNames[T any](tag string, list []T, name func(T) string) {
	if tag == "en" {
		slices.SortFunc(list, func(x, y T) int { return strings.Compare(name(x), name(y)) })
		return
	}
	c := collate.New(language.Make(tag))
	slices.SortFunc(list, func(x, y T) int { return c.CompareString(name(x), name(y)) })
}

// countryName is the name of a country code in the language tag, or the
// code itself when it names none.
func countryName(tag, code string) string { return web.CountryName(tag, code) }

// countryGroup is a continent as a picker shows it: its countries, those
// chosen ticked.
type countryGroup struct {
	Name    string
	Chosen  int // how many of its countries are chosen
	Choices []web.Choice
}

// countryGroups lists every continent's countries, named in the
// language of l (whose tag is tag), with those in chosen ticked; a
// chosen code the list lacks comes first, in a group of its own, so
// that nothing chosen is lost from the form.
func countryGroups(l words, tag string, chosen []string) []countryGroup {
	picked := map[string]bool{}
	for _, c := range chosen {
		picked[c] = true
	}
	var out []countryGroup
	listed := map[string]bool{}
	for _, ct := range countryList(tag) {
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
	other := countryGroup{Name: l.T("console.countries.other_codes")}
	for _, c := range chosen {
		if !listed[c] {
			listed[c] = true
			other.Choices = append(other.Choices, web.Choice{Value: c, Label: countryName(tag, c), Selected: true})
			other.Chosen++
		}
	}
	if len(other.Choices) > 0 {
		out = append([]countryGroup{other}, out...)
	}
	return out
}
