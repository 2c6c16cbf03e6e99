package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// The listing form edits every web.Field of a catalog.ListingInput, so that
// saving a listing the API created keeps what the form does not stress
// (attributes, variant options). Inputs are named after the catalog's
// web.Field paths ("variants[0].price"), so that a *catalog.ValidationError
// lands next to the input it is about.

// maxVariantRows caps the variant rows a posted form is read for.
const maxVariantRows = 200

// fieldLabels name the listing's inputs in error messages; variantLabels
// name the inputs of a variant row.
var (
	fieldLabels = map[string]string{
		"title": "Title", "description": "Description", "category": "Category", "brand": "Brand",
		"gtin": "GTIN", "images": "Pictures", "shipping_regions": "Shipping regions",
		"attributes": "Attributes", "variants": "Variants", "shipping_profile": "Shipping profile",
	}
	variantLabels = map[string]string{"sku": "SKU", "options": "Options", "price": "Price", "stock": "Stock",
		"weight_grams": "Weight", "dimensions_mm": "Packed size"}
)

// listingInput is a posted listing form: the input for the catalog, and
// for each of its variants the form row it came from (blank rows are
// skipped, so the catalog's variants[i] is row rowOf[i]).
type listingInput struct {
	in    catalog.ListingInput
	rowOf []int
}

// readListingForm reads a posted listing form into f (what was typed, and
// what cannot be read); the catalog checks the rest.
func readListingForm(l words, pf url.Values, currency string, f *web.Form) listingInput {
	text := func(name string) string {
		v := strings.ReplaceAll(pf.Get(name), "\r\n", "\n")
		f.Set(name, v)
		return v
	}
	var li listingInput
	in := &li.in
	in.Title, in.Description = strings.TrimSpace(text("title")), strings.TrimSpace(text("description"))
	in.Category, in.Brand = normalizeCategory(text("category")), strings.TrimSpace(text("brand"))
	in.GTIN = strings.TrimSpace(text("gtin"))
	in.Images = strings.Fields(text("images"))
	in.ShippingRegions = strings.Fields(strings.ToUpper(strings.ReplaceAll(text("shipping_regions"), ",", " ")))
	in.ShippingProfile = strings.TrimSpace(text("shipping_profile"))
	attrs, perr := web.ParsePairs(text("attributes"), '\n')
	if perr != nil {
		f.Add("attributes", l.T("console.form.attributes_line", "Line", perr.Entry))
	}
	in.Attributes = attrs
	for i := 0; i < maxVariantRows; i++ {
		key := fmt.Sprintf("variants[%d]", i)
		if _, ok := pf[key+".sku"]; !ok {
			break
		}
		if v, ok := readVariant(l, key, text, currency, f); ok {
			in.Variants = append(in.Variants, v)
			li.rowOf = append(li.rowOf, i)
		}
	}
	return li
}

// readVariant reads one variant row; ok is false for a blank row.
func readVariant(l words, key string, text func(string) string, currency string, f *web.Form) (catalog.Variant, bool) {
	sku, opts := strings.TrimSpace(text(key+".sku")), text(key+".options")
	price, stock := strings.TrimSpace(text(key+".price")), strings.TrimSpace(text(key+".stock"))
	grams, size := strings.TrimSpace(text(key+".weight_grams")), strings.TrimSpace(text(key+".dimensions_mm"))
	if sku == "" && strings.TrimSpace(opts) == "" && price == "" && stock == "" && grams == "" && size == "" {
		return catalog.Variant{}, false
	}
	v := catalog.Variant{SKU: sku, Price: catalog.Money{Currency: currency}}
	var perr *web.PairError
	if v.Options, perr = web.ParsePairs(opts, ';'); perr != nil {
		f.Add(key+".options", l.T("console.form.options_entry", "Entry", perr.Entry))
	}
	var err error
	switch v.Price.Amount, err = web.ParseAmount(price, currency); {
	case price == "":
		f.Add(key+".price", l.T("console.form.price_required"))
	case err != nil:
		f.Add(key+".price", l.T("console.form.price_problem", "Problem", problemIn(l, err.Error())))
	}
	if stock != "" {
		if v.Stock, err = strconv.ParseInt(stock, 10, 64); err != nil || v.Stock < 0 {
			f.Add(key+".stock", l.T("console.form.stock_whole"))
		}
	}
	if grams != "" {
		if v.Grams, err = strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(grams, "g")), 10, 64); err != nil || v.Grams < 0 {
			f.Add(key+".weight_grams", l.T("console.form.weight_whole"))
		}
	}
	if size != "" {
		if v.Dimensions = parseSize(size); v.Dimensions == nil {
			f.Add(key+".dimensions_mm", l.T("console.form.size_format"))
		}
	}
	return v, true
}

// sizeText is a packed size as typed: three whole numbers of
// millimetres separated by x.
var sizeText = regexp.MustCompile(`^(\d+)\s*[x×*]\s*(\d+)\s*[x×*]\s*(\d+)\s*(?:mm)?$`)

// parseSize reads a packed size ("300 x 200 x 80"), nil when it is not one.
func parseSize(s string) *catalog.Dimensions {
	m := sizeText.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return nil
	}
	var d catalog.Dimensions
	var errs [3]error
	d.Length, errs[0] = strconv.ParseInt(m[1], 10, 64)
	d.Width, errs[1] = strconv.ParseInt(m[2], 10, 64)
	d.Height, errs[2] = strconv.ParseInt(m[3], 10, 64)
	if errors.Join(errs[:]...) != nil {
		return nil
	}
	return &d
}

// formatSize writes a packed size as parseSize reads it.
func formatSize(d *catalog.Dimensions) string {
	if d == nil {
		return ""
	}
	return fmt.Sprintf("%d x %d x %d", d.Length, d.Width, d.Height)
}

// fillListingForm shows a stored listing in f and returns its rows.
func fillListingForm(f *web.Form, l catalog.Listing) int {
	f.Set("title", l.Title)
	f.Set("description", l.Description)
	f.Set("category", l.Category)
	f.Set("brand", l.Brand)
	f.Set("gtin", l.GTIN)
	f.Set("images", strings.Join(l.Images, "\n"))
	f.Set("shipping_regions", strings.Join(l.ShippingRegions, " "))
	f.Set("shipping_profile", l.ShippingProfile)
	f.Set("attributes", web.FormatPairs(l.Attributes, '\n'))
	for i, v := range l.Variants {
		key := fmt.Sprintf("variants[%d]", i)
		f.Set(key+".sku", v.SKU)
		f.Set(key+".options", web.FormatPairs(v.Options, ';'))
		f.Set(key+".price", web.FormatAmount(v.Price.Amount, v.Price.Currency))
		f.Set(key+".stock", strconv.FormatInt(v.Stock, 10))
		if v.Grams > 0 {
			f.Set(key+".weight_grams", strconv.FormatInt(v.Grams, 10))
		}
		f.Set(key+".dimensions_mm", formatSize(v.Dimensions))
	}
	return len(l.Variants)
}

// addCatalogErrors puts the problems of a *catalog.ValidationError next to
// their inputs, in r's language; it reports false for any other error.
func (c *Console) addCatalogErrors(r *http.Request, f *web.Form, err error, rowOf []int) bool {
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Errors {
		input, label := inputOfPath(fe.Field, rowOf)
		msg := fe.Message
		if strings.HasSuffix(fe.Field, ".price.amount") {
			msg = "must be more than zero"
		}
		f.Add(input, c.fieldProblem(r, labelIn(c.site.Locale(r), label), msg))
	}
	return true
}

// inputOfPath maps a catalog web.Field path to the input that shows it and
// the words that name it in the message: "variants[2].price.amount" is
// the price input of the form row variants[2] came from.
func inputOfPath(path string, rowOf []int) (input, label string) {
	name, index, rest := splitPath(path)
	if name == "variants" && index != "" && rest != "" {
		i, err := strconv.Atoi(index)
		sub, key, _ := splitPath(rest)
		if l, ok := variantLabels[sub]; ok && err == nil && i >= 0 && i < len(rowOf) {
			if key != "" {
				l += " " + key // an option's name, quoted by the catalog
			}
			return fmt.Sprintf("variants[%d].%s", rowOf[i], sub), l
		}
		return "variants", path
	}
	if l, ok := fieldLabels[name]; ok {
		if index != "" {
			l += " " + itemName(name, index)
		}
		return name, l
	}
	if path == "" {
		return "", "The listing"
	}
	return "", path
}

// splitPath splits a web.Field path into its first name, that name's index
// (a number, or a name as Go quotes it, quotes kept) and the rest:
// `options["a.b"].x` is options, "a.b" and x.
func splitPath(p string) (name, index, rest string) {
	i := strings.IndexAny(p, "[.")
	if i < 0 {
		return p, "", ""
	}
	name, rest = p[:i], p[i+1:]
	if p[i] == '.' {
		return name, "", rest
	}
	if q, err := strconv.QuotedPrefix(rest); err == nil {
		index, rest = q, rest[len(q):]
	} else if j := strings.IndexByte(rest, ']'); j >= 0 {
		index, rest = rest[:j], rest[j:]
	} else {
		return name, "", ""
	}
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "]"), ".")
	return name, index, rest
}

// itemName names one item of a list input in a message: a picture by its
// line, an attribute or region by what the catalog quoted.
func itemName(list, index string) string {
	if list == "images" {
		if i, err := strconv.Atoi(index); err == nil {
			return fmt.Sprintf("(line %d)", i+1)
		}
	}
	if list == "shipping_regions" {
		if i, err := strconv.Atoi(index); err == nil {
			return fmt.Sprintf("(region %d)", i+1)
		}
	}
	return index
}

// normalizeCategory joins a typed category path the catalog's way:
// segments trimmed and separated by " > ".
func normalizeCategory(s string) string {
	parts := strings.Split(s, ">")
	kept := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " > ")
}
