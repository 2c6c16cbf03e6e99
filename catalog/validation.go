package catalog

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FieldError names one invalid input field by its JSON path, such as
// "variants[2].price.amount". The path "" means the listing as a whole.
type FieldError struct {
	// Field is the JSON path of the field.
	Field string `json:"field"`
	// Message says what is wrong, in words a merchant understands.
	Message string `json:"message"`
}

// ProblemPositiveMinor is the Message of a FieldError for an amount that
// is not positive, where amounts are minor units of the currency (a
// listing's prices, a bulk price). A reader that words problems in
// another language can say it and keep the hint.
const ProblemPositiveMinor = "must be positive (minor units of the currency)"

// ValidationError lists every problem found in one input, not only the
// first. It matches ErrInvalid under errors.Is.
type ValidationError struct {
	// Errors holds the problems in field order.
	Errors []FieldError
}

// Error joins the problems into one line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid input: ")
	for i, f := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		if f.Field != "" {
			b.WriteString(f.Field + ": ")
		}
		b.WriteString(f.Message)
	}
	return b.String()
}

// Unwrap makes a ValidationError match ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// validator collects field errors against one Config.
type validator struct {
	cfg  Config
	errs []FieldError
}

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// result is nil when nothing was wrong, else a *ValidationError.
func (v *validator) result() error {
	if len(v.errs) == 0 {
		return nil
	}
	return &ValidationError{Errors: v.errs}
}

// ValidateListing checks a merchant's input against cfg and returns every
// problem at once as a *ValidationError, or nil. It does not check what
// needs the store (SKUs used by the merchant's other listings) or the size
// of the signed record; the catalog's write methods do.
func ValidateListing(cfg Config, in ListingInput) error {
	v := &validator{cfg: cfg}
	v.text("title", in.Title, true, cfg.MaxTitleLen, false)
	v.text("description", in.Description, false, cfg.MaxDescriptionLen, true)
	v.category(in.Category)
	v.text("brand", in.Brand, true, cfg.MaxBrandLen, false)
	v.gtin(in.GTIN)
	v.attributes(in.Attributes)
	v.images(in.Images)
	if in.ShippingProfile == "" || len(in.ShippingRegions) > 0 {
		v.regions(in.ShippingRegions)
	}
	if in.ShippingProfile != "" {
		if _, _, _, err := ParseID(in.ShippingProfile); err != nil {
			v.add("shipping_profile", "must be the id of one of the merchant's shipping profiles, not %q", clip(in.ShippingProfile))
		}
	}
	v.variants(in.Variants)
	v.translations(in.Translations)
	return v.result()
}

// text checks a free-text field: valid UTF-8, at most limit characters, no
// control characters (line breaks and tabs allowed where multiline), and
// not blank when required. It reports whether s passed.
func (v *validator) text(field, s string, required bool, limit int, multiline bool) bool {
	switch {
	case !utf8.ValidString(s):
		v.add(field, "must be valid UTF-8")
	case required && strings.TrimSpace(s) == "":
		v.add(field, "is required")
	case utf8.RuneCountInString(s) > limit:
		v.add(field, "must be at most %d characters, not %d", limit, utf8.RuneCountInString(s))
	case hasControl(s, multiline):
		v.add(field, "must not contain control characters")
	default:
		return true
	}
	return false
}

func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// categorySep separates the segments of a category path.
const categorySep = " > "

// maxCategorySegment caps one segment of a category path, in characters.
const maxCategorySegment = 100

func (v *validator) category(c string) {
	if !v.text("category", c, true, v.cfg.MaxCategoryDepth*(maxCategorySegment+len(categorySep)), false) {
		return
	}
	segs := strings.Split(c, categorySep)
	if len(segs) > v.cfg.MaxCategoryDepth {
		v.add("category", "must have at most %d segments separated by %q, not %d", v.cfg.MaxCategoryDepth, categorySep, len(segs))
		return
	}
	for i, s := range segs {
		if s == "" || strings.TrimSpace(s) != s {
			v.add("category", "segment %d must be non-empty, without surrounding spaces (segments are separated by %q)", i+1, categorySep)
			return
		}
		if n := utf8.RuneCountInString(s); n > maxCategorySegment {
			v.add("category", "segment %d must be at most %d characters, not %d", i+1, maxCategorySegment, n)
			return
		}
	}
}

// gtin checks an optional GTIN-8/12/13/14 and its GS1 check digit.
func (v *validator) gtin(g string) {
	if g == "" {
		return
	}
	if n := len(g); n != 8 && n != 12 && n != 13 && n != 14 || strings.Trim(g, "0123456789") != "" {
		v.add("gtin", "must be 8, 12, 13 or 14 digits")
		return
	}
	if !gtinCheckDigitOK(g) {
		v.add("gtin", "check digit is wrong")
	}
}

// gtinCheckDigitOK applies the GS1 mod-10 rule: from the right, excluding
// the check digit, digits weigh 3, 1, 3, 1, ...
func gtinCheckDigitOK(g string) bool {
	sum := 0
	for i := len(g) - 2; i >= 0; i-- {
		d := int(g[i] - '0')
		if (len(g)-2-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return int(g[len(g)-1]-'0') == (10-sum%10)%10
}

// pairs checks a name/value map: at most limit entries; names and values
// non-blank, within the configured lengths, without control characters.
func (v *validator) pairs(field string, m map[string]string, limit int) {
	if len(m) > limit {
		v.add(field, "must have at most %d entries, not %d", limit, len(m))
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f := fmt.Sprintf("%s[%q]", field, clip(k))
		if !v.text(f, k, true, v.cfg.MaxAttributeKeyLen, false) {
			continue
		}
		v.text(f, m[k], true, v.cfg.MaxAttributeValueLen, false)
	}
}

func (v *validator) attributes(m map[string]string) { v.pairs("attributes", m, v.cfg.MaxAttributes) }

func (v *validator) images(imgs []string) {
	if len(imgs) > v.cfg.MaxImages {
		v.add("images", "must have at most %d pictures, not %d", v.cfg.MaxImages, len(imgs))
		return
	}
	for i, s := range imgs {
		if msg := checkImage(s, v.cfg.MaxImageURLLen); msg != "" {
			v.add(fmt.Sprintf("images[%d]", i), "%s", msg)
		}
	}
}

// checkImageURL returns what is wrong with an image URL, or "".
func checkImageURL(s string, limit int) string {
	if len(s) > limit {
		return fmt.Sprintf("must be at most %d bytes, not %d", limit, len(s))
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || !utf8.ValidString(s) || strings.ContainsAny(s, " \t\r\n"):
		return "must be a valid URL"
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		return "must be an absolute http or https URL"
	case u.User != nil:
		return "must not contain credentials"
	}
	return ""
}

func (v *validator) regions(rs []string) {
	if len(rs) == 0 {
		v.add("shipping_regions", "must name at least one ISO 3166-1 alpha-2 region")
		return
	}
	seen := make(map[string]int, len(rs))
	for i, r := range rs {
		f := fmt.Sprintf("shipping_regions[%d]", i)
		if len(r) != 2 || r[0] < 'A' || r[0] > 'Z' || r[1] < 'A' || r[1] > 'Z' {
			v.add(f, "must be a two-letter upper-case ISO 3166-1 alpha-2 code, not %q", clip(r))
		} else if j, dup := seen[r]; dup {
			v.add(f, "repeats shipping_regions[%d]", j)
		} else {
			seen[r] = i
		}
	}
}

func (v *validator) variants(vs []Variant) {
	if len(vs) == 0 || len(vs) > v.cfg.MaxVariants {
		v.add("variants", "must have between 1 and %d variants, not %d", v.cfg.MaxVariants, len(vs))
		return
	}
	seen := make(map[string]int, len(vs))
	for i, vr := range vs {
		f := fmt.Sprintf("variants[%d]", i)
		if !isSKU(vr.SKU) {
			v.add(f+".sku", "must be 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'")
		} else if j, dup := seen[vr.SKU]; dup {
			v.add(f+".sku", "repeats variants[%d].sku %q", j, vr.SKU)
		} else {
			seen[vr.SKU] = i
		}
		v.pairs(f+".options", vr.Options, v.cfg.MaxOptions)
		v.price(f+".price", vr.Price)
		if vr.Stock < 0 || vr.Stock > v.cfg.MaxStock {
			v.add(f+".stock", "must be between 0 and %d, not %d", v.cfg.MaxStock, vr.Stock)
		}
		if vr.Grams < 0 || vr.Grams > maxVariantGrams {
			v.add(f+".weight_grams", "must be between 0 and %d, not %d", maxVariantGrams, vr.Grams)
		}
		if d := vr.Dimensions; d != nil {
			for _, side := range []struct {
				name string
				mm   int64
			}{{"length", d.Length}, {"width", d.Width}, {"height", d.Height}} {
				if side.mm <= 0 || side.mm > maxVariantMM {
					v.add(f+".dimensions_mm."+side.name, "must be between 1 and %d millimetres, not %d", maxVariantMM, side.mm)
				}
			}
		}
	}
}

func (v *validator) price(field string, m Money) {
	if m.Amount <= 0 {
		v.add(field+".amount", ProblemPositiveMinor)
	}
	switch {
	case !isCurrency(m.Currency):
		v.add(field+".currency", "must be a three-letter upper-case ISO 4217 code, not %q", clip(m.Currency))
	case !isCurrency(v.cfg.Currency):
		v.add(field+".currency", "cannot be accepted yet: the federation's settlement currency is not known (the node has no charter)")
	case m.Currency != v.cfg.Currency:
		v.add(field+".currency", "must be %s, the federation's settlement currency, not %s", v.cfg.Currency, m.Currency)
	}
}

// A variant's packed weight and size are bounded by what any carrier
// takes, with room to spare: 2 t and 20 m.
const (
	maxVariantGrams = 2_000_000
	maxVariantMM    = 20_000
)

// isSKU reports whether s matches [A-Za-z0-9._-]{1,64}.
func isSKU(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}
