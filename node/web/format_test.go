package web

import (
	"maps"
	"testing"
)

func TestAmounts(t *testing.T) {
	cases := []struct {
		text     string
		currency string
		minor    int64
		bad      bool
	}{
		{"19.99", "EUR", 1999, false},
		{"19.9", "EUR", 1990, false},
		{" 19 ", "EUR", 1900, false},
		{".5", "EUR", 50, false},
		{"0", "EUR", 0, false},
		{"500", "JPY", 500, false},
		{"1.234", "KWD", 1234, false},
		{"1.999", "EUR", 0, true},
		{"1.5", "JPY", 0, true},
		{"-1", "EUR", 0, true},
		{"1,50", "EUR", 0, true},
		{"1.", "EUR", 0, true},
		{"", "EUR", 0, true},
		{"abc", "EUR", 0, true},
		{"99999999999999999999", "EUR", 0, true},
	}
	for _, c := range cases {
		got, err := parseAmount(c.text, c.currency)
		if (err != nil) != c.bad || got != c.minor {
			t.Errorf("parseAmount(%q, %s) = %d, %v", c.text, c.currency, got, err)
		}
	}
	for _, c := range []struct {
		minor    int64
		currency string
		want     string
	}{{1999, "EUR", "19.99"}, {5, "EUR", "0.05"}, {0, "EUR", "0.00"}, {500, "JPY", "500"}, {1234, "KWD", "1.234"}, {-250, "USD", "-2.50"}} {
		if got := formatAmount(c.minor, c.currency); got != c.want {
			t.Errorf("formatAmount(%d, %s) = %q, want %q", c.minor, c.currency, got, c.want)
		}
		if back, err := parseAmount(c.want, c.currency); c.minor >= 0 && (err != nil || back != c.minor) {
			t.Errorf("parseAmount(formatAmount(%d)) = %d, %v", c.minor, back, err)
		}
	}
	if got := formatBPS(250); got != "2.50%" {
		t.Errorf("formatBPS(250) = %q", got)
	}
}

func TestPairsRoundTrip(t *testing.T) {
	maps_ := []map[string]string{
		{},
		{"size": "L", "color": "dark red"},
		{"a=b": "c=d", "semi;colon": "x;y", `back\slash`: `C:\path\`, `odd\=`: `\;`},
		{"ratio": "1:2", "url": "https://x.example/?a=1&b=2"},
	}
	for _, m := range maps_ {
		for _, sep := range []byte{'\n', ';'} {
			text := formatPairs(m, sep)
			got, err := parsePairs(text, sep)
			if err != nil || !maps.Equal(got, m) {
				t.Errorf("sep %q: %v -> %q -> %v, %v", sep, m, text, got, err)
			}
		}
	}
	if got, _ := parsePairs(" size = L ;; color=red ", ';'); !maps.Equal(got, map[string]string{"size": "L", "color": "red"}) {
		t.Errorf("typed options = %v", got)
	}
	if _, err := parsePairs("a=1\n\nb", '\n'); err == nil || err.Entry != 3 {
		t.Errorf("an entry without '=' = %v, want line 3", err)
	}
}

func TestInputOfPath(t *testing.T) {
	rowOf := []int{0, 2} // the form's row 1 was blank
	cases := []struct{ path, input, label string }{
		{"title", "title", "Title"},
		{"variants[1].price.amount", "variants[2].price", "Price"},
		{"variants[0].sku", "variants[0].sku", "SKU"},
		{`variants[1].options["a.b]"]`, "variants[2].options", `Options "a.b]"`},
		{"variants", "variants", "Variants"},
		{"images[3]", "images", "Image URLs (URL 4)"},
		{"shipping_regions[0]", "shipping_regions", "Shipping regions (region 1)"},
		{`attributes["Weight"]`, "attributes", `Attributes "Weight"`},
		{"variants[9].sku", "variants", "variants[9].sku"},
		{"", "", "The listing"},
		{"stock", "", "stock"},
	}
	for _, c := range cases {
		input, label := inputOfPath(c.path, rowOf)
		if input != c.input || label != c.label {
			t.Errorf("inputOfPath(%q) = %q, %q; want %q, %q", c.path, input, label, c.input, c.label)
		}
	}
}

func TestInputID(t *testing.T) {
	for name, want := range map[string]string{
		"title": "f-title", "variants[0].price": "f-variants-0-price", "brand-Acme & Co": "f-brand-Acme-Co",
	} {
		if got := inputID(name); got != want {
			t.Errorf("inputID(%q) = %q, want %q", name, got, want)
		}
	}
}
