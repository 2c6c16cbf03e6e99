package web

import (
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// CountryName names an ISO 3166-1 alpha-2 code in the language tag with
// CLDR's names (golang.org/x/text/language/display): "Germany", "德国";
// in English when the language has no name for it, and the code itself
// when neither has. The storefront and the console both name countries
// with it.
func CountryName(tag, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if tag != "en" {
		if n := regionNamer(tag).Name(r); n != "" {
			return n
		}
	}
	if n := englishRegions.Name(r); n != "" && !strings.EqualFold(n, "Unknown Region") {
		return n
	}
	return code
}

// englishRegions names regions in English.
var englishRegions = display.English.Regions()

// regionNamers are the region namers by language tag, each made once.
var regionNamers sync.Map // tag → display.Namer

// regionNamer names regions in the language tag.
func regionNamer(tag string) display.Namer {
	if n, ok := regionNamers.Load(tag); ok {
		return n.(display.Namer)
	}
	n, _ := regionNamers.LoadOrStore(tag, display.Regions(language.Make(tag)))
	return n.(display.Namer)
}
