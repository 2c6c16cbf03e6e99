package search

import (
	"slices"
	"testing"
)

func TestAnalyzeCJK(t *testing.T) {
	tests := []struct {
		name string
		in   string
		doc  []string // analyze: what a document indexes
		qry  []string // queryTerms: what a query requires
	}{
		{"one character", "壳", []string{"壳"}, []string{"壳"}},
		{"two characters", "手机", []string{"手", "手机", "机"}, []string{"手机"}},
		{"a run of three", "手机壳", []string{"手", "手机", "机", "机壳", "壳"}, []string{"手机", "机壳"}},
		{"punctuation splits", "炒锅，汤锅。", []string{"炒", "炒锅", "锅", "汤", "汤锅", "锅"}, []string{"炒锅", "汤锅"}},
		{"repeats kept, query deduplicated", "手机 手机", []string{"手", "手机", "机", "手", "手机", "机"}, []string{"手机"}},
		{"Latin and Han run together", "iPhone手机壳", []string{"iphon", "手", "手机", "机", "机壳", "壳"}, []string{"iphon", "手机", "机壳"}},
		{"Latin and Han with a space", "iPhone 15 手机壳", []string{"iphon", "15", "手", "手机", "机", "机壳", "壳"}, []string{"iphon", "15", "手机", "机壳"}},
		{"digits split from Han", "3件套", []string{"3", "件", "件套", "套"}, []string{"3", "件套"}},
		{"full-width Latin folded", "ＩＰＨＯＮＥ１５ ｃａｓｅ", []string{"iphone15", "case"}, []string{"iphone15", "case"}},
		{"an apostrophe does not join Han", "men's手", []string{"men", "手"}, []string{"men", "手"}},
		{"katakana with the prolonged mark", "コーヒー", []string{"コ", "コー", "ー", "ーヒ", "ヒ", "ヒー", "ー"}, []string{"コー", "ーヒ", "ヒー"}},
		{"hiragana and kanji", "お茶", []string{"お", "お茶", "茶"}, []string{"お茶"}},
		{"hangul", "가방", []string{"가", "가방", "방"}, []string{"가방"}},
		{"stopwords still dropped beside Han", "the 茶 of", []string{"茶"}, []string{"茶"}},
		{"accented Latin is not CJK", "Crème 茶", []string{"crème", "茶"}, []string{"crème", "茶"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAnalyzer()
			var doc []string
			a.analyze(tt.in, func(s string) { doc = append(doc, s) })
			if !slices.Equal(doc, tt.doc) {
				t.Errorf("analyze(%q) = %q, want %q", tt.in, doc, tt.doc)
			}
			if got := a.queryTerms(tt.in); !slices.Equal(got, tt.qry) {
				t.Errorf("queryTerms(%q) = %q, want %q", tt.in, got, tt.qry)
			}
		})
	}
}

// TestQueryTermsAreIndexed checks that every term a query makes of some
// text is among the terms a document makes of the same text: a listing
// is always found by its own words.
func TestQueryTermsAreIndexed(t *testing.T) {
	a := newAnalyzer()
	for _, text := range []string{"不锈钢炒锅家用燃气灶适用", "iPhone 15 Pro 手机壳 透明防摔", "日本のお茶とコーヒー", "무선 블루투스 이어폰", "x", "牛"} {
		doc := map[string]bool{}
		a.analyze(text, func(s string) { doc[s] = true })
		for _, q := range a.queryTerms(text) {
			if !doc[q] {
				t.Errorf("%q: query term %q is not indexed", text, q)
			}
		}
	}
}

func TestWordsCJKRanges(t *testing.T) {
	text := "iphnoe 手机壳"
	var got []string
	for _, w := range newAnalyzer().words(text) {
		got = append(got, text[w.start:w.end]+"="+w.term)
	}
	want := []string{"iphnoe=iphno", "手机=手机", "机壳=机壳"}
	if !slices.Equal(got, want) {
		t.Errorf("words(%q) = %q, want %q", text, got, want)
	}
}
