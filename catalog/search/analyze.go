package search

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// maxTokenBytes drops longer tokens: they are base64 blobs, URLs or
// keyboard mashing, never words a shopper types.
const maxTokenBytes = 64

// stopwords is the small English stop list (Lucene's classic set). Words in
// it are neither indexed nor required by a query.
var stopwords = map[string]struct{}{
	"a": {}, "an": {}, "and": {}, "are": {}, "as": {}, "at": {}, "be": {},
	"but": {}, "by": {}, "for": {}, "if": {}, "in": {}, "into": {}, "is": {},
	"it": {}, "no": {}, "not": {}, "of": {}, "on": {}, "or": {}, "such": {},
	"that": {}, "the": {}, "their": {}, "then": {}, "there": {}, "these": {},
	"they": {}, "this": {}, "to": {}, "was": {}, "will": {}, "with": {},
}

// maxStems bounds the stem cache; when full it starts over.
const maxStems = 1 << 17

// analyzer turns text into index terms, for documents and queries alike.
// It caches stems, the costly step: a catalog repeats the same words.
type analyzer struct {
	mu    sync.RWMutex      // guards stems
	stems map[string]string // lowercased token to its term
}

func newAnalyzer() *analyzer { return &analyzer{stems: make(map[string]string)} }

// analyze splits document text s into index terms and calls emit for
// each, in order, repeats included. A token is a run of Unicode letters and
// digits of one kind, CJK or not (see tokens). A token that is not CJK
// makes one term: lowercased, full-width forms folded to ASCII, dropped if
// it is a stopword, stemmed with the English Snowball stemmer when it has
// no digits (model numbers such as "x200s" are kept as typed). A CJK token
// makes its overlapping bigrams and its single characters (see grams), so
// that a query of one character finds it too.
func (a *analyzer) analyze(s string, emit func(term string)) {
	tokens(s, func(start, end int, cjk bool) {
		if cjk {
			grams(s, start, end, true, func(_, _ int, g string) { emit(g) })
			return
		}
		a.emit(s[start:end], emit)
	})
}

// word is one token of a text that makes a term, where the text holds it.
type word struct {
	start, end int // byte offsets of the token
	term       string
}

// words analyzes query text s as queryTerms does, keeping where each
// term's token (or a CJK term's characters) is.
func (a *analyzer) words(s string) []word {
	var out []word
	tokens(s, func(start, end int, cjk bool) {
		if cjk {
			grams(s, start, end, false, func(gs, ge int, g string) { out = append(out, word{gs, ge, g}) })
			return
		}
		a.emit(s[start:end], func(t string) { out = append(out, word{start, end, t}) })
	})
	return out
}

// tokens calls fn with the byte range of each token of s, in order, and
// whether it is CJK. A token is a run of letters and digits that are all
// CJK (see isCJK) or all not: "iPhone手机壳" is two tokens. A token that
// is not CJK may hold apostrophes between letters ("men's").
func tokens(s string, fn func(start, end int, cjk bool)) {
	start, cjk := -1, false
	for i, r := range s {
		if start >= 0 {
			if isWordRune(r) && isCJK(r) == cjk {
				continue
			}
			if !cjk && isApostrophe(r) && nextIsWord(s, i) {
				continue
			}
			fn(start, i, cjk)
			start = -1
		}
		if isWordRune(r) {
			start, cjk = i, isCJK(r)
		}
	}
	if start >= 0 {
		fn(start, len(s), cjk)
	}
}

// grams calls fn with each term of the CJK token s[start:end] and where it
// is: the bigram of each two neighbouring characters, as Lucene's
// CJKAnalyzer makes them ("手机壳" is 手机 and 机壳), and with unigrams
// also each character; a token of one character is its own term either
// way. Documents are indexed with unigrams and queries are analyzed
// without, so that a query of two characters or more matches by bigrams
// (which are selective) and one of a single character still matches. The
// terms are substrings of s.
func grams(s string, start, end int, unigrams bool, fn func(start, end int, term string)) {
	_, first := utf8.DecodeRuneInString(s[start:end])
	if start+first == end {
		fn(start, end, s[start:end])
		return
	}
	prev := -1 // the previous character's start
	for i := start; i < end; {
		_, size := utf8.DecodeRuneInString(s[i:end])
		if prev >= 0 {
			fn(prev, i+size, s[prev:i+size])
		}
		if unigrams {
			fn(i, i+size, s[i:i+size])
		}
		prev, i = i, i+size
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isCJK reports whether letter r is written without spaces between
// words: Han ideographs, Japanese kana (with the prolonged sound mark) and
// Korean hangul, the scripts Lucene's CJK bigram filter joins.
func isCJK(r rune) bool {
	if r < 0x1100 { // below Hangul Jamo, the first of them
		return false
	}
	return r == 'ー' || r == 'ｰ' || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' }

// nextIsWord reports whether the rune after the one at byte i is a word
// rune that is not CJK.
func nextIsWord(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	r, _ := utf8.DecodeRuneInString(s[i+size:])
	return isWordRune(r) && !isCJK(r)
}

// emit turns one token into its term, if any, and emits it.
func (a *analyzer) emit(tok string, emit func(string)) {
	if len(tok) > maxTokenBytes {
		return
	}
	tok = strings.ReplaceAll(strings.ToLower(foldWidth(tok)), "\u2019", "'")
	if _, stop := stopwords[tok]; stop {
		return
	}
	a.mu.RLock()
	t, ok := a.stems[tok]
	a.mu.RUnlock()
	if !ok {
		t = stem(tok)
		a.mu.Lock()
		if len(a.stems) >= maxStems {
			clear(a.stems)
		}
		a.stems[strings.Clone(tok)] = t
		a.mu.Unlock()
	}
	if t != "" {
		emit(t)
	}
}

// stem returns the term of a lowercased token: its Snowball stem unless it
// holds digits, without apostrophes.
func stem(tok string) string {
	if !strings.ContainsFunc(tok, unicode.IsDigit) {
		env := snowballstem.NewEnv(tok)
		english.Stem(env)
		tok = env.Current()
	}
	return strings.Clone(strings.ReplaceAll(tok, "'", ""))
}

// foldWidth turns full-width ASCII forms, which Chinese and Japanese text
// often uses for Latin letters and digits ("ｉＰｈｏｎｅ１５"), into ASCII.
func foldWidth(tok string) string {
	if strings.IndexByte(tok, 0xef) < 0 { // the first byte of U+F000 to U+FFFF
		return tok
	}
	return strings.Map(func(r rune) rune {
		if r >= 0xff01 && r <= 0xff5e {
			return r - 0xff01 + '!'
		}
		return r
	}, tok)
}

// queryTerms analyzes query text into its distinct terms, in first-seen
// order: as analyze does, but a CJK token of two characters or more
// makes its bigrams only.
func (a *analyzer) queryTerms(text string) []string {
	var terms []string
	for _, w := range a.words(text) {
		if !slices.Contains(terms, w.term) {
			terms = append(terms, w.term)
		}
	}
	return terms
}
