package storefront

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// A listing's variants are chosen with option buttons, one group per
// option name ("Size: 20 cm / 24 cm / 28 cm"): radio inputs styled as
// buttons, so that the choice works without JavaScript. The form posts
// each group's value as "option.<name>" and the storefront finds the
// variant whose options are those values (chooseVariant); a listing of
// one variant posts its SKU in a hidden input, and variants that their
// options do not tell apart are offered as buttons of their own, by
// price. With JavaScript (static/store.js) the price and availability
// follow the buttons; without it, the price of each choice is on its
// button when prices differ, and the cart shows the chosen one. SKUs are
// the merchant's codes: shoppers never see them.

// optionPrefix leads the names of the option inputs.
const optionPrefix = "option."

// picker is the add-to-cart form's choice of a variant.
type picker struct {
	// Groups are the option groups; none when the listing has one
	// variant, or its variants are told apart by price alone (Plain).
	Groups []optionGroup
	// Plain offers each variant as a button of its own, when options do
	// not tell them apart.
	Plain []variantChoice
	// SKU is the only variant's, posted in a hidden input.
	SKU string
	// Price and Stock are the chosen variant's; Price is "From ..." when
	// the variants' prices differ and nothing says which is chosen yet.
	Price, Stock string
	InStock      bool
	// Data are every variant's options, price and availability, for the
	// script that updates Price and Stock as buttons change.
	Data []variantData
}

// optionGroup is one option name's buttons.
type optionGroup struct {
	Name, Label, ID string
	Values          []optionValue
}

// optionValue is one button of a group.
type optionValue struct {
	Value, Label, ID string
	// Price is the price of the variants with this value, when the group
	// alone decides the price; "" otherwise.
	Price string
	// Checked marks the value of the variant chosen first (the first in
	// stock); SoldOut a value no variant in stock has.
	Checked, SoldOut bool
}

// variantChoice is one variant offered as a button of its own.
type variantChoice struct {
	SKU, ID, Label, Price string
	Checked, SoldOut      bool
}

// variantData is what the script knows of one variant.
type variantData struct {
	Options map[string]string `json:"options"`
	Price   string            `json:"price"`
	Stock   string            `json:"stock"`
	InStock bool              `json:"in_stock"`
}

// newPicker builds the choice of l's variants, with chosen (a SKU, "" for
// the first in stock) checked, its texts in sp's language.
func newPicker(l catalog.Listing, chosen string, sp speech) picker {
	var p picker
	if len(l.Variants) == 0 {
		return p
	}
	first := slices.IndexFunc(l.Variants, func(v catalog.Variant) bool { return v.SKU == chosen })
	if first < 0 {
		first = max(slices.IndexFunc(l.Variants, func(v catalog.Variant) bool { return v.Stock > 0 }), 0)
	}
	pick := l.Variants[first]
	p.Price, p.Stock, p.InStock = sp.money(pick.Price), sp.stock(pick.Stock), pick.Stock > 0
	for _, v := range l.Variants {
		p.Data = append(p.Data, variantData{Options: v.Options, Price: sp.money(v.Price), Stock: sp.stock(v.Stock), InStock: v.Stock > 0})
	}
	switch names := optionNames(l); {
	case len(l.Variants) == 1:
		p.SKU = pick.SKU
		return p
	case names == nil:
		for i, v := range l.Variants {
			p.Plain = append(p.Plain, variantChoice{SKU: v.SKU, ID: fmt.Sprintf("variant-%d", i),
				Label: sp.optionN(i + 1), Price: sp.money(v.Price), Checked: i == first, SoldOut: v.Stock <= 0})
		}
	default:
		for gi, name := range names {
			p.Groups = append(p.Groups, newGroup(l, gi, name, pick, sp))
		}
	}
	if !samePrices(l) && chosen == "" {
		p.Price = sp.fromPrice(l)
	}
	return p
}

// newGroup is the buttons of option name, the gi-th group, with pick's
// value checked.
func newGroup(l catalog.Listing, gi int, name string, pick catalog.Variant, sp speech) optionGroup {
	g := optionGroup{Name: optionPrefix + name, Label: optionLabel(name), ID: fmt.Sprintf("opt-%d", gi)}
	decides := len(optionNames(l)) == 1
	for _, v := range l.Variants {
		value := v.Options[name]
		i := slices.IndexFunc(g.Values, func(ov optionValue) bool { return ov.Value == value })
		if i < 0 {
			g.Values = append(g.Values, optionValue{Value: value, Label: valueLabel(value),
				ID: fmt.Sprintf("%s-%d", g.ID, len(g.Values)), Checked: value == pick.Options[name], SoldOut: true})
			i = len(g.Values) - 1
		}
		if v.Stock > 0 {
			g.Values[i].SoldOut = false
		}
		if decides && !samePrices(l) {
			g.Values[i].Price = sp.money(v.Price)
		}
	}
	return g
}

// optionNames are the option names that tell l's variants apart, in
// order; nil when two variants have the same options.
func optionNames(l catalog.Listing) []string {
	var names []string
	for _, v := range l.Variants {
		for k := range v.Options {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(a, b) })
	seen := map[string]bool{}
	for _, v := range l.Variants {
		key := optionKey(v.Options, names)
		if seen[key] {
			return nil
		}
		seen[key] = true
	}
	return names
}

// optionKey joins the values of names in opts.
func optionKey(opts map[string]string, names []string) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(opts[n])
		b.WriteByte(0)
	}
	return b.String()
}

// samePrices reports whether every variant of l costs the same.
func samePrices(l catalog.Listing) bool {
	for _, v := range l.Variants[1:] {
		if v.Price != l.Variants[0].Price {
			return false
		}
	}
	return true
}

// chooseVariant finds the variant a posted add-to-cart form chose: by
// the "option.<name>" values when the form sent them, else by "sku". It
// reports false when the form chose none of l's variants.
func chooseVariant(l catalog.Listing, form url.Values) (catalog.Variant, bool) {
	names := optionNames(l)
	if len(l.Variants) > 1 && len(names) > 0 && form.Has(optionPrefix+names[0]) {
		for _, v := range l.Variants {
			if !slices.ContainsFunc(names, func(n string) bool { return form.Get(optionPrefix+n) != v.Options[n] }) {
				return v, true
			}
		}
		return catalog.Variant{}, false
	}
	sku := strings.TrimSpace(form.Get("sku"))
	i := slices.IndexFunc(l.Variants, func(v catalog.Variant) bool { return v.SKU == sku })
	if i < 0 {
		return catalog.Variant{}, false
	}
	return l.Variants[i], true
}

// variantPrompt asks for what chooseVariant missed: "Choose a size."
func variantPrompt(l catalog.Listing) string {
	if names := optionNames(l); len(names) == 1 {
		return "Choose a " + strings.ToLower(optionLabel(names[0])) + "."
	}
	return "Choose one of the options."
}

// optionsText names a variant's options for shoppers: "Size: 20 cm".
func optionsText(opts map[string]string) string {
	names := make([]string, 0, len(opts))
	for k := range opts {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, optionLabel(n)+": "+valueLabel(opts[n]))
	}
	return strings.Join(parts, ", ")
}

// optionLabel writes an option name for shoppers: "size" is "Size",
// "shoe_width" is "Shoe width".
func optionLabel(name string) string {
	name = strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(name))
	r, n := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return name
	}
	return string(unicode.ToUpper(r)) + name[n:]
}

// unitValue is a number glued to its unit: "20cm", "1.5l", "500ml".
var unitValue = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)([a-zA-Z]{1,3})$`)

// valueLabel writes an option value for shoppers: "20cm" is "20 cm".
func valueLabel(value string) string {
	return unitValue.ReplaceAllString(strings.TrimSpace(value), "$1 $2")
}

// money writes a catalog price.
func money(m catalog.Money) string { return web.FormatMoney(m.Amount, m.Currency) }
