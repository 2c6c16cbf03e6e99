package search

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAnalyze(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Pans", []string{"pan"}},
		{"cooking COOKED cooks", []string{"cook", "cook", "cook"}},
		{"The pan of the chef", []string{"pan", "chef"}},
		{"cast-iron/skillet,12\"", []string{"cast", "iron", "skillet", "12"}},
		{"Men's shoes", []string{"men", "shoe"}},
		{"men’s don't", []string{"men", "dont"}},
		{"'quoted'", []string{"quot"}},
		{"X200s 500ml", []string{"x200s", "500ml"}},
		{"Crème brûlée", []string{"crème", "brûlée"}},
		{"日本 茶", []string{"日", "日本", "本", "茶"}},
		{"Ünïcode ÉPÉE", []string{"ünïcode", "épée"}},
		{strings.Repeat("z", maxTokenBytes+1) + " ok", []string{"ok"}},
	}
	for _, tt := range tests {
		var got []string
		newAnalyzer().analyze(tt.in, func(s string) { got = append(got, s) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("analyze(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTextDedupes(t *testing.T) {
	got, err := parseText(newAnalyzer(), "pans the pan PAN cooking")
	if err != nil || !slices.Equal(got, []string{"cook", "pan"}) {
		t.Errorf("parseText = %q, %v", got, err)
	}
}

// FuzzQueryText checks that no query text panics the analyzer or a search,
// and that terms are valid UTF-8 free of separators when the input is.
func FuzzQueryText(f *testing.F) {
	ix := newIndexOf(shopDocs())
	for _, s := range []string{"pans", "men's shoes", "'", "a'", "’s", "日本", "\xff\xfe", "x200s", strings.Repeat("ab ", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		terms, err := parseText(ix.text, text)
		if err != nil && !errors.Is(err, ErrInvalidQuery) {
			t.Fatalf("parseText: %v", err)
		}
		for _, term := range terms {
			if term == "" || strings.ContainsAny(term, " \t\n'") {
				t.Fatalf("bad term %q", term)
			}
			if utf8.ValidString(text) && !utf8.ValidString(term) {
				t.Fatalf("term %q of valid text is not UTF-8", term)
			}
		}
		res, err := ix.Search(Query{Text: text, Limit: 3})
		if err != nil && !errors.Is(err, ErrInvalidQuery) {
			t.Fatalf("Search: %v", err)
		}
		if len(res.Items) > res.Total {
			t.Fatalf("%d items of Total %d", len(res.Items), res.Total)
		}
	})
}
