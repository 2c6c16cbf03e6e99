package web

import (
	"math"
	"testing"
)

func TestMoneyFormat(t *testing.T) {
	const nbsp = "\u00a0"
	for _, tc := range []struct {
		locale string
		amount int64
		cur    string
		want   string
	}{
		{"en", 123450, "EUR", "€1,234.50"},
		{"en", 5, "EUR", "€0.05"},
		{"en", -1999, "USD", "-$19.99"},
		{"en", 500, "JPY", "¥500"},
		{"en", 123450, "CNY", "CN¥1,234.50"},
		{"de", 123450, "EUR", "1.234,50" + nbsp + "€"},
		{"zh-CN", 123450, "CNY", "¥1,234.50"},
		{"zh-CN", 123450, "EUR", "€1,234.50"},
		{"zh-CN", 100000000, "CNY", "¥1,000,000.00"},
		{"en", 1500, "KWD", "KWD" + nbsp + "1.500"},
		{"en", 1999, "XTS", "19.99 XTS"}, // a test code CLDR does not know
		{"en", 1999, "", "19.99"},
		{"en", math.MaxInt64, "EUR", "€92,233,720,368,547,758.07"},
	} {
		if got := NewMoneyFormat(tc.locale).Format(tc.amount, tc.cur); got != tc.want {
			t.Errorf("%s: Format(%d, %q) = %q, want %q", tc.locale, tc.amount, tc.cur, got, tc.want)
		}
	}
}

// An amount written again comes from the format's memory, the same as
// written the first time, and the memory stays bounded.
func TestMoneyFormatRemembersBounded(t *testing.T) {
	m := NewMoneyFormat("de")
	first := m.Format(123450, "EUR")
	if again := m.Format(123450, "EUR"); again != first || again != m.format(123450, "EUR") {
		t.Fatalf("written again %q, first %q", again, first)
	}
	for i := range int64(3 * maxWritten) {
		if got, want := m.Format(i, "EUR"), m.format(i, "EUR"); got != want {
			t.Fatalf("Format(%d) = %q, want %q", i, got, want)
		}
	}
	if n := len(m.written); n > maxWritten {
		t.Errorf("%d amounts remembered, at most %d", n, maxWritten)
	}
}
