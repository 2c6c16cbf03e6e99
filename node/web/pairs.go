package web

import (
	"slices"
	"strings"
)

// Name/value maps (listing attributes, variant options) are edited as
// text: entries separated by sep (a newline for attributes, ';' for
// options), each "name=value", surrounding spaces trimmed. A backslash
// escapes '=', sep or a backslash; before any other character it is
// itself. FormatPairs and ParsePairs are inverses for any map whose names
// and values have no surrounding spaces, so editing a listing keeps the
// maps the API wrote.

// FormatPairs writes m in name order.
func FormatPairs(m map[string]string, sep byte) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(sep)
			if sep != '\n' {
				b.WriteByte(' ')
			}
		}
		b.WriteString(escapePair(k, sep, true))
		b.WriteByte('=')
		b.WriteString(escapePair(m[k], sep, false))
	}
	return b.String()
}

// escapable are the characters a backslash escapes.
const escapable = "=;\n\\"

// escapePair escapes sep, in a name '=', and a backslash that ParsePairs
// would otherwise read as an escape (before an escapable character or at
// the end).
func escapePair(s string, sep byte, name bool) string {
	special := func(c byte) bool { return c == sep || name && c == '=' }
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (i+1 == len(s) || strings.IndexByte(escapable, s[i+1]) >= 0):
			b.WriteString(`\\`)
		case special(c):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// PairError names the entry ParsePairs could not read, counting from 1
// and counting blank entries, so that with a newline separator it is the
// line number.
type PairError struct{ Entry int }

// ParsePairs reads what FormatPairs writes. Blank entries are skipped; an
// entry without '=' is an error. A name given twice keeps the last value.
func ParsePairs(s string, sep byte) (map[string]string, *PairError) {
	m := map[string]string{}
	for i, entry := range splitUnescaped(s, sep) {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		parts := splitUnescaped(entry, '=')
		if len(parts) < 2 {
			return nil, &PairError{Entry: i + 1}
		}
		value := strings.Join(parts[1:], "=") // a value may hold '='
		m[strings.TrimSpace(unescape(parts[0]))] = strings.TrimSpace(unescape(value))
	}
	return m, nil
}

// splitUnescaped splits s at every sep not escaped by a backslash, keeping
// the escapes for unescape.
func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // skip what it escapes
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// unescape drops the backslash before '=', ';', a newline or a backslash.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && strings.IndexByte(escapable, s[i+1]) >= 0 {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
