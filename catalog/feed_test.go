package catalog

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, format, in string) []FeedItem {
	t.Helper()
	f, err := NewFeedReader(strings.NewReader(in), format)
	if err != nil {
		t.Fatal(err)
	}
	var out []FeedItem
	for {
		it, err := f.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, it)
	}
}

func TestFeedCSVGroupsVariants(t *testing.T) {
	in := "group,title,category,brand,sku,price,currency,stock,shipping_regions,images,option:size,attr:material\n" +
		"tee,Plain tee,Apparel > Tops,Basics,TEE-S,1500,EUR,4,DE|FR,https://img.example/t.jpg,S,cotton\n" +
		"tee,Plain tee,Apparel > Tops,Basics,TEE-M,1500,EUR,0,DE|FR,,M,\n" +
		",Mug,Home > Kitchen,Clay,MUG-1,900,EUR,12,DE,,,\n" +
		",Broken,Home,Clay,BR-1,nine,EUR,1,DE,,,\n"
	items := readAll(t, FeedCSV, in)
	if len(items) != 3 {
		t.Fatalf("got %d items, want 3", len(items))
	}
	tee := items[0].Listing
	if len(tee.Variants) != 2 || tee.Variants[1].SKU != "TEE-M" || tee.Variants[0].Options["size"] != "S" ||
		tee.Attributes["material"] != "cotton" || strings.Join(tee.ShippingRegions, ",") != "DE,FR" || items[0].Line != 2 {
		t.Fatalf("tee = %+v (line %d)", tee, items[0].Line)
	}
	if items[1].Listing.Title != "Mug" || items[1].Line != 4 {
		t.Fatalf("mug = %+v", items[1])
	}
	if items[2].Err == nil || !strings.Contains(items[2].Err.Error(), "line 5: price") {
		t.Fatalf("broken row: %v", items[2].Err)
	}
}

func TestFeedRefusals(t *testing.T) {
	if _, err := NewFeedReader(strings.NewReader("title,sku\n"), FeedCSV); err == nil || !strings.Contains(err.Error(), `"category"`) {
		t.Fatalf("missing column: %v", err)
	}
	if _, err := NewFeedReader(strings.NewReader(""), "xml"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown format: %v", err)
	}
	items := readAll(t, FeedJSONLines, `{"title":"A"}`+"\n\n"+`{"title":"B","colour":"red"}`+"\n")
	if len(items) != 2 || items[0].Err != nil || items[1].Err == nil || items[1].Line != 3 {
		t.Fatalf("jsonl items: %+v", items)
	}
}

// csvHead is a feed's header row.
const csvHead = "title,category,brand,sku,price,currency,stock,shipping_regions\n"

// Every way a CSV row can be unreadable is said in plain words, on the
// line the row starts on, and the rows after it are still read.
func TestFeedCSVProblemsInPlainWords(t *testing.T) {
	good := "Mug,Home,Clay,MUG-1,900,EUR,3,DE\n"
	cases := []struct {
		name, rows string
		line       int
		want       string
		readable   int // rows read besides the bad one
	}{
		{"bare quote", `12" pan,Home,Ferro,PAN-1,900,EUR,3,DE` + "\n" + good, 2,
			`line 2: a quote mark inside an unquoted field; put the field in quotes, and write each quote mark in it twice, as in "12"" pan"`, 1},
		{"quote inside a quoted field", `"12" pan",Home,Ferro,PAN-1,900,EUR,3,DE` + "\n" + good, 2,
			`line 2: a quote mark inside a quoted field; write it twice (""), or end the field right after its closing quote mark`, 1},
		{"quote inside a field of two lines", good + "\"Pan\nbig\" one\",Home,Ferro,PAN-1,900,EUR,3,DE\n" + good, 3,
			`line 3: a quote mark inside a quoted field (on line 4); write it twice (""), or end the field right after its closing quote mark`, 2},
		{"never closed", good + `"Pan,Home,Ferro,PAN-1,900,EUR,3,DE` + "\n" + good, 3,
			"line 3: a quoted field starts here and is never closed; add the closing quote mark", 1},
		{"more fields than columns", "Pan, seasoned,Home,Ferro,PAN-1,900,EUR,3,DE\n" + good, 2,
			"line 2: the row has more fields than the header has columns; put a field that holds a comma in quotes", 1},
		{"price with decimals", "Pan,Home,Ferro,PAN-1,9.00,EUR,3,DE\n" + good, 2,
			`line 2: price: "9.00" is not a whole number; write prices in minor units, as 1999 for 19.99`, 1},
		{"stock not a number", "Pan,Home,Ferro,PAN-1,900,EUR,three,DE\n" + good, 2,
			`line 2: stock: "three" is not a whole number of units`, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items := readAll(t, FeedCSV, csvHead+c.rows)
			var bad []FeedItem
			readable := 0
			for _, it := range items {
				if it.Err != nil {
					bad = append(bad, it)
				} else {
					readable++
				}
			}
			if len(bad) != 1 || bad[0].Err.Error() != c.want || bad[0].Line != c.line {
				t.Fatalf("problems %v, want one on line %d: %s", bad, c.line, c.want)
			}
			if readable != c.readable {
				t.Errorf("%d rows read besides the bad one, want %d", readable, c.readable)
			}
		})
	}
}

func TestFeedCSVLinesAndShortRows(t *testing.T) {
	in := csvHead + "\"Pan\nwith a lid\",Home,Ferro,PAN-1,900,EUR,3,DE\n" + "Mug,Home,Clay,MUG-1,900,EUR,3\n"
	items := readAll(t, FeedCSV, in)
	if len(items) != 2 || items[0].Err != nil || items[0].Line != 2 || items[0].Listing.Title != "Pan\nwith a lid" {
		t.Fatalf("a field over two lines: %+v", items)
	}
	// The second row starts on line 4 and leaves its last column out.
	if items[1].Line != 4 || items[1].Err != nil || items[1].Listing.ShippingRegions != nil || items[1].Listing.Variants[0].Stock != 3 {
		t.Fatalf("a short row: %+v", items[1])
	}
}

func TestFeedCSVHeaderProblems(t *testing.T) {
	cases := map[string]string{
		"":            "the file is empty: a CSV feed starts with a header row naming its columns",
		"title,sku\n": `the header row has no "category", "brand", "price", "currency", "stock" or "shipping_regions" columns`,
		"title,category,brand,sku,price,currency,stock\n": `the header row has no "shipping_regions" column; a CSV feed's header names at least title, category,`,
		"title,\"sku\"x,category\n":                       "the header row cannot be read: a quote mark inside a quoted field",
	}
	for in, want := range cases {
		_, err := NewFeedReader(strings.NewReader(in), FeedCSV)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("header %q: %v, want %q", in, err, want)
		}
	}
}

func TestCSVProblemOfEveryKind(t *testing.T) {
	for _, c := range []struct {
		err    error
		closed bool
		want   string
	}{
		{csv.ErrBareQuote, true, "a quote mark inside an unquoted field"},
		{csv.ErrQuote, true, "a quote mark inside a quoted field"},
		{csv.ErrQuote, false, "a quoted field starts here and is never closed"},
		{csv.ErrFieldCount, true, "the row has more fields than the header has columns"},
		{csv.ErrTrailingComma, true, "a comma ends the line; remove it"},
		{errors.New("odd"), true, "the row cannot be read as CSV (odd)"},
	} {
		got := csvProblem(&csv.ParseError{StartLine: 4, Line: 4, Column: 8, Err: c.err}, c.closed)
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
}

func TestFeedJSONProblemsInPlainWords(t *testing.T) {
	cases := []struct{ line, want string }{
		{`{"title":"A",}`, "this is not valid JSON at character 14: found '}' where a field name in double quotes was expected (a comma before } is not allowed)"},
		{`{title:"A"}`, "this is not valid JSON at character 2: found 't' where a field name in double quotes was expected"},
		{`{"title" "A"}`, "this is not valid JSON at character 10: found '\"' where a colon (:) after the field name was expected"},
		{`{"title":"A" "brand":"B"}`, "this is not valid JSON at character 14: found '\"' where a comma or } after a value was expected"},
		{`{"images":["a" "b"]}`, "this is not valid JSON at character 16: found '\"' where a comma or ] after an item was expected"},
		{`{"title":'A'}`, "this is not valid JSON at character 10: found '\\'' where a value was expected (texts need double quotes)"},
		{"{\"title\":\"a\tb\"}", "this is not valid JSON at character 12: a text holds '\\t'; write a tab as \\t and a line break as \\n"},
		{`{"title":"A`, "the JSON ends before the listing does; a closing }, ] or quote mark is missing"},
		{`{"title":12}`, "title must be a text in double quotes, not a number"},
		{`{"variants":[{"price":{"amount":"12"}}]}`, "variants.price.amount must be a whole number (prices in minor units, as 1999 for 19.99), not a text"},
		{`{"variants":[{"price":{"amount":12.5}}]}`, "variants.price.amount must be a whole number (prices in minor units, as 1999 for 19.99), not the number 12.5"},
		{`{"attributes":["steel"]}`, "attributes must be an object {...}, not a list"},
		{`{"images":"a.jpg"}`, "images must be a list [...], not a text"},
		{`["A"]`, "a listing must be a JSON object {...}, not a list"},
		{`{"colour":"red"}`, `"colour" is not a field of a listing or its variants; check its spelling`},
		{`{"title":"A"} {"title":"B"}`, "more follows the listing's closing }; put each listing on a line of its own"},
	}
	for _, c := range cases {
		items := readAll(t, FeedJSONLines, "\n"+c.line+"\n")
		if len(items) != 1 || items[0].Err == nil || items[0].Line != 2 || !strings.HasPrefix(items[0].Err.Error(), "line 2: "+c.want) {
			t.Errorf("%s: %v, want line 2: %s", c.line, items, c.want)
		}
	}
}
