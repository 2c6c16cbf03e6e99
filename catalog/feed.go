package catalog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Feed formats a merchant's bulk feed may use.
const (
	FeedJSONLines = "jsonl"
	FeedCSV       = "csv"
)

// FeedItem is one listing read from a feed, with the line it started on.
type FeedItem struct {
	Line int
	// Lines are the lines of the listing's variants, in order: for CSV,
	// the rows a group joined; for JSON lines, Line alone.
	Lines   []int
	Listing ListingInput
	// Err says, in words a merchant understands and starting with "line
	// N: ", why the line could not be read as a listing.
	Err   error
	group string
}

// maxFeedLine caps one line of a JSON lines feed.
const maxFeedLine = 4 << 20

// FeedReader reads listings from a feed.
//
// JSON lines: one ListingInput object per line, as in POST /v1/listings.
//
// CSV: a header row, then one row per variant. Columns: title, description,
// category, brand, gtin, sku, price (minor units), currency, stock, images
// and shipping_regions (both separated by "|"; shipping_regions may be
// left out when a shipping_profile column names the merchant's shipping
// profile), weight_grams, and any number of
// "attr:<name>" and "option:<name>" columns. Rows sharing a non-empty
// "group" value are the variants of one listing, whose description is taken
// from the group's first row; without a group column each row is a listing.
type FeedReader struct {
	format string
	lines  *bufio.Scanner
	csv    *csv.Reader
	header map[string]int
	cols   []string
	line   int
	next   *FeedItem // CSV: the first row of the next group, already read
	peeked *csvRead  // CSV: the row read after a quote error, to tell how it ended
	done   bool
}

// csvRead is what one csv.Reader.Read returned, with the line the row
// starts on.
type csvRead struct {
	rec  []string
	line int
	err  error
}

// csvRequired are the columns a CSV feed's header must name
// (shipping_regions may give way to shipping_profile).
var csvRequired = []string{"title", "category", "brand", "sku", "price", "currency", "stock", "shipping_regions"}

// NewFeedReader reads r in the given format (FeedJSONLines or FeedCSV).
func NewFeedReader(r io.Reader, format string) (*FeedReader, error) {
	f := &FeedReader{format: format}
	switch format {
	case FeedJSONLines:
		f.lines = bufio.NewScanner(r)
		f.lines.Buffer(make([]byte, 0, 64<<10), maxFeedLine)
	case FeedCSV:
		f.csv = csv.NewReader(r)
		f.csv.FieldsPerRecord = 0 // as many as the header; fewer are read as empty (see readRow)
		head := f.read()
		switch {
		case errors.Is(head.err, io.EOF):
			return nil, fmt.Errorf("%w: the file is empty: a CSV feed starts with a header row naming its columns (%s)", ErrInvalid, strings.Join(csvRequired, ", "))
		case head.err != nil:
			return nil, fmt.Errorf("%w: the header row cannot be read: %s", ErrInvalid, csvProblem(head.err, true))
		}
		f.line, f.cols, f.header = head.line, head.rec, map[string]int{}
		for i, c := range head.rec {
			f.header[strings.TrimSpace(strings.ToLower(c))] = i
		}
		var missing []string
		for _, req := range csvRequired {
			if _, ok := f.header["shipping_profile"]; ok && req == "shipping_regions" {
				continue // the profile says where the listing ships
			}
			if _, ok := f.header[req]; !ok {
				missing = append(missing, strconv.Quote(req))
			}
		}
		switch len(missing) {
		case 0:
		case 1:
			return nil, fmt.Errorf("%w: the header row has no %s column; a CSV feed's header names at least %s", ErrInvalid, missing[0], strings.Join(csvRequired, ", "))
		default:
			return nil, fmt.Errorf("%w: the header row has no %s or %s columns; a CSV feed's header names at least %s", ErrInvalid,
				strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1], strings.Join(csvRequired, ", "))
		}
	default:
		return nil, fmt.Errorf("%w: feed format %q: use %s or %s", ErrInvalid, format, FeedJSONLines, FeedCSV)
	}
	return f, nil
}

// Next returns the next listing, or io.EOF after the last.
func (f *FeedReader) Next() (FeedItem, error) {
	if f.format == FeedJSONLines {
		return f.nextJSON()
	}
	return f.nextCSV()
}

func (f *FeedReader) nextJSON() (FeedItem, error) {
	for f.lines.Scan() {
		f.line++
		b := bytes.TrimSpace(f.lines.Bytes())
		if len(b) == 0 {
			continue
		}
		it := FeedItem{Line: f.line, Lines: []int{f.line}}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		err := dec.Decode(&it.Listing)
		switch {
		case err != nil:
			it.Err = fmt.Errorf("line %d: %s", f.line, ExplainJSON(err))
		case dec.InputOffset() < int64(len(b)):
			it.Err = fmt.Errorf("line %d: more follows the listing's closing }; put each listing on a line of its own", f.line)
		}
		return it, nil
	}
	if err := f.lines.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return FeedItem{}, fmt.Errorf("%w: line %d is longer than %d MiB: put each listing on a line of its own", ErrInvalid, f.line+1, maxFeedLine>>20)
		}
		return FeedItem{}, err
	}
	return FeedItem{}, io.EOF
}

func (f *FeedReader) nextCSV() (FeedItem, error) {
	cur := f.next
	f.next = nil
	if cur == nil {
		var err error
		if cur, err = f.readRow(); err != nil {
			return FeedItem{}, err
		}
	}
	group := cur.group
	for group != "" && cur.Err == nil {
		row, err := f.readRow()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return FeedItem{}, err
		}
		if row.group != group || row.Err != nil {
			f.next = row
			break
		}
		cur.Listing.Variants = append(cur.Listing.Variants, row.Listing.Variants...)
		cur.Lines = append(cur.Lines, row.Line)
	}
	return *cur, nil
}

// readRow reads one CSV row as a one-variant listing.
func (f *FeedReader) readRow() (*FeedItem, error) {
	if f.done {
		return nil, io.EOF
	}
	row := f.read()
	var pe *csv.ParseError
	if errors.As(row.err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) && len(row.rec) < len(f.cols) {
		row.err = nil // a row that leaves out its last columns leaves them empty
	}
	switch {
	case errors.Is(row.err, io.EOF):
		f.done = true
		return nil, io.EOF
	case errors.As(row.err, &pe):
		closed := true
		if errors.Is(pe.Err, csv.ErrQuote) {
			// Tell a stray quote mark from a field that never closes: that
			// one swallows the rest of the file.
			next := f.read()
			closed = !errors.Is(next.err, io.EOF)
			f.peeked = &next
		}
		return &FeedItem{Line: pe.StartLine, Lines: []int{pe.StartLine}, Err: fmt.Errorf("line %d: %s", pe.StartLine, csvProblem(pe, closed))}, nil
	case row.err != nil:
		return nil, fmt.Errorf("reading the feed after line %d: %w", f.line, row.err)
	}
	f.line = row.line
	it := &FeedItem{Line: row.line, Lines: []int{row.line}}
	it.Listing, it.Err = f.rowListing(row.rec)
	it.group = f.field(row.rec, "group")
	if it.Err != nil {
		it.Err = fmt.Errorf("line %d: %v", row.line, it.Err)
	}
	return it, nil
}

// read reads the next CSV row, or the one read ahead.
func (f *FeedReader) read() csvRead {
	if p := f.peeked; p != nil {
		f.peeked = nil
		return *p
	}
	rec, err := f.csv.Read()
	r := csvRead{rec: rec, err: err}
	if rec != nil {
		r.line, _ = f.csv.FieldPos(0)
	}
	return r
}

// csvProblem says what a CSV reading error means and how to mend it.
// closed is false when a quoted field ran to the end of the file.
func csvProblem(err error, closed bool) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	where := ""
	if pe.Line != pe.StartLine {
		where = fmt.Sprintf(" (on line %d)", pe.Line)
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `a quote mark inside an unquoted field` + where + `; put the field in quotes, and write each quote mark in it twice, as in "12"" pan"`
	case errors.Is(pe.Err, csv.ErrQuote) && !closed:
		return "a quoted field starts here and is never closed; add the closing quote mark"
	case errors.Is(pe.Err, csv.ErrQuote):
		return `a quote mark inside a quoted field` + where + `; write it twice (""), or end the field right after its closing quote mark`
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return "the row has more fields than the header has columns; put a field that holds a comma in quotes"
	case errors.Is(pe.Err, csv.ErrTrailingComma):
		return "a comma ends the line; remove it"
	}
	return "the row cannot be read as CSV (" + pe.Err.Error() + ")"
}

func (f *FeedReader) field(rec []string, col string) string {
	if i, ok := f.header[col]; ok && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

func (f *FeedReader) rowListing(rec []string) (ListingInput, error) {
	get := func(col string) string { return f.field(rec, col) }
	l := ListingInput{Title: get("title"), Description: get("description"), Category: get("category"), Brand: get("brand"),
		GTIN: get("gtin"), Images: splitList(get("images")), ShippingRegions: splitList(get("shipping_regions")), ShippingProfile: get("shipping_profile"), Attributes: map[string]string{}}
	v := Variant{SKU: get("sku"), Options: map[string]string{}, Price: Money{Currency: get("currency")}}
	var err error
	if v.Price.Amount, err = strconv.ParseInt(get("price"), 10, 64); err != nil {
		return l, fmt.Errorf("price: %q is not a whole number; write prices in minor units, as 1999 for 19.99", get("price"))
	}
	if v.Stock, err = strconv.ParseInt(get("stock"), 10, 64); err != nil {
		return l, fmt.Errorf("stock: %q is not a whole number of units", get("stock"))
	}
	if g := get("weight_grams"); g != "" {
		if v.Grams, err = strconv.ParseInt(g, 10, 64); err != nil {
			return l, fmt.Errorf("weight_grams: %q is not an integer number of grams", g)
		}
	}
	for i, c := range f.cols {
		name := strings.TrimSpace(c)
		if i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
			continue
		}
		if k, ok := strings.CutPrefix(name, "attr:"); ok {
			l.Attributes[k] = strings.TrimSpace(rec[i])
		} else if k, ok := strings.CutPrefix(name, "option:"); ok {
			v.Options[k] = strings.TrimSpace(rec[i])
		}
	}
	l.Variants = []Variant{v}
	return l, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ExplainJSON says, in words a merchant understands, why a JSON listing
// could not be decoded: where the JSON breaks and how to mend it, which
// field holds the wrong kind of value, or which field is unknown.
func ExplainJSON(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("this is not valid JSON at character %d: %s", syntax.Offset, jsonSyntaxHint(msg))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "the JSON ends before the listing does; a closing }, ] or quote mark is missing"
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fmt.Sprintf("a listing must be a JSON object {...}, not %s", jsonValueWords(typ.Value))
		}
		return fmt.Sprintf("%s must be %s, not %s", field, jsonKindWords(typ.Type), jsonValueWords(typ.Value))
	case strings.HasPrefix(msg, `json: unknown field "`):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, `json: unknown field "`), `"`)
		return fmt.Sprintf("%q is not a field of a listing or its variants; check its spelling (a listing has title, description, category, brand, gtin, attributes, images, shipping_regions and variants; a variant has sku, options, price and stock)", name)
	}
	return strings.TrimPrefix(msg, "json: ")
}

// jsonSyntaxHint turns encoding/json's syntax error text into advice.
func jsonSyntaxHint(msg string) string {
	found := ""
	if _, rest, ok := strings.Cut(msg, "invalid character "); ok {
		found, _, _ = strings.Cut(rest, " ")
	}
	switch {
	case strings.HasSuffix(msg, "looking for beginning of object key string"):
		return fmt.Sprintf("found %s where a field name in double quotes was expected (a comma before } is not allowed)", found)
	case strings.HasSuffix(msg, "after object key"):
		return fmt.Sprintf("found %s where a colon (:) after the field name was expected", found)
	case strings.HasSuffix(msg, "after object key:value pair"):
		return fmt.Sprintf("found %s where a comma or } after a value was expected", found)
	case strings.HasSuffix(msg, "after array element"):
		return fmt.Sprintf("found %s where a comma or ] after an item was expected", found)
	case strings.HasSuffix(msg, "in string literal"):
		return fmt.Sprintf("a text holds %s; write a tab as \\t and a line break as \\n", found)
	case strings.HasSuffix(msg, "looking for beginning of value"):
		return fmt.Sprintf("found %s where a value was expected (texts need double quotes)", found)
	}
	return strings.TrimPrefix(msg, "json: ")
}

// jsonKindWords names the kind of value a Go type takes in JSON.
func jsonKindWords(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number (prices in minor units, as 1999 for 19.99)"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a text in double quotes"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list [...]"
	case reflect.Map, reflect.Struct:
		return "an object {...}"
	}
	return "another kind of value"
}

// jsonValueWords names the JSON value encoding/json found ("string",
// "number 12.5", ...).
func jsonValueWords(v string) string {
	kind, literal, _ := strings.Cut(v, " ")
	switch kind {
	case "string":
		return "a text"
	case "number":
		if literal != "" {
			return "the number " + literal
		}
		return "a number"
	case "bool":
		return "true or false"
	case "array":
		return "a list"
	case "object":
		return "an object"
	}
	return v
}
