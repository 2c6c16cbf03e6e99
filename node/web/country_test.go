package web

import "testing"

func TestCountryName(t *testing.T) {
	for _, c := range []struct{ tag, code, want string }{
		{"en", "DE", "Germany"},
		{"zh-CN", "DE", "德国"},
		{"zh-CN", "GB", "英国"},
		{"en", "ZZ", "ZZ"},    // CLDR's "Unknown Region" is no name
		{"zh-CN", "1A", "1A"}, // no region code at all
	} {
		if got := CountryName(c.tag, c.code); got != c.want {
			t.Errorf("CountryName(%q, %q) = %q, want %q", c.tag, c.code, got, c.want)
		}
	}
}
