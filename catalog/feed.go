package catalog

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	Line    int
	Listing ListingInput
	Err     error // the line could not be read as a listing
	group   string
}

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
	done   bool
}

// NewFeedReader reads r in the given format (FeedJSONLines or FeedCSV).
func NewFeedReader(r io.Reader, format string) (*FeedReader, error) {
	f := &FeedReader{format: format}
	switch format {
	case FeedJSONLines:
		f.lines = bufio.NewScanner(r)
		f.lines.Buffer(make([]byte, 0, 64<<10), 4<<20)
	case FeedCSV:
		f.csv = csv.NewReader(r)
		f.csv.FieldsPerRecord = -1
		cols, err := f.csv.Read()
		if err != nil {
			return nil, fmt.Errorf("%w: csv header: %v", ErrInvalid, err)
		}
		f.line, f.cols, f.header = 1, cols, map[string]int{}
		for i, c := range cols {
			f.header[strings.TrimSpace(strings.ToLower(c))] = i
		}
		for _, req := range []string{"title", "category", "brand", "sku", "price", "currency", "stock", "shipping_regions"} {
			if _, ok := f.header["shipping_profile"]; ok && req == "shipping_regions" {
				continue
			}
			if _, ok := f.header[req]; !ok {
				return nil, fmt.Errorf("%w: csv header: column %q is missing", ErrInvalid, req)
			}
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
		it := FeedItem{Line: f.line}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&it.Listing); err != nil {
			it.Err = fmt.Errorf("line %d: %v", f.line, err)
		}
		return it, nil
	}
	if err := f.lines.Err(); err != nil {
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
	}
	return *cur, nil
}

// readRow reads one CSV row as a one-variant listing.
func (f *FeedReader) readRow() (*FeedItem, error) {
	if f.done {
		return nil, io.EOF
	}
	rec, err := f.csv.Read()
	if errors.Is(err, io.EOF) {
		f.done = true
		return nil, io.EOF
	}
	f.line++
	it := &FeedItem{Line: f.line}
	if err != nil {
		it.Err = fmt.Errorf("line %d: %v", f.line, err)
		return it, nil
	}
	it.Listing, it.Err = f.rowListing(rec)
	it.group = f.field(rec, "group")
	if it.Err != nil {
		it.Err = fmt.Errorf("line %d: %v", f.line, it.Err)
	}
	return it, nil
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
		return l, fmt.Errorf("price: %q is not an integer amount in minor units", get("price"))
	}
	if v.Stock, err = strconv.ParseInt(get("stock"), 10, 64); err != nil {
		return l, fmt.Errorf("stock: %q is not an integer", get("stock"))
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
