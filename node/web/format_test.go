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
		got, err := ParseAmount(c.text, c.currency)
		if (err != nil) != c.bad || got != c.minor {
			t.Errorf("ParseAmount(%q, %s) = %d, %v", c.text, c.currency, got, err)
		}
	}
	for _, c := range []struct {
		minor    int64
		currency string
		want     string
	}{{1999, "EUR", "19.99"}, {5, "EUR", "0.05"}, {0, "EUR", "0.00"}, {500, "JPY", "500"}, {1234, "KWD", "1.234"}, {-250, "USD", "-2.50"}} {
		if got := FormatAmount(c.minor, c.currency); got != c.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", c.minor, c.currency, got, c.want)
		}
		if back, err := ParseAmount(c.want, c.currency); c.minor >= 0 && (err != nil || back != c.minor) {
			t.Errorf("ParseAmount(FormatAmount(%d)) = %d, %v", c.minor, back, err)
		}
	}
	if got := FormatBPS(250); got != "2.50%" {
		t.Errorf("FormatBPS(250) = %q", got)
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
			text := FormatPairs(m, sep)
			got, err := ParsePairs(text, sep)
			if err != nil || !maps.Equal(got, m) {
				t.Errorf("sep %q: %v -> %q -> %v, %v", sep, m, text, got, err)
			}
		}
	}
	if got, _ := ParsePairs(" size = L ;; color=red ", ';'); !maps.Equal(got, map[string]string{"size": "L", "color": "red"}) {
		t.Errorf("typed options = %v", got)
	}
	if _, err := ParsePairs("a=1\n\nb", '\n'); err == nil || err.Entry != 3 {
		t.Errorf("an entry without '=' = %v, want line 3", err)
	}
}

func TestInputID(t *testing.T) {
	for name, want := range map[string]string{
		"title": "f-title", "variants[0].price": "f-variants-0-price", "brand-Acme & Co": "f-brand-Acme-Co",
	} {
		if got := InputID(name); got != want {
			t.Errorf("InputID(%q) = %q, want %q", name, got, want)
		}
	}
}
