package search

import (
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

// analyze splits s into index terms and calls emit for each, in order,
// repeats included. A token is a run of Unicode letters and digits, with
// apostrophes allowed inside it ("men's"); it is lowercased, dropped if it is
// a stopword, and stemmed with the English Snowball stemmer when it has no
// digits (model numbers such as "x200s" are kept as typed).
func (a *analyzer) analyze(s string, emit func(term string)) {
	tokens(s, func(start, end int) { a.emit(s[start:end], emit) })
}

// word is one token of a text that makes a term, where the text holds it.
type word struct {
	start, end int // byte offsets of the token
	term       string
}

// words analyzes s as analyze does, keeping where each term's token is.
func (a *analyzer) words(s string) []word {
	var out []word
	tokens(s, func(start, end int) {
		a.emit(s[start:end], func(t string) { out = append(out, word{start, end, t}) })
	})
	return out
}

// tokens calls fn with the byte range of each token of s, in order.
func tokens(s string, fn func(start, end int)) {
	start := -1
	for i, r := range s {
		if isWordRune(r) || (start >= 0 && isApostrophe(r) && nextIsWord(s, i)) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			fn(start, i)
			start = -1
		}
	}
	if start >= 0 {
		fn(start, len(s))
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' }

// nextIsWord reports whether the rune after the one at byte i is a word rune.
func nextIsWord(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	r, _ := utf8.DecodeRuneInString(s[i+size:])
	return isWordRune(r)
}

// emit turns one token into its term, if any, and emits it.
func (a *analyzer) emit(tok string, emit func(string)) {
	if len(tok) > maxTokenBytes {
		return
	}
	tok = strings.ReplaceAll(strings.ToLower(tok), "\u2019", "'")
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

// queryTerms analyzes query text into its distinct terms, in first-seen
// order.
func (a *analyzer) queryTerms(text string) []string {
	var terms []string
	a.analyze(text, func(t string) {
		for _, have := range terms {
			if have == t {
				return
			}
		}
		terms = append(terms, t)
	})
	return terms
}
