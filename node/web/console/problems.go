package console

import (
	"net/http"
	"regexp"
	"strings"
)

// The catalog, the order service and the amount parser say what is wrong
// with a field in English words ("must be at most 200 characters, not
// 231"), which the console shows after the field's label. fieldProblem
// writes such a problem in the page's language: the problems merchants
// meet most have a message of their own, filled with the numbers and
// codes the English named; any other stays in English after the
// translated label, still naming the field.

// words are a language of the message catalog: a *locale.Locale, which
// Site.Locale gives. The console names no package of the kit but the kit
// itself (node/web's deps test), so it holds the language by what it
// does.
type words interface {
	T(id string, args ...any) string
}

// problemPatterns map the English problems to their messages; each
// pattern's groups fill the message's A, B and C in order.
var problemPatterns = []struct {
	re *regexp.Regexp
	id string
}{
	{regexp.MustCompile(`^is required$`), "console.problem.required"},
	{regexp.MustCompile(`^must be at most (\d+) characters, not (\d+)$`), "console.problem.max_chars"},
	{regexp.MustCompile(`^must not contain control characters$`), "console.problem.control"},
	{regexp.MustCompile(`^must be valid UTF-8$`), "console.problem.utf8"},
	{regexp.MustCompile(`^must be between (\d+) and (\d+), not (-?\d+)$`), "console.problem.between"},
	{regexp.MustCompile(`^must be more than zero$`), "console.problem.positive"},
	{regexp.MustCompile(`^must be positive.*$`), "console.problem.positive"},
	{regexp.MustCompile(`^must be 8, 12, 13 or 14 digits$`), "console.problem.gtin_digits"},
	{regexp.MustCompile(`^check digit is wrong$`), "console.problem.gtin_check"},
	{regexp.MustCompile(`^must name at least one ISO 3166-1 alpha-2 region$`), "console.problem.one_region"},
	{regexp.MustCompile(`^must be a two-letter upper-case ISO 3166-1 alpha-2 code, not (".*")$`), "console.problem.region_code"},
	{regexp.MustCompile(`^must be 1 to 64 characters from A-Z, a-z, 0-9, '\.', '_' and '-'$`), "console.problem.sku"},
	{regexp.MustCompile(`^repeats variants\[(\d+)\]\.sku (".*")$`), "console.problem.sku_repeat"},
	{regexp.MustCompile(`^must have between 1 and (\d+) variants, not (\d+)$`), "console.problem.variants"},
	{regexp.MustCompile(`^must have at most (\d+) pictures, not (\d+)$`), "console.problem.pictures"},
	{regexp.MustCompile(`^must be an amount such as 19\.99$`), "console.problem.amount"},
	{regexp.MustCompile(`^has more decimals than the currency allows$`), "console.problem.decimals"},
	{regexp.MustCompile(`^is too large$`), "console.problem.too_large"},
	{regexp.MustCompile(`^must be after starts$`), "console.problem.after_starts"},
	{regexp.MustCompile(`^must be at most (\d+) days after starts$`), "console.problem.max_days"},
}

// problemText is an English problem in r's language, or as it is when no
// message says it.
func (c *Console) problemText(r *http.Request, problem string) string {
	return problemIn(c.site.Locale(r), problem)
}

// problemIn is an English problem in l's language, or as it is when no
// message says it.
func problemIn(l words, problem string) string {
	for _, p := range problemPatterns {
		m := p.re.FindStringSubmatch(problem)
		if m == nil {
			continue
		}
		args := make([]any, 0, 6)
		for i, name := range []string{"A", "B", "C"} {
			if i+1 < len(m) {
				args = append(args, name, m[i+1])
			}
		}
		return l.T(p.id, args...)
	}
	return problem
}

// fieldProblem is one form problem as the page shows it: the field's
// label (already in r's language) and what is wrong with it, as a
// sentence ("Title is required.", "标题为必填项。").
func (c *Console) fieldProblem(r *http.Request, label, problem string) string {
	if text := c.problemText(r, problem); text != problem {
		return c.site.T(r, "console.problem.field", "Label", label, "Problem", text)
	}
	// An English problem after a label in another language reads better
	// set apart: "标题：must …" (English writes both alike).
	return c.site.T(r, "console.problem.field_untranslated", "Label", label, "Problem", problem)
}

// labelIDs are the messages of the English labels inputOfPath names the
// listing's fields with.
var labelIDs = map[string]string{
	"Title": "console.field.title", "Description": "console.field.desc", "Category": "console.field.category",
	"Brand": "console.field.brand", "GTIN": "console.field.gtin", "Pictures": "console.field.pictures",
	"Shipping regions": "console.field.shipping_regions", "Attributes": "console.field.attributes",
	"Variants": "console.field.variants", "Shipping profile": "console.field.shipping_profile",
	"SKU": "console.field.sku", "Options": "console.field.options", "Price": "console.field.price",
	"Stock": "console.field.stock", "Weight": "console.field.weight", "Packed size": "console.field.size",
	"The listing": "console.field.listing",
}

// labelItem is the item inputOfPath adds to a list's label: a picture's
// line or a region's number.
var labelItem = regexp.MustCompile(`^ \((line|region) (\d+)\)$`)

// labelIn writes a label inputOfPath made in l's language: its field's
// name, and a picture's line or a region's number; a quoted key (an
// attribute's, an option's) stays as the merchant typed it.
func labelIn(l words, label string) string {
	best := ""
	for en := range labelIDs {
		if strings.HasPrefix(label, en) && len(en) > len(best) {
			best = en
		}
	}
	if best == "" {
		return label
	}
	rest := label[len(best):]
	if m := labelItem.FindStringSubmatch(rest); m != nil {
		return l.T("console.field.item_"+m[1], "Field", l.T(labelIDs[best]), "N", m[2])
	}
	return l.T(labelIDs[best]) + rest
}
